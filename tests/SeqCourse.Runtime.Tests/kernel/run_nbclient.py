"""Executes a small C# notebook through the seqcourse-csharp kernel with nbclient and saves it.

usage: /usr/bin/python3 run_nbclient.py OUTPUT.ipynb
The kernelspec must be findable (JUPYTER_PATH). The caller checks the saved outputs.
"""
import sys

import nbformat
from nbclient import NotebookClient

CELLS = [
    'var xs = new[] { 1.0, 2.0, 3.0 };\nConsole.WriteLine($"n = {xs.Length}");',
    'Plotly.NET.CSharp.Chart.Line<double, double, string>(x: xs, y: xs.Select(v => v * v))',
    'Matrix<double>.Build.DenseOfArray(new double[,] { { 1, 2 }, { 3, 4 } })',
    'display(Plotly.NET.CSharp.Chart.Point<double, double, string>(x: xs, y: xs));',
]


def main(path):
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "seqcourse-csharp", "display_name": "C# (SeqCourse)", "language": "C#"}
    nb.cells = [nbformat.v4.new_markdown_cell("# nbclient check")] + [nbformat.v4.new_code_cell(c) for c in CELLS]
    NotebookClient(nb, kernel_name="seqcourse-csharp", timeout=120, startup_timeout=120).execute()
    nbformat.validate(nb)
    nbformat.write(nb, path)
    print(f"executed {len(CELLS)} cells, language {nb.metadata.get('language_info', {}).get('name')}, saved {path}")


if __name__ == "__main__":
    main(sys.argv[1])
