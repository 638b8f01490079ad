using System.Diagnostics;
using System.Reflection.PortableExecutable;
using System.Text;

namespace SeqCourse.Bench.Processes;

/// <summary>Runs a child process with a timeout, capturing its output; and small facts about processes.</summary>
internal static class ChildProcess
{
    /// <summary>Runs <paramref name="file"/> with <paramref name="args"/>; returns (exit code or null on timeout, output, seconds).</summary>
    public static (int? ExitCode, string Output, double Seconds) Run(string file, IEnumerable<string> args, TimeSpan timeout,
        IReadOnlyDictionary<string, string?>? environment = null, string? workingDirectory = null)
    {
        var psi = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (workingDirectory != null) psi.WorkingDirectory = workingDirectory;
        foreach (var a in args) psi.ArgumentList.Add(a);
        foreach (var (k, v) in environment ?? new Dictionary<string, string?>())
        {
            if (v is null) psi.Environment.Remove(k);
            else psi.Environment[k] = v;
        }
        var output = new StringBuilder();
        var clock = Stopwatch.StartNew();
        using var p = System.Diagnostics.Process.Start(psi) ?? throw new InvalidOperationException($"could not start {file}");
        p.OutputDataReceived += (_, e) => { if (e.Data != null) lock (output) output.AppendLine(e.Data); };
        p.ErrorDataReceived += (_, e) => { if (e.Data != null) lock (output) output.AppendLine(e.Data); };
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        if (!p.WaitForExit(timeout))
        {
            p.Kill(entireProcessTree: true);
            p.WaitForExit();
            return (null, output.ToString(), clock.Elapsed.TotalSeconds);
        }
        p.WaitForExit();
        double seconds = clock.Elapsed.TotalSeconds;
        lock (output) return (p.ExitCode, output.ToString(), seconds);
    }

    /// <summary>This process's peak resident set (VmHWM in /proc/self/status), in KiB; null off Linux.</summary>
    public static long? PeakRssKiB()
    {
        try
        {
            var line = File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
            return line is null ? null : long.Parse(line["VmHWM:".Length..].Trim().Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture);
        }
        catch (IOException)
        {
            return null;
        }
    }

    /// <summary>True if the assembly at <paramref name="path"/> carries ReadyToRun (precompiled) code.</summary>
    public static bool IsReadyToRun(string path)
    {
        try
        {
            using var stream = File.OpenRead(path);
            using var pe = new PEReader(stream);
            return pe.PEHeaders.CorHeader?.ManagedNativeHeaderDirectory.Size > 0;
        }
        catch (Exception e) when (e is IOException or BadImageFormatException)
        {
            return false;
        }
    }
}
