using System.Text.Json.Nodes;
using SeqCourse.Runtime.Notebooks;

namespace SeqCourse.Runtime.Tests.Runner;

public class NotebookFileTests
{
    [Fact]
    public void DemoNotebookRoundTripsByteForByte()
    {
        // The demo was written by Python's json.dump(indent=1, sort_keys=True, ensure_ascii=False), as Jupyter does.
        var original = File.ReadAllText(TestSupport.DemoNotebook);
        var notebook = NotebookFile.Parse(original, "demo.ipynb");

        Assert.Equal(original, NotebookFile.Serialize(notebook));
    }

    [Fact]
    public void ParsesCellsSourceMetadataAndKernelspec()
    {
        var notebook = NotebookFile.Read(TestSupport.DemoNotebook);

        Assert.Equal(4, notebook.Cells.Count);
        Assert.Equal(CellType.Markdown, notebook.Cells[0].CellType);
        Assert.Equal("intro", notebook.Cells[0].Id);
        Assert.StartsWith("# Demo: one RNN step\n\nThe hidden state", notebook.Cells[0].Source);
        Assert.Equal(
            "var xs = Enumerable.Range(0, 5).Select(i => i * 0.5).ToArray();\nConsole.WriteLine($\"sum = {xs.Sum()}\");",
            notebook.Cells[1].Source);
        Assert.Equal("csharp", (string?)notebook.Cells[1].Metadata["polyglot_notebook"]?["kernelName"]);
        Assert.Equal("csharp", (string?)notebook.Cells[1].Metadata["dotnet_interactive"]?["language"]);
        Assert.Null(notebook.Cells[1].ExecutionCount);
        Assert.Equal(NotebookDocument.KernelName, (string?)notebook.Metadata["kernelspec"]?["name"]);
        Assert.Equal("Demo: one RNN step", notebook.Title("fallback"));
    }

    [Fact]
    public void OutputsAndExecutionCountsSurviveAWriteAndARead()
    {
        var notebook = NotebookDocument.CreateCourseNotebook();
        var cell = NotebookCell.CSharp("Console.WriteLine(\"é → ✓\");\n1 + 1");
        cell.ExecutionCount = 7;
        cell.Outputs.Add(new JsonObject { ["output_type"] = "stream", ["name"] = "stdout", ["text"] = NotebookFile.SplitLines("é → ✓\n") });
        cell.Outputs.Add(new JsonObject
        {
            ["output_type"] = "execute_result",
            ["execution_count"] = 7,
            ["data"] = new JsonObject { ["text/plain"] = NotebookFile.SplitLines("2") },
            ["metadata"] = new JsonObject(),
        });
        notebook.Cells.Add(NotebookCell.Markdown("# Title\nwith $x^2$"));
        notebook.Cells.Add(cell);

        var folder = TestSupport.NewTempFolder();
        var path = Path.Combine(folder, "n.ipynb");
        NotebookFile.Write(path, notebook);
        var back = NotebookFile.Read(path);

        Assert.Equal(2, back.Cells.Count);
        Assert.Equal("# Title\nwith $x^2$", back.Cells[0].Source);
        Assert.Equal(7, back.Cells[1].ExecutionCount);
        Assert.Equal(cell.Id, back.Cells[1].Id);
        Assert.Equal("é → ✓\n", NotebookFile.JoinLines(back.Cells[1].Outputs[0]["text"]));
        Assert.Equal("2", NotebookFile.JoinLines(back.Cells[1].Outputs[1]["data"]!["text/plain"]));
        Assert.Contains("é → ✓", File.ReadAllText(path)); // not \u-escaped
        Assert.Equal(NotebookFile.Serialize(notebook), File.ReadAllText(path));
        Assert.Equal(0, TestSupport.ValidateWithNbformat(path).ExitCode);
    }

    [Fact]
    public void OlderNotebookWithoutIdsAndWithStringSourceIsUpgradedTo45()
    {
        const string json = """
            {"cells": [{"cell_type": "code", "execution_count": 3, "metadata": {}, "outputs": [], "source": "a\nb"},
                       {"cell_type": "markdown", "metadata": {}, "source": ["x\n", "y"]}],
             "metadata": {}, "nbformat": 4, "nbformat_minor": 2}
            """;

        var notebook = NotebookFile.Parse(json);
        var again = NotebookFile.Parse(json);

        Assert.Equal(5, notebook.NbFormatMinor);
        Assert.Equal("a\nb", notebook.Cells[0].Source);
        Assert.Equal("x\ny", notebook.Cells[1].Source);
        Assert.Matches("^[0-9a-f]{8}$", notebook.Cells[0].Id);
        Assert.NotEqual(notebook.Cells[0].Id, notebook.Cells[1].Id);
        Assert.Equal(notebook.Cells[0].Id, again.Cells[0].Id); // stable across reads
        Assert.Contains("\"nbformat_minor\": 5", NotebookFile.Serialize(notebook));
    }

    [Theory]
    [InlineData("", "")]
    [InlineData("a", "a")]
    [InlineData("a\n", "a\n")]
    [InlineData("a\nb", "a\n|b")]
    [InlineData("a\n\nb\n", "a\n|\n|b\n")]
    public void SplitLinesKeepsNewlinesLikeJupyter(string text, string expected)
    {
        var lines = NotebookFile.SplitLines(text).Select(n => (string)n!).ToArray();

        Assert.Equal(expected.Length == 0 ? [] : expected.Split('|'), lines);
        Assert.Equal(text, NotebookFile.JoinLines(NotebookFile.SplitLines(text)));
    }

    [Fact]
    public void InvalidJsonNamesFileLineAndProblem()
    {
        var e = Assert.Throws<NotebookFormatException>(() => NotebookFile.Parse("{\n \"cells\": [,]\n}", "broken.ipynb"));

        Assert.Equal("broken.ipynb: not valid JSON at line 2, column 12: ',' is an invalid start of a value.", e.Message);
    }

    [Theory]
    [InlineData("[1, 2]", "broken.ipynb: not a Jupyter notebook (the top level is not a JSON object)")]
    [InlineData("{\"cells\": []}", "broken.ipynb: not a Jupyter notebook (it has no \"nbformat\" version number)")]
    [InlineData("{\"nbformat\": 4, \"metadata\": {}}", "broken.ipynb: not a Jupyter notebook (it has no \"cells\" list)")]
    [InlineData("{\"nbformat\": 4, \"cells\": [{\"source\": \"x\"}]}", "broken.ipynb: not a Jupyter notebook (cell 1 has no \"cell_type\")")]
    [InlineData("{\"nbformat\": 4, \"cells\": [{\"cell_type\": \"code\"}, {\"cell_type\": \"sql\"}]}", "broken.ipynb: not a Jupyter notebook (cell 2 has unknown cell_type \"sql\" (expected code, markdown or raw))")]
    [InlineData("{\"nbformat\": 3, \"worksheets\": []}", "broken.ipynb: nbformat 3 is not supported (expected 4); convert it with `jupyter nbconvert --to notebook`")]
    public void NotANotebookSaysWhy(string json, string message)
    {
        var e = Assert.Throws<NotebookFormatException>(() => NotebookFile.Parse(json, "broken.ipynb"));

        Assert.Equal(message, e.Message);
    }

    [Fact]
    public void MissingFileIsNamed()
    {
        var path = Path.Combine(TestSupport.NewTempFolder(), "nope.ipynb");

        var e = Assert.Throws<NotebookFormatException>(() => NotebookFile.Read(path));

        Assert.Equal($"{path}: file not found", e.Message);
    }
}
