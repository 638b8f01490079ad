using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace SeqCourse.Runtime.Kernel;

/// <summary>The cells executed in this kernel session, for history_request (tail, range and search).</summary>
internal sealed class History
{
    /// <summary>This kernel keeps one in-memory session; clients get its number from a tail request.</summary>
    public const int SessionNumber = 1;

    private readonly object _lock = new();
    private readonly List<Entry> _entries = [];

    public void Add(int line, string input, string? output)
    {
        lock (_lock)
        {
            _entries.Add(new Entry(line, input, output));
        }
    }

    public JsonArray Reply(JsonObject request)
    {
        var output = request["output"]?.GetValue<bool>() ?? false;
        var access = request["hist_access_type"]?.GetValue<string>() ?? "tail";
        int? n = request["n"] is JsonValue nv && nv.TryGetValue<int>(out var count) ? count : null;
        List<Entry> selected;
        lock (_lock)
        {
            selected = access switch
            {
                "tail" => Last(_entries, n ?? 10),
                "range" => Range(request),
                "search" => Search(request, n),
                _ => [],
            };
        }

        var history = new JsonArray();
        foreach (var entry in selected)
        {
            JsonNode item = output ? new JsonArray(entry.Input, entry.Output) : JsonValue.Create(entry.Input)!;
            history.Add(new JsonArray(SessionNumber, entry.Line, item));
        }

        return history;
    }

    private static List<Entry> Last(List<Entry> entries, int n) => entries.Skip(Math.Max(0, entries.Count - n)).ToList();

    private List<Entry> Range(JsonObject request)
    {
        var session = request["session"]?.GetValue<int>() ?? 0;
        if (session > 0 && session != SessionNumber)
        {
            return [];
        }

        var start = request["start"]?.GetValue<int>() ?? 1;
        int? stop = request["stop"] is JsonValue sv && sv.TryGetValue<int>(out var s) ? s : null;
        return _entries.Where(e => e.Line >= start && (stop is null || e.Line < stop)).ToList();
    }

    private List<Entry> Search(JsonObject request, int? n)
    {
        var pattern = request["pattern"]?.GetValue<string>() ?? "*";
        var unique = request["unique"]?.GetValue<bool>() ?? false;
        var regex = new Regex("^" + GlobToRegex(pattern) + "$", RegexOptions.Singleline);
        var matches = _entries.Where(e => regex.IsMatch(e.Input)).ToList();
        if (unique)
        {
            // Keep the latest occurrence of each distinct input, in session order.
            var seen = new HashSet<string>(StringComparer.Ordinal);
            matches = matches.AsEnumerable().Reverse().Where(e => seen.Add(e.Input)).Reverse().ToList();
        }

        return n is { } last ? Last(matches, last) : matches;
    }

    /// <summary>Glob as in IPython's history search (SQLite GLOB): * any run, ? one character, [..] a class.</summary>
    private static string GlobToRegex(string glob)
    {
        var regex = new System.Text.StringBuilder();
        for (var i = 0; i < glob.Length; i++)
        {
            var c = glob[i];
            switch (c)
            {
                case '*':
                    regex.Append(".*");
                    break;
                case '?':
                    regex.Append('.');
                    break;
                case '[':
                    var close = glob.IndexOf(']', i + 1);
                    if (close < 0)
                    {
                        regex.Append(@"\[");
                        break;
                    }

                    var set = glob[(i + 1)..close];
                    regex.Append('[').Append(set.StartsWith('^') ? "^" + Regex.Escape(set[1..]) : Regex.Escape(set)).Append(']');
                    i = close;
                    break;
                default:
                    regex.Append(Regex.Escape(c.ToString()));
                    break;
            }
        }

        return regex.ToString();
    }

    private sealed record Entry(int Line, string Input, string? Output);
}
