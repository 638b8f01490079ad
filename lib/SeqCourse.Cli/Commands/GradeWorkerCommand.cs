using System.Globalization;
using SeqCourse.Runtime.Exercises;

namespace SeqCourse.Cli.Commands;

/// <summary>
/// `course grade-worker …`: the child process of `course grade` (one per notebook, restarted after a crash). Not meant to
/// be run by hand; it runs learner code.
/// </summary>
public sealed class GradeWorkerCommand : ICommand
{
    public string Name => "grade-worker";

    public string Usage => "course grade-worker --learner FILE --solution FILE --events FILE --timeout SECONDS --workdir DIR [--skip-cells N,…] [--done NAME,…]";

    public string Summary => "(internal) the child process of `course grade`";

    public int Execute(string[] args)
    {
        var line = CommandLine.Parse(args, ["learner", "solution", "events", "timeout", "workdir", "skip-cells", "done"]);
        string Required(string name) => line.Value(name) ?? throw new UsageException($"--{name} is required");
        var skip = (line.Value("skip-cells") ?? string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries)
            .Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToHashSet();
        var done = (line.Value("done") ?? string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries).ToHashSet(StringComparer.Ordinal);
        var workdir = Required("workdir");
        if (!WriteSandbox.IsConfined && Environment.GetEnvironmentVariable("SEQCOURSE_GRADE_SANDBOX") != "0")
        {
            // Restarts this process with writes confined to workdir; returns (with the reason) only where it cannot.
            Console.Error.WriteLine("course grade-worker: " + WriteSandbox.ConfineAndRestart(workdir));
        }

        var code = GradeWorker.RunAsync(Required("learner"), Required("solution"), Required("events"),
            TimeSpan.FromSeconds(line.PositiveNumber("timeout", 60)), skip, done, workdir).GetAwaiter().GetResult();

        // End now: a cell that ignored its interrupt may still be spinning on a background thread.
        Console.Out.Flush();
        Environment.Exit(code);
        return code;
    }
}
