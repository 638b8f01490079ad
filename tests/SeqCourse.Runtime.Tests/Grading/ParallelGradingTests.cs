using System.Text.Json.Nodes;
using SeqCourse.Runtime.Tests.Runner;

namespace SeqCourse.Runtime.Tests.Grading;

/// <summary>
/// A class of 20 submissions graded with <c>--parallel 2</c> and serially through the CLI: the same report, in input
/// order. The submissions are the released week 4 notebook with different quiz answers, so their scores differ and an
/// order mix-up would show.
/// </summary>
public sealed class ParallelGradingTests
{
    [Fact]
    public void Twenty_submissions_graded_two_at_a_time_match_a_serial_run()
    {
        var folder = TestSupport.NewTempFolder();
        var student = File.ReadAllText(Path.Combine(TestSupport.RepositoryRoot, "exercises", "week4", "week4.ipynb"));
        var expectedTotals = new List<double>();
        for (int i = 1; i <= 20; i++)
        {
            // Q22's right answer is b and Q23's is c; submission i answers them in a pattern of its own.
            string q22 = i % 2 == 0 ? "b" : "a", q23 = i % 3 == 0 ? "c" : i % 3 == 1 ? "" : "b";
            var text = student.Replace("string Q22 = \\\"\\\";", $"string Q22 = \\\"{q22}\\\";", StringComparison.Ordinal)
                              .Replace("string Q23 = \\\"\\\";", $"string Q23 = \\\"{q23}\\\";", StringComparison.Ordinal);
            Assert.NotEqual(student, text);
            var dir = Path.Combine(folder, "class", $"s{i:D2}");
            Directory.CreateDirectory(dir);
            File.WriteAllText(Path.Combine(dir, "week4.ipynb"), text);
            expectedTotals.Add((q22 == "b" ? 1 : 0) + (q23 == "c" ? 1 : 0));
        }

        string Grade(int parallel)
        {
            var json = Path.Combine(folder, $"parallel{parallel}.json");
            var result = TestSupport.Run("dotnet", [TestSupport.CourseDll, "grade", Path.Combine(folder, "class"), "--parallel", parallel.ToString(), "--json", json, "--timeout", "60"],
                TestSupport.RepositoryRoot, new Dictionary<string, string?> { ["COURSE_ROOT"] = TestSupport.RepositoryRoot }, TimeSpan.FromMinutes(8));
            Assert.True(result.ExitCode == 0, result.ToString());
            return File.ReadAllText(json);
        }

        var twoAtATime = Grade(2);
        var serial = Grade(1);
        Assert.Equal(serial, twoAtATime);

        var report = JsonNode.Parse(serial)!.AsArray();
        Assert.Equal(20, report.Count);
        Assert.Equal(Enumerable.Range(1, 20).Select(i => $"s{i:D2}"), report.Select(n => Path.GetFileName(Path.GetDirectoryName(n!["notebook"]!.GetValue<string>()))));
        Assert.Equal(expectedTotals, report.Select(n => n!["total"]!.GetValue<double>()));
    }
}
