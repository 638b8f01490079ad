using System.Globalization;

namespace SeqCourse.Cli;

/// <summary>
/// Minimal argument parsing: positional arguments plus options `--name VALUE`, `--name=VALUE` and flags.
/// Unknown options are a usage error.
/// </summary>
public sealed class CommandLine
{
    private readonly Dictionary<string, string?> options = new(StringComparer.Ordinal);

    private CommandLine(List<string> positional) => Positional = positional;

    /// <summary>Arguments that are not options, in order.</summary>
    public IReadOnlyList<string> Positional { get; }

    /// <summary>Parses <paramref name="args"/>; <paramref name="valued"/> take a value, <paramref name="flags"/> do not.</summary>
    public static CommandLine Parse(string[] args, IEnumerable<string> valued, IEnumerable<string>? flags = null)
    {
        var valuedSet = valued.ToHashSet(StringComparer.Ordinal);
        var flagSet = (flags ?? []).ToHashSet(StringComparer.Ordinal);
        var positional = new List<string>();
        var line = new CommandLine(positional);
        for (var i = 0; i < args.Length; i++)
        {
            var arg = args[i];
            if (arg == "--")
            {
                positional.AddRange(args[(i + 1)..]);
                break;
            }

            if (!arg.StartsWith("--", StringComparison.Ordinal) || arg.Length == 2)
            {
                positional.Add(arg);
                continue;
            }

            var eq = arg.IndexOf('=', StringComparison.Ordinal);
            var name = eq > 0 ? arg[2..eq] : arg[2..];
            if (valuedSet.Contains(name))
            {
                string value;
                if (eq > 0)
                {
                    value = arg[(eq + 1)..];
                }
                else if (i + 1 < args.Length)
                {
                    value = args[++i];
                }
                else
                {
                    throw new UsageException($"option --{name} needs a value");
                }

                line.options[name] = value;
            }
            else if (flagSet.Contains(name) && eq < 0)
            {
                line.options[name] = null;
            }
            else
            {
                throw new UsageException($"unknown option '{arg}'");
            }
        }

        return line;
    }

    /// <summary>True when the option or flag was given.</summary>
    public bool Has(string name) => options.ContainsKey(name);

    /// <summary>The option's value, or null when absent.</summary>
    public string? Value(string name) => options.TryGetValue(name, out var v) ? v : null;

    /// <summary>The option as a positive number, or <paramref name="fallback"/> when absent.</summary>
    public double PositiveNumber(string name, double fallback)
    {
        var text = Value(name);
        if (text is null)
        {
            return fallback;
        }

        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || !(value > 0) || double.IsInfinity(value))
        {
            throw new UsageException($"--{name} expects a positive number of seconds, got '{text}'");
        }

        return value;
    }
}
