using System.Globalization;
using System.Text.RegularExpressions;
using SeqCourse.Bench.Processes;

namespace SeqCourse.Bench.Workloads;

/// <summary>
/// Peak resident memory of a process that runs the big LSTM training step (B=64 T=64 X=128 H=256, 3 steps):
/// ours is a fresh <c>course bench --rss-probe lstm_big</c> child reading its VmHWM; the peer is
/// <c>lstm_torch.py</c> run under a wrapper that prints <c>getrusage</c>'s ru_maxrss. Both include their runtime
/// (the .NET runtime and its libraries; CPython with torch). Target (issue 8): ≤ 1.0× PyTorch's.
/// </summary>
public sealed partial class LstmPeakRssWorkload : IBenchWorkload
{
    /// <summary>The argument of the hidden <c>--rss-probe</c> option that runs the step and prints the peak.</summary>
    public const string ProbeName = "lstm_big";

    private const string Wrapper = """
        import resource, runpy, sys
        script = sys.argv[1]
        sys.argv = sys.argv[1:]
        runpy.run_path(script, run_name="__main__")
        print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, "KiB peak")
        """;

    /// <inheritdoc />
    public string Id => "lstm_big_peak_rss";

    /// <inheritdoc />
    public BenchResult Run(BenchContext context)
    {
        const string target = "≤ 1.0× PyTorch";
        if (context.Host.CourseDll is not string dll)
        {
            return new BenchResult(Id, "MiB", false, null, null, "-", target, null, "skipped: needs the course CLI (run `./course bench`)");
        }
        var (code, output, _) = ChildProcess.Run("dotnet", [dll, "bench", "--rss-probe", ProbeName], TimeSpan.FromMinutes(5));
        var match = PeakLine().Match(output);
        if (code != 0 || !match.Success)
        {
            return new BenchResult(Id, "MiB", false, null, null, "-", target, false, $"FAILED: the probe exited with {code?.ToString(CultureInfo.InvariantCulture) ?? "a timeout"}: {output.Trim()}");
        }
        double ours = double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture) / 1024;

        PeerRunner.PeerOutcome peer;
        if (context.Quick)
        {
            peer = new(null, "not run with --quick");
        }
        else
        {
            var wrapper = Path.Combine(Path.GetTempPath(), $"seqcourse-peak-rss-{Environment.ProcessId}.py");
            File.WriteAllText(wrapper, Wrapper);
            try
            {
                peer = context.Peers.RunScriptWith(wrapper, "lstm_torch.py", "64 64 128 256 3", "KiB peak", false, TimeSpan.FromMinutes(5));
            }
            finally
            {
                File.Delete(wrapper);
            }
        }
        double? peerMiB = peer.Value / 1024;
        bool? met = peerMiB is double p ? ours <= p : null;
        return new BenchResult(Id, "MiB", false, ours, peerMiB, "PyTorch", target, met,
            $"peak RSS of a process running 3 steps of B=64 T=64 X=128 H=256 (VmHWM / ru_maxrss, runtime included); peer {peer.Note}");
    }

    /// <summary>The child side of the row: runs 3 big LSTM steps and prints the process's peak RSS.</summary>
    public static int Probe(TextWriter output)
    {
        LstmWorkload.Big().RunSteps(3);
        output.WriteLine($"{ChildProcess.PeakRssKiB()?.ToString(CultureInfo.InvariantCulture) ?? "?"} KiB peak");
        return 0;
    }

    [GeneratedRegex(@"([0-9]+) KiB peak")]
    private static partial Regex PeakLine();
}
