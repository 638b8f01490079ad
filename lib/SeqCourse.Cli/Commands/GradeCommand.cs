using System.Globalization;
using SeqCourse.Runtime.Exercises;

namespace SeqCourse.Cli.Commands;

/// <summary>
/// `course grade NOTEBOOK… [--json FILE] [--csv FILE] [--parallel N] [--timeout SECONDS] [--memory MB] [--solutions DIR]`:
/// grades learner notebooks against the hidden tests of the matching solution notebooks (exercises/source/weekN/NAME.ipynb,
/// matched by folder and file name), each in its own child process. Exit code 0 whenever grading ran, whatever the score.
/// </summary>
public sealed class GradeCommand : ICommand
{
    public string Name => "grade";

    public string Usage => "course grade NOTEBOOK|FOLDER… [--json FILE] [--csv FILE] [--parallel N] [--timeout SECONDS] [--memory MB] [--solutions DIR]";

    public string Summary => "grade learner notebooks against the hidden tests: points and feedback per exercise, JSON/CSV reports";

    public int Execute(string[] args)
    {
        var line = CommandLine.Parse(args, ["json", "csv", "parallel", "timeout", "memory", "solutions"]);
        if (line.Positional.Count == 0)
        {
            throw new UsageException("give at least one notebook or folder to grade");
        }

        var solutionsRoot = line.Value("solutions") is { } s ? Path.GetFullPath(s) : Path.Combine(CourseRoot.Find(), "exercises", "source");
        var solutions = Directory.Exists(solutionsRoot)
            ? Directory.EnumerateFiles(solutionsRoot, "*.ipynb", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToList()
            : [];
        var learners = new List<string>();
        foreach (var p in line.Positional)
        {
            if (Directory.Exists(p))
            {
                learners.AddRange(Directory.EnumerateFiles(p, "*.ipynb", SearchOption.AllDirectories)
                    .Where(f => !f.Contains("/.", StringComparison.Ordinal)).Order(StringComparer.Ordinal));
            }
            else if (File.Exists(p))
            {
                learners.Add(p);
            }
            else
            {
                Console.Error.WriteLine($"error: {p}: no such notebook or folder");
                return ExitCodes.Failed;
            }
        }

        var jobs = new List<(string Display, string Learner, string Solution)>();
        var unmatched = new List<NotebookGrade>();
        foreach (var learner in learners)
        {
            var display = CourseRoot.Show(learner);
            if (MatchSolution(learner, solutions) is { } solution)
            {
                jobs.Add((display, learner, solution));
            }
            else
            {
                unmatched.Add(new NotebookGrade(display, [], [$"no solution notebook matches {Path.GetFileName(learner)} under {CourseRoot.Show(solutionsRoot)}"]));
            }
        }

        var parallel = (int)line.PositiveNumber("parallel", 1);
        var grader = new Grader(new GraderOptions
        {
            Timeout = TimeSpan.FromSeconds(line.PositiveNumber("timeout", 60)),
            MemoryMegabytes = (int)line.PositiveNumber("memory", 1024),
            WorkerFileName = Environment.ProcessPath ?? "dotnet",
            WorkerArguments = WorkerArguments(),
        });
        var graded = grader.GradeAll(jobs, parallel);
        var byLearner = jobs.Select(j => j.Display).Zip(graded).ToDictionary(p => p.First, p => p.Second);
        var all = learners.Select(l => CourseRoot.Show(l))
            .Select(d => byLearner.TryGetValue(d, out var g) ? g : unmatched.First(u => u.Notebook == d)).ToList();

        Print(all, Console.Out);
        if (line.Value("json") is { } json)
        {
            File.WriteAllText(json, Grader.ToJson(all));
        }

        if (line.Value("csv") is { } csv)
        {
            File.WriteAllText(csv, Grader.ToCsv(all));
        }

        return ExitCodes.Ok;
    }

    /// <summary>The solution notebook for a learner notebook: same folder name and file name, else the same file name.</summary>
    public static string? MatchSolution(string learner, IReadOnlyList<string> solutions)
    {
        var name = Path.GetFileName(learner);
        var folder = Path.GetFileName(Path.GetDirectoryName(Path.GetFullPath(learner)));
        var sameName = solutions.Where(s => Path.GetFileName(s) == name).ToList();
        return sameName.FirstOrDefault(s => Path.GetFileName(Path.GetDirectoryName(s)) == folder)
            ?? (sameName.Count == 1 ? sameName[0] : null);
    }

    private static string[] WorkerArguments()
    {
        // Running as `dotnet course.dll`: the child is `dotnet course.dll grade-worker`; as an apphost: `course grade-worker`.
        var dll = typeof(GradeCommand).Assembly.Location;
        return Path.GetFileNameWithoutExtension(Environment.ProcessPath ?? "dotnet") == "dotnet" ? [dll, "grade-worker"] : ["grade-worker"];
    }

    private static void Print(IReadOnlyList<NotebookGrade> grades, TextWriter o)
    {
        static string N(double d) => d.ToString("0.##", CultureInfo.InvariantCulture);
        foreach (var g in grades)
        {
            o.WriteLine($"{g.Notebook}: {N(g.Total)} / {N(g.Max)}");
            var width = g.Exercises.Select(e => e.Exercise.Length).DefaultIfEmpty(8).Max();
            foreach (var e in g.Exercises)
            {
                o.WriteLine($"  {e.Exercise.PadRight(width)}  {N(e.Points),3} / {N(e.Max),-3} {e.Feedback}");
            }

            foreach (var note in g.Notes)
            {
                o.WriteLine($"  note: {note}");
            }
        }

        if (grades.Count > 1)
        {
            o.WriteLine($"Graded {grades.Count} notebooks: total {N(grades.Sum(g => g.Total))} / {N(grades.Sum(g => g.Max))}.");
        }
    }
}
