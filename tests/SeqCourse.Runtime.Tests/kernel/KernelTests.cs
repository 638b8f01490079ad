using System.Text.Json.Nodes;

namespace SeqCourse.Runtime.Tests.Kernel;

public class KernelTests
{
    private static string ScriptDirectory([System.Runtime.CompilerServices.CallerFilePath] string path = "") => Path.GetDirectoryName(path)!;

    [Fact]
    public void Install_writes_the_kernelspec_with_message_interrupts_and_the_running_cli()
    {
        var kernel = new InstalledKernel();
        var specPath = Path.Combine(kernel.JupyterPath, "kernels", "seqcourse-csharp", "kernel.json");
        Assert.Contains(Path.GetDirectoryName(specPath)!, kernel.InstallMessage);
        var spec = JsonNode.Parse(File.ReadAllText(specPath))!;
        Assert.Equal("C# (SeqCourse)", spec["display_name"]!.GetValue<string>());
        Assert.Equal("C#", spec["language"]!.GetValue<string>());
        Assert.Equal("message", spec["interrupt_mode"]!.GetValue<string>());
        var argv = spec["argv"]!.AsArray().Select(a => a!.GetValue<string>()).ToArray();
        Assert.Equal("dotnet", Path.GetFileName(argv[0]));
        Assert.Equal(Path.Combine(AppContext.BaseDirectory, "course.dll"), argv[1]);
        Assert.Equal(["kernel", "-f", "{connection_file}"], argv[2..]);
    }

    [Fact]
    public void Kernel_passes_the_jupyter_kernel_test_conformance_suite()
    {
        DebianPython.Require("jupyter_kernel_test", "jupyter_client");
        var kernel = new InstalledKernel();
        var (exitCode, output) = DebianPython.Run(["-m", "unittest", "-v", "test_kernel"], ScriptDirectory(), kernel.Environment, TimeSpan.FromMinutes(8));
        Assert.True(exitCode == 0, "jupyter_kernel_test failed:\n" + output);
        Assert.Contains("OK (skipped=1)", output); // only test_pager: the kernel has no pager
    }

    [Fact]
    public void Nbclient_executes_a_notebook_with_a_plotly_chart_and_a_matrix()
    {
        DebianPython.Require("nbclient", "nbformat");
        var kernel = new InstalledKernel();
        var saved = Path.Combine(kernel.Prefix, "executed.ipynb");
        var (exitCode, output) = DebianPython.Run(["run_nbclient.py", saved], ScriptDirectory(), kernel.Environment, TimeSpan.FromMinutes(5));
        Assert.True(exitCode == 0, "nbclient run failed:\n" + output);

        var notebook = JsonNode.Parse(File.ReadAllText(saved))!;
        Assert.Equal("C#", notebook["metadata"]!["language_info"]!["name"]!.GetValue<string>());
        var code = notebook["cells"]!.AsArray().Where(c => c!["cell_type"]!.GetValue<string>() == "code").ToList();
        Assert.Equal([1, 2, 3, 4], code.Select(c => c!["execution_count"]!.GetValue<int>()));

        var stream = code[0]!["outputs"]!.AsArray().Single()!;
        Assert.Equal("stream", stream["output_type"]!.GetValue<string>());
        Assert.Equal("n = 3\n", Text(stream["text"]!));

        var chart = code[1]!["outputs"]!.AsArray().Single()!;
        Assert.Equal("execute_result", chart["output_type"]!.GetValue<string>());
        var figure = chart["data"]!["application/vnd.plotly.v1+json"]!;
        Assert.Equal([1.0, 4.0, 9.0], figure["data"]![0]!["y"]!.AsArray().Select(v => v!.GetValue<double>()));
        Assert.Contains(PlotlyBundle.Script[..1000], Text(chart["data"]!["text/html"]!));

        var matrix = code[2]!["outputs"]!.AsArray().Single()!;
        Assert.Contains("<td>1</td><td>2</td>", Text(matrix["data"]!["text/html"]!));
        Assert.Contains("DenseMatrix 2x2-Double", Text(matrix["data"]!["text/plain"]!));

        var second = code[3]!["outputs"]!.AsArray().Single()!;
        Assert.Equal("display_data", second["output_type"]!.GetValue<string>());
        var secondHtml = Text(second["data"]!["text/html"]!);
        Assert.Contains("Plotly.newPlot", secondHtml);
        Assert.True(secondHtml.Length < 10_000, "plotly.js is sent once per kernel session, not with every figure");
    }

    /// <summary>nbformat stores multi-line strings either as one string or as a list of lines.</summary>
    private static string Text(JsonNode node) => node is JsonArray lines ? string.Concat(lines.Select(l => l!.GetValue<string>())) : node.GetValue<string>();
}
