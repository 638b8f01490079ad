using SeqCourse.Runtime.Notebooks;

namespace SeqCourse.Runtime.Tests.Runner;

/// <summary>
/// The `course` CLI as a child process (`dotnet course.dll …`): every bad input gives one clear
/// error line, a non-zero exit code and no file in the output folder.
/// </summary>
public class CourseCliTests
{
    private readonly string folder = TestSupport.NewTempFolder();

    private string OutDir => Path.Combine(folder, "out");

    [Fact]
    public void NotebookThatIsNotJson()
    {
        File.WriteAllText(Path.Combine(folder, "bad.ipynb"), "{\"cells\": [,]}");

        var result = TestSupport.Course(folder, "run", "bad.ipynb", "--out", "out");

        AssertFailedWith(result, 1, "error: bad.ipynb: not valid JSON at line 1, column 12: ',' is an invalid start of a value.");
    }

    [Fact]
    public void MissingNotebook()
    {
        var result = TestSupport.Course(folder, "run", "missing.ipynb", "--out", "out");

        AssertFailedWith(result, 1, "error: missing.ipynb: file not found");
    }

    [Fact]
    public void CellThatThrows()
    {
        WriteNotebook("throws.ipynb", "var a = 1;", "var b = a + 1;\nthrow new InvalidOperationException(\"boom\");");
        Directory.CreateDirectory(OutDir);
        File.WriteAllText(Path.Combine(OutDir, "throws.ipynb"), "stale copy from an earlier successful run");

        var result = TestSupport.Course(folder, "run", "throws.ipynb", "--out", "out");

        AssertFailedWith(result, 1, "error: throws.ipynb, cell 2, line 2: InvalidOperationException: boom");
    }

    [Fact]
    public void CellThatNeverEnds()
    {
        WriteNotebook("loop.ipynb", "while (true) { }");

        var result = TestSupport.Course(folder, "run", "loop.ipynb", "--out", "out", "--timeout", "5");

        AssertFailedWith(result, 1, "error: loop.ipynb, cell 1: timed out after 5 s (raise it with --timeout SECONDS)");
    }

    [Fact]
    public void CellThatCallsEnvironmentExit()
    {
        WriteNotebook("exits.ipynb", "Console.WriteLine(\"before\");", "Environment.Exit(0);", "Console.WriteLine(\"after\");");

        var result = TestSupport.Course(folder, "run", "exits.ipynb", "--out", "out");

        Assert.NotEqual(0, result.ExitCode);
        var error = Assert.Single(ErrorLines(result));
        Assert.StartsWith("error: exits.ipynb, cell 2", error);
        Assert.Contains("Environment.Exit", error);
        Assert.False(Directory.Exists(OutDir) && Directory.EnumerateFileSystemEntries(OutDir, "*", SearchOption.AllDirectories).Any());
    }

    [Fact]
    public void GoodNotebookIsWrittenAndTheRunSucceeds()
    {
        WriteNotebook("good.ipynb", "Console.WriteLine(6 * 7);");
        var sub = Path.Combine(folder, "site");

        var result = TestSupport.Course(folder, "run", "good.ipynb", "--out", "out", "--html", sub);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Empty(ErrorLines(result));
        Assert.Contains("[1/1] good.ipynb: ok (", result.Stdout);
        Assert.Contains("Ran 1 notebook in ", result.Stdout);
        Assert.Contains($"HTML site: file://{sub}/index.html", result.Stdout);
        var executed = NotebookFile.Read(Path.Combine(OutDir, "good.ipynb"));
        Assert.Equal("42\n", NotebookFile.JoinLines(executed.Cells[0].Outputs.Single()["text"]));
        Assert.True(File.Exists(Path.Combine(sub, "good.html")));
    }

    [Fact]
    public void OneFailureAmongSeveralStillRunsTheOthersAndExitsNonZero()
    {
        WriteNotebook("a.ipynb", "Console.WriteLine(1);");
        WriteNotebook("b.ipynb", "throw new Exception(\"b fails\");");
        WriteNotebook("c.ipynb", "Console.WriteLine(3);");

        var result = TestSupport.Course(folder, "run", "a.ipynb", "b.ipynb", "c.ipynb", "--out", "out");

        AssertFailedWith(result, 1, "error: b.ipynb, cell 1, line 1: Exception: b fails", expectNoOutput: false);
        Assert.Contains("3 notebooks", result.Stdout);
        Assert.Contains("2 succeeded, 1 failed", result.Stdout);
        Assert.Equal(["a.ipynb", "c.ipynb"], Directory.GetFiles(OutDir).Select(Path.GetFileName).Order());
    }

    [Fact]
    public void EmptyNotebooksFolderIsAnError()
    {
        File.WriteAllText(Path.Combine(folder, "course.sln"), "");
        Directory.CreateDirectory(Path.Combine(folder, "notebooks"));

        var result = TestSupport.Run("dotnet", [TestSupport.CourseDll, "run"], folder, new Dictionary<string, string?> { ["COURSE_ROOT"] = folder });

        Assert.Equal(1, result.ExitCode);
        Assert.Equal("error: no notebooks found under notebooks (expected notebooks/weekN/*.ipynb)", Assert.Single(ErrorLines(result)));
    }

    [Fact]
    public void RunWithoutPathsExecutesTheWholeCourseIntoBuildAndWritesTheSite()
    {
        // A miniature course repository: the README's `./course run` in it.
        File.WriteAllText(Path.Combine(folder, "course.sln"), "");
        var week1 = Path.Combine(folder, "notebooks", "week1");
        var week2 = Path.Combine(folder, "notebooks", "week2");
        Directory.CreateDirectory(week1);
        Directory.CreateDirectory(week2);
        File.Copy(TestSupport.DemoNotebook, Path.Combine(week1, "01-demo.ipynb"));
        var second = NotebookDocument.CreateCourseNotebook();
        second.Cells.Add(NotebookCell.Markdown("# Second week"));
        second.Cells.Add(NotebookCell.CSharp("Console.WriteLine(Directory.GetCurrentDirectory());"));
        NotebookFile.Write(Path.Combine(week2, "01-next.ipynb"), second);
        var environment = new Dictionary<string, string?> { ["COURSE_ROOT"] = folder };

        var run = TestSupport.Run("dotnet", [TestSupport.CourseDll, "run"], folder, environment);

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("[1/2] week1/01-demo.ipynb: ok (", run.Stdout);
        Assert.Contains("[2/2] week2/01-next.ipynb: ok (", run.Stdout);
        Assert.Contains("Ran 2 notebooks in ", run.Stdout);
        Assert.Contains($"HTML site: file://{folder}/build/site/index.html", run.Stdout.Split('\n').Last(l => l.Length > 0));
        var executed = NotebookFile.Read(Path.Combine(folder, "build", "notebooks", "week2", "01-next.ipynb"));
        Assert.Equal(week2 + "\n", NotebookFile.JoinLines(executed.Cells[1].Outputs.Single()["text"]));
        Assert.Equal(0, TestSupport.ValidateWithNbformat(Path.Combine(folder, "build", "notebooks", "week1", "01-demo.ipynb")).ExitCode);
        var index = File.ReadAllText(Path.Combine(folder, "build", "site", "index.html"));
        Assert.Contains("<a href=\"week1/01-demo.html\">Demo: one RNN step</a>", index);
        Assert.Contains("<a href=\"week2/01-next.html\">Second week</a>", index);

        // `course html` rebuilds the site from the executed notebooks alone.
        Directory.Delete(Path.Combine(folder, "build", "site"), recursive: true);
        var html = TestSupport.Run("dotnet", [TestSupport.CourseDll, "html"], folder, environment);

        Assert.True(html.ExitCode == 0, html.ToString());
        Assert.Contains("Exported 2 of 2 notebooks.", html.Stdout);
        Assert.True(File.Exists(Path.Combine(folder, "build", "site", "week2", "01-next.html")));
        Assert.True(File.Exists(Path.Combine(folder, "build", "site", "assets", "plotly-2.28.0.min.js")));
    }

    [Fact]
    public void UnknownCommandPrintsUsageAndExits2()
    {
        var result = TestSupport.Course(folder, "frobnicate");

        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith("course: unknown command 'frobnicate'", result.Stderr);
        Assert.Contains("usage: ./course <command>", result.Stderr);
    }

    [Fact]
    public void BadOptionValueIsAUsageError()
    {
        var result = TestSupport.Course(folder, "run", "x.ipynb", "--timeout", "soon");

        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith("course run: --timeout expects a positive number of seconds, got 'soon'", result.Stderr);
    }

    [Fact]
    public void HelpListsEveryCommand()
    {
        var result = TestSupport.Course(folder, "help");

        Assert.Equal(0, result.ExitCode);
        foreach (var command in new[] { "run", "html", "test", "kernel", "help" })
        {
            Assert.Contains($"\n  {command} ", result.Stdout);
        }
    }

    private void WriteNotebook(string name, params string[] cells)
    {
        var notebook = NotebookDocument.CreateCourseNotebook();
        foreach (var cell in cells)
        {
            notebook.Cells.Add(NotebookCell.CSharp(cell));
        }

        NotebookFile.Write(Path.Combine(folder, name), notebook);
    }

    private static List<string> ErrorLines(ProcessResult result) =>
        result.Stderr.Split('\n').Where(l => l.StartsWith("error:", StringComparison.Ordinal)).ToList();

    private void AssertFailedWith(ProcessResult result, int exitCode, string errorLine, bool expectNoOutput = true)
    {
        Assert.True(result.ExitCode == exitCode, result.ToString());
        Assert.Equal(errorLine, Assert.Single(ErrorLines(result)));
        if (expectNoOutput)
        {
            // No executed notebook, no temporary file, no stale copy.
            Assert.False(
                Directory.Exists(OutDir) && Directory.EnumerateFileSystemEntries(OutDir, "*", SearchOption.AllDirectories).Any(),
                "output folder should be empty: " + (Directory.Exists(OutDir) ? string.Join(", ", Directory.GetFileSystemEntries(OutDir)) : ""));
        }
    }
}
