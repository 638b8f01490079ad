using System.Globalization;
using System.Text.RegularExpressions;

namespace SeqCourse.Runtime.Tests.Runner;

/// <summary>
/// The process-level rows of <c>course bench</c> through the real CLI: a fresh kernel answers its first cell over
/// ZeroMQ, and the peak-memory probe child reports its VmHWM. Smoke tests only: nothing here asserts a speed.
/// </summary>
public class BenchCliTests
{
    [Fact]
    public void Quick_bench_measures_a_kernel_cold_start_and_the_lstm_peak_memory()
    {
        var json = Path.Combine(TestSupport.NewTempFolder(), "bench.json");
        var result = TestSupport.Run("dotnet", [TestSupport.CourseDll, "bench", "--quick", "--only", "kernel_cold_start,notebooks_total,lstm_big_peak_rss", "--json", json],
            TestSupport.RepositoryRoot, new Dictionary<string, string?> { ["COURSE_ROOT"] = TestSupport.RepositoryRoot }, TimeSpan.FromMinutes(4));
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.DoesNotContain("FAILED", result.Stdout);

        var cold = Regex.Match(result.Stdout, @"\| kernel_cold_start \| s \| ([0-9.]+) \|");
        Assert.True(cold.Success, result.Stdout);
        Assert.InRange(double.Parse(cold.Groups[1].Value, CultureInfo.InvariantCulture), 0.05, 120);
        Assert.Contains("process start to the execute_result of `1 + 1`", result.Stdout);

        var rss = Regex.Match(result.Stdout, @"\| lstm_big_peak_rss \| MiB \| ([0-9.]+) \|");
        Assert.True(rss.Success, result.Stdout);
        // The step's own buffers (inputs, caches, gradients) are tens of MiB, the runtime more: a real reading, not 0.
        Assert.InRange(double.Parse(rss.Groups[1].Value, CultureInfo.InvariantCulture), 30, 8192);

        Assert.Contains("- notebooks_total: not run with --quick", result.Stdout);
        Assert.True(File.Exists(json));
    }
}
