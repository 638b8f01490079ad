using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace SeqCourse.Runtime.Kernel;

/// <summary>The connection file Jupyter writes for a kernel: ports, transport and the signing key.</summary>
public sealed record ConnectionInfo(string Transport, string Ip, int ShellPort, int IopubPort, int StdinPort, int ControlPort, int HbPort, string Key, string SignatureScheme)
{
    /// <summary>Reads a connection file.</summary>
    /// <param name="path">Path of the JSON connection file.</param>
    public static ConnectionInfo Load(string path)
    {
        var json = JsonNode.Parse(File.ReadAllText(path))?.AsObject()
            ?? throw new ArgumentException($"Connection file '{path}' is not a JSON object.", nameof(path));
        int Port(string name) => json[name]?.GetValue<int>() ?? throw new ArgumentException($"Connection file '{path}' has no '{name}'.", nameof(path));
        return new ConnectionInfo(
            json["transport"]?.GetValue<string>() ?? "tcp",
            json["ip"]?.GetValue<string>() ?? "127.0.0.1",
            Port("shell_port"), Port("iopub_port"), Port("stdin_port"), Port("control_port"), Port("hb_port"),
            json["key"]?.GetValue<string>() ?? string.Empty,
            json["signature_scheme"]?.GetValue<string>() ?? "hmac-sha256");
    }

    /// <summary>The ZeroMQ address of a port, e.g. tcp://127.0.0.1:5555.</summary>
    /// <param name="port">The port.</param>
    public string Address(int port) => Transport == "ipc" ? $"ipc://{Ip}-{port}" : $"{Transport}://{Ip}:{port}";
}

/// <summary>One Jupyter message (protocol 5.3).</summary>
internal sealed record JupyterMessage(
    IReadOnlyList<byte[]> Identities,
    JsonObject Header,
    JsonObject ParentHeader,
    JsonObject Metadata,
    JsonObject Content)
{
    public string MsgType => Header["msg_type"]?.GetValue<string>() ?? string.Empty;

    public string MsgId => Header["msg_id"]?.GetValue<string>() ?? string.Empty;
}

/// <summary>
/// Encodes and decodes the wire format: identities, "&lt;IDS|MSG&gt;", HMAC signature, header, parent header,
/// metadata, content (and buffers). The HMAC-SHA256 key is the connection file's key as UTF-8 bytes and the
/// signature covers the four JSON frames exactly as they travel.
/// </summary>
internal sealed class WireCodec(string key, string session)
{
    private static readonly byte[] Delimiter = "<IDS|MSG>"u8.ToArray();
    private readonly byte[] _key = Encoding.UTF8.GetBytes(key);

    public string Session { get; } = session;

    public JupyterMessage? Decode(IReadOnlyList<byte[]> frames, out string? problem)
    {
        problem = null;
        var delimiter = -1;
        for (var i = 0; i < frames.Count; i++)
        {
            if (frames[i].AsSpan().SequenceEqual(Delimiter))
            {
                delimiter = i;
                break;
            }
        }

        if (delimiter < 0 || frames.Count < delimiter + 6)
        {
            problem = "malformed message (no <IDS|MSG> delimiter or missing frames)";
            return null;
        }

        var signature = Encoding.ASCII.GetString(frames[delimiter + 1]);
        if (_key.Length > 0)
        {
            var expected = Sign(frames[delimiter + 2], frames[delimiter + 3], frames[delimiter + 4], frames[delimiter + 5]);
            if (!CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(expected), Encoding.ASCII.GetBytes(signature)))
            {
                problem = "invalid HMAC signature";
                return null;
            }
        }

        JsonObject Parse(byte[] frame) => frame.Length == 0 ? [] : JsonNode.Parse(frame)?.AsObject() ?? [];
        return new JupyterMessage(
            frames.Take(delimiter).ToList(),
            Parse(frames[delimiter + 2]),
            Parse(frames[delimiter + 3]),
            Parse(frames[delimiter + 4]),
            Parse(frames[delimiter + 5]));
    }

    public List<byte[]> Encode(string msgType, JsonObject content, JupyterMessage? parent, IReadOnlyList<byte[]>? identities = null, JsonObject? metadata = null)
    {
        var header = new JsonObject
        {
            ["msg_id"] = Guid.NewGuid().ToString(),
            ["session"] = Session,
            ["username"] = "kernel",
            ["date"] = DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ss.ffffffZ", System.Globalization.CultureInfo.InvariantCulture),
            ["msg_type"] = msgType,
            ["version"] = "5.3",
        };
        var headerBytes = Serialize(header);
        var parentBytes = parent is null ? "{}"u8.ToArray() : Serialize(parent.Header);
        var metadataBytes = Serialize(metadata ?? []);
        var contentBytes = Serialize(content);
        var frames = new List<byte[]>();
        frames.AddRange(identities ?? parent?.Identities ?? []);
        frames.Add(Delimiter);
        frames.Add(Encoding.ASCII.GetBytes(_key.Length > 0 ? Sign(headerBytes, parentBytes, metadataBytes, contentBytes) : string.Empty));
        frames.Add(headerBytes);
        frames.Add(parentBytes);
        frames.Add(metadataBytes);
        frames.Add(contentBytes);
        return frames;
    }

    private static byte[] Serialize(JsonNode node) => Encoding.UTF8.GetBytes(node.ToJsonString(new JsonSerializerOptions { WriteIndented = false }));

    private string Sign(params byte[][] parts)
    {
        using var hmac = new HMACSHA256(_key);
        foreach (var part in parts)
        {
            hmac.TransformBlock(part, 0, part.Length, null, 0);
        }

        hmac.TransformFinalBlock([], 0, 0);
        return Convert.ToHexStringLower(hmac.Hash!);
    }
}
