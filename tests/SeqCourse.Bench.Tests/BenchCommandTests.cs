using System.Text.Json;
using SeqCourse.Bench;

namespace SeqCourse.Bench.Tests;

/// <summary>
/// Smoke tests of <c>course bench</c>: the command runs, prints the table and writes JSON with real, positive
/// measurements. Nothing here asserts anything about speed: benchmarks are not timed tests.
/// </summary>
public class BenchCommandTests
{
    [Fact]
    public void QuickRunPrintsTableAndWritesJson()
    {
        var json = Path.Combine(Path.GetTempPath(), $"seqcourse-bench-{Guid.NewGuid():N}.json");
        var output = new StringWriter();
        var log = new StringWriter();
        try
        {
            int code = BenchCommand.Run(["--quick", "--only", "fma_peak,gemm,ctc", "--json", json], output, log);
            Assert.True(code == 0, log.ToString());
            string table = output.ToString();
            Assert.Contains("| workload | unit | ours | peer | ours/peer | target | met |", table);
            Assert.Contains("| fma_peak | GFLOP/s |", table);
            Assert.Contains("| gemm | GFLOP/s |", table);
            Assert.Contains("| ctc | ms/step |", table);
            Assert.DoesNotContain("FAILED", table);

            using var doc = JsonDocument.Parse(File.ReadAllText(json));
            Assert.True(doc.RootElement.GetProperty("quick").GetBoolean());
            Assert.False(string.IsNullOrEmpty(doc.RootElement.GetProperty("machine").GetProperty("Cpu").GetString()));
            var results = doc.RootElement.GetProperty("results").EnumerateArray().ToList();
            Assert.Equal(["fma_peak", "gemm", "ctc"], results.Select(r => r.GetProperty("id").GetString()));
            foreach (var r in results)
            {
                Assert.True(r.GetProperty("ours").GetDouble() > 0, r.ToString());
            }
        }
        finally
        {
            File.Delete(json);
        }
    }

    [Theory]
    [InlineData("--bogus")]
    [InlineData("--json")]
    public void BadArgumentsExitWithTwoAndUsage(string arg)
    {
        var log = new StringWriter();
        Assert.Equal(2, BenchCommand.Run([arg], new StringWriter(), log));
        Assert.Contains("usage: course bench", log.ToString());
    }

    [Fact]
    public void UnknownWorkloadIsNamed()
    {
        var log = new StringWriter();
        Assert.Equal(2, BenchCommand.Run(["--only", "gemm,nope"], new StringWriter(), log));
        Assert.Contains("nope", log.ToString());
        Assert.Contains("fma_peak", log.ToString()); // lists the known ones
    }

    [Fact]
    public void TableShowsRatioAndVerdict()
    {
        var rows = new[]
        {
            new BenchResult("gemm", "GFLOP/s", true, 180.0, 150.0, "PyTorch (OpenBLAS)", "≥ 1.0× peer", true, "n"),
            new BenchResult("ctc", "ms/step", false, 4.0, 10.0, "PyTorch", "≤ 0.3× PyTorch", false, "n"),
            new BenchResult("fma_peak", "GFLOP/s", true, 230.0, null, "-", "report", null, "n"),
        };
        string table = BenchCommand.FormatTable(rows);
        Assert.Contains("| gemm | GFLOP/s | 180 | 150 (PyTorch (OpenBLAS)) | 1.20× | ≥ 1.0× peer | yes |", table);
        Assert.Contains("| ctc | ms/step | 4.00 | 10.0 (PyTorch) | 0.40× | ≤ 0.3× PyTorch | NO |", table);
        Assert.Contains("| fma_peak | GFLOP/s | 230 | — | — | report | — |", table);
    }

    [Fact]
    public void MissingPeersAreSkippedWithANote()
    {
        var runner = new PeerRunner(null);
        var outcome = runner.Run("gemm_torch.py", "64 1", "GFLOP/s", true, TimeSpan.FromSeconds(5));
        Assert.Null(outcome.Value);
        Assert.Contains("peer skipped", outcome.Note);

        var noPython = new PeerRunner(Path.GetTempPath(), python: "/nonexistent/python3");
        outcome = noPython.Run("gemm_torch.py", "64 1", "GFLOP/s", true, TimeSpan.FromSeconds(5));
        Assert.Null(outcome.Value);
        Assert.Contains("peer skipped", outcome.Note);
    }

    [Fact]
    public void ProcessRowsWithoutTheCliAreSkippedWithANote()
    {
        var output = new StringWriter();
        var log = new StringWriter();
        Assert.Equal(0, BenchCommand.Run(["--quick", "--only", "kernel_cold_start,notebooks_total,lstm_big_peak_rss"], output, log));
        string table = output.ToString();
        Assert.Contains("| kernel_cold_start | s | — | — | — | ≤ 1.0 s | — |", table);
        Assert.Contains("| notebooks_total | s | — | — | — | ≤ 300 s | — |", table);
        Assert.Contains("| lstm_big_peak_rss | MiB | — | — | — | ≤ 1.0× PyTorch | — |", table);
        Assert.Contains("- kernel_cold_start: skipped: needs the course CLI (run `./course bench`)", table);
    }
}
