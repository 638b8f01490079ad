using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace SeqCourse.Runtime.Notebooks;

/// <summary>
/// Reads and writes nbformat 4 notebooks (.ipynb JSON) with System.Text.Json.
/// Reading accepts nbformat 4.0–4.5 (source as a string or a list of lines; missing cell ids are
/// generated); writing always produces nbformat 4.5 the way Jupyter does: one-space indentation,
/// keys sorted, source and text split into lines that keep their '\n', a final newline.
/// </summary>
public static partial class NotebookFile
{
    private static readonly JsonSerializerOptions WriteOptions = new()
    {
        WriteIndented = true,
        IndentSize = 1,
        // Keep non-ASCII text (Greek letters in Markdown, "…" in tables) readable, as Jupyter does.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    private static readonly JsonDocumentOptions ReadOptions = new()
    {
        AllowTrailingCommas = false,
        CommentHandling = JsonCommentHandling.Disallow,
        MaxDepth = 256,
    };

    /// <summary>Reads the notebook at <paramref name="path"/>.</summary>
    /// <exception cref="NotebookFormatException">The file is missing, not JSON, or not an nbformat 4 notebook.</exception>
    public static NotebookDocument Read(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (Directory.Exists(path))
        {
            throw new NotebookFormatException(path, $"{path}: is a folder, not a notebook file");
        }

        if (!File.Exists(path))
        {
            throw new NotebookFormatException(path, $"{path}: file not found");
        }

        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new NotebookFormatException(path, $"{path}: cannot be read: {e.Message}", e);
        }

        return Parse(text, path);
    }

    /// <summary>Parses notebook JSON; <paramref name="sourceName"/> is used in error messages.</summary>
    /// <exception cref="NotebookFormatException">Not JSON, or not an nbformat 4 notebook.</exception>
    public static NotebookDocument Parse(string json, string sourceName = "<notebook>")
    {
        ArgumentNullException.ThrowIfNull(json);
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(json, documentOptions: ReadOptions);
        }
        catch (JsonException e)
        {
            var where = e.LineNumber is { } line ? $" at line {line + 1}, column {(e.BytePositionInLine ?? 0) + 1}" : "";
            throw new NotebookFormatException(sourceName, $"{sourceName}: not valid JSON{where}: {FirstSentence(e.Message)}", e);
        }

        if (root is not JsonObject obj)
        {
            throw NotANotebook(sourceName, "the top level is not a JSON object");
        }

        if (obj["nbformat"] is not JsonValue nbformatValue || !nbformatValue.TryGetValue<int>(out var nbformat))
        {
            throw NotANotebook(sourceName, "it has no \"nbformat\" version number");
        }

        if (nbformat != 4)
        {
            throw new NotebookFormatException(
                sourceName,
                $"{sourceName}: nbformat {nbformat} is not supported (expected 4); convert it with `jupyter nbconvert --to notebook`");
        }

        var minor = obj["nbformat_minor"] is JsonValue minorValue && minorValue.TryGetValue<int>(out var m) ? m : 0;
        if (obj["cells"] is not JsonArray cells)
        {
            throw NotANotebook(sourceName, "it has no \"cells\" list");
        }

        var notebook = new NotebookDocument
        {
            NbFormat = 4,
            NbFormatMinor = Math.Max(minor, 5),
            Metadata = obj["metadata"] is JsonObject metadata ? (JsonObject)metadata.DeepClone() : new JsonObject(),
        };

        var usedIds = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < cells.Count; i++)
        {
            notebook.Cells.Add(ParseCell(cells[i], i, sourceName, usedIds));
        }

        return notebook;
    }

    /// <summary>Serializes a notebook to nbformat 4.5 JSON text (Jupyter's layout, final newline).</summary>
    public static string Serialize(NotebookDocument notebook)
    {
        ArgumentNullException.ThrowIfNull(notebook);
        var cells = new JsonArray();
        foreach (var cell in notebook.Cells)
        {
            cells.Add(SerializeCell(cell));
        }

        var root = new JsonObject
        {
            ["cells"] = cells,
            ["metadata"] = notebook.Metadata.DeepClone(),
            ["nbformat"] = 4,
            ["nbformat_minor"] = 5,
        };

        return SortKeys(root)!.ToJsonString(WriteOptions) + "\n";
    }

    /// <summary>
    /// Writes the notebook to <paramref name="path"/> atomically (see <see cref="AtomicFile"/>):
    /// the file is either left as it was or replaced by the complete new notebook.
    /// </summary>
    public static void Write(string path, NotebookDocument notebook)
    {
        // Serialize first: a notebook that cannot be serialized never touches the disk.
        var text = Serialize(notebook);
        AtomicFile.WriteAllText(path, text);
    }

    /// <summary>Splits text into nbformat's list-of-lines form: every line but the last keeps its '\n'.</summary>
    public static JsonArray SplitLines(string text)
    {
        var lines = new JsonArray();
        var start = 0;
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] == '\n')
            {
                lines.Add(text[start..(i + 1)]);
                start = i + 1;
            }
        }

        if (start < text.Length)
        {
            lines.Add(text[start..]);
        }

        return lines;
    }

    /// <summary>Joins nbformat "multiline strings" (a string or a list of strings) into one string.</summary>
    public static string JoinLines(JsonNode? node) => node switch
    {
        null => "",
        JsonValue value when value.TryGetValue<string>(out var s) => s,
        JsonArray array => string.Concat(array.Select(item => item is JsonValue v && v.TryGetValue<string>(out var s) ? s : "")),
        _ => "",
    };

    /// <summary>A fresh random cell id (8 hex digits, like recent Jupyter versions).</summary>
    public static string NewCellId() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4));

    private static NotebookCell ParseCell(JsonNode? node, int index, string sourceName, HashSet<string> usedIds)
    {
        var number = index + 1;
        if (node is not JsonObject cellObject)
        {
            throw NotANotebook(sourceName, $"cell {number} is not a JSON object");
        }

        var typeName = cellObject["cell_type"] is JsonValue t && t.TryGetValue<string>(out var s) ? s : null;
        var cellType = typeName switch
        {
            "code" => CellType.Code,
            "markdown" => CellType.Markdown,
            "raw" => CellType.Raw,
            null => throw NotANotebook(sourceName, $"cell {number} has no \"cell_type\""),
            _ => throw NotANotebook(sourceName, $"cell {number} has unknown cell_type \"{typeName}\" (expected code, markdown or raw)"),
        };

        var source = JoinLines(cellObject["source"]);
        var id = cellObject["id"] is JsonValue idValue && idValue.TryGetValue<string>(out var idText) && CellIdPattern().IsMatch(idText)
            ? idText
            : DeterministicId(index, source);
        while (!usedIds.Add(id))
        {
            id = NewCellId();
        }

        var cell = new NotebookCell(cellType, source, id)
        {
            Metadata = cellObject["metadata"] is JsonObject metadata ? (JsonObject)metadata.DeepClone() : new JsonObject(),
            Attachments = cellObject["attachments"] is JsonObject attachments ? (JsonObject)attachments.DeepClone() : null,
        };

        if (cellType == CellType.Code)
        {
            cell.ExecutionCount = cellObject["execution_count"] is JsonValue count && count.TryGetValue<int>(out var c) ? c : null;
            if (cellObject["outputs"] is JsonArray outputs)
            {
                foreach (var output in outputs)
                {
                    if (output is JsonObject outputObject)
                    {
                        cell.Outputs.Add((JsonObject)outputObject.DeepClone());
                    }
                }
            }
        }

        return cell;
    }

    private static JsonObject SerializeCell(NotebookCell cell)
    {
        var obj = new JsonObject
        {
            ["cell_type"] = cell.CellType switch
            {
                CellType.Code => "code",
                CellType.Markdown => "markdown",
                _ => "raw",
            },
            ["id"] = cell.Id,
            ["metadata"] = cell.Metadata.DeepClone(),
            ["source"] = SplitLines(cell.Source),
        };

        if (cell.CellType == CellType.Code)
        {
            obj["execution_count"] = cell.ExecutionCount is { } count ? JsonValue.Create(count) : null;
            var outputs = new JsonArray();
            foreach (var output in cell.Outputs)
            {
                outputs.Add(output.DeepClone());
            }

            obj["outputs"] = outputs;
        }
        else if (cell.Attachments is not null)
        {
            obj["attachments"] = cell.Attachments.DeepClone();
        }

        return obj;
    }

    // Jupyter writes with sort_keys=True; doing the same keeps diffs between our files and Jupyter's small.
    private static JsonNode? SortKeys(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject obj:
                var sorted = new JsonObject();
                foreach (var (key, value) in obj.OrderBy(p => p.Key, StringComparer.Ordinal).ToList())
                {
                    obj.Remove(key);
                    sorted[key] = SortKeys(value);
                }

                return sorted;
            case JsonArray array:
                var items = array.ToList();
                array.Clear();
                var result = new JsonArray();
                foreach (var item in items)
                {
                    result.Add(SortKeys(item));
                }

                return result;
            default:
                return node;
        }
    }

    // Notebooks older than 4.5 have no ids; derive a stable one so re-running gives the same file.
    private static string DeterministicId(int index, string source)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes($"{index}\n{source}"));
        return Convert.ToHexStringLower(hash.AsSpan(0, 4));
    }

    private static NotebookFormatException NotANotebook(string sourceName, string why) =>
        new(sourceName, $"{sourceName}: not a Jupyter notebook ({why})");

    private static string FirstSentence(string message)
    {
        // System.Text.Json messages end with "Path: $ | LineNumber: 0 | BytePositionInLine: 1."; we report those ourselves.
        foreach (var marker in new[] { " Path:", " LineNumber:" })
        {
            var cut = message.IndexOf(marker, StringComparison.Ordinal);
            if (cut > 0)
            {
                message = message[..cut];
            }
        }

        return message.Trim();
    }

    [GeneratedRegex("^[a-zA-Z0-9_-]{1,64}$")]
    private static partial Regex CellIdPattern();
}
