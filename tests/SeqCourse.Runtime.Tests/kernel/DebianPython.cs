using System.Diagnostics;
using System.Text;

namespace SeqCourse.Runtime.Tests.Kernel;

/// <summary>Runs Debian's /usr/bin/python3 (not the python3 first on PATH) with the Jupyter packages.</summary>
internal static class DebianPython
{
    public const string Executable = "/usr/bin/python3";

    /// <summary>Fails (never skips) with a clear message when Python or a Debian package is missing.</summary>
    public static void Require(params string[] modules)
    {
        Assert.True(File.Exists(Executable), $"{Executable} is missing: install Debian's python3 and {string.Join(", ", modules)} (the README's test command does).");
        var check = Run(["-c", string.Join("; ", modules.Select(m => "import " + m))], Directory.GetCurrentDirectory(), new Dictionary<string, string>(), TimeSpan.FromMinutes(1));
        Assert.True(check.ExitCode == 0, $"Debian Python packages missing ({string.Join(", ", modules)}); install python3-jupyter-kernel-test python3-nbclient python3-nbformat python3-jupyter-client with apt-get (the README's test command does).\n{check.Output}");
    }

    public static (int ExitCode, string Output) Run(IEnumerable<string> arguments, string workingDirectory, IDictionary<string, string> environment, TimeSpan timeout)
    {
        var start = new ProcessStartInfo(Executable)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        // A Python of another install must not leak its site-packages into Debian's interpreter.
        start.Environment.Remove("PYTHONPATH");
        start.Environment.Remove("PYTHONHOME");
        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        using var process = Process.Start(start)!;
        var output = new StringBuilder();
        var gate = new object();
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) { lock (gate) { output.AppendLine(e.Data); } } };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { lock (gate) { output.AppendLine(e.Data); } } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
            lock (gate)
            {
                return (-1, $"timed out after {timeout}\n{output}");
            }
        }

        process.WaitForExit();
        lock (gate)
        {
            return (process.ExitCode, output.ToString());
        }
    }
}

/// <summary>A kernelspec for the CLI built with these tests, installed into a fresh temporary prefix with <c>course kernel install --prefix</c>.</summary>
internal sealed class InstalledKernel
{
    public InstalledKernel()
    {
        Prefix = Directory.CreateTempSubdirectory("seqcourse-kernelspec-").FullName;
        var courseDll = Path.Combine(AppContext.BaseDirectory, "course.dll");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in new[] { courseDll, "kernel", "install", "--prefix", Prefix })
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEnd();
        var stderr = process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"course kernel install failed:\n{stdout}{stderr}");
        InstallMessage = stdout;
        JupyterPath = Path.Combine(Prefix, "share", "jupyter");
    }

    public string Prefix { get; }

    public string JupyterPath { get; }

    public string InstallMessage { get; }

    public Dictionary<string, string> Environment => new()
    {
        ["JUPYTER_PATH"] = JupyterPath,
        // Keep jupyter_client's runtime files (connection files) out of the user's directories.
        ["JUPYTER_RUNTIME_DIR"] = Path.Combine(Prefix, "runtime"),
        ["JUPYTER_PLATFORM_DIRS"] = "1",
    };
}
