using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using SeqCourse.Runtime.Notebooks;

namespace SeqCourse.Runtime.Exercises;

/// <summary>One line of the worker's event file (JSON lines), read by <see cref="Grader"/>.</summary>
/// <param name="Event">cell-start, cell-end, exercise-start, exercise, fatal or done.</param>
/// <param name="Cell">Learner cell position (1-based, all cells counted) for cell events.</param>
/// <param name="Exercise">Exercise name for exercise events.</param>
/// <param name="Points">Points earned.</param>
/// <param name="Max">Points available.</param>
/// <param name="Feedback">Feedback in plain words, or the cell's error.</param>
public sealed record GradeEvent(string Event, int? Cell = null, string? Exercise = null, double? Points = null, double? Max = null, string? Feedback = null);

/// <summary>
/// The child-process side of <c>course grade</c> (<c>course grade-worker</c>): runs the learner's code cells in one engine
/// session, then each hidden test cell of the solution notebook, and appends one <see cref="GradeEvent"/> per step to an
/// event file, so the parent knows what was running if this process dies.
/// </summary>
public static partial class GradeWorker
{
    /// <summary>Exit code when a cell ignored its interrupt: the parent starts a new worker for the rest.</summary>
    public const int StuckExitCode = 5;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull };

    /// <summary>Serializes an event as one JSON line.</summary>
    public static string ToLine(GradeEvent e) => JsonSerializer.Serialize(e, Json);

    /// <summary>Parses one JSON line.</summary>
    public static GradeEvent FromLine(string line) => JsonSerializer.Deserialize<GradeEvent>(line, Json)!;

    /// <summary>Grades; returns the process exit code (0 done, <see cref="StuckExitCode"/> when a cell would not stop).</summary>
    public static async Task<int> RunAsync(string learnerPath, string solutionPath, string eventsPath, TimeSpan timeout,
        IReadOnlySet<int> skipCells, IReadOnlySet<string> done, string workingDirectory)
    {
        void Emit(GradeEvent e) => File.AppendAllText(eventsPath, ToLine(e) + "\n");

        NotebookDocument learner, solution;
        try
        {
            learner = NotebookFile.Read(learnerPath);
            solution = NotebookFile.Read(solutionPath);
        }
        catch (NotebookFormatException e)
        {
            Emit(new GradeEvent("fatal", Feedback: e.Message));
            return 0;
        }

        using var engine = new ExecutionEngine(new EngineOptions
        {
            WorkingDirectory = workingDirectory,
            InterruptGracePeriod = TimeSpan.FromSeconds(3),
            Plotly = PlotlyMode.AssumeLoaded,
        });
        await engine.WarmUpAsync().ConfigureAwait(false);

        var cellOfExecution = new Dictionary<int, int>();
        for (int i = 0; i < learner.Cells.Count; i++)
        {
            var cell = learner.Cells[i];
            if (cell.CellType != CellType.Code || string.IsNullOrWhiteSpace(cell.Source) || ExerciseRelease.IsHidden(cell) || skipCells.Contains(i + 1))
            {
                continue;
            }

            Emit(new GradeEvent("cell-start", Cell: i + 1));
            var result = await RunAsync(engine, cell.Source, timeout).ConfigureAwait(false);
            cellOfExecution[result.ExecutionCount] = i + 1;
            if (IsStuck(result))
            {
                return StuckExitCode; // no cell-end: the parent skips this cell in the next worker
            }

            Emit(new GradeEvent("cell-end", Cell: i + 1, Feedback: result.Error is { } err ? $"{err.EName}: {err.EValue}" : null));
        }

        foreach (var cell in solution.Cells.Where(ExerciseRelease.IsHidden))
        {
            var name = ExerciseRelease.ExerciseName(cell) ?? "?";
            if (done.Contains(name))
            {
                continue;
            }

            var max = ExerciseRelease.Points(cell);
            Emit(new GradeEvent("exercise-start", Exercise: name));
            var result = await RunAsync(engine, cell.Source, timeout).ConfigureAwait(false);
            var feedback = result.Success ? "passed" : Explain(result, timeout, cellOfExecution, workingDirectory);
            Emit(new GradeEvent("exercise", Exercise: name, Points: result.Success ? max : 0, Max: max, Feedback: feedback));
            if (IsStuck(result))
            {
                return StuckExitCode;
            }
        }

        Emit(new GradeEvent("done"));
        return 0;
    }

    private static async Task<ExecutionResult> RunAsync(ExecutionEngine engine, string code, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        return await engine.ExecuteAsync(code, null, cts.Token).ConfigureAwait(false);
    }

    private static bool IsStuck(ExecutionResult result) =>
        result.Error is { EName: "Interrupted" or "EngineStuck" } e && e.EValue.Contains("did not stop", StringComparison.Ordinal);

    /// <summary>Feedback for a failed hidden test cell, in plain words, without the test's code.</summary>
    internal static string Explain(ExecutionResult result, TimeSpan timeout, IReadOnlyDictionary<int, int> cellOfExecution, string? workingDirectory = null)
    {
        var seconds = timeout.TotalSeconds.ToString("0.#", CultureInfo.InvariantCulture);
        if (IsStuck(result))
        {
            return $"did not finish within {seconds} s and did not stop when interrupted (an endless loop in a call that cannot be interrupted?)";
        }

        if (result.Cancelled)
        {
            return $"did not finish within {seconds} s (an endless loop?)";
        }

        var error = result.Error!;
        var where = string.Empty;
        if (error.Traceback.Count > 0 && CellPlace().Match(error.Traceback[0]) is { Success: true } m
            && int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) is var count && count != result.ExecutionCount
            && cellOfExecution.TryGetValue(count, out var cell))
        {
            where = $" (in your cell {cell}, line {m.Groups[2].Value})";
        }

        if (workingDirectory is not null && WriteSandbox.Explain(error.EName, error.EValue, workingDirectory) is { } refused)
        {
            return refused + where;
        }

        return error.EName switch
        {
            "GradingFailure" => error.EValue,
            "NotImplementedException" => $"not implemented yet ({error.EValue})",
            "OutOfMemoryException" => $"ran out of memory: the grader allows each notebook a limited heap ({error.EValue}){where}",
            "InsufficientExecutionStackException" => $"recursion too deep: the stack ran out{where}",
            "CompilationError" => $"the tests could not call your code: {error.EValue} (did you rename a function or change its parameters?)",
            _ => $"your code threw {error.EName}: {error.EValue}{where}",
        };
    }

    [GeneratedRegex(@"^Cell (\d+), line (\d+)")]
    private static partial Regex CellPlace();
}
