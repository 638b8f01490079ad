using System.Diagnostics;
using System.Globalization;
using System.Text;
using SeqCourse.Runtime.Notebooks;

namespace SeqCourse.Runtime.Exercises;

/// <summary>Settings of <see cref="Grader"/>.</summary>
public sealed class GraderOptions
{
    /// <summary>Time limit of each learner cell and of each exercise's hidden tests.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Managed heap cap of a worker (DOTNET_GCHeapHardLimit); the worker is killed when its RSS exceeds twice this.</summary>
    public int MemoryMegabytes { get; set; } = 1024;

    /// <summary>The program that runs a worker (usually <c>dotnet</c>).</summary>
    public string WorkerFileName { get; set; } = "dotnet";

    /// <summary>Arguments before the worker's own (usually <c>[".../course.dll", "grade-worker"]</c>).</summary>
    public IReadOnlyList<string> WorkerArguments { get; set; } = [];

    /// <summary>How long a worker may take to start (load Roslyn, compile the warm-up cell) before it is killed.</summary>
    public TimeSpan StartupTimeout { get; set; } = TimeSpan.FromSeconds(120);
}

/// <summary>One exercise's result.</summary>
public sealed record ExerciseGrade(string Exercise, double Points, double Max, string Feedback);

/// <summary>One notebook's result. <paramref name="Notes"/> are problems outside the graded tests (a cell that crashed the worker).</summary>
public sealed record NotebookGrade(string Notebook, IReadOnlyList<ExerciseGrade> Exercises, IReadOnlyList<string> Notes)
{
    /// <summary>Points earned.</summary>
    public double Total => Exercises.Sum(e => e.Points);

    /// <summary>Points available.</summary>
    public double Max => Exercises.Sum(e => e.Max);
}

/// <summary>
/// Grades learner notebooks against the hidden tests of their solution notebooks. Each notebook is graded in a child
/// process (<see cref="GradeWorker"/>) with a heap cap, an RSS watchdog and a time limit per cell and per exercise. If the
/// child dies or must be killed, what it was running gets 0 (an exercise) or is skipped (a learner cell) with the
/// reason, and a new child grades the rest. The grader never runs learner code itself.
/// </summary>
public sealed class Grader(GraderOptions options)
{
    /// <summary>Grades several notebooks, <paramref name="parallel"/> at a time; results are in input order.</summary>
    public IReadOnlyList<NotebookGrade> GradeAll(IReadOnlyList<(string Display, string Learner, string Solution)> notebooks, int parallel)
    {
        var results = new NotebookGrade[notebooks.Count];
        Parallel.For(0, notebooks.Count, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, parallel) },
            i => results[i] = Grade(notebooks[i].Display, notebooks[i].Learner, notebooks[i].Solution));
        return results;
    }

    /// <summary>Grades one notebook.</summary>
    public NotebookGrade Grade(string display, string learnerPath, string solutionPath)
    {
        List<(string Name, double Max)> exercises;
        try
        {
            exercises = NotebookFile.Read(solutionPath).Cells.Where(ExerciseRelease.IsHidden)
                .Select(c => (ExerciseRelease.ExerciseName(c) ?? "?", ExerciseRelease.Points(c))).ToList();
        }
        catch (NotebookFormatException e)
        {
            return new NotebookGrade(display, [], [$"solution notebook unreadable: {e.Message}"]);
        }

        try
        {
            NotebookFile.Read(learnerPath);
        }
        catch (NotebookFormatException e)
        {
            // No child needed to know that nothing can be graded.
            return new NotebookGrade(display, exercises.Select(x => new ExerciseGrade(x.Name, 0, x.Max, "not graded: the notebook could not be read")).ToList(), [e.Message]);
        }

        var results = new Dictionary<string, ExerciseGrade>(StringComparer.Ordinal);
        var notes = new List<string>();
        var skip = new SortedSet<int>();
        var maxRuns = exercises.Count + 50;
        for (int run = 0; run < maxRuns && results.Count < exercises.Count; run++)
        {
            var outcome = RunWorker(learnerPath, solutionPath, skip, results.Keys.ToHashSet(StringComparer.Ordinal));
            foreach (var e in outcome.Events.Where(e => e.Event == "cell-end" && e.Feedback?.StartsWith("CompilationError", StringComparison.Ordinal) == true))
            {
                // A learner cell that does not compile explains the "does not exist" errors of the tests that follow.
                var note = $"your cell {e.Cell} does not compile: {e.Feedback!["CompilationError: ".Length..]}";
                if (!notes.Contains(note))
                {
                    notes.Add(note);
                }
            }

            foreach (var e in outcome.Events.Where(e => e.Event == "exercise"))
            {
                results[e.Exercise!] = new ExerciseGrade(e.Exercise!, e.Points ?? 0, e.Max ?? 0, e.Feedback ?? string.Empty);
            }

            if (outcome.Events.FirstOrDefault(e => e.Event == "fatal") is { } fatal)
            {
                notes.Add(fatal.Feedback ?? "the notebook could not be read");
                break;
            }

            if (outcome.Events.Any(e => e.Event == "done"))
            {
                break;
            }

            // The worker died or was killed: blame what it was running, then start a new one for the rest.
            var last = outcome.Events.LastOrDefault(e => e.Event is "cell-start" or "cell-end" or "exercise-start" or "exercise");
            var reason = outcome.Reason;
            if (last is { Event: "exercise-start" })
            {
                results[last.Exercise!] = new ExerciseGrade(last.Exercise!, 0, exercises.First(x => x.Name == last.Exercise).Max, reason);
            }
            else if (last is { Event: "cell-start" })
            {
                skip.Add(last.Cell!.Value);
                notes.Add($"your cell {last.Cell} was skipped: {reason}");
            }
            else if (last is { Event: "exercise" } && outcome.ExitCode == GradeWorker.StuckExitCode)
            {
                // The exercise already has its result; the next worker continues after it.
            }
            else
            {
                notes.Add($"the grader could not run your notebook: {reason}");
                break;
            }
        }

        var list = exercises.Select(x => results.TryGetValue(x.Name, out var r)
            ? r
            : new ExerciseGrade(x.Name, 0, x.Max, "not graded: " + (notes.LastOrDefault() ?? "the grader stopped"))).ToList();
        return new NotebookGrade(display, list, notes);
    }

    private sealed record WorkerOutcome(List<GradeEvent> Events, int? ExitCode, string Reason);

    private WorkerOutcome RunWorker(string learner, string solution, IReadOnlySet<int> skip, IReadOnlySet<string> done)
    {
        var work = Path.Combine(Path.GetTempPath(), "seqcourse-grade", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(work);
        var eventsPath = Path.Combine(work, ".grade-events.jsonl");
        File.WriteAllText(eventsPath, string.Empty);
        var info = new ProcessStartInfo(options.WorkerFileName)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            WorkingDirectory = work,
        };
        foreach (var a in options.WorkerArguments)
        {
            info.ArgumentList.Add(a);
        }

        foreach (var a in new[]
        {
            "--learner", Path.GetFullPath(learner), "--solution", Path.GetFullPath(solution), "--events", eventsPath,
            "--timeout", options.Timeout.TotalSeconds.ToString(CultureInfo.InvariantCulture), "--workdir", work,
            "--skip-cells", string.Join(",", skip), "--done", string.Join(",", done),
        })
        {
            info.ArgumentList.Add(a);
        }

        long heap = (long)options.MemoryMegabytes * 1024 * 1024;
        info.Environment["DOTNET_GCHeapHardLimit"] = "0x" + heap.ToString("X", CultureInfo.InvariantCulture);
        info.Environment["DOTNET_gcServer"] = "0";
        info.Environment["DOTNET_NOLOGO"] = "1";

        var stderr = new StringBuilder();
        using var process = new Process { StartInfo = info };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (stderr)
                {
                    if (stderr.Length < 16_000)
                    {
                        stderr.AppendLine(e.Data);
                    }
                }
            }
        };
        process.OutputDataReceived += (_, _) => { };
        try
        {
            process.Start();
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            Directory.Delete(work, recursive: true);
            return new WorkerOutcome([], null, $"the grading process could not be started ({options.WorkerFileName}: {e.Message})");
        }

        process.StandardInput.Close();
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();

        var events = new List<GradeEvent>();
        long read = 0;
        var sinceEvent = Stopwatch.StartNew();
        string? killed = null;
        var stepLimit = options.StartupTimeout;
        var slack = options.Timeout + TimeSpan.FromSeconds(15); // the worker interrupts at Timeout and gives up 3 s later
        while (!process.WaitForExit(100))
        {
            if (ReadEvents(eventsPath, ref read, events))
            {
                sinceEvent.Restart();
                stepLimit = slack;
            }

            try
            {
                process.Refresh();
                if (process.WorkingSet64 > 2 * heap)
                {
                    killed = $"used more than {2 * options.MemoryMegabytes} MB of memory and was stopped";
                }
            }
            catch (InvalidOperationException)
            {
                // exited meanwhile
            }

            if (killed is null && sinceEvent.Elapsed > stepLimit)
            {
                killed = $"did not finish within {options.Timeout.TotalSeconds:0.#} s and could not be interrupted, so the grading process was stopped";
            }

            if (killed is not null)
            {
                try
                {
                    process.Kill(entireProcessTree: true);
                }
                catch (InvalidOperationException)
                {
                }

                process.WaitForExit();
                break;
            }
        }

        process.WaitForExit();
        ReadEvents(eventsPath, ref read, events);
        string err;
        lock (stderr)
        {
            err = stderr.ToString();
        }

        var reason = killed ?? Describe(process.ExitCode, err);
        try
        {
            Directory.Delete(work, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }

        return new WorkerOutcome(events, process.ExitCode, reason);
    }

    private static string Describe(int exitCode, string stderr)
    {
        if (stderr.Contains("Stack overflow", StringComparison.OrdinalIgnoreCase))
        {
            return "the code overflowed the stack (endless recursion?), which ends the grading process; the grader carried on with a new one";
        }

        if (stderr.Contains("OutOfMemory", StringComparison.Ordinal))
        {
            return "the code ran out of memory and ended the grading process";
        }

        if (exitCode == GradeWorker.StuckExitCode)
        {
            return "did not stop when interrupted";
        }

        var tail = string.Join(" ", stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).TakeLast(3));
        return $"the grading process ended unexpectedly (exit code {exitCode}{(tail.Length > 0 ? ": " + tail : string.Empty)})";
    }

    private static bool ReadEvents(string path, ref long read, List<GradeEvent> events)
    {
        string text;
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            stream.Seek(read, SeekOrigin.Begin);
            using var reader = new StreamReader(stream, Encoding.UTF8);
            text = reader.ReadToEnd();
        }
        catch (IOException)
        {
            return false;
        }

        var end = text.LastIndexOf('\n');
        if (end < 0)
        {
            return false;
        }

        var complete = text[..(end + 1)];
        read += Encoding.UTF8.GetByteCount(complete);
        foreach (var line in complete.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            events.Add(GradeWorker.FromLine(line));
        }

        return true;
    }

    /// <summary>The grades as JSON (one object per notebook, with its exercises and notes).</summary>
    public static string ToJson(IReadOnlyList<NotebookGrade> grades) =>
        System.Text.Json.JsonSerializer.Serialize(grades.Select(g => new
        {
            notebook = g.Notebook,
            total = g.Total,
            max = g.Max,
            exercises = g.Exercises.Select(e => new { exercise = e.Exercise, points = e.Points, max = e.Max, feedback = e.Feedback }),
            notes = g.Notes,
        }), new System.Text.Json.JsonSerializerOptions { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }) + "\n";

    /// <summary>The grades as CSV: notebook, exercise, points, max, feedback (one row per exercise, plus a TOTAL row per notebook).</summary>
    public static string ToCsv(IReadOnlyList<NotebookGrade> grades)
    {
        static string Q(string s) => s.IndexOfAny([',', '"', '\n', '\r']) >= 0 ? "\"" + s.Replace("\"", "\"\"") + "\"" : s;
        static string N(double d) => d.ToString(CultureInfo.InvariantCulture);
        var sb = new StringBuilder("notebook,exercise,points,max,feedback\n");
        foreach (var g in grades)
        {
            foreach (var e in g.Exercises)
            {
                sb.Append(Q(g.Notebook)).Append(',').Append(Q(e.Exercise)).Append(',').Append(N(e.Points)).Append(',').Append(N(e.Max)).Append(',').Append(Q(e.Feedback)).Append('\n');
            }

            sb.Append(Q(g.Notebook)).Append(",TOTAL,").Append(N(g.Total)).Append(',').Append(N(g.Max)).Append(',').Append(Q(string.Join(" | ", g.Notes))).Append('\n');
        }

        return sb.ToString();
    }
}
