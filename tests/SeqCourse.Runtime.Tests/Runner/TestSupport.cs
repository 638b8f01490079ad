using System.Diagnostics;

namespace SeqCourse.Runtime.Tests.Runner;

/// <summary>Paths and child processes shared by the runner, CLI and HTML tests.</summary>
internal static class TestSupport
{
    /// <summary>Debian's Python (with python3-nbformat), not whatever python3 is first on PATH.</summary>
    public const string DebianPython = "/usr/bin/python3";

    /// <summary>Debian's Chromium.</summary>
    public const string Chromium = "/usr/bin/chromium";

    /// <summary>The folder holding the test notebooks copied next to the test assembly.</summary>
    public static string TestNotebooks => Path.Combine(AppContext.BaseDirectory, "TestNotebooks");

    /// <summary>The demo notebook: Markdown with LaTeX, printed output, a MathNet matrix and a Plotly chart.</summary>
    public static string DemoNotebook => Path.Combine(TestNotebooks, "demo.ipynb");

    /// <summary>The course CLI, copied next to the test assembly by the project reference.</summary>
    public static string CourseDll => Path.Combine(AppContext.BaseDirectory, "course.dll");

    /// <summary>The repository root (folder with course.sln) above the test assembly.</summary>
    public static string RepositoryRoot
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "course.sln")))
                {
                    return dir.FullName;
                }
            }

            throw new InvalidOperationException("course.sln not found above " + AppContext.BaseDirectory);
        }
    }

    /// <summary>A fresh empty folder under the system temp folder.</summary>
    public static string NewTempFolder()
    {
        var path = Path.Combine(Path.GetTempPath(), "seqcourse-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(path);
        return path;
    }

    /// <summary>Runs a process to completion (killed after <paramref name="timeout"/>), capturing its output.</summary>
    public static ProcessResult Run(
        string fileName,
        IEnumerable<string> arguments,
        string? workingDirectory = null,
        IDictionary<string, string?>? environment = null,
        TimeSpan? timeout = null)
    {
        var info = new ProcessStartInfo(fileName)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
        };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        info.Environment["DOTNET_NOLOGO"] = "1";
        info.Environment["CI"] = "true"; // plain progress lines, no terminal animation
        foreach (var (key, value) in environment ?? new Dictionary<string, string?>())
        {
            info.Environment[key] = value;
        }

        using var process = Process.Start(info)!;
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        var limit = timeout ?? TimeSpan.FromMinutes(3);
        if (!process.WaitForExit(limit))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{fileName} {string.Join(' ', arguments)} did not finish within {limit}");
        }

        process.WaitForExit();
        return new ProcessResult(process.ExitCode, stdout.Result, stderr.Result);
    }

    /// <summary>Runs `dotnet course.dll ARGS` from <paramref name="workingDirectory"/>.</summary>
    public static ProcessResult Course(string workingDirectory, params string[] args) =>
        Run("dotnet", [CourseDll, .. args], workingDirectory, new Dictionary<string, string?> { ["COURSE_ROOT"] = null });

    /// <summary>Validates a notebook file with nbformat.validate in Debian's Python; returns the process result.</summary>
    public static ProcessResult ValidateWithNbformat(string notebookPath) =>
        Run(DebianPython, ["-c", "import sys, nbformat; nb = nbformat.read(sys.argv[1], as_version=nbformat.NO_CONVERT); nbformat.validate(nb); print('valid', nb.nbformat, nb.nbformat_minor)", notebookPath]);
}

internal sealed record ProcessResult(int ExitCode, string Stdout, string Stderr)
{
    public override string ToString() => $"exit {ExitCode}\n--- stdout\n{Stdout}\n--- stderr\n{Stderr}";
}

/// <summary>
/// Tests that run notebooks in this process. The runner (and the engine, per cell) set the process's
/// current directory to the notebook's folder, which is process-wide: these tests run on their own,
/// after the parallel ones, so they neither disturb nor are disturbed by other engines' directories.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class RunnerCollection
{
    public const string Name = "notebook runner in-process";
}
