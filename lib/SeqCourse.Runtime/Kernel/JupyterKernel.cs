using System.Reflection;
using System.Runtime.InteropServices;
using System.Text.Json.Nodes;
using NetMQ;
using NetMQ.Sockets;

namespace SeqCourse.Runtime.Kernel;

/// <summary>
/// A Jupyter kernel (messaging protocol 5.3) over NetMQ: shell and control are ROUTER sockets served by one
/// thread each, iopub is a PUB socket shared under a lock, stdin a ROUTER socket (input is not supported),
/// heartbeat a REP socket echoing on its own thread. Cells run in one <see cref="ExecutionEngine"/>.
/// </summary>
public sealed class JupyterKernel : IDisposable
{
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(100);

    /// <summary>How long after start-up the kernel waits for a first code request before it warms Roslyn up.</summary>
    private static readonly TimeSpan WarmUpDelay = TimeSpan.FromMilliseconds(300);

    private readonly ConnectionInfo _connection;
    private readonly WireCodec _codec;
    private readonly ExecutionEngine _engine;
    private readonly History _history = new();
    private readonly object _iopubLock = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly CancellationTokenSource _codeRequested = new();
    private PublisherSocket? _iopub;
    private CancellationTokenSource? _executing;
    private bool _abortQueued;

    /// <summary>Creates a kernel for <paramref name="connection"/>; <see cref="Run"/> binds the sockets.</summary>
    /// <param name="connection">The connection file's contents.</param>
    /// <param name="options">Engine options (working directory, Plotly mode).</param>
    public JupyterKernel(ConnectionInfo connection, EngineOptions? options = null)
    {
        _connection = connection;
        if (connection.Key.Length > 0 && connection.SignatureScheme != "hmac-sha256")
        {
            throw new ArgumentException($"Only hmac-sha256 signatures are supported, the connection file asks for '{connection.SignatureScheme}'.", nameof(connection));
        }

        _codec = new WireCodec(connection.Key, Guid.NewGuid().ToString());
        _engine = new ExecutionEngine(options);
    }

    /// <summary>Serves requests until a shutdown_request arrives.</summary>
    public void Run()
    {
        // A cell that reads the console must not block the kernel on the terminal it was started from.
        Console.SetIn(TextReader.Null);

        // jupyter_client sends SIGINT to interrupt and before shutting down; by default .NET would exit.
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, context =>
        {
            context.Cancel = true;
            Interrupt();
        });

        try
        {
            using (var iopub = new PublisherSocket())
            {
                iopub.Bind(_connection.Address(_connection.IopubPort));
                _iopub = iopub;
                _ = WarmUpWhileIdleAsync();
                var threads = new[]
                {
                    StartThread("heartbeat", Heartbeat),
                    StartThread("control", () => Serve(_connection.ControlPort, isControl: true)),
                    StartThread("stdin", Stdin),
                    StartThread("shell", () => Serve(_connection.ShellPort, isControl: false)),
                };
                Publish("status", new JsonObject { ["execution_state"] = "starting" }, null);
                foreach (var thread in threads)
                {
                    thread.Join();
                }

                lock (_iopubLock)
                {
                    _iopub = null;
                }
            }
        }
        finally
        {
            // Sockets are disposed above; only then may NetMQ's context be torn down.
            NetMQConfig.Cleanup(block: false);
        }
    }

    /// <summary>Interrupts the running cell (interrupt_request and SIGINT).</summary>
    public void Interrupt()
    {
        _executing?.Cancel();
        _engine.Interrupt();
    }

    /// <summary>Stops serving; <see cref="Run"/> returns.</summary>
    public void Stop()
    {
        _stopping.Cancel();
        Interrupt();
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        _stopping.Cancel();
        _engine.Dispose();
        _stopping.Dispose();
        _codeRequested.Dispose();
    }

    private static Thread StartThread(string name, Action body)
    {
        var thread = new Thread(() => body()) { Name = "kernel " + name, IsBackground = true };
        thread.Start();
        return thread;
    }

    private void Heartbeat()
    {
        using var socket = new ResponseSocket();
        socket.Bind(_connection.Address(_connection.HbPort));
        var frames = new List<byte[]>();
        while (!_stopping.IsCancellationRequested)
        {
            if (socket.TryReceiveMultipartBytes(Poll, ref frames!))
            {
                var echo = new NetMQMessage();
                foreach (var frame in frames)
                {
                    echo.Append(frame);
                }

                socket.SendMultipartMessage(echo);
            }
        }
    }

    private void Stdin()
    {
        using var socket = new RouterSocket();
        socket.Bind(_connection.Address(_connection.StdinPort));
        var frames = new List<byte[]>();
        while (!_stopping.IsCancellationRequested)
        {
            // input_request is not supported (cells read an empty console); input_reply messages are dropped.
            socket.TryReceiveMultipartBytes(Poll, ref frames!);
        }
    }

    /// <summary>
    /// Warms Roslyn up (a first compilation, then a first completion, which builds a semantic model of the session)
    /// only if no code request arrives in the first <see cref="WarmUpDelay"/>. In an editor the user is still typing
    /// then, and the warm-up hides the first compilation's cost. A front end that sends a cell at once (a notebook run
    /// headless, `nbconvert --execute`) gets it compiled straight away: a warm-up would put a second compilation
    /// in front of it (measured: 0.63 s to the first result without it, 0.95 s with it).
    /// </summary>
    private async Task WarmUpWhileIdleAsync()
    {
        try
        {
            await Task.Delay(WarmUpDelay, _codeRequested.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return;
        }

        await _engine.WarmUpAsync().ConfigureAwait(false);
        if (!_codeRequested.IsCancellationRequested)
        {
            await _engine.CompleteAsync("Console.", "Console.".Length).ConfigureAwait(false);
        }
    }

    private void Serve(int port, bool isControl)
    {
        using var socket = new RouterSocket();
        socket.Bind(_connection.Address(port));
        var frames = new List<byte[]>();
        while (!_stopping.IsCancellationRequested)
        {
            if (!socket.TryReceiveMultipartBytes(Poll, ref frames!))
            {
                continue;
            }

            Dispatch(socket, frames, isControl, abortExecutes: false);

            // After a failed cell with stop_on_error, the execute requests already queued behind it (Run All)
            // are answered "aborted" instead of run, as ipykernel does; other requests are served as usual.
            while (_abortQueued && socket.TryReceiveMultipartBytes(TimeSpan.Zero, ref frames!))
            {
                Dispatch(socket, frames, isControl, abortExecutes: true);
            }

            _abortQueued = false;
        }
    }

    private void Dispatch(RouterSocket socket, List<byte[]> frames, bool isControl, bool abortExecutes)
    {
        var message = _codec.Decode(frames, out var problem);
        if (message is null)
        {
            Console.Error.WriteLine($"seqcourse kernel: dropped a message on {(isControl ? "control" : "shell")}: {problem}");
            return;
        }

        if (message.MsgType is "execute_request" or "complete_request" or "inspect_request")
        {
            _codeRequested.Cancel();   // no warm-up in front of (or competing with) the first real compilation
        }

        Publish("status", new JsonObject { ["execution_state"] = "busy" }, message);
        try
        {
            if (abortExecutes && message.MsgType == "execute_request")
            {
                Reply(socket, message, "execute_reply", new JsonObject { ["status"] = "aborted" }, new JsonObject { ["status"] = "aborted" });
            }
            else
            {
                Handle(socket, message);
            }
        }
        catch (Exception e)
        {
            Console.Error.WriteLine($"seqcourse kernel: {message.MsgType} failed: {e}");
        }
        finally
        {
            Publish("status", new JsonObject { ["execution_state"] = "idle" }, message);
        }
    }

    private void Handle(RouterSocket socket, JupyterMessage message)
    {
        var content = message.Content;
        switch (message.MsgType)
        {
            case "kernel_info_request":
                Reply(socket, message, "kernel_info_reply", KernelInfo());
                break;
            case "execute_request":
                Execute(socket, message);
                break;
            case "is_complete_request":
                var status = _engine.IsComplete(content["code"]?.GetValue<string>() ?? string.Empty);
                var isComplete = new JsonObject { ["status"] = status.ToString().ToLowerInvariant() };
                if (status == CodeCompleteness.Incomplete)
                {
                    isComplete["indent"] = "    ";
                }

                Reply(socket, message, "is_complete_reply", isComplete);
                break;
            case "complete_request":
                Complete(socket, message);
                break;
            case "inspect_request":
                Inspect(socket, message);
                break;
            case "history_request":
                Reply(socket, message, "history_reply", new JsonObject { ["status"] = "ok", ["history"] = _history.Reply(content) });
                break;
            case "comm_info_request":
                Reply(socket, message, "comm_info_reply", new JsonObject { ["status"] = "ok", ["comms"] = new JsonObject() });
                break;
            case "interrupt_request":
                Interrupt();
                Reply(socket, message, "interrupt_reply", new JsonObject { ["status"] = "ok" });
                break;
            case "shutdown_request":
                var restart = content["restart"]?.GetValue<bool>() ?? false;
                Reply(socket, message, "shutdown_reply", new JsonObject { ["status"] = "ok", ["restart"] = restart });
                Stop();
                break;
            default:
                Console.Error.WriteLine($"seqcourse kernel: unsupported message type {message.MsgType}");
                break;
        }
    }

    private static JsonObject KernelInfo() => new()
    {
        ["status"] = "ok",
        ["protocol_version"] = "5.3",
        ["implementation"] = "seqcourse",
        ["implementation_version"] = typeof(JupyterKernel).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "1.0.0",
        ["language_info"] = new JsonObject
        {
            ["name"] = "C#",
            ["version"] = "14.0",
            ["mimetype"] = "text/x-csharp",
            ["file_extension"] = ".cs",
            ["pygments_lexer"] = "csharp",
            ["codemirror_mode"] = "text/x-csharp",
        },
        ["banner"] = "C# (SeqCourse): Roslyn scripting with the SeqCourse library, MathNet.Numerics and Plotly.NET preloaded.",
        ["help_links"] = new JsonArray(),
        ["debugger"] = false,
    };

    private void Execute(RouterSocket socket, JupyterMessage message)
    {
        var content = message.Content;
        var code = content["code"]?.GetValue<string>() ?? string.Empty;
        var silent = content["silent"]?.GetValue<bool>() ?? false;
        var storeHistory = !silent && (content["store_history"]?.GetValue<bool>() ?? true);
        var count = _engine.ExecutionCount + 1;
        if (!silent)
        {
            Publish("execute_input", new JsonObject { ["code"] = code, ["execution_count"] = count }, message);
        }

        using var executing = new CancellationTokenSource();
        _executing = executing;
        string? resultText = null;
        ExecutionResult result;
        try
        {
            result = _engine.ExecuteAsync(code, output =>
            {
                if (output is ExecuteResultOutput r && r.Data.TryGetValue("text/plain", out var plain))
                {
                    resultText = plain.GetValue<string>();
                }

                if (!silent)
                {
                    PublishOutput(output, count, message);
                }
            }, executing.Token).GetAwaiter().GetResult();
        }
        finally
        {
            _executing = null;
        }

        if (storeHistory)
        {
            _history.Add(result.ExecutionCount, code, resultText);
        }

        JsonObject reply;
        if (result.Success)
        {
            reply = new JsonObject
            {
                ["status"] = "ok",
                ["execution_count"] = result.ExecutionCount,
                ["payload"] = new JsonArray(),
                ["user_expressions"] = new JsonObject(),
            };
        }
        else
        {
            _abortQueued = content["stop_on_error"]?.GetValue<bool>() ?? true;
            var error = result.Error!;
            reply = new JsonObject
            {
                ["status"] = "error",
                ["execution_count"] = result.ExecutionCount,
                ["ename"] = error.EName,
                ["evalue"] = error.EValue,
                ["traceback"] = new JsonArray([.. error.Traceback.Select(l => (JsonNode?)JsonValue.Create(l))]),
            };
        }

        Reply(socket, message, "execute_reply", reply, new JsonObject { ["status"] = reply["status"]!.GetValue<string>() });
    }

    private void PublishOutput(CellOutput output, int count, JupyterMessage parent)
    {
        switch (output)
        {
            case StreamOutput s:
                Publish("stream", new JsonObject { ["name"] = s.Name, ["text"] = s.Text }, parent);
                break;
            case DisplayDataOutput d:
                var display = new JsonObject { ["data"] = Bundle(d.Data), ["metadata"] = new JsonObject() };
                if (d.DisplayId is not null)
                {
                    display["transient"] = new JsonObject { ["display_id"] = d.DisplayId };
                }

                Publish(d.IsUpdate ? "update_display_data" : "display_data", display, parent);
                break;
            case ExecuteResultOutput r:
                Publish("execute_result", new JsonObject { ["execution_count"] = count, ["data"] = Bundle(r.Data), ["metadata"] = new JsonObject() }, parent);
                break;
            case ErrorOutput e:
                Publish("error", new JsonObject
                {
                    ["ename"] = e.EName,
                    ["evalue"] = e.EValue,
                    ["traceback"] = new JsonArray([.. e.Traceback.Select(l => (JsonNode?)JsonValue.Create(l))]),
                }, parent);
                break;
            case ClearOutputRequest c:
                Publish("clear_output", new JsonObject { ["wait"] = c.Wait }, parent);
                break;
        }
    }

    private static JsonObject Bundle(IReadOnlyDictionary<string, JsonNode> data)
    {
        var bundle = new JsonObject();
        foreach (var (mime, value) in data)
        {
            bundle[mime] = value.DeepClone();
        }

        return bundle;
    }

    private void Complete(RouterSocket socket, JupyterMessage message)
    {
        var code = message.Content["code"]?.GetValue<string>() ?? string.Empty;
        var cursor = CodePoints.ToUtf16(code, message.Content["cursor_pos"]?.GetValue<int>() ?? code.Length);
        var completion = _engine.CompleteAsync(code, cursor).GetAwaiter().GetResult();
        Reply(socket, message, "complete_reply", new JsonObject
        {
            ["status"] = "ok",
            ["matches"] = new JsonArray([.. completion.Matches.Select(m => (JsonNode?)JsonValue.Create(m))]),
            ["cursor_start"] = CodePoints.FromUtf16(code, completion.CursorStart),
            ["cursor_end"] = CodePoints.FromUtf16(code, completion.CursorEnd),
            ["metadata"] = new JsonObject(),
        });
    }

    private void Inspect(RouterSocket socket, JupyterMessage message)
    {
        var code = message.Content["code"]?.GetValue<string>() ?? string.Empty;
        var cursor = CodePoints.ToUtf16(code, message.Content["cursor_pos"]?.GetValue<int>() ?? code.Length);
        var inspection = _engine.InspectAsync(code, cursor).GetAwaiter().GetResult();
        Reply(socket, message, "inspect_reply", new JsonObject
        {
            ["status"] = "ok",
            ["found"] = inspection.Found,
            ["data"] = Bundle(inspection.Data),
            ["metadata"] = new JsonObject(),
        });
    }

    private void Reply(RouterSocket socket, JupyterMessage request, string msgType, JsonObject content, JsonObject? metadata = null) =>
        socket.SendMultipartMessage(ToMessage(_codec.Encode(msgType, content, request, metadata: metadata)));

    private void Publish(string msgType, JsonObject content, JupyterMessage? parent)
    {
        // IOPub messages carry the message type as topic instead of the requester's identities.
        var frames = _codec.Encode(msgType, content, parent, identities: [System.Text.Encoding.UTF8.GetBytes("kernel." + _codec.Session + "." + msgType)]);
        lock (_iopubLock)
        {
            _iopub?.SendMultipartMessage(ToMessage(frames));
        }
    }

    private static NetMQMessage ToMessage(List<byte[]> frames)
    {
        var message = new NetMQMessage(frames.Count);
        foreach (var frame in frames)
        {
            message.Append(frame);
        }

        return message;
    }
}

/// <summary>Jupyter counts cursor positions in Unicode code points; .NET strings index UTF-16 code units.</summary>
internal static class CodePoints
{
    public static int ToUtf16(string text, int codePoints)
    {
        var index = 0;
        for (var seen = 0; seen < codePoints && index < text.Length; seen++)
        {
            index += char.IsHighSurrogate(text[index]) && index + 1 < text.Length ? 2 : 1;
        }

        return index;
    }

    public static int FromUtf16(string text, int utf16Index)
    {
        var count = 0;
        for (var i = 0; i < utf16Index && i < text.Length; i++)
        {
            if (!char.IsLowSurrogate(text[i]))
            {
                count++;
            }
        }

        return count;
    }
}
