using SeqCourse.Cli;
using SeqCourse.Cli.Commands;

// `course <command> [args…]`: one class per command under Commands/, listed here in help order.
// A command is added by writing a class and one line below.
ICommand[] commands =
[
    new RunCommand(),
    new HtmlCommand(),
    new TestCommand(),
    new KernelCommandLink(),
    new BenchCommandLink(),
    new ReleaseCommand(),
    new GradeCommand(),
    new GradeWorkerCommand(),
    new HelpCommand(),
];

var help = commands.OfType<HelpCommand>().Single();
help.Commands = commands;

if (args.Length == 0 || args[0] is "-h" or "--help")
{
    return help.Execute([]);
}

var command = commands.FirstOrDefault(c => c.Name == args[0]);
if (command is null)
{
    Console.Error.WriteLine($"course: unknown command '{args[0]}'");
    Console.Error.WriteLine();
    help.WriteUsage(Console.Error);
    return ExitCodes.Usage;
}

try
{
    return command.Execute(args[1..]);
}
catch (UsageException e)
{
    Console.Error.WriteLine($"course {command.Name}: {e.Message}");
    Console.Error.WriteLine($"usage: {command.Usage}");
    return ExitCodes.Usage;
}
