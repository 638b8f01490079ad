using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Reflection;
using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Scripting;
using Microsoft.CodeAnalysis.Scripting;

namespace SeqCourse.Runtime;

/// <summary>
/// Runs C# notebook cells with Roslyn scripting, one session per engine: variables, types and usings of a cell
/// are visible to the next. Used by the Jupyter kernel and by the headless runner.
/// </summary>
public sealed partial class ExecutionEngine : IDisposable
{
    /// <summary>Namespaces imported in every cell.</summary>
    public static readonly IReadOnlyList<string> DefaultImports =
    [
        "System", "System.IO", "System.Linq", "System.Collections.Generic", "System.Text", "System.Threading",
        "System.Threading.Tasks", "MathNet.Numerics.LinearAlgebra", "SeqCourse", "SeqCourse.Runtime",
    ];

    private readonly EngineOptions _options;
    private readonly ScriptOptions _scriptOptions;
    private readonly NuGetPackages _packages;
    private readonly NotebookGlobals _globals = new();
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly ConcurrentDictionary<string, int> _cellFiles = new(StringComparer.Ordinal);
    private ScriptState<object>? _state;
    private int _executionCount;
    private int _submissions;
    private volatile CellContext? _running;
    private volatile string? _stuckCell;
    private bool _disposed;

    /// <summary>Creates an engine; nothing is compiled until the first cell or <see cref="WarmUpAsync"/>.</summary>
    /// <param name="options">Settings; defaults when null.</param>
    public ExecutionEngine(EngineOptions? options = null)
    {
        _options = options ?? new EngineOptions();
        var workingDirectory = Path.GetFullPath(_options.WorkingDirectory);
        PlotlyState = new PlotlyHtmlState(_options.Plotly);
        ConsoleRouter.Install();

        var references = ReferencedAssemblies().ToList();
        _packages = new NuGetPackages(
            _options.NuGetCacheDirectory ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "seqcourse", "nuget"),
            references.Select(a => a.GetName().Name!).ToHashSet(StringComparer.OrdinalIgnoreCase));

        var metadataResolver = new CellMetadataResolver(
            ScriptMetadataResolver.Default.WithBaseDirectory(workingDirectory).WithSearchPaths(workingDirectory), _packages);
        _scriptOptions = ScriptOptions.Default
            .WithLanguageVersion(LanguageVersion.Latest)
            .AddReferences(references.Select(a => MetadataReference.CreateFromFile(a.Location, documentation: Documentation.ForAssemblyFile(a.Location))))
            .WithImports(DefaultImports)
            .WithMetadataResolver(metadataResolver)
            .WithSourceResolver(new SourceFileResolver([workingDirectory], workingDirectory))
            .WithEmitDebugInformation(true)
            .WithFileEncoding(Encoding.UTF8)
            .WithOptimizationLevel(OptimizationLevel.Release)
            .WithAllowUnsafe(true);
        ParseOptions = new CSharpParseOptions(LanguageVersion.Latest, kind: SourceCodeKind.Script);
    }

    /// <summary>How many cells have been executed (the warm-up does not count).</summary>
    public int ExecutionCount => Volatile.Read(ref _executionCount);

    /// <summary>The engine's options.</summary>
    public EngineOptions Options => _options;

    internal PlotlyHtmlState PlotlyState { get; }

    internal CellContext? RunningCell => _running;

    internal CSharpParseOptions ParseOptions { get; }

    /// <summary>Compiles and runs a trivial cell so the first real cell does not pay Roslyn's start-up cost.</summary>
    public async Task WarmUpAsync()
    {
        await _gate.WaitAsync().ConfigureAwait(false);
        try
        {
            await RunCellAsync("var __warmUp = Enumerable.Range(0, 3).Select(i => i * 1.5).Sum().ToString();", 0, null, CancellationToken.None).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }

    }

    /// <summary>
    /// Executes one cell. Outputs are passed to <paramref name="onOutput"/> as they happen and also returned.
    /// Cancelling <paramref name="cancellationToken"/> interrupts the cell; the session keeps its state.
    /// </summary>
    /// <param name="code">The cell's source.</param>
    /// <param name="onOutput">Called for each output, in order, from the cell's threads (never concurrently).</param>
    /// <param name="cancellationToken">Interrupts the cell.</param>
    public async Task<ExecutionResult> ExecuteAsync(string code, Action<CellOutput>? onOutput = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(code);
        ObjectDisposedException.ThrowIf(_disposed, this);
        await _gate.WaitAsync(CancellationToken.None).ConfigureAwait(false);
        var number = Interlocked.Increment(ref _executionCount);
        try
        {
            if (_stuckCell is { } stuck)
            {
                var error = new ErrorOutput("EngineStuck", $"{stuck} did not stop after it was interrupted; restart the kernel.", [$"{stuck} did not stop after it was interrupted; restart the kernel."]);
                onOutput?.Invoke(error);
                return new ExecutionResult(false, number, [error], error, false);
            }

            // A cell that did not stop leaves _stuckCell set, so every later call ends above without running.
            var (result, _) = await RunCellAsync(code, number, onOutput, cancellationToken).ConfigureAwait(false);
            return result;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Interrupts the running cell, if any (the kernel's interrupt_request and SIGINT).</summary>
    public void Interrupt() => _running?.Cancel();

    /// <summary>Releases the engine; a cell still running is interrupted.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _running?.Cancel();
    }

    internal string? DescribeFile(string path) =>
        _cellFiles.TryGetValue(path, out var number) ? (number == 0 ? "Warm-up cell" : $"Cell {number}") : null;

    /// <summary>The script of the session so far, for completion and inspection.</summary>
    internal Script<object> ContinueScript(string code)
    {
        var state = _state;
        var options = _scriptOptions.WithFilePath(Path.Combine(_options.WorkingDirectory, "completion.csx"));
        return state is null
            ? CSharpScript.Create(code, options, typeof(NotebookGlobals))
            : state.Script.ContinueWith(code, options);
    }

    private static IEnumerable<Assembly> ReferencedAssemblies()
    {
        var assemblies = new List<Assembly>
        {
            typeof(object).Assembly,
            typeof(Enumerable).Assembly,
            typeof(LinkedList<>).Assembly,
            typeof(ConcurrentDictionary<,>).Assembly,
            typeof(Console).Assembly,
            typeof(System.Text.RegularExpressions.Regex).Assembly,
            typeof(System.Text.Json.JsonSerializer).Assembly,
            typeof(System.Net.Http.HttpClient).Assembly,
            typeof(System.Numerics.BigInteger).Assembly,
            typeof(System.Linq.Expressions.Expression).Assembly,
            typeof(System.ComponentModel.INotifyPropertyChanged).Assembly,
            typeof(System.Diagnostics.Process).Assembly,
            typeof(Parallel).Assembly,
            typeof(System.Collections.Immutable.ImmutableArray).Assembly,
            typeof(Microsoft.CSharp.RuntimeBinder.Binder).Assembly,
            typeof(MathNet.Numerics.LinearAlgebra.Matrix<>).Assembly,
            typeof(Plotly.NET.GenericChart).Assembly,
            typeof(Plotly.NET.CSharp.Chart).Assembly,
            typeof(Microsoft.FSharp.Core.FSharpOption<>).Assembly,
            typeof(ExecutionEngine).Assembly,
        };
        foreach (var name in new[] { "System.Runtime", "netstandard", "System.Collections", "System.Memory", "SeqCourse", "DynamicObj", "System.Numerics.Tensors" })
        {
            try
            {
                assemblies.Add(Assembly.Load(new AssemblyName(name)));
            }
            catch (FileNotFoundException)
            {
                // Optional: present only when the library references it.
            }
        }

        return assemblies.Where(a => !a.IsDynamic && !string.IsNullOrEmpty(a.Location)).Distinct();
    }

    private async Task<(ExecutionResult Result, bool Finished)> RunCellAsync(string code, int number, Action<CellOutput>? onOutput, CancellationToken cancellationToken)
    {
        var outputs = new List<CellOutput>();
        var context = new CellContext(this, number, output =>
        {
            outputs.Add(output);
            onOutput?.Invoke(output);
        });

        var done = new TaskCompletionSource<CellOutcome>(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(
            () =>
            {
                CellContext.Current = context;
                try
                {
                    done.TrySetResult(RunOnCellThread(code, number, context));
                }
                catch (Exception e)
                {
                    done.TrySetResult(new CellOutcome(ErrorReport.Runtime(e, DescribeFile), false));
                }
                finally
                {
                    CellContext.Current = null;
                }
            },
            _options.CellThreadStackSize)
        {
            IsBackground = true,
            Name = number == 0 ? "SeqCourse warm-up" : $"SeqCourse cell {number}",
        };

        _running = context;
        if (_options.SetCurrentDirectory && Directory.Exists(_options.WorkingDirectory)
            && !string.Equals(Path.GetFullPath(Environment.CurrentDirectory), Path.GetFullPath(_options.WorkingDirectory), StringComparison.Ordinal))
        {
            Environment.CurrentDirectory = _options.WorkingDirectory;
        }

        using var registration = cancellationToken.Register(context.Cancel);
        thread.Start();

        var gaveUp = new TaskCompletionSource();
        using var afterCancel = context.Token.Register(() => _ = Task.Delay(_options.InterruptGracePeriod).ContinueWith(_ => gaveUp.TrySetResult(), TaskScheduler.Default));
        await Task.WhenAny(done.Task, gaveUp.Task).ConfigureAwait(false);

        if (!done.Task.IsCompleted)
        {
            // The cell ignores the interrupt (e.g. blocked in a call that checks no token). Report it and
            // refuse later cells: running another cell beside it would corrupt the session.
            _stuckCell = DescribeFile(CellPath(number)) ?? $"Cell {number}";
            var message = $"{_stuckCell} was interrupted but did not stop within {_options.InterruptGracePeriod.TotalSeconds:0.#} s; restart the kernel.";
            var stuck = new ErrorOutput("Interrupted", message, [message]);
            context.Emit(stuck);
            context.Complete();
            return (new ExecutionResult(false, number, [.. outputs], stuck, true), false);
        }

        var outcome = await done.Task.ConfigureAwait(false);
        if (outcome.Error is { } error)
        {
            context.Emit(error);
        }

        context.Dispose();
        _running = null;
        lock (outputs)
        {
            return (new ExecutionResult(outcome.Error is null, number, [.. outputs], outcome.Error, outcome.Cancelled), true);
        }
    }

    private string CellPath(int number) => Path.Combine(_options.WorkingDirectory, number == 0 ? "warm-up.csx" : $"cell-{number}.csx");

    private CellOutcome RunOnCellThread(string code, int number, CellContext context)
    {
        // Restore #r "nuget: …" packages first, so a failure shows the build output instead of CS0006.
        foreach (var reference in NuGetPackages.FindReferences(code))
        {
            try
            {
                _packages.Restore(reference);
            }
            catch (Exception e) when (e is InvalidOperationException or ArgumentException)
            {
                var line = code[..code.IndexOf(reference, StringComparison.Ordinal)].Count(c => c == '\n') + 1;
                var message = $"Cell {number}, line {line}: {e.Message}";
                return new CellOutcome(new ErrorOutput("NuGetRestoreError", e.Message, message.Split('\n')), false);
            }
        }

        var path = CellPath(number);
        _cellFiles[path] = number;
        var tree = CSharpSyntaxTree.ParseText(code, ParseOptions, path);
        var rewritten = CellRewriter.Rewrite(tree).GetRoot().ToFullString();
        var options = _scriptOptions.WithFilePath(path);
        var previous = _state;
        Script<object> Continue(string source) => previous is null
            ? CSharpScript.Create(source, options, typeof(NotebookGlobals))
            : previous.Script.ContinueWith(source, options);
        var script = Continue(rewritten);

        var diagnostics = script.GetCompilation().GetDiagnostics();
        if (diagnostics.Any(d => d.Severity == DiagnosticSeverity.Error))
        {
            return new CellOutcome(ErrorReport.Compilation(diagnostics, DescribeFile), false);
        }

        // With types known, make expression-bodied lambdas and methods interruptible too. Should that ever
        // turn a valid cell into an invalid one, the first version is run instead.
        var checkedTree = script.GetCompilation().SyntaxTrees.Last();
        if (ExpressionBodyRewriter.HasExpressionBodies(checkedTree.GetRoot()))
        {
            var model = script.GetCompilation().GetSemanticModel(checkedTree);
            var withChecks = Continue(new ExpressionBodyRewriter(model).Visit(checkedTree.GetRoot()).ToFullString());
            if (!withChecks.Compile().Any(d => d.Severity == DiagnosticSeverity.Error))
            {
                script = withChecks;
            }
        }

        diagnostics = script.Compile();
        if (diagnostics.Any(d => d.Severity == DiagnosticSeverity.Error))
        {
            return new CellOutcome(ErrorReport.Compilation(diagnostics, DescribeFile), false);
        }

        var hasValue = HasValue(script.GetCompilation());
        var state = previous is null
            ? script.RunAsync(_globals, _ => true).GetAwaiter().GetResult()
            : script.RunFromAsync(previous, _ => true).GetAwaiter().GetResult();

        // Keep the new state even when the cell threw or was interrupted: what it defined before that stays defined.
        _state = state;
        Interlocked.Increment(ref _submissions);
        if (state.Exception is { } exception)
        {
            var unwrapped = ErrorReport.Unwrap(exception);
            if (unwrapped is OperationCanceledException && context.Token.IsCancellationRequested)
            {
                var message = $"Cell {number} was interrupted.";
                var trace = ErrorReport.Runtime(unwrapped, DescribeFile).Traceback.Skip(1);
                return new CellOutcome(new ErrorOutput("Interrupted", "The cell was interrupted.", [message, .. trace]), true);
            }

            return new CellOutcome(ErrorReport.Runtime(exception, DescribeFile), false);
        }

        if (hasValue)
        {
            context.Emit(new ExecuteResultOutput(Formatter.ToMimeBundle(state.ReturnValue, PlotlyState)));
        }

        return new CellOutcome(null, false);
    }

    /// <summary>True when the cell ends with an expression without a semicolon whose type is not void.</summary>
    private static bool HasValue(Compilation compilation)
    {
        var tree = compilation.SyntaxTrees.Last();
        var last = tree.GetRoot().ChildNodes().OfType<Microsoft.CodeAnalysis.CSharp.Syntax.GlobalStatementSyntax>().LastOrDefault();
        if (last?.Statement is not Microsoft.CodeAnalysis.CSharp.Syntax.ExpressionStatementSyntax { SemicolonToken.IsMissing: true } statement
            || last != tree.GetRoot().ChildNodes().LastOrDefault())
        {
            return false;
        }

        var type = compilation.GetSemanticModel(tree).GetTypeInfo(statement.Expression).Type;
        return type is not null && type.SpecialType != SpecialType.System_Void;
    }

    private sealed record CellOutcome(ErrorOutput? Error, bool Cancelled);
}
