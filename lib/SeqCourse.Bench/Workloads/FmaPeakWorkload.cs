using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace SeqCourse.Bench.Workloads;

/// <summary>
/// The machine's double-precision peak: a register-only loop of independent fused multiply-adds on every core
/// at once (12 accumulator chains per thread, enough to cover FMA latency × throughput). Everything else in the
/// table is judged against this figure.
/// </summary>
public sealed class FmaPeakWorkload : IBenchWorkload
{
    /// <inheritdoc />
    public string Id => "fma_peak";

    /// <inheritdoc />
    public BenchResult Run(BenchContext context)
    {
        int threads = Environment.ProcessorCount;
        double seconds = context.Quick ? 0.15 : 0.6;
        int rounds = context.Quick ? 2 : 3;
        double v512 = 0, v256 = 0, single512 = 0, scheduled = 0;
        for (int r = 0; r < rounds; r++)
        {
            v512 = Math.Max(v512, Measure(threads, seconds, wide: true, out double perCpuSecond));
            scheduled = Math.Max(scheduled, perCpuSecond);
            v256 = Math.Max(v256, Measure(threads, seconds, wide: false, out _));
            single512 = Math.Max(single512, Measure(1, seconds / 2, wide: true, out _));
        }
        string cpu = double.IsNaN(scheduled) ? "" :
            $"; per thread-CPU-second (what the cores do while scheduled, robust to load): {scheduled:F1} GFLOP/s on {threads} threads";
        string note = $"Vector512 on {threads} threads, wall clock; Vector256: {v256:F1}; one core Vector512: {single512:F1} GFLOP/s{cpu}" +
                      (Vector512.IsHardwareAccelerated ? "" : " (Vector512 NOT hardware-accelerated here: emulated)");
        return new BenchResult(Id, "GFLOP/s", true, v512, null, "-", "report", null, note);
    }

    /// <summary>GFLOP/s of <paramref name="threads"/> threads running the FMA loop for about <paramref name="seconds"/>.</summary>
    public static double Measure(int threads, double seconds, bool wide) => Measure(threads, seconds, wide, out _);

    /// <summary>
    /// GFLOP/s by wall clock, and in <paramref name="perCpuSecond"/> the sum over threads of each thread's flops
    /// per second of its own CPU time (Linux; NaN elsewhere): on a loaded machine the wall-clock figure falls,
    /// this one does not.
    /// </summary>
    public static double Measure(int threads, double seconds, bool wide, out double perCpuSecond)
    {
        // Calibrate on one thread, then run all threads together for the target duration.
        long probe = 200_000;
        var sw = Stopwatch.StartNew();
        Sink(wide ? Loop512(probe) : Loop256(probe));
        double perIteration = Math.Max(sw.Elapsed.TotalSeconds / probe, 1e-10);
        long iterations = Math.Max(probe, (long)(seconds / perIteration));

        using var start = new ManualResetEventSlim(false);
        var workers = new Thread[threads];
        var cpuSeconds = new double[threads];
        for (int t = 0; t < threads; t++)
        {
            int index = t;
            workers[t] = new Thread(() =>
            {
                start.Wait();
                double c0 = ThreadCpuSeconds();
                Sink(wide ? Loop512(iterations) : Loop256(iterations));
                cpuSeconds[index] = ThreadCpuSeconds() - c0;
            })
            { IsBackground = true };
            workers[t].Start();
        }
        Thread.Sleep(10);
        sw.Restart();
        start.Set();
        foreach (var w in workers) w.Join();
        double elapsed = sw.Elapsed.TotalSeconds;
        int lanes = wide ? 8 : 4;
        double flopsPerThread = 2.0 * 12 * lanes * iterations;
        perCpuSecond = cpuSeconds.All(c => c > 0) ? cpuSeconds.Sum(c => flopsPerThread / c / 1e9) : double.NaN;
        return flopsPerThread * threads / elapsed / 1e9;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct Timespec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [DllImport("libc", EntryPoint = "clock_gettime")]
    private static extern int ClockGetTime(int clock, out Timespec time);

    /// <summary>CPU time of the calling thread (CLOCK_THREAD_CPUTIME_ID), or NaN where unavailable.</summary>
    private static double ThreadCpuSeconds()
    {
        if (!OperatingSystem.IsLinux()) return double.NaN;
        try
        {
            return ClockGetTime(3, out var ts) == 0 ? ts.Seconds + ts.Nanoseconds * 1e-9 : double.NaN;
        }
        catch (DllNotFoundException)
        {
            return double.NaN;
        }
        catch (EntryPointNotFoundException)
        {
            return double.NaN;
        }
    }

    private static double s_sink;

    private static void Sink(double x) => s_sink += x;

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static double Loop512(long iterations)
    {
        // a ← a·x + y with x < 1 converges to y / (1 − x): no overflow, no denormals.
        var x = Vector512.Create(0.9999999);
        var y = Vector512.Create(1e-9);
        Vector512<double> a0 = Vector512.Create(0.1), a1 = Vector512.Create(0.2), a2 = Vector512.Create(0.3), a3 = Vector512.Create(0.4);
        Vector512<double> a4 = Vector512.Create(0.5), a5 = Vector512.Create(0.6), a6 = Vector512.Create(0.7), a7 = Vector512.Create(0.8);
        Vector512<double> a8 = Vector512.Create(0.9), a9 = Vector512.Create(1.0), a10 = Vector512.Create(1.1), a11 = Vector512.Create(1.2);
        for (long i = 0; i < iterations; i++)
        {
            a0 = Vector512.FusedMultiplyAdd(a0, x, y); a1 = Vector512.FusedMultiplyAdd(a1, x, y);
            a2 = Vector512.FusedMultiplyAdd(a2, x, y); a3 = Vector512.FusedMultiplyAdd(a3, x, y);
            a4 = Vector512.FusedMultiplyAdd(a4, x, y); a5 = Vector512.FusedMultiplyAdd(a5, x, y);
            a6 = Vector512.FusedMultiplyAdd(a6, x, y); a7 = Vector512.FusedMultiplyAdd(a7, x, y);
            a8 = Vector512.FusedMultiplyAdd(a8, x, y); a9 = Vector512.FusedMultiplyAdd(a9, x, y);
            a10 = Vector512.FusedMultiplyAdd(a10, x, y); a11 = Vector512.FusedMultiplyAdd(a11, x, y);
        }
        return Vector512.Sum(a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9 + a10 + a11);
    }

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static double Loop256(long iterations)
    {
        var x = Vector256.Create(0.9999999);
        var y = Vector256.Create(1e-9);
        Vector256<double> a0 = Vector256.Create(0.1), a1 = Vector256.Create(0.2), a2 = Vector256.Create(0.3), a3 = Vector256.Create(0.4);
        Vector256<double> a4 = Vector256.Create(0.5), a5 = Vector256.Create(0.6), a6 = Vector256.Create(0.7), a7 = Vector256.Create(0.8);
        Vector256<double> a8 = Vector256.Create(0.9), a9 = Vector256.Create(1.0), a10 = Vector256.Create(1.1), a11 = Vector256.Create(1.2);
        for (long i = 0; i < iterations; i++)
        {
            a0 = Vector256.FusedMultiplyAdd(a0, x, y); a1 = Vector256.FusedMultiplyAdd(a1, x, y);
            a2 = Vector256.FusedMultiplyAdd(a2, x, y); a3 = Vector256.FusedMultiplyAdd(a3, x, y);
            a4 = Vector256.FusedMultiplyAdd(a4, x, y); a5 = Vector256.FusedMultiplyAdd(a5, x, y);
            a6 = Vector256.FusedMultiplyAdd(a6, x, y); a7 = Vector256.FusedMultiplyAdd(a7, x, y);
            a8 = Vector256.FusedMultiplyAdd(a8, x, y); a9 = Vector256.FusedMultiplyAdd(a9, x, y);
            a10 = Vector256.FusedMultiplyAdd(a10, x, y); a11 = Vector256.FusedMultiplyAdd(a11, x, y);
        }
        return Vector256.Sum(a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9 + a10 + a11);
    }
}
