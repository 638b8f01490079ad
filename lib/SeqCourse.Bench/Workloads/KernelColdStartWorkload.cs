using System.Globalization;
using SeqCourse.Bench.Processes;

namespace SeqCourse.Bench.Workloads;

/// <summary>
/// Kernel cold start: seconds from starting <c>course kernel -f …</c> to the <c>execute_result</c> of <c>1 + 1</c>,
/// best of 5 fresh processes (as a front end sees it: .NET start-up, Roslyn's first compilation, the wire protocol).
/// Target (issue 8): ≤ 1.0 s. No peer.
/// </summary>
public sealed class KernelColdStartWorkload : IBenchWorkload
{
    /// <inheritdoc />
    public string Id => "kernel_cold_start";

    /// <inheritdoc />
    public BenchResult Run(BenchContext context)
    {
        if (context.Host.CourseDll is not string dll)
        {
            return new BenchResult(Id, "s", false, null, null, "-", "≤ 1.0 s", null, "skipped: needs the course CLI (run `./course bench`)");
        }
        int reps = context.Quick ? 1 : 5;
        var runs = new List<(double Wall, double? Cpu)>();
        for (int r = 0; r < reps; r++) runs.Add(KernelProbe.ColdStart(dll, "1 + 1", TimeSpan.FromSeconds(120)));
        runs.Sort((a, b) => a.Wall.CompareTo(b.Wall));
        double best = runs[0].Wall;
        string all = string.Join(", ", runs.Select(t => t.Wall.ToString("F2", CultureInfo.InvariantCulture)));
        string cpu = runs[0].Cpu is double c ? $"; the fastest kernel used {c.ToString("F2", CultureInfo.InvariantCulture)} CPU-s until then" : "";
        string build = ChildProcess.IsReadyToRun(dll) ? "ReadyToRun build" : "JIT-only build (not ReadyToRun: run through ./course)";
        return new BenchResult(Id, "s", false, best, null, "-", "≤ 1.0 s", best <= 1.0,
            $"best of {reps} fresh kernels ({all} s), process start to the execute_result of `1 + 1`{cpu}; {build}");
    }
}
