// TEMPORARY: a minimal stand-in for the engine contract (branch `runtime`), so the runner compiles and
// can be exercised before the real engine is merged. DELETE THIS FILE when merging `runtime`.
using System.Text.Json.Nodes;
using Microsoft.CodeAnalysis.CSharp.Scripting;
using Microsoft.CodeAnalysis.Scripting;

namespace SeqCourse.Runtime
{

public abstract record CellOutput;
public sealed record StreamOutput(string Name, string Text) : CellOutput;
public sealed record DisplayDataOutput(IReadOnlyDictionary<string, JsonNode> Data, string? DisplayId = null, bool IsUpdate = false) : CellOutput;
public sealed record ExecuteResultOutput(IReadOnlyDictionary<string, JsonNode> Data) : CellOutput;
public sealed record ErrorOutput(string EName, string EValue, IReadOnlyList<string> Traceback) : CellOutput;
public sealed record ClearOutputRequest(bool Wait) : CellOutput;
public sealed record ExecutionResult(bool Success, int ExecutionCount, IReadOnlyList<CellOutput> Outputs, ErrorOutput? Error, bool Cancelled);

public sealed class EngineOptions
{
    public string WorkingDirectory { get; set; } = Environment.CurrentDirectory;
}

public sealed class ExecutionEngine : IDisposable
{
    private ScriptState<object?>? state;
    private readonly ScriptOptions options = ScriptOptions.Default.WithReferences(typeof(Enumerable).Assembly, typeof(MathNet.Numerics.LinearAlgebra.Matrix<double>).Assembly, typeof(Plotly.NET.GenericChart).Assembly, typeof(Plotly.NET.CSharp.Chart).Assembly).WithImports("System", "System.Linq", "System.Collections.Generic");

    public ExecutionEngine(EngineOptions? options = null)
    {
    }

    public int ExecutionCount { get; private set; }

    public Task WarmUpAsync() => Task.CompletedTask;

    public async Task<ExecutionResult> ExecuteAsync(string code, Action<CellOutput>? onOutput = null, CancellationToken cancellationToken = default)
    {
        ExecutionCount++;
        var outputs = new List<CellOutput>();
        void Emit(CellOutput o) { outputs.Add(o); onOutput?.Invoke(o); }
        var writer = new StringWriter();
        var old = Console.Out;
        Console.SetOut(writer);
        try
        {
            var run = Task.Run(async () => state = state is null
                ? await CSharpScript.RunAsync(code, options, cancellationToken: cancellationToken)
                : await state.ContinueWithAsync(code, options, cancellationToken));
            var done = await Task.WhenAny(run, Task.Delay(Timeout.Infinite, cancellationToken).ContinueWith(_ => { }));
            if (done != run)
            {
                Console.SetOut(old);
                var err = new ErrorOutput("OperationCanceledException", "cancelled", []);
                Emit(err);
                return new ExecutionResult(false, ExecutionCount, outputs, err, true);
            }
            await run;
            Console.SetOut(old);
            if (writer.ToString().Length > 0) Emit(new StreamOutput("stdout", writer.ToString()));
            if (state!.ReturnValue is Plotly.NET.GenericChart chart) Emit(new DisplayDataOutput(new Dictionary<string, JsonNode> { ["application/vnd.plotly.v1+json"] = JsonNode.Parse(Plotly.NET.GenericChart.toFigureJson(chart))!, ["text/plain"] = JsonValue.Create("chart")! }));
            else if (state!.ReturnValue is { } v) Emit(new ExecuteResultOutput(new Dictionary<string, JsonNode> { ["text/plain"] = JsonValue.Create(v.ToString()!)! }));
            return new ExecutionResult(true, ExecutionCount, outputs, null, false);
        }
        catch (Exception e)
        {
            Console.SetOut(old);
            if (writer.ToString().Length > 0) Emit(new StreamOutput("stdout", writer.ToString()));
            var err = new ErrorOutput(e.GetType().Name, e.Message, [e.ToString()]);
            Emit(err);
            return new ExecutionResult(false, ExecutionCount, outputs, err, false);
        }
    }

    public void Dispose()
    {
    }
}
}

namespace SeqCourse.Runtime.Kernel
{
    public static class KernelCommand
    {
        public static int Run(string[] args)
        {
            Console.Error.WriteLine("course kernel: the kernel is not merged into this branch yet");
            return 1;
        }
    }
}
