using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using SeqCourse.Runtime.Notebooks;

namespace SeqCourse.Runtime.Runner;

/// <summary>Settings of a headless run.</summary>
public sealed class RunnerOptions
{
    /// <summary>How long one cell may run before it is cancelled and the notebook fails (default 600 s).</summary>
    public TimeSpan CellTimeout { get; init; } = TimeSpan.FromSeconds(600);

    /// <summary>
    /// How long to wait for a cancelled cell to actually stop before giving up on it (default 10 s).
    /// A cell that ignores cancellation is abandoned and reported as hung.
    /// </summary>
    public TimeSpan CancelGrace { get; init; } = TimeSpan.FromSeconds(10);
}

/// <summary>Where a notebook failed.</summary>
/// <param name="CellNumber">1-based position of the failing cell among all cells (as seen in the editor).</param>
/// <param name="Line">1-based line inside that cell, when the error says.</param>
/// <param name="Message">What went wrong, one line.</param>
/// <param name="TimedOut">The cell was cancelled because it exceeded the timeout.</param>
public sealed record CellFailure(int CellNumber, int? Line, string Message, bool TimedOut = false);

/// <summary>The outcome of running one notebook.</summary>
/// <param name="SourcePath">The notebook that was run (never modified).</param>
/// <param name="OutputPath">Where the executed copy was written; null if the run failed or nothing was written.</param>
/// <param name="Executed">The executed notebook when the run succeeded.</param>
/// <param name="Elapsed">Wall time of the whole notebook.</param>
/// <param name="Error">One-line user-facing error ("file, cell N, line L: message"); null on success.</param>
/// <param name="Failure">Details of a failing cell; null when the notebook could not be read or succeeded.</param>
/// <param name="Hung">A cell ignored cancellation and is still running on a background thread.</param>
public sealed record NotebookRunResult(
    string SourcePath,
    string? OutputPath,
    NotebookDocument? Executed,
    TimeSpan Elapsed,
    string? Error,
    CellFailure? Failure = null,
    bool Hung = false)
{
    /// <summary>True when every cell ran without error.</summary>
    public bool Success => Error is null;
}

/// <summary>Progress of one notebook: <paramref name="Done"/> of <paramref name="Total"/> code cells finished.</summary>
public readonly record struct CellProgress(int Done, int Total);

/// <summary>
/// Runs one notebook top to bottom with a fresh <see cref="ExecutionEngine"/> (the engine's working
/// directory and the process's current directory are the notebook's folder while it runs), fills outputs and execution counts, stops at the first failing cell.
/// <para>
/// Output policy: the executed notebook is written (atomically) only when every cell succeeded. When a
/// run fails, any earlier executed copy at the output path is deleted, so the output folder never holds
/// a notebook that is partial or stale; the error is reported in <see cref="NotebookRunResult.Error"/>.
/// </para>
/// </summary>
public sealed partial class NotebookRunner
{
    private readonly RunnerOptions options;
    private static string? runningCell;

    /// <summary>Creates a runner with the given options (defaults when null).</summary>
    public NotebookRunner(RunnerOptions? options = null)
    {
        this.options = options ?? new RunnerOptions();
        if (this.options.CellTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentException($"CellTimeout must be positive, got {this.options.CellTimeout}.", nameof(options));
        }
    }

    /// <summary>
    /// "notebook, cell N" of the cell executing right now in this process, or null. Read by the CLI's
    /// process-exit hook to explain a cell that called <see cref="Environment.Exit(int)"/>.
    /// </summary>
    public static string? RunningCell => Volatile.Read(ref runningCell);

    /// <summary>
    /// Runs <paramref name="sourcePath"/>; on success writes the executed notebook to
    /// <paramref name="outputPath"/> (when given). Never throws for a bad notebook or a failing cell:
    /// those are reported in the result.
    /// </summary>
    public async Task<NotebookRunResult> RunAsync(
        string sourcePath,
        string? outputPath,
        IProgress<CellProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        var clock = Stopwatch.StartNew();
        var display = DisplayName(sourcePath);

        // An executed copy from an earlier run must not survive a run that fails or dies half-way.
        DeleteStale(outputPath);

        NotebookDocument notebook;
        try
        {
            notebook = NotebookFile.Read(display);
        }
        catch (NotebookFormatException e)
        {
            return new NotebookRunResult(sourcePath, null, null, clock.Elapsed, e.Message);
        }

        if (NonCSharpLanguage(notebook) is { } language)
        {
            return new NotebookRunResult(
                sourcePath, null, null, clock.Elapsed, $"{display}: not a C# notebook (its kernel language is \"{language}\"); the runner only executes C#");
        }

        foreach (var cell in notebook.Cells.Where(c => c.CellType == CellType.Code))
        {
            cell.Outputs.Clear();
            cell.ExecutionCount = null;
        }

        var codeCells = notebook.Cells.Count(c => c.CellType == CellType.Code && !string.IsNullOrWhiteSpace(c.Source));
        progress?.Report(new CellProgress(0, codeCells));

        var workingDirectory = Path.GetDirectoryName(Path.GetFullPath(sourcePath))!;
        var engine = new ExecutionEngine(new EngineOptions { WorkingDirectory = workingDirectory });
        var converter = new OutputConverter();
        var done = 0;
        var hung = false;
        var cellByExecutionCount = new Dictionary<int, int>();
        // Like a Jupyter kernel started for the notebook: relative paths in cells (datasets, files) are
        // resolved against the notebook's folder. The runner runs one notebook at a time per process.
        var previousDirectory = Environment.CurrentDirectory;
        Environment.CurrentDirectory = workingDirectory;
        try
        {
            // Loading Roslyn and the course library costs about a second; it is not the first cell's time.
            await engine.WarmUpAsync();

            for (var index = 0; index < notebook.Cells.Count; index++)
            {
                var cell = notebook.Cells[index];

                // Like nbclient: empty code cells are not sent to the kernel and keep a null count.
                if (cell.CellType != CellType.Code || string.IsNullOrWhiteSpace(cell.Source))
                {
                    continue;
                }

                var cellNumber = index + 1;
                Volatile.Write(ref runningCell, $"{display}, cell {cellNumber}");
                var (result, timedOut, cellHung) = await ExecuteCellAsync(engine, cell, converter, cancellationToken);
                Volatile.Write(ref runningCell, null);

                if (result is not null)
                {
                    cell.ExecutionCount = result.ExecutionCount;
                    cellByExecutionCount[result.ExecutionCount] = cellNumber;
                }

                if (timedOut || cellHung || result is null || !result.Success)
                {
                    hung = cellHung;
                    var failure = Describe(cellNumber, result, timedOut, cellHung, cancellationToken.IsCancellationRequested, cellByExecutionCount);
                    var where = failure.Line is { } line ? $"cell {cellNumber}, line {line}" : $"cell {cellNumber}";
                    return new NotebookRunResult(
                        sourcePath, null, null, clock.Elapsed, $"{display}, {where}: {failure.Message}", failure, hung);
                }

                done++;
                progress?.Report(new CellProgress(done, codeCells));
            }
        }
        finally
        {
            Volatile.Write(ref runningCell, null);
            Environment.CurrentDirectory = previousDirectory;

            // A hung cell still runs on the engine; disposing under it could block, so leave it to process exit.
            if (!hung)
            {
                engine.Dispose();
            }
        }

        if (outputPath is not null)
        {
            NotebookFile.Write(outputPath, notebook);
        }

        return new NotebookRunResult(sourcePath, outputPath, notebook, clock.Elapsed, null);
    }

    private async Task<(ExecutionResult? Result, bool TimedOut, bool Hung)> ExecuteCellAsync(
        ExecutionEngine engine, NotebookCell cell, OutputConverter converter, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.CellTimeout);

        var gate = new object();
        var count = engine.ExecutionCount + 1;
        var execution = engine.ExecuteAsync(
            cell.Source,
            output =>
            {
                lock (gate)
                {
                    converter.Apply(cell, output, count);
                }
            },
            timeout.Token);

        // The engine is expected to honour cancellation; if it does not within the grace period, the cell
        // is abandoned (reported as hung) rather than blocking the whole run forever.
        var finished = await Task.WhenAny(execution, WhenCancelledPlusGrace(timeout.Token));
        var timedOut = timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested;
        if (finished != execution)
        {
            return (null, timedOut, true);
        }

        var result = await execution;
        return (result, timedOut, false);
    }

    private async Task WhenCancelledPlusGrace(CancellationToken token)
    {
        try
        {
            await Task.Delay(Timeout.Infinite, token);
        }
        catch (OperationCanceledException)
        {
        }

        await Task.Delay(options.CancelGrace, CancellationToken.None);
    }

    private CellFailure Describe(
        int cellNumber, ExecutionResult? result, bool timedOut, bool hung, bool interrupted, IReadOnlyDictionary<int, int> cellByExecutionCount)
    {
        var seconds = options.CellTimeout.TotalSeconds.ToString("0.###", System.Globalization.CultureInfo.InvariantCulture);
        if (timedOut)
        {
            var message = hung
                ? $"timed out after {seconds} s and did not stop when cancelled"
                : $"timed out after {seconds} s (raise it with --timeout SECONDS)";
            return new CellFailure(cellNumber, null, message, TimedOut: true);
        }

        if (interrupted)
        {
            return new CellFailure(cellNumber, null, "interrupted");
        }

        if (hung || result is null)
        {
            return new CellFailure(cellNumber, null, "the cell was cancelled but did not stop");
        }

        var error = result.Error ?? result.Outputs.OfType<ErrorOutput>().LastOrDefault();
        if (error is null)
        {
            return new CellFailure(cellNumber, null, result.Cancelled ? "cancelled" : "failed without an error message");
        }

        return FromError(error, cellNumber, result.ExecutionCount, cellByExecutionCount);
    }

    /// <summary>
    /// Turns an engine error into "line in the failing cell" and a one-line message. The engine names
    /// places as "Cell K, line L" with K the execution count; the runner speaks of cells by position in the
    /// notebook, so K is mapped back through <paramref name="cellByExecutionCount"/>. When the innermost
    /// frame is in another cell (a function defined earlier), the message says where it was raised.
    /// </summary>
    public static CellFailure FromError(ErrorOutput error, int cellNumber, int executionCount, IReadOnlyDictionary<int, int> cellByExecutionCount)
    {
        var texts = new[] { error.EValue }.Concat(error.Traceback).Select(StripAnsi).ToList();
        var places = texts.SelectMany(t => CellPlace().Matches(t))
            .Select(m => (Cell: int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture), Line: int.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture)))
            .ToList();

        int? line = places.Where(p => p.Cell == executionCount).Select(p => (int?)p.Line).FirstOrDefault();
        var message = OneLine(error);
        if (places.Count > 0 && places[0].Cell != executionCount)
        {
            var where = cellByExecutionCount.TryGetValue(places[0].Cell, out var other) ? $"cell {other}" : $"execution {places[0].Cell}";
            message += $" (raised in {where}, line {places[0].Line})";
        }

        if (places.Count == 0)
        {
            line = FindLine(texts);
        }

        return new CellFailure(cellNumber, line, message);
    }

    /// <summary>"Type: message" from the first line of the error, without the engine's "Cell K, line L:" prefix or ANSI colours.</summary>
    public static string OneLine(ErrorOutput error)
    {
        var value = StripAnsi(error.EValue).Trim().Split('\n', 2)[0].TrimEnd('\r');
        value = CellPrefix().Replace(value, "");
        var name = StripAnsi(error.EName).Trim();
        if (name.Length == 0 || name == "CompilationError" || value.StartsWith(name + ":", StringComparison.Ordinal))
        {
            return value.Length == 0 ? name : value;
        }

        return value.Length == 0 ? name : $"{name}: {value}";
    }

    // Errors that do not use the engine's "Cell K, line L" form: compiler "(L,C): error" or "line L".
    private static int? FindLine(IEnumerable<string> texts)
    {
        foreach (var text in texts)
        {
            var diagnostic = DiagnosticPosition().Match(text);
            if (diagnostic.Success)
            {
                return int.Parse(diagnostic.Groups[1].Value, CultureInfo.InvariantCulture);
            }

            var line = LineWord().Match(text);
            if (line.Success)
            {
                return int.Parse(line.Groups[1].Value, CultureInfo.InvariantCulture);
            }
        }

        return null;
    }

    internal static string StripAnsi(string text) => AnsiEscape().Replace(text, "");

    // Notebooks without kernel metadata are taken as C#; .NET Interactive's ".net-csharp" says "C#" too.
    private static string? NonCSharpLanguage(NotebookDocument notebook)
    {
        var language = (notebook.Metadata["kernelspec"]?["language"] ?? notebook.Metadata["language_info"]?["name"]) is System.Text.Json.Nodes.JsonValue value
            && value.TryGetValue<string>(out var text) ? text : null;
        return language is null || language.Trim().ToLowerInvariant() is "c#" or "csharp" or "c-sharp" ? null : language;
    }

    private static void DeleteStale(string? outputPath)
    {
        if (outputPath is not null && File.Exists(outputPath))
        {
            File.Delete(outputPath);
        }
    }

    private static string DisplayName(string path)
    {
        var relative = Path.GetRelativePath(Environment.CurrentDirectory, Path.GetFullPath(path));
        return relative.StartsWith("..", StringComparison.Ordinal) ? path : relative;
    }

    [GeneratedRegex(@"\bCell (\d+), line (\d+)")]
    private static partial Regex CellPlace();

    [GeneratedRegex(@"^Cell \d+, line \d+(, column \d+)?: ")]
    private static partial Regex CellPrefix();

    [GeneratedRegex(@"\((\d+),\d+\)\s*:\s*error", RegexOptions.IgnoreCase)]
    private static partial Regex DiagnosticPosition();

    [GeneratedRegex(@"\bline (\d+)\b", RegexOptions.IgnoreCase)]
    private static partial Regex LineWord();

    [GeneratedRegex(@"\x1b\[[0-9;]*[A-Za-z]")]
    private static partial Regex AnsiEscape();
}
