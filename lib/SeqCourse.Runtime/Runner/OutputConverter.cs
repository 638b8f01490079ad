using System.Text.Json.Nodes;
using SeqCourse.Runtime.Notebooks;

namespace SeqCourse.Runtime.Runner;

/// <summary>
/// Turns the engine's <see cref="CellOutput"/> stream into nbformat output objects on a notebook,
/// with the semantics Jupyter front ends apply: consecutive writes to the same stream are merged,
/// <c>clear_output(wait)</c> clears now or just before the next output, and an
/// <c>update_display_data</c> rewrites every earlier output that was shown with the same display id
/// (in any cell of the notebook).
/// </summary>
public sealed class OutputConverter
{
    private readonly Dictionary<string, List<JsonObject>> displays = new(StringComparer.Ordinal);
    private bool clearPending;

    /// <summary>Applies one engine output to <paramref name="cell"/>'s output list.</summary>
    public void Apply(NotebookCell cell, CellOutput output, int executionCount)
    {
        ArgumentNullException.ThrowIfNull(cell);
        ArgumentNullException.ThrowIfNull(output);

        if (output is ClearOutputRequest clear)
        {
            if (clear.Wait)
            {
                clearPending = true;
            }
            else
            {
                cell.Outputs.Clear();
                clearPending = false;
            }

            return;
        }

        if (output is DisplayDataOutput { IsUpdate: true } update)
        {
            // An update changes outputs already on the page; it never adds one.
            if (update.DisplayId is { } id && displays.TryGetValue(id, out var targets))
            {
                foreach (var target in targets)
                {
                    target["data"] = MimeBundle(update.Data);
                }
            }

            return;
        }

        if (clearPending)
        {
            cell.Outputs.Clear();
            clearPending = false;
        }

        switch (output)
        {
            case StreamOutput stream:
                AppendStream(cell, stream);
                break;
            case DisplayDataOutput display:
                var displayObject = new JsonObject
                {
                    ["output_type"] = "display_data",
                    ["data"] = MimeBundle(display.Data),
                    ["metadata"] = new JsonObject(),
                };
                cell.Outputs.Add(displayObject);
                if (display.DisplayId is { } displayId)
                {
                    if (!displays.TryGetValue(displayId, out var list))
                    {
                        displays[displayId] = list = new List<JsonObject>();
                    }

                    list.Add(displayObject);
                }

                break;
            case ExecuteResultOutput result:
                cell.Outputs.Add(new JsonObject
                {
                    ["output_type"] = "execute_result",
                    ["execution_count"] = executionCount,
                    ["data"] = MimeBundle(result.Data),
                    ["metadata"] = new JsonObject(),
                });
                break;
            case ErrorOutput error:
                cell.Outputs.Add(ErrorObject(error.EName, error.EValue, error.Traceback));
                break;
        }
    }

    /// <summary>An nbformat <c>error</c> output object.</summary>
    public static JsonObject ErrorObject(string ename, string evalue, IEnumerable<string> traceback)
    {
        var lines = new JsonArray();
        foreach (var line in traceback)
        {
            lines.Add(line);
        }

        return new JsonObject
        {
            ["output_type"] = "error",
            ["ename"] = ename,
            ["evalue"] = evalue,
            ["traceback"] = lines,
        };
    }

    private static void AppendStream(NotebookCell cell, StreamOutput stream)
    {
        if (stream.Text.Length == 0)
        {
            return;
        }

        if (cell.Outputs.Count > 0
            && cell.Outputs[^1] is { } last
            && (string?)last["output_type"] == "stream"
            && (string?)last["name"] == stream.Name)
        {
            last["text"] = NotebookFile.SplitLines(NotebookFile.JoinLines(last["text"]) + stream.Text);
            return;
        }

        cell.Outputs.Add(new JsonObject
        {
            ["output_type"] = "stream",
            ["name"] = stream.Name,
            ["text"] = NotebookFile.SplitLines(stream.Text),
        });
    }

    // Text MIME types are stored as lists of lines like Jupyter does; JSON MIME types as JSON.
    private static JsonObject MimeBundle(IReadOnlyDictionary<string, JsonNode> data)
    {
        var bundle = new JsonObject();
        foreach (var (mime, value) in data)
        {
            var isJson = mime == "application/json" || mime.EndsWith("+json", StringComparison.Ordinal);
            if (!isJson && value is JsonValue v && v.TryGetValue<string>(out var text))
            {
                // Base64 images stay one string; everything textual is split into lines.
                bundle[mime] = mime.StartsWith("image/", StringComparison.Ordinal) && mime != "image/svg+xml"
                    ? text
                    : NotebookFile.SplitLines(text);
            }
            else
            {
                bundle[mime] = value.DeepClone();
            }
        }

        return bundle;
    }
}
