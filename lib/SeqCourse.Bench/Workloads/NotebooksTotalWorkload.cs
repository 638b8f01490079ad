using System.Globalization;
using SeqCourse.Bench.Processes;

namespace SeqCourse.Bench.Workloads;

/// <summary>
/// All course notebooks executed headless by <c>course run --no-html</c> in one child process, wall-clock seconds.
/// Target (issue 8): ≤ 5 min on 2 cores. No peer; not run with <c>--quick</c>.
/// </summary>
public sealed class NotebooksTotalWorkload : IBenchWorkload
{
    /// <inheritdoc />
    public string Id => "notebooks_total";

    /// <inheritdoc />
    public BenchResult Run(BenchContext context)
    {
        const string target = "≤ 300 s";
        if (context.Host.CourseDll is not string dll || context.Host.CourseRoot is not string root)
        {
            return new BenchResult(Id, "s", false, null, null, "-", target, null, "skipped: needs the course CLI (run `./course bench`)");
        }
        if (context.Quick)
        {
            return new BenchResult(Id, "s", false, null, null, "-", target, null, "not run with --quick");
        }
        var notebooks = Directory.EnumerateFiles(Path.Combine(root, "notebooks"), "*.ipynb", SearchOption.AllDirectories)
            .Count(p => !p.Contains(".ipynb_checkpoints", StringComparison.Ordinal));
        var outDir = Directory.CreateTempSubdirectory("seqcourse-bench-notebooks-");
        try
        {
            var (code, output, seconds) = ChildProcess.Run("dotnet", [dll, "run", "--no-html", "--out", outDir.FullName],
                TimeSpan.FromMinutes(20), new Dictionary<string, string?> { ["COURSE_ROOT"] = root }, root);
            if (code != 0)
            {
                var last = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).LastOrDefault() ?? "";
                return new BenchResult(Id, "s", false, null, null, "-", target, false,
                    code is null ? "FAILED: timed out after 20 min" : $"FAILED: course run exited with {code}: {last}");
            }
            return new BenchResult(Id, "s", false, seconds, null, "-", target, seconds <= 300,
                $"{notebooks} notebooks, `course run --no-html` in one child process, wall clock {seconds.ToString("F0", CultureInfo.InvariantCulture)} s");
        }
        finally
        {
            try { outDir.Delete(recursive: true); } catch (IOException) { }
        }
    }
}
