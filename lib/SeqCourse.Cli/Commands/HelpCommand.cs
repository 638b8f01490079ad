namespace SeqCourse.Cli.Commands;

/// <summary>`course help`: lists the commands.</summary>
public sealed class HelpCommand : ICommand
{
    /// <summary>All commands, set by Program.</summary>
    public IReadOnlyList<ICommand> Commands { get; set; } = [];

    public string Name => "help";

    public string Usage => "course help [COMMAND]";

    public string Summary => "show this help, or one command's usage";

    public int Execute(string[] args)
    {
        if (args.Length > 0)
        {
            var command = Commands.FirstOrDefault(c => c.Name == args[0]);
            if (command is null)
            {
                Console.Error.WriteLine($"course help: unknown command '{args[0]}'");
                WriteUsage(Console.Error);
                return ExitCodes.Usage;
            }

            Console.WriteLine($"usage: {command.Usage}");
            Console.WriteLine($"  {command.Summary}");
            return ExitCodes.Ok;
        }

        WriteUsage(Console.Out);
        return ExitCodes.Ok;
    }

    /// <summary>Writes the list of commands.</summary>
    public void WriteUsage(TextWriter writer)
    {
        writer.WriteLine("usage: ./course <command> [arguments]");
        writer.WriteLine();
        writer.WriteLine("commands:");
        var width = Commands.Max(c => c.Name.Length);
        foreach (var command in Commands)
        {
            writer.WriteLine($"  {command.Name.PadRight(width)}  {command.Summary}");
        }

        writer.WriteLine();
        writer.WriteLine("Run `./course help COMMAND` for a command's arguments.");
    }
}
