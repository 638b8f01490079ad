using System.Diagnostics;
using System.Globalization;
using SeqCourse.Cli.Tools;
using SeqCourse.Runtime.Html;
using SeqCourse.Runtime.Runner;
using Spectre.Console;

namespace SeqCourse.Cli.Commands;

/// <summary>
/// `course run [PATHS…] [--out DIR] [--html DIR] [--no-html] [--timeout SECONDS]`: executes notebooks
/// headless, writes the executed copies to --out (default build/notebooks) and, with --html (default
/// build/site when no PATHS are given), a static site.
/// </summary>
public sealed class RunCommand : ICommand
{
    public string Name => "run";

    public string Usage => "course run [PATHS…] [--out DIR] [--html DIR] [--no-html] [--timeout SECONDS]";

    public string Summary => "execute notebooks headless (default: all of notebooks/), write executed copies and the HTML site";

    public int Execute(string[] args)
    {
        var line = CommandLine.Parse(args, ["out", "html", "timeout"], ["no-html"]);
        var root = CourseRoot.Find();
        var notebooksRoot = Path.Combine(root, "notebooks");
        var all = line.Positional.Count == 0;
        var timeout = TimeSpan.FromSeconds(line.PositiveNumber("timeout", 600));
        var outDir = Path.GetFullPath(line.Value("out") ?? Path.Combine(root, "build", "notebooks"));
        var htmlDir = line.Has("no-html")
            ? null
            : line.Value("html") is { } html ? Path.GetFullPath(html) : all ? Path.Combine(root, "build", "site") : null;

        var inputs = all
            ? NotebookDiscovery.InFolder(notebooksRoot)
            : NotebookDiscovery.Resolve(line.Positional, [notebooksRoot, root]);
        if (inputs.Count == 0)
        {
            // Failing (not "nothing to do") keeps CI from passing on an empty or misplaced course.
            Console.Error.WriteLine(all
                ? $"error: no notebooks found under {CourseRoot.Show(notebooksRoot)} (expected notebooks/weekN/*.ipynb)"
                : "error: no notebooks found in the given folders");
            return ExitCodes.Failed;
        }

        var stdout = Console.Out;
        var stderr = Console.Error;
        AppDomain.CurrentDomain.ProcessExit += (_, _) => ExplainExitFromCell(stderr);

        var runner = new NotebookRunner(new RunnerOptions { CellTimeout = timeout });
        var clock = Stopwatch.StartNew();
        var results = RunAll(runner, inputs, outDir, stdout);
        var elapsed = clock.Elapsed;

        foreach (var failed in results.Where(r => !r.Success))
        {
            stderr.WriteLine($"error: {failed.Error}");
        }

        var succeeded = results.Count(r => r.Success);
        stdout.WriteLine(
            $"Ran {Plural(results.Count, "notebook")} in {Seconds(elapsed)}: {succeeded} succeeded, {results.Count - succeeded} failed.");
        if (succeeded > 0)
        {
            stdout.WriteLine($"Executed notebooks: {CourseRoot.Show(outDir)}");
        }

        if (htmlDir is not null)
        {
            var katex = Katex.Ensure(root, stdout);
            var exporter = new HtmlSiteExporter(new HtmlSiteOptions { KatexDistDirectory = katex });
            var entries = inputs.Zip(results, (input, result) => new SiteEntry(input.RelativePath, result.Executed, result.Error)).ToList();
            var index = exporter.Export(entries, htmlDir);
            stdout.WriteLine($"HTML site: {new Uri(index).AbsoluteUri}");
        }

        stdout.Flush();
        var exitCode = results.All(r => r.Success) ? ExitCodes.Ok : ExitCodes.Failed;
        if (results.Any(r => r.Hung))
        {
            // A cell that ignored cancellation is still spinning on a background thread: end the process now.
            Environment.Exit(exitCode);
        }

        return exitCode;
    }

    private static List<NotebookRunResult> RunAll(NotebookRunner runner, IReadOnlyList<NotebookInput> inputs, string outDir, TextWriter stdout)
    {
        var results = new List<NotebookRunResult>();
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(stdout) });
        var interactive = console.Profile.Capabilities.Interactive && !Console.IsOutputRedirected
            && Environment.GetEnvironmentVariable("CI") is null or "";

        if (!interactive)
        {
            // Plain lines for logs and CI: one when a notebook starts, one when it ends.
            for (var i = 0; i < inputs.Count; i++)
            {
                var input = inputs[i];
                stdout.WriteLine($"[{i + 1}/{inputs.Count}] {input.RelativePath} …");
                stdout.Flush();
                var result = runner.RunAsync(input.FullPath, OutputPath(outDir, input)).GetAwaiter().GetResult();
                stdout.WriteLine($"[{i + 1}/{inputs.Count}] {input.RelativePath}: {(result.Success ? "ok" : "FAILED")} ({Seconds(result.Elapsed)})");
                stdout.Flush();
                results.Add(result);
            }

            return results;
        }

        console.Progress()
            .AutoClear(false)
            .HideCompleted(false)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new SpinnerColumn())
            .Start(context =>
            {
                var tasks = inputs.Select(input => context.AddTask(Markup.Escape(input.RelativePath), autoStart: false, maxValue: 1)).ToList();
                for (var i = 0; i < inputs.Count; i++)
                {
                    var task = tasks[i];
                    task.StartTask();
                    var progress = new ImmediateProgress<CellProgress>(p =>
                    {
                        task.MaxValue = Math.Max(1, p.Total);
                        task.Value = p.Done;
                    });
                    var result = runner.RunAsync(inputs[i].FullPath, OutputPath(outDir, inputs[i]), progress).GetAwaiter().GetResult();
                    task.Description = (result.Success ? "[green]✓[/] " : "[red]✗[/] ") + Markup.Escape(inputs[i].RelativePath);
                    if (result.Success)
                    {
                        task.Value = task.MaxValue;
                    }

                    task.StopTask();
                    results.Add(result);
                }
            });
        return results;
    }

    private static string OutputPath(string outDir, NotebookInput input) =>
        Path.Combine(outDir, input.RelativePath.Replace('/', Path.DirectorySeparatorChar));

    // Environment.Exit in a cell ends this process; say which cell did it instead of exiting silently.
    private static void ExplainExitFromCell(TextWriter stderr)
    {
        if (NotebookRunner.RunningCell is { } cell)
        {
            stderr.WriteLine($"error: {cell}: the cell called Environment.Exit, which ends the whole run; no executed notebook or site was written for it");
            stderr.Flush();
            Environment.ExitCode = ExitCodes.CellExited;
        }
    }

    private static string Plural(int n, string word) => n == 1 ? $"1 {word}" : $"{n} {word}s";

    private static string Seconds(TimeSpan t) => t.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture) + " s";

    private sealed class ImmediateProgress<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }
}
