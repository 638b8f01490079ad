using System.Text;

namespace SeqCourse.Runtime;

/// <summary>
/// The ambient state of one running cell: where its outputs go and whether it was interrupted.
/// It flows with the cell's ExecutionContext (threads and tasks the cell starts inherit it).
/// </summary>
internal sealed class CellContext : IDisposable
{
    private static readonly AsyncLocal<CellContext?> s_current = new();

    private readonly Action<CellOutput> _sink;
    private readonly object _lock = new();
    private readonly StringBuilder _stdout = new();
    private readonly StringBuilder _stderr = new();
    private readonly CancellationTokenSource _cts = new();
    private readonly Timer _flushTimer;
    private int _cancelCounted;
    private bool _completed;

    public CellContext(ExecutionEngine engine, int cellNumber, Action<CellOutput> sink)
    {
        Engine = engine;
        CellNumber = cellNumber;
        _sink = sink;
        _flushTimer = new Timer(_ => FlushStreams(), null, 100, 100);
    }

    public static CellContext? Current
    {
        get => s_current.Value;
        set => s_current.Value = value;
    }

    public ExecutionEngine Engine { get; }

    public int CellNumber { get; }

    public CancellationToken Token => _cts.Token;

    public bool Completed
    {
        get { lock (_lock) { return _completed; } }
    }

    public void Cancel()
    {
        if (Interlocked.Exchange(ref _cancelCounted, 1) == 0)
        {
            Interrupt.AddPending();
        }

        _cts.Cancel();
    }

    public void WriteStream(bool isError, string text)
    {
        lock (_lock)
        {
            (isError ? _stderr : _stdout).Append(text);
            if (_stdout.Length + _stderr.Length > 64 * 1024)
            {
                FlushStreamsLocked();
            }
        }
    }

    /// <summary>Emits an output; buffered console text is emitted first so the order is what the cell did.</summary>
    public void Emit(CellOutput output)
    {
        lock (_lock)
        {
            FlushStreamsLocked();
            _sink(output);
        }
    }

    public void FlushStreams()
    {
        lock (_lock)
        {
            FlushStreamsLocked();
        }
    }

    /// <summary>Flushes and stops accepting outputs; later writes from stray threads go to the engine's current cell.</summary>
    public void Complete()
    {
        _flushTimer.Dispose();
        lock (_lock)
        {
            FlushStreamsLocked();
            _completed = true;
        }

        if (Interlocked.Exchange(ref _cancelCounted, 2) == 1)
        {
            Interrupt.RemovePending();
        }
    }

    public void Dispose()
    {
        Complete();
        _cts.Dispose();
    }

    private void FlushStreamsLocked()
    {
        if (_completed)
        {
            return;
        }

        if (_stdout.Length > 0)
        {
            _sink(new StreamOutput("stdout", _stdout.ToString()));
            _stdout.Clear();
        }

        if (_stderr.Length > 0)
        {
            _sink(new StreamOutput("stderr", _stderr.ToString()));
            _stderr.Clear();
        }
    }
}

/// <summary>
/// Installed once as Console.Out/Console.Error: text written while a cell runs goes to that cell's outputs,
/// anything else to the real console. Routing by the ambient cell lets several engines share one process.
/// </summary>
internal sealed class ConsoleRouter : TextWriter
{
    private static readonly object s_installLock = new();
    private static bool s_installed;

    private readonly TextWriter _original;
    private readonly bool _isError;

    private ConsoleRouter(TextWriter original, bool isError)
    {
        _original = original;
        _isError = isError;
    }

    public override Encoding Encoding => Encoding.UTF8;

    public static void Install()
    {
        lock (s_installLock)
        {
            if (s_installed)
            {
                return;
            }

            Console.SetOut(new ConsoleRouter(Console.Out, isError: false));
            Console.SetError(new ConsoleRouter(Console.Error, isError: true));
            s_installed = true;
        }
    }

    public override void Write(char value) => Write(value.ToString());

    public override void Write(char[] buffer, int index, int count) => Write(new string(buffer, index, count));

    public override void Write(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return;
        }

        var target = Target();
        if (target is null)
        {
            _original.Write(value);
        }
        else
        {
            target.WriteStream(_isError, value);
        }
    }

    public override void WriteLine(string? value) => Write((value ?? string.Empty) + "\n");

    public override void WriteLine() => Write("\n");

    public override void Flush()
    {
        var target = Target();
        if (target is null)
        {
            _original.Flush();
        }
        else
        {
            target.FlushStreams();
        }
    }

    private static CellContext? Target()
    {
        var context = CellContext.Current;
        if (context is null)
        {
            return null;
        }

        return context.Completed ? context.Engine.RunningCell : context;
    }
}
