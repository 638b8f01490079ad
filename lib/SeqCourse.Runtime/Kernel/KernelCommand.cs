using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace SeqCourse.Runtime.Kernel;

/// <summary>
/// <c>course kernel …</c>: <c>-f CONNECTION_FILE</c> runs the kernel (Jupyter starts it this way);
/// <c>install [--user | --prefix DIR]</c> writes the <c>seqcourse-csharp</c> kernelspec.
/// </summary>
public static class KernelCommand
{
    /// <summary>The kernelspec name that VS Code and JupyterLab list.</summary>
    public const string KernelName = "seqcourse-csharp";

    /// <summary>The kernelspec display name.</summary>
    public const string DisplayName = "C# (SeqCourse)";

    private const string Usage = """
        usage: course kernel -f CONNECTION_FILE        run the Jupyter kernel (Jupyter starts it this way)
               course kernel install [--user | --prefix DIR]
                                                       write the kernelspec 'seqcourse-csharp' (default --user)
        """;

    /// <summary>Runs the command; returns the process exit code.</summary>
    /// <param name="args">The arguments after the word "kernel".</param>
    public static int Run(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        try
        {
            switch (args)
            {
                case ["-f" or "--connection-file", var connectionFile]:
                    using (var kernel = new JupyterKernel(ConnectionInfo.Load(connectionFile)))
                    {
                        kernel.Run();
                    }

                    return 0;
                case ["install", .. var rest]:
                    return Install(rest);
                case ["-h" or "--help" or "help"]:
                    Console.WriteLine(Usage);
                    return 0;
                default:
                    Console.Error.WriteLine($"course kernel: unexpected arguments '{string.Join(' ', args)}'.\n{Usage}");
                    return 2;
            }
        }
        catch (Exception e) when (e is ArgumentException or IOException or UnauthorizedAccessException or JsonException)
        {
            Console.Error.WriteLine($"course kernel: {e.Message}");
            return 1;
        }
    }

    /// <summary>Writes kernel.json for this build of the CLI into <paramref name="kernelsDirectory"/>/seqcourse-csharp.</summary>
    /// <param name="kernelsDirectory">A Jupyter "kernels" directory.</param>
    /// <returns>The kernelspec directory.</returns>
    public static string WriteKernelSpec(string kernelsDirectory)
    {
        var directory = Path.Combine(kernelsDirectory, KernelName);
        Directory.CreateDirectory(directory);
        var spec = new JsonObject
        {
            ["argv"] = new JsonArray([.. KernelArgv().Select(a => (JsonNode?)JsonValue.Create(a))]),
            ["display_name"] = DisplayName,
            ["language"] = "C#",
            ["interrupt_mode"] = "message",
            ["env"] = new JsonObject { ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1", ["DOTNET_NOLOGO"] = "1" },
            ["metadata"] = new JsonObject { ["debugger"] = false },
        };
        var path = Path.Combine(directory, "kernel.json");
        var temp = path + ".tmp";
        File.WriteAllText(temp, spec.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
        File.Move(temp, path, overwrite: true);
        return directory;
    }

    private static int Install(string[] args)
    {
        string kernels;
        switch (args)
        {
            case [] or ["--user"]:
                kernels = Path.Combine(UserDataDirectory(), "kernels");
                break;
            case ["--prefix", var prefix]:
                kernels = Path.Combine(Path.GetFullPath(prefix), "share", "jupyter", "kernels");
                break;
            default:
                Console.Error.WriteLine($"course kernel install: unexpected arguments '{string.Join(' ', args)}'.\n{Usage}");
                return 2;
        }

        var directory = WriteKernelSpec(kernels);
        Console.WriteLine($"Installed kernelspec {KernelName} (\"{DisplayName}\") in {directory}");
        return 0;
    }

    /// <summary>Jupyter's per-user data directory, as jupyter_core computes it on Linux and macOS.</summary>
    private static string UserDataDirectory()
    {
        if (Environment.GetEnvironmentVariable("JUPYTER_DATA_DIR") is { Length: > 0 } data)
        {
            return data;
        }

        var home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        if (OperatingSystem.IsMacOS())
        {
            return Path.Combine(home, "Library", "Jupyter");
        }

        if (OperatingSystem.IsWindows())
        {
            return Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.ApplicationData), "jupyter");
        }

        var xdg = Environment.GetEnvironmentVariable("XDG_DATA_HOME");
        return Path.Combine(string.IsNullOrEmpty(xdg) ? Path.Combine(home, ".local", "share") : xdg, "jupyter");
    }

    /// <summary>["dotnet", "/abs/path/course.dll", "kernel", "-f", "{connection_file}"] for the running CLI.</summary>
    private static IEnumerable<string> KernelArgv()
    {
        var entry = Assembly.GetEntryAssembly();
        var dll = entry is not null && !string.IsNullOrEmpty(entry.Location) && Path.GetFileName(entry.Location) == "course.dll"
            ? entry.Location
            : Path.Combine(AppContext.BaseDirectory, "course.dll");
        if (!File.Exists(dll))
        {
            throw new IOException($"Cannot find course.dll next to the running program (looked for {dll}).");
        }

        var process = Environment.ProcessPath;
        var dotnet = process is not null && Path.GetFileNameWithoutExtension(process) == "dotnet" ? process : "dotnet";
        return [dotnet, Path.GetFullPath(dll), "kernel", "-f", "{connection_file}"];
    }
}
