using System.Text.Json.Nodes;
using SeqCourse.Runtime.Notebooks;
using SeqCourse.Runtime.Runner;
using SeqCourse.Runtime.Tests.Kernel;
using SeqCourse.Runtime.Tests.Runner;

namespace SeqCourse.Runtime.Tests.Course;

/// <summary>
/// Every notebook of the course, as a learner meets it: executed top to bottom by the headless runner and,
/// separately, through the Jupyter kernel by nbclient. The saved outputs are checked: no error output,
/// every code cell executed, at least one Plotly figure, and no gradient check reported as failed.
/// </summary>
[Collection(RunnerCollection.Name)]
public class CourseNotebookTests
{
    private const string Plotly = "application/vnd.plotly.v1+json";

    /// <summary>Marks a notebook cell whose gradient check is meant to fail (a teaching example of a bug).</summary>
    private const string DemoFailureMarker = "// demo: this gradient check is meant to fail";

    /// <summary>notebooks/**.ipynb relative to the repository root, sorted.</summary>
    public static List<string> NotebookPaths()
    {
        var root = Path.Combine(TestSupport.RepositoryRoot, "notebooks");
        return Directory.EnumerateFiles(root, "*.ipynb", SearchOption.AllDirectories)
            .Where(p => !p.Contains(".ipynb_checkpoints", StringComparison.Ordinal))
            .Select(p => Path.GetRelativePath(TestSupport.RepositoryRoot, p).Replace('\\', '/'))
            .Order(StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>The same list as theory data.</summary>
    public static TheoryData<string> Notebooks()
    {
        var data = new TheoryData<string>();
        foreach (var path in NotebookPaths())
        {
            data.Add(path);
        }

        return data;
    }

    [Fact]
    public void The_course_has_notebooks_for_every_week()
    {
        var all = NotebookPaths();
        Assert.True(all.Count(p => p.StartsWith("notebooks/week1/", StringComparison.Ordinal)) >= 6, string.Join(", ", all));
        Assert.Contains(all, p => p.StartsWith("notebooks/week2/", StringComparison.Ordinal));
        Assert.Contains(all, p => p.StartsWith("notebooks/week3/", StringComparison.Ordinal));
    }

    [Theory]
    [MemberData(nameof(Notebooks))]
    public async Task Runner_executes_the_notebook_and_its_outputs_are_sound(string relativePath)
    {
        var source = Path.Combine(TestSupport.RepositoryRoot, relativePath);
        var output = Path.Combine(TestSupport.NewTempFolder(), Path.GetFileName(source));
        var result = await new NotebookRunner().RunAsync(source, output);
        Assert.True(result.Success, result.Error);
        Assert.True(File.Exists(output), "the executed notebook was written");

        var executed = NotebookFile.Read(output);
        var code = executed.Cells.Where(c => c.CellType == CellType.Code).ToList();
        Assert.All(code, c => Assert.NotNull(c.ExecutionCount));
        var outputs = code.SelectMany(c => c.Outputs).ToList();
        Assert.DoesNotContain(outputs, o => (string?)o["output_type"] == "error");
        Assert.True(outputs.Any(o => o["data"] is JsonObject data && data.ContainsKey(Plotly)), $"{relativePath} draws no Plotly figure");
        // GradientCheckReport's verdict for a failed check; a cell that shows a deliberately wrong backward
        // pass says so with DemoFailureMarker.
        foreach (var cell in code.Where(c => !c.Source.Contains(DemoFailureMarker, StringComparison.Ordinal)))
        {
            var text = string.Concat(cell.Outputs.Select(TextOf));
            Assert.False(text.Contains("FAILED (max", StringComparison.Ordinal), $"{relativePath}: a gradient check failed:\n{text}");
        }
    }

    [Fact]
    public void Kernel_executes_every_notebook_through_nbclient()
    {
        DebianPython.Require("nbclient", "nbformat");
        var kernel = new InstalledKernel();
        var notebooks = NotebookPaths().Select(p => Path.Combine(TestSupport.RepositoryRoot, p)).ToList();
        var outDir = Path.Combine(kernel.Prefix, "executed");
        var script = Path.Combine(ScriptDirectory(), "..", "kernel");
        var (exitCode, log) = DebianPython.Run(["run_course_notebooks.py", outDir, .. notebooks], script, kernel.Environment, TimeSpan.FromMinutes(40));
        Assert.True(exitCode == 0, "nbclient could not execute every notebook through the kernel:\n" + log);
        Assert.Equal(notebooks.Count, log.Split('\n').Count(l => l.StartsWith("ok ", StringComparison.Ordinal)));
    }

    private static string TextOf(JsonObject output)
    {
        static string Join(JsonNode? node) => node switch
        {
            JsonArray lines => string.Concat(lines.Select(l => l?.GetValue<string>())),
            JsonValue v => v.GetValue<string>(),
            _ => "",
        };

        return Join(output["text"]) + Join(output["data"]?["text/plain"]);
    }

    private static string ScriptDirectory([System.Runtime.CompilerServices.CallerFilePath] string path = "") => Path.GetDirectoryName(path)!;
}
