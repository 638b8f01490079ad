namespace SeqCourse.Cli;

/// <summary>A `course` subcommand.</summary>
public interface ICommand
{
    /// <summary>The word typed after `course`.</summary>
    string Name { get; }

    /// <summary>One-line usage, e.g. "course run [PATHS…] [--out DIR]".</summary>
    string Usage { get; }

    /// <summary>One-line description for `course help`.</summary>
    string Summary { get; }

    /// <summary>Runs the command with the arguments after its name; returns the process exit code.</summary>
    int Execute(string[] args);
}

/// <summary>Process exit codes shared by all commands.</summary>
public static class ExitCodes
{
    /// <summary>Everything worked.</summary>
    public const int Ok = 0;

    /// <summary>The command ran and something failed (a notebook, a test, an install).</summary>
    public const int Failed = 1;

    /// <summary>The command line was wrong.</summary>
    public const int Usage = 2;

    /// <summary>A notebook cell ended the process with Environment.Exit.</summary>
    public const int CellExited = 3;
}

/// <summary>Thrown for a bad command line; Program prints the message and the usage, exit code 2.</summary>
public sealed class UsageException(string message) : Exception(message);
