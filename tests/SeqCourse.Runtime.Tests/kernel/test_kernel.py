"""Jupyter conformance tests for the seqcourse-csharp kernel (jupyter_kernel_test), plus interrupt and restart.

Run by KernelConformanceTests.cs with JUPYTER_PATH pointing at a freshly installed kernelspec:
    /usr/bin/python3 -m unittest -v test_kernel
"""
import signal
import time
import unittest
from queue import Empty

import jupyter_kernel_test
from jupyter_client.utils import run_sync

TIMEOUT = 60

PLOT = ("display(Plotly.NET.CSharp.Chart.Point<double, double, string>"
        "(x: new[] { 1.0, 2.0 }, y: new[] { 3.0, 4.0 }));")


class SeqCourseKernelTests(jupyter_kernel_test.KernelTests):
    kernel_name = "seqcourse-csharp"
    language_name = "C#"
    file_extension = ".cs"

    code_hello_world = 'Console.WriteLine("hello, world");'
    code_stderr = 'Console.Error.WriteLine("something went wrong");'

    completion_samples = [
        {"text": "Console.Wri", "matches": {"Write", "WriteLine"}},
        {"text": "Math.Sqr", "matches": {"Sqrt"}},
        {"text": "var zebraCount = 1; var y = zebraCo", "matches": {"zebraCount"}},
        {"text": "new List<int>().AddR", "matches": {"AddRange"}},
    ]

    complete_code_samples = [
        "var x = 1;",
        "Console.WriteLine(1);",
        "6 * 7",
        "for (var i = 0; i < 3; i++) { }",
        "int Square(int v) => v * v;",
        "",
    ]
    incomplete_code_samples = [
        "for (var i = 0; i < 3; i++) {",
        "int Square(int v)\n{",
        "var list = new List<int> {",
        "if (true)",
    ]
    invalid_code_samples = [
        "var 2x = 1;",
        "int x = );",
    ]

    code_generate_error = 'throw new InvalidOperationException("boom");'

    code_execute_result = [
        {"code": "6 * 7", "result": "42"},
        {"code": '"seq" + "course"', "result": "seqcourse"},
        {"code": "Matrix<double>.Build.DenseIdentity(2)", "mime": "text/html"},
    ]

    code_display_data = [
        {"code": "display(Matrix<double>.Build.DenseIdentity(2));", "mime": "text/html"},
        {"code": 'display("plain text");', "mime": "text/plain"},
        {"code": PLOT, "mime": "application/vnd.plotly.v1+json"},
        {"code": PLOT, "mime": "text/html"},
    ]

    code_history_pattern = "6*7"
    supported_history_operations = ("tail", "range", "search")

    code_inspect_sample = "Math.Sqrt"

    code_clear_output = 'Console.WriteLine("soon gone"); ClearOutput();'

    # code_page_something: the kernel has no pager, so test_pager is skipped.

    def execute_and_wait(self, code, timeout=TIMEOUT):
        """Executes without the helper's 0.1 s iopub deadline; returns (reply, outputs)."""
        msg_id = self.kc.execute(code)
        reply = self.get_non_kernel_info_reply(timeout=timeout)
        self.assertEqual(reply["parent_header"]["msg_id"], msg_id)
        outputs = []
        deadline = time.time() + timeout
        while time.time() < deadline:
            msg = run_sync(self.kc.iopub_channel.get_msg)(timeout=timeout)
            if msg["parent_header"].get("msg_id") != msg_id:
                continue
            if msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
                break
            outputs.append(msg)
        return reply, outputs

    def test_busy_idle_around_kernel_info(self):
        self.flush_channels()
        msg_id = self.kc.kernel_info()
        self.kc.get_shell_msg(timeout=TIMEOUT)
        states = []
        while "idle" not in states:
            msg = run_sync(self.kc.iopub_channel.get_msg)(timeout=TIMEOUT)
            if msg["parent_header"].get("msg_id") == msg_id and msg["msg_type"] == "status":
                states.append(msg["content"]["execution_state"])
        self.assertEqual(states, ["busy", "idle"])

    def test_error_reports_cell_line(self):
        self.flush_channels()
        reply, outputs = self.execute_and_wait("var a = 1;\nvar b = a / 0.0;\nthrow new ArgumentException(\"bad\");")
        self.assertEqual(reply["content"]["status"], "error")
        self.assertEqual(reply["content"]["ename"], "ArgumentException")
        self.assertEqual(reply["content"]["evalue"], "bad")
        self.assertRegex(reply["content"]["traceback"][0], r"^Cell \d+, line 3: ArgumentException: bad")

    def test_interrupt_message_keeps_state(self):
        self.flush_channels()
        reply, _ = self.execute_and_wait("var kept = 41;")
        self.assertEqual(reply["content"]["status"], "ok")
        msg_id = self.kc.execute("while (true) { }")
        time.sleep(1.0)
        self.km.interrupt_kernel()  # interrupt_mode "message": interrupt_request on the control channel
        reply = self.get_non_kernel_info_reply(timeout=TIMEOUT)
        self.assertEqual(reply["parent_header"]["msg_id"], msg_id)
        self.assertEqual(reply["content"]["status"], "error")
        self.assertEqual(reply["content"]["ename"], "Interrupted")
        self.flush_channels()
        reply, outputs = self.execute_and_wait("kept + 1")
        self.assertEqual(reply["content"]["status"], "ok")
        results = [m for m in outputs if m["msg_type"] == "execute_result"]
        self.assertEqual(results[0]["content"]["data"]["text/plain"], "42")

    def test_sigint_interrupts_and_does_not_kill(self):
        self.flush_channels()
        msg_id = self.kc.execute("var spins = 0L; while (true) { spins++; }")
        time.sleep(1.0)
        self.km.signal_kernel(signal.SIGINT)
        reply = self.get_non_kernel_info_reply(timeout=TIMEOUT)
        self.assertEqual(reply["parent_header"]["msg_id"], msg_id)
        self.assertEqual(reply["content"]["ename"], "Interrupted")
        self.assertTrue(self.km.is_alive())
        self.flush_channels()
        reply, outputs = self.execute_and_wait("spins > 0")
        results = [m for m in outputs if m["msg_type"] == "execute_result"]
        self.assertEqual(results[0]["content"]["data"]["text/plain"], "True")

    def test_error_aborts_the_queued_cells(self):
        # Run All: every execute_request is sent at once; after the failing cell the rest are aborted.
        self.flush_channels()
        ids = [self.kc.execute(code) for code in (
            'Console.WriteLine("first");', 'throw new Exception("stop here");', "var afterError = 1;", "6 * 7")]
        replies = {}
        while len(replies) < len(ids):
            reply = self.get_non_kernel_info_reply(timeout=TIMEOUT)
            replies[reply["parent_header"]["msg_id"]] = reply["content"]["status"]
        self.assertEqual([replies[i] for i in ids], ["ok", "error", "aborted", "aborted"])
        self.flush_channels()
        reply, _ = self.execute_and_wait("afterError")
        self.assertEqual(reply["content"]["status"], "error")
        self.assertIn("CS0103", reply["content"]["evalue"])

    def test_update_display_data(self):
        self.flush_channels()
        reply, outputs = self.execute_and_wait("var h = display(1);\nh.Update(2);")
        self.assertEqual(reply["content"]["status"], "ok")
        kinds = [m["msg_type"] for m in outputs if m["msg_type"] not in ("execute_input", "status")]
        self.assertEqual(kinds, ["display_data", "update_display_data"])
        first, update = [m for m in outputs if m["msg_type"] in ("display_data", "update_display_data")]
        self.assertEqual(first["content"]["transient"]["display_id"], update["content"]["transient"]["display_id"])
        self.assertEqual(update["content"]["data"]["text/plain"], "2")

    def test_zz_restart_clears_state(self):
        self.flush_channels()
        reply, _ = self.execute_and_wait("var beforeRestart = 1;")
        self.assertEqual(reply["content"]["status"], "ok")
        self.km.restart_kernel(now=False)
        self.kc.wait_for_ready(timeout=TIMEOUT)
        self.flush_channels()
        reply, outputs = self.execute_and_wait("beforeRestart")
        self.assertEqual(reply["content"]["status"], "error")
        self.assertIn("CS0103", reply["content"]["evalue"])
        self.assertIn("line 1", reply["content"]["traceback"][0])
        reply, outputs = self.execute_and_wait("6 * 7")
        self.assertEqual(reply["content"]["status"], "ok")
        self.assertEqual(reply["content"]["execution_count"], 2)


if __name__ == "__main__":
    unittest.main()
