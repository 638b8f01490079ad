using System.Diagnostics;
using System.Text.RegularExpressions;
using SeqCourse.Cli.Tools;

namespace SeqCourse.Cli.Commands;

/// <summary>
/// `course test [dotnet test arguments…]`: installs the Debian packages the tests use when missing, builds
/// the solution and runs `dotnet test course.sln -c Release --no-build -m:1` with its output streamed, and ends with exactly one line
/// `N passed, N failed, N skipped` summed over the test assemblies. Exit code 0 only when every test
/// assembly ran and nothing failed.
/// </summary>
public sealed partial class TestCommand : ICommand
{
    public string Name => "test";

    public string Usage => "course test [dotnet test arguments, e.g. --filter FullyQualifiedName~Runner]";

    public string Summary => "install test dependencies when missing, run the whole test suite, print 'N passed, N failed, N skipped'";

    public int Execute(string[] args)
    {
        var root = CourseRoot.Find();
        if (!DebianPackages.EnsureInstalled(DebianPackages.TestPackages, Console.Error))
        {
            Console.WriteLine("0 passed, 0 failed, 0 skipped");
            return ExitCodes.Failed;
        }

        var dotnet = ProcessTools.Which("dotnet") ?? "dotnet";
        var solution = Path.Combine(root, "course.sln");
        var environment = new Dictionary<string, string>
        {
            ["DOTNET_NOLOGO"] = "1",
            ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1",
            ["COURSE_ROOT"] = root,
        };

        // Release, like the ./course launcher, so the CLI and libraries are built once for both. Build
        // everything first (in parallel), then run the test assemblies one after the other (-m:1): on a
        // small machine a test assembly running beside a compiler or another test assembly gets slow
        // enough to break timing-sensitive tests.
        var build = ProcessTools.RunInherited(dotnet, ["build", solution, "-c", "Release", "--nologo", "-v", "minimal"], environment, root);
        if (build != 0)
        {
            Console.Error.WriteLine($"error: dotnet build course.sln failed (exit {build}); no test ran");
            Console.WriteLine("0 passed, 0 failed, 0 skipped");
            return ExitCodes.Failed;
        }

        var info = new ProcessStartInfo(dotnet)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            WorkingDirectory = root,
        };
        foreach (var argument in new[] { "test", solution, "-c", "Release", "--no-build", "-m:1", "--nologo" }.Concat(args))
        {
            info.ArgumentList.Add(argument);
        }

        foreach (var (key, value) in environment)
        {
            info.Environment[key] = value;
        }

        var totals = new TestTotals();
        using (var process = Process.Start(info) ?? throw new InvalidOperationException("could not start dotnet"))
        {
            // stdout is read line by line (to count results) and echoed at once; stderr is inherited.
            while (process.StandardOutput.ReadLine() is { } outputLine)
            {
                Console.WriteLine(outputLine);
                totals.Add(outputLine);
            }

            process.WaitForExit();
            totals.ExitCode = process.ExitCode;
        }

        if (totals.ExitCode != 0 && totals.Failed == 0)
        {
            Console.Error.WriteLine(
                $"error: dotnet test exited with code {totals.ExitCode} without a failing test (build error, or a test host crashed); see above");
        }

        if (totals.Assemblies == 0)
        {
            Console.Error.WriteLine("error: no test assembly reported results");
        }

        Console.WriteLine($"{totals.Passed} passed, {totals.Failed} failed, {totals.Skipped} skipped");
        return totals.ExitCode == 0 && totals.Failed == 0 && totals.Assemblies > 0 ? ExitCodes.Ok : ExitCodes.Failed;
    }

    /// <summary>Sums the per-assembly summary lines of `dotnet test` (VSTest console logger).</summary>
    public sealed class TestTotals
    {
        public int Passed { get; private set; }

        public int Failed { get; private set; }

        public int Skipped { get; private set; }

        public int Assemblies { get; private set; }

        public int ExitCode { get; set; }

        /// <summary>Counts a line like "Passed!  - Failed:     0, Passed:    12, Skipped:     1, Total:    13, Duration: 2 s - X.dll (net10.0)".</summary>
        public void Add(string line)
        {
            var match = SummaryLine().Match(line);
            if (!match.Success)
            {
                return;
            }

            Failed += int.Parse(match.Groups["failed"].Value, System.Globalization.CultureInfo.InvariantCulture);
            Passed += int.Parse(match.Groups["passed"].Value, System.Globalization.CultureInfo.InvariantCulture);
            Skipped += int.Parse(match.Groups["skipped"].Value, System.Globalization.CultureInfo.InvariantCulture);
            Assemblies++;
        }
    }

    [GeneratedRegex(@"^\s*(Passed|Failed)!\s+-\s+Failed:\s+(?<failed>\d+),\s+Passed:\s+(?<passed>\d+),\s+Skipped:\s+(?<skipped>\d+),")]
    private static partial Regex SummaryLine();
}
