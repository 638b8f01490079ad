using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using NetMQ;
using NetMQ.Sockets;

namespace SeqCourse.Bench.Processes;

/// <summary>
/// Measures the course kernel's cold start the way a notebook front end sees it: the time from starting
/// <c>dotnet course.dll kernel -f CONNECTION</c> to the <c>execute_result</c> of a first cell on IOPub.
/// The client sockets connect before the kernel binds (ZeroMQ retries every 10 ms), and the execute request is
/// queued at once, so nothing but the kernel's own start-up is timed.
/// </summary>
internal static class KernelProbe
{
    /// <summary>
    /// Seconds from process start to the first execute_result of <paramref name="code"/>, and the CPU seconds the
    /// kernel process used until then (null off Linux) — the CPU time tells a loaded machine from a slow start.
    /// </summary>
    /// <exception cref="InvalidOperationException">The kernel exited, replied with an error or timed out.</exception>
    public static (double Wall, double? Cpu) ColdStart(string courseDll, string code, TimeSpan timeout)
    {
        var folder = Directory.CreateTempSubdirectory("seqcourse-coldstart-");
        var key = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        int[] ports = FreePorts(5);
        var connection = new JsonObject
        {
            ["transport"] = "tcp", ["ip"] = "127.0.0.1", ["shell_port"] = ports[0], ["iopub_port"] = ports[1],
            ["stdin_port"] = ports[2], ["control_port"] = ports[3], ["hb_port"] = ports[4],
            ["key"] = key, ["signature_scheme"] = "hmac-sha256", ["kernel_name"] = "seqcourse-csharp",
        };
        var connectionFile = Path.Combine(folder.FullName, "kernel.json");
        File.WriteAllText(connectionFile, connection.ToJsonString());

        using var shell = new DealerSocket();
        using var iopub = new SubscriberSocket();
        shell.Options.ReconnectInterval = TimeSpan.FromMilliseconds(10);
        iopub.Options.ReconnectInterval = TimeSpan.FromMilliseconds(10);
        shell.Options.Linger = TimeSpan.Zero;
        iopub.Options.Linger = TimeSpan.Zero;
        iopub.SubscribeToAnyTopic();
        shell.Connect($"tcp://127.0.0.1:{ports[0]}");
        iopub.Connect($"tcp://127.0.0.1:{ports[1]}");

        var psi = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = folder.FullName,
        };
        psi.ArgumentList.Add(courseDll);
        psi.ArgumentList.Add("kernel");
        psi.ArgumentList.Add("-f");
        psi.ArgumentList.Add(connectionFile);
        var stderr = new StringBuilder();
        var clock = Stopwatch.StartNew();
        using var kernel = System.Diagnostics.Process.Start(psi) ?? throw new InvalidOperationException("could not start the kernel");
        kernel.OutputDataReceived += (_, _) => { };
        kernel.ErrorDataReceived += (_, e) => { if (e.Data != null) lock (stderr) stderr.AppendLine(e.Data); };
        kernel.BeginOutputReadLine();
        kernel.BeginErrorReadLine();
        try
        {
            string msgId = Guid.NewGuid().ToString();
            var content = new JsonObject
            {
                ["code"] = code, ["silent"] = false, ["store_history"] = true, ["user_expressions"] = new JsonObject(),
                ["allow_stdin"] = false, ["stop_on_error"] = true,
            };
            shell.SendMultipartBytes(Frames(key, msgId, "execute_request", content));

            while (clock.Elapsed < timeout)
            {
                if (kernel.HasExited)
                {
                    throw new InvalidOperationException($"the kernel exited with code {kernel.ExitCode} before replying: {stderr}");
                }
                var frames = new List<byte[]>();
                if (iopub.TryReceiveMultipartBytes(TimeSpan.FromMilliseconds(5), ref frames) && Parse(frames) is var (type, parent, body))
                {
                    if (parent == msgId && type == "execute_result") return (clock.Elapsed.TotalSeconds, CpuSeconds(kernel.Id));
                    if (parent == msgId && type == "error") throw new InvalidOperationException($"the first cell failed: {body}");
                }
                if (shell.TryReceiveMultipartBytes(TimeSpan.Zero, ref frames) && Parse(frames) is var (replyType, replyParent, reply)
                    && replyParent == msgId && replyType == "execute_reply" && reply["status"]?.GetValue<string>() != "ok")
                {
                    throw new InvalidOperationException($"the first cell failed: {reply}");
                }
            }
            throw new InvalidOperationException($"no execute_result within {timeout.TotalSeconds:0} s");
        }
        finally
        {
            try { kernel.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
            kernel.WaitForExit(5000);
            try { folder.Delete(recursive: true); } catch (IOException) { }
        }
    }

    /// <summary>utime + stime of a live process from /proc/PID/stat (fields 14 and 15, in clock ticks of 1/100 s).</summary>
    private static double? CpuSeconds(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return (long.Parse(fields[11], System.Globalization.CultureInfo.InvariantCulture) + long.Parse(fields[12], System.Globalization.CultureInfo.InvariantCulture)) / 100.0;
        }
        catch (Exception e) when (e is IOException or FormatException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static int[] FreePorts(int count)
    {
        var listeners = Enumerable.Range(0, count).Select(_ => new TcpListener(IPAddress.Loopback, 0)).ToList();
        listeners.ForEach(l => l.Start());
        var ports = listeners.Select(l => ((IPEndPoint)l.LocalEndpoint).Port).ToArray();
        listeners.ForEach(l => l.Stop());
        return ports;
    }

    private static List<byte[]> Frames(string key, string msgId, string msgType, JsonObject content)
    {
        var header = new JsonObject
        {
            ["msg_id"] = msgId, ["session"] = "bench", ["username"] = "bench", ["msg_type"] = msgType, ["version"] = "5.3",
            ["date"] = DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ss.ffffffZ", System.Globalization.CultureInfo.InvariantCulture),
        };
        byte[][] parts = [Bytes(header), "{}"u8.ToArray(), "{}"u8.ToArray(), Bytes(content)];
        using var hmac = new HMACSHA256(Encoding.UTF8.GetBytes(key));
        foreach (var part in parts) hmac.TransformBlock(part, 0, part.Length, null, 0);
        hmac.TransformFinalBlock([], 0, 0);
        return ["<IDS|MSG>"u8.ToArray(), Encoding.ASCII.GetBytes(Convert.ToHexStringLower(hmac.Hash!)), .. parts];
    }

    private static byte[] Bytes(JsonNode node) => Encoding.UTF8.GetBytes(node.ToJsonString());

    /// <summary>(msg_type, parent msg_id, content) of a received message, or null if it is not one.</summary>
    private static (string Type, string? Parent, JsonObject Content)? Parse(List<byte[]> frames)
    {
        int d = frames.FindIndex(f => f.AsSpan().SequenceEqual("<IDS|MSG>"u8));
        if (d < 0 || frames.Count < d + 6) return null;
        var header = JsonNode.Parse(frames[d + 2])?.AsObject();
        var parent = frames[d + 3].Length == 0 ? null : JsonNode.Parse(frames[d + 3])?.AsObject();
        var content = JsonNode.Parse(frames[d + 5])?.AsObject() ?? [];
        return (header?["msg_type"]?.GetValue<string>() ?? "", parent?["msg_id"]?.GetValue<string>(), content);
    }
}
