namespace SeqCourse.Cli.Commands;

/// <summary>`course bench …`: the end-to-end benchmark table, implemented in SeqCourse.Bench.</summary>
public sealed class BenchCommandLink : ICommand
{
    public string Name => "bench";

    public string Usage => "course bench [--quick] [--json FILE]";

    public string Summary => "time the course's hot workloads against the numpy/PyTorch peers in one run";

    public int Execute(string[] args) => SeqCourse.Bench.BenchCommand.Run(args);
}
