namespace SeqCourse.Cli.Commands;

/// <summary>`course kernel …`: the Jupyter kernel, implemented in SeqCourse.Runtime.Kernel.</summary>
public sealed class KernelCommandLink : ICommand
{
    public string Name => "kernel";

    public string Usage => "course kernel -f CONNECTION_FILE | course kernel install [--user | --prefix DIR]";

    public string Summary => "run the Jupyter kernel, or install its kernelspec (seqcourse-csharp)";

    public int Execute(string[] args) => SeqCourse.Runtime.Kernel.KernelCommand.Run(args);
}
