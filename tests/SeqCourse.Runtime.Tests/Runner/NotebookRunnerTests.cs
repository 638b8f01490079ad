using System.Text.Json.Nodes;
using SeqCourse.Runtime.Notebooks;
using SeqCourse.Runtime.Runner;

namespace SeqCourse.Runtime.Tests.Runner;

[Collection(RunnerCollection.Name)]
public class NotebookRunnerTests
{
    [Fact]
    public async Task DemoNotebookIsExecutedIntoAValidNbformat45File()
    {
        var folder = TestSupport.NewTempFolder();
        var source = Path.Combine(folder, "demo.ipynb");
        File.Copy(TestSupport.DemoNotebook, source);
        var before = File.ReadAllBytes(source);
        var output = Path.Combine(folder, "out", "week1", "demo.ipynb");
        var progress = new List<CellProgress>();

        var result = await new NotebookRunner().RunAsync(source, output, new SyncProgress(progress.Add));

        Assert.True(result.Success, result.Error);
        Assert.Equal(output, result.OutputPath);
        Assert.Equal(before, File.ReadAllBytes(source)); // the source notebook is never touched
        Assert.Equal([new CellProgress(0, 3), new CellProgress(1, 3), new CellProgress(2, 3), new CellProgress(3, 3)], progress);

        var executed = NotebookFile.Read(output);
        var code = executed.Cells.Where(c => c.CellType == CellType.Code).ToList();
        Assert.Equal([1, 2, 3], code.Select(c => c.ExecutionCount ?? -1));
        Assert.Equal("sum = 5\n", StreamText(code[0]));
        Assert.Equal("det = -2.000\n", StreamText(code[1]));
        Assert.Contains(code[1].Outputs, o => (string?)o["output_type"] is "execute_result" or "display_data");

        var figure = code[2].Outputs.Select(o => o["data"]?["application/vnd.plotly.v1+json"]).OfType<JsonObject>().Single();
        var trace = figure["data"]![0]!;
        Assert.Equal("tanh", (string?)trace["name"]);
        Assert.Equal(61, trace["x"]!.AsArray().Count);
        Assert.Equal(Math.Tanh(3.0), (double)trace["y"]![60]!, 12);

        var validation = TestSupport.ValidateWithNbformat(output);
        Assert.True(validation.ExitCode == 0, validation.ToString());
        Assert.Equal("valid 4 5", validation.Stdout.Trim());
    }

    [Fact]
    public async Task FailingCellStopsTheNotebookAndWritesNothing()
    {
        var folder = TestSupport.NewTempFolder();
        var source = Path.Combine(folder, "fails.ipynb");
        var notebook = NotebookDocument.CreateCourseNotebook();
        notebook.Cells.Add(NotebookCell.Markdown("# Fails"));
        notebook.Cells.Add(NotebookCell.CSharp("var reached = new List<int>();\nreached.Add(1);"));
        notebook.Cells.Add(NotebookCell.CSharp("reached.Add(2);\nthrow new InvalidOperationException(\"boom\");"));
        notebook.Cells.Add(NotebookCell.CSharp("System.IO.File.WriteAllText(\"after.txt\", \"should not run\");"));
        NotebookFile.Write(source, notebook);
        var output = Path.Combine(folder, "out", "fails.ipynb");
        Directory.CreateDirectory(Path.GetDirectoryName(output)!);
        File.WriteAllText(output, "stale executed copy from an earlier run");

        var result = await new NotebookRunner().RunAsync(source, output);

        Assert.False(result.Success);
        Assert.Null(result.OutputPath);
        Assert.Equal(3, result.Failure!.CellNumber);
        Assert.Equal("InvalidOperationException: boom", result.Failure.Message);
        Assert.EndsWith("fails.ipynb, cell 3, line 2: InvalidOperationException: boom", result.Error);
        Assert.False(File.Exists(output)); // neither a partial nor the stale copy is left
        Assert.Empty(Directory.GetFiles(Path.GetDirectoryName(output)!));
        Assert.False(File.Exists(Path.Combine(folder, "after.txt"))); // cells after the failure never run
    }

    [Fact]
    public async Task CellThatNeverEndsIsCancelledAtTheTimeout()
    {
        var folder = TestSupport.NewTempFolder();
        var source = Path.Combine(folder, "loop.ipynb");
        var notebook = NotebookDocument.CreateCourseNotebook();
        notebook.Cells.Add(NotebookCell.CSharp("var n = 0;"));
        notebook.Cells.Add(NotebookCell.CSharp("while (true) { n++; }"));
        NotebookFile.Write(source, notebook);
        var clock = System.Diagnostics.Stopwatch.StartNew();

        var result = await new NotebookRunner(new RunnerOptions { CellTimeout = TimeSpan.FromSeconds(5) })
            .RunAsync(source, Path.Combine(folder, "out.ipynb"));

        Assert.False(result.Success);
        Assert.True(result.Failure!.TimedOut);
        Assert.False(result.Hung, "the engine must stop a plain while (true) loop when cancelled");
        Assert.Equal(2, result.Failure.CellNumber);
        Assert.EndsWith("loop.ipynb, cell 2: timed out after 5 s (raise it with --timeout SECONDS)", result.Error);
        Assert.InRange(clock.Elapsed.TotalSeconds, 5, 40);
        Assert.False(File.Exists(Path.Combine(folder, "out.ipynb")));
    }

    [Fact]
    public async Task PythonNotebookIsRefusedWithoutRunningIt()
    {
        var folder = TestSupport.NewTempFolder();
        var source = Path.Combine(folder, "py.ipynb");
        File.WriteAllText(source, """
            {"cells": [{"cell_type": "code", "execution_count": null, "id": "a", "metadata": {}, "outputs": [], "source": "print(1)"}],
             "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}},
             "nbformat": 4, "nbformat_minor": 5}
            """);

        var result = await new NotebookRunner().RunAsync(source, Path.Combine(folder, "out.ipynb"));

        Assert.EndsWith("py.ipynb: not a C# notebook (its kernel language is \"python\"); the runner only executes C#", result.Error);
        Assert.False(File.Exists(Path.Combine(folder, "out.ipynb")));
    }

    [Fact]
    public async Task CellsRunInTheNotebooksFolder()
    {
        var folder = TestSupport.NewTempFolder();
        File.WriteAllText(Path.Combine(folder, "data.txt"), "42");
        var source = Path.Combine(folder, "reads.ipynb");
        var notebook = NotebookDocument.CreateCourseNotebook();
        notebook.Cells.Add(NotebookCell.CSharp("Console.Write(System.IO.File.ReadAllText(\"data.txt\"));"));
        NotebookFile.Write(source, notebook);

        var result = await new NotebookRunner().RunAsync(source, null);

        Assert.True(result.Success, result.Error);
        Assert.Equal("42", StreamText(result.Executed!.Cells[0]));
    }

    [Fact]
    public void ConverterMergesStreamsAppliesClearOutputAndDisplayUpdates()
    {
        var converter = new OutputConverter();
        var first = NotebookCell.CSharp("a");
        var second = NotebookCell.CSharp("b");
        static Dictionary<string, JsonNode> Text(string s) => new() { ["text/plain"] = JsonValue.Create(s)! };

        converter.Apply(first, new StreamOutput("stdout", "epoch 1\n"), 1);
        converter.Apply(first, new StreamOutput("stdout", "epoch 2\n"), 1);
        converter.Apply(first, new StreamOutput("stderr", "warn\n"), 1);
        converter.Apply(first, new DisplayDataOutput(Text("loss 0.9"), DisplayId: "loss"), 1);
        converter.Apply(second, new ClearOutputRequest(Wait: true), 2);
        Assert.Empty(second.Outputs);
        converter.Apply(second, new StreamOutput("stdout", "x"), 2);
        converter.Apply(second, new ClearOutputRequest(Wait: true), 2);
        converter.Apply(second, new StreamOutput("stdout", "y"), 2);
        converter.Apply(second, new DisplayDataOutput(Text("loss 0.1"), DisplayId: "loss", IsUpdate: true), 2);
        converter.Apply(second, new ExecuteResultOutput(Text("done")), 2);

        Assert.Equal(3, first.Outputs.Count);
        Assert.Equal("epoch 1\nepoch 2\n", NotebookFile.JoinLines(first.Outputs[0]["text"]));
        Assert.Equal("stderr", (string?)first.Outputs[1]["name"]);
        Assert.Equal("loss 0.1", NotebookFile.JoinLines(first.Outputs[2]["data"]!["text/plain"])); // updated in place
        Assert.Equal(2, second.Outputs.Count);
        Assert.Equal("y", NotebookFile.JoinLines(second.Outputs[0]["text"]));
        Assert.Equal(2, (int)second.Outputs[1]["execution_count"]!);
    }

    private static string StreamText(NotebookCell cell) =>
        string.Concat(cell.Outputs.Where(o => (string?)o["output_type"] == "stream").Select(o => NotebookFile.JoinLines(o["text"])));

    private sealed class SyncProgress(Action<CellProgress> report) : IProgress<CellProgress>
    {
        public void Report(CellProgress value) => report(value);
    }
}

public class RunnerErrorMessageTests
{
    private static readonly Dictionary<int, int> CellOf = new() { [1] = 2, [2] = 4, [3] = 5 };

    [Fact]
    public void RuntimeErrorInTheFailingCell()
    {
        var error = new ErrorOutput("InvalidOperationException", "Cell 3, line 2: InvalidOperationException: boom",
            ["Cell 3, line 2: InvalidOperationException: boom", "   at cell in Cell 3, line 2"]);

        Assert.Equal(new CellFailure(5, 2, "InvalidOperationException: boom"), NotebookRunner.FromError(error, 5, 3, CellOf));
    }

    [Fact]
    public void ErrorRaisedInAFunctionOfAnEarlierCellPointsAtBoth()
    {
        var error = new ErrorOutput("DivideByZeroException", "Cell 1, line 2: DivideByZeroException: Attempted to divide by zero.",
            ["Cell 1, line 2: DivideByZeroException: Attempted to divide by zero.", "   at F in Cell 1, line 2", "   at cell in Cell 2, line 7"]);

        var failure = NotebookRunner.FromError(error, 4, 2, CellOf);

        Assert.Equal(new CellFailure(4, 7, "DivideByZeroException: Attempted to divide by zero. (raised in cell 2, line 2)"), failure);
    }

    [Fact]
    public void CompilationErrorDropsTheRedundantPrefix()
    {
        var error = new ErrorOutput("CompilationError", "Cell 2, line 3, column 9: error CS0103: The name 'x' does not exist in the current context",
            ["Cell 2, line 3, column 9: error CS0103: The name 'x' does not exist in the current context"]);

        Assert.Equal(new CellFailure(4, 3, "error CS0103: The name 'x' does not exist in the current context"), NotebookRunner.FromError(error, 4, 2, CellOf));
    }

    [Fact]
    public void ErrorWithoutPlacesKeepsNameAndFirstLine()
    {
        var error = new ErrorOutput("\u001b[31mIOException\u001b[0m", "disk gone\nsecond line", []);

        Assert.Equal(new CellFailure(1, null, "IOException: disk gone"), NotebookRunner.FromError(error, 1, 1, CellOf));
    }
}
