using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace SeqCourse.Bench;

/// <summary>
/// Runs a peer script of <c>shared/bench/peers</c> with Debian's Python, twice: with the environment as is and
/// with <c>OPENBLAS_CORETYPE</c> and <c>OPENBLAS_L2_SIZE</c> unset (they hold OpenBLAS to its AVX2 kernels), and
/// keeps the stronger figure, as <c>shared/bench/README.md</c> asks.
/// </summary>
public sealed partial class PeerRunner
{
    /// <summary>The interpreter the peers need (the <c>python3</c> first on PATH may not see Debian's packages).</summary>
    public const string Python = "/usr/bin/python3";

    private static readonly string[] OpenBlasOverrides = ["OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"];

    /// <summary>Creates a runner for the peers folder (null: not found).</summary>
    public PeerRunner(string? peersDirectory, string python = Python)
    {
        PeersDirectory = peersDirectory;
        PythonPath = python;
    }

    /// <summary>Folder holding the peer scripts, or null if it was not found.</summary>
    public string? PeersDirectory { get; }

    /// <summary>Path of the Python interpreter.</summary>
    public string PythonPath { get; }

    /// <summary>
    /// Finds the peers folder: <c>$SEQCOURSE_BENCH_PEERS</c> (the bench folder or its <c>peers</c> subfolder), else
    /// <c>shared/bench/peers</c> beside the repository root or any of its parents (<c>../shared/bench</c> from
    /// <c>/work/main</c>), searching up from the current directory and from this assembly's folder.
    /// </summary>
    public static string? LocatePeers()
    {
        var env = Environment.GetEnvironmentVariable("SEQCOURSE_BENCH_PEERS");
        if (!string.IsNullOrEmpty(env))
        {
            if (File.Exists(Path.Combine(env, "gemm_torch.py"))) return Path.GetFullPath(env);
            if (File.Exists(Path.Combine(env, "peers", "gemm_torch.py"))) return Path.GetFullPath(Path.Combine(env, "peers"));
        }
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir != null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, "shared", "bench", "peers");
                if (File.Exists(Path.Combine(candidate, "gemm_torch.py"))) return candidate;
            }
        }
        return null;
    }

    /// <summary>The outcome of running one peer: the best figure, or why there is none.</summary>
    public sealed record PeerOutcome(double? Value, string Note);

    /// <summary>
    /// Runs <c>python script args</c> in both OpenBLAS settings and parses the number before
    /// <paramref name="unitPattern"/> (a regex, e.g. <c>GFLOP/s</c>) from its output.
    /// </summary>
    public PeerOutcome Run(string script, string args, string unitPattern, bool higherIsBetter, TimeSpan timeout)
    {
        if (PeersDirectory is null) return new(null, "peer skipped: shared/bench/peers not found (set SEQCOURSE_BENCH_PEERS)");
        if (!File.Exists(PythonPath)) return new(null, $"peer skipped: {PythonPath} not found");
        var path = Path.Combine(PeersDirectory, script);
        if (!File.Exists(path)) return new(null, $"peer skipped: {path} not found");
        return RunPath(path, args, unitPattern, higherIsBetter, timeout);
    }

    /// <summary>
    /// Like <see cref="Run"/>, but runs <c>python wrapper PEERS/script args</c>: a wrapper script (e.g. one that
    /// reports the peak memory) around the peer.
    /// </summary>
    public PeerOutcome RunScriptWith(string wrapperPath, string script, string args, string unitPattern, bool higherIsBetter, TimeSpan timeout)
    {
        if (PeersDirectory is null) return new(null, "peer skipped: shared/bench/peers not found (set SEQCOURSE_BENCH_PEERS)");
        if (!File.Exists(PythonPath)) return new(null, $"peer skipped: {PythonPath} not found");
        var path = Path.Combine(PeersDirectory, script);
        if (!File.Exists(path)) return new(null, $"peer skipped: {path} not found");
        return RunPath(wrapperPath, $"\"{path}\" {args}", unitPattern, higherIsBetter, timeout);
    }

    private PeerOutcome RunPath(string path, string args, string unitPattern, bool higherIsBetter, TimeSpan timeout)
    {

        double? best = null;
        var notes = new List<string>();
        foreach (bool unset in new[] { false, true })
        {
            bool anyOverride = OpenBlasOverrides.Any(v => Environment.GetEnvironmentVariable(v) != null);
            if (unset && !anyOverride)
            {
                notes.Add("OPENBLAS_* not set, so the second setting is the same run");
                break;
            }
            var (ok, output) = Exec(path, args, unset, timeout);
            string setting = unset ? "OPENBLAS_* unset" : "env as is";
            if (!ok)
            {
                if (output.Contains("No module named", StringComparison.Ordinal))
                {
                    return new(null, "peer skipped: " + FirstLine(output, "No module named"));
                }
                notes.Add($"{setting}: failed ({FirstLine(output, null)})");
                continue;
            }
            var match = Regex.Match(output, @"([0-9]+(?:\.[0-9]+)?)\s*" + unitPattern);
            if (!match.Success)
            {
                notes.Add($"{setting}: unparsed output '{output.Trim()}'");
                continue;
            }
            double value = double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
            notes.Add($"{setting}: {value.ToString("G4", CultureInfo.InvariantCulture)}");
            if (best is null || (higherIsBetter ? value > best : value < best)) best = value;
        }
        return new(best, string.Join("; ", notes));
    }

    private (bool Ok, string Output) Exec(string script, string args, bool unsetOpenBlas, TimeSpan timeout)
    {
        var psi = new ProcessStartInfo(PythonPath, $"\"{script}\" {args}")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (unsetOpenBlas)
        {
            foreach (var v in OpenBlasOverrides) psi.Environment.Remove(v);
        }
        try
        {
            using var process = Process.Start(psi)!;
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(timeout))
            {
                process.Kill(entireProcessTree: true);
                return (false, $"timed out after {timeout.TotalSeconds:0} s");
            }
            process.WaitForExit();
            string output = stdout.Result + stderr.Result;
            return (process.ExitCode == 0, output);
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            return (false, e.Message);
        }
    }

    private static string FirstLine(string output, string? containing)
    {
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var line = containing is null ? lines.LastOrDefault() : lines.FirstOrDefault(l => l.Contains(containing, StringComparison.Ordinal));
        return line ?? output.Trim();
    }
}
