using SeqCourse.Cli.Commands;

namespace SeqCourse.Runtime.Tests.Runner;

public class TestCommandTests
{
    [Fact]
    public void SumsTheSummaryLinesOfEveryTestAssembly()
    {
        var totals = new TestCommand.TestTotals();
        string[] output =
        [
            "  Passed SomeTest [12 ms]",
            "Passed!  - Failed:     0, Passed:    41, Skipped:     0, Total:    41, Duration: 3 s - SeqCourse.Tests.dll (net10.0)",
            "Failed!  - Failed:     2, Passed:    50, Skipped:     1, Total:    53, Duration: 1 m 2 s - SeqCourse.Runtime.Tests.dll (net10.0)",
            "Total tests: 53",
        ];

        foreach (var line in output)
        {
            totals.Add(line);
        }

        Assert.Equal((91, 2, 1, 2), (totals.Passed, totals.Failed, totals.Skipped, totals.Assemblies));
    }

    [Fact]
    public void DpkgCheckTellsInstalledFromMissingPackages()
    {
        Assert.True(SeqCourse.Cli.Tools.DebianPackages.IsInstalled("dpkg"));
        Assert.False(SeqCourse.Cli.Tools.DebianPackages.IsInstalled("seqcourse-no-such-package"));
        Assert.True(SeqCourse.Cli.Tools.DebianPackages.EnsureInstalled(["dpkg", "coreutils"], TextWriter.Null)); // nothing to do, no network
    }
}
