"""Executes course notebooks through the seqcourse-csharp kernel with nbclient, as Jupyter would.

usage: /usr/bin/python3 run_course_notebooks.py OUT_DIR NOTEBOOK...
Each notebook runs in its own folder (so `#load "../setup.csx"` resolves), stops at its first
error, is validated with nbformat and saved into OUT_DIR. One line per notebook is printed:
  ok <path> <seconds> cells=<n> plotly=<figures>
  FAIL <path> <reason>
The exit code is the number of failed notebooks (capped at 100). The kernelspec must be findable
(JUPYTER_PATH).
"""
import os
import sys
import time

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

PLOTLY = "application/vnd.plotly.v1+json"


def run(path, out_dir):
    nb = nbformat.read(path, as_version=4)
    start = time.time()
    client = NotebookClient(nb, kernel_name="seqcourse-csharp", timeout=600, startup_timeout=120,
                            resources={"metadata": {"path": os.path.dirname(os.path.abspath(path))}})
    try:
        client.execute()
    except CellExecutionError as e:
        first = str(e).strip().splitlines()
        return f"FAIL {path} cell error: {' | '.join(first[-3:])}"
    nbformat.validate(nb)
    code = [c for c in nb.cells if c.cell_type == "code"]
    missing = [i for i, c in enumerate(code) if c.get("execution_count") is None]
    if missing:
        return f"FAIL {path} code cells without execution_count: {missing}"
    errors = [o for c in code for o in c.get("outputs", []) if o.get("output_type") == "error"]
    if errors:
        return f"FAIL {path} error output: {errors[0].get('ename')}: {errors[0].get('evalue')}"
    figures = sum(1 for c in code for o in c.get("outputs", []) if PLOTLY in o.get("data", {}))
    if figures == 0:
        return f"FAIL {path} no Plotly figure in the outputs"
    nbformat.write(nb, os.path.join(out_dir, os.path.basename(os.path.dirname(path)) + "-" + os.path.basename(path)))
    return f"ok {path} {time.time() - start:.1f}s cells={len(code)} plotly={figures}"


def main(out_dir, paths):
    os.makedirs(out_dir, exist_ok=True)
    failed = 0
    for path in paths:
        try:
            line = run(path, out_dir)
        except Exception as e:  # a kernel that dies, a timeout: report and go on with the next notebook
            line = f"FAIL {path} {type(e).__name__}: {e}"
        failed += line.startswith("FAIL")
        print(line, flush=True)
    return min(failed, 100)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2:]))
