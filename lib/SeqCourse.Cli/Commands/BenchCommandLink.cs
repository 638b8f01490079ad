using SeqCourse.Bench;

namespace SeqCourse.Cli.Commands;

/// <summary>`course bench …`: the end-to-end benchmark table, implemented in SeqCourse.Bench.</summary>
public sealed class BenchCommandLink : ICommand
{
    public string Name => "bench";

    public string Usage => "course bench [--quick] [--json FILE] [--only ID,ID…]";

    public string Summary => "time the course's hot workloads against the numpy/PyTorch peers in one run";

    public int Execute(string[] args)
    {
        // The process-level rows start this same course.dll as a kernel, a notebook runner or a probe.
        var dll = Path.Combine(AppContext.BaseDirectory, "course.dll");
        string? root;
        try
        {
            root = CourseRoot.Find();
        }
        catch (InvalidOperationException)
        {
            root = null;
        }

        return BenchCommand.Run(args, new BenchHost(File.Exists(dll) ? dll : null, root));
    }
}
