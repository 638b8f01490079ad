using System.Text.Json.Nodes;

namespace SeqCourse.Runtime.Notebooks;

/// <summary>
/// An nbformat 4.5 notebook held in memory: notebook metadata plus an ordered list of cells.
/// Read and written by <see cref="NotebookFile"/>; executed by the runner; rendered by the HTML exporter.
/// </summary>
public sealed class NotebookDocument
{
    /// <summary>Major format version; always 4.</summary>
    public int NbFormat { get; set; } = 4;

    /// <summary>Minor format version; notebooks are written as 4.5 (cells carry ids).</summary>
    public int NbFormatMinor { get; set; } = 5;

    /// <summary>Notebook-level metadata (kernelspec, language_info, anything else is kept as read).</summary>
    public JsonObject Metadata { get; set; } = new();

    /// <summary>The cells, top to bottom.</summary>
    public List<NotebookCell> Cells { get; } = new();

    /// <summary>The kernelspec name of SeqCourse notebooks.</summary>
    public const string KernelName = "seqcourse-csharp";

    /// <summary>The display name VS Code and JupyterLab show for the kernel.</summary>
    public const string KernelDisplayName = "C# (SeqCourse)";

    /// <summary>A new empty notebook with the SeqCourse kernelspec and language_info metadata.</summary>
    public static NotebookDocument CreateCourseNotebook()
    {
        var notebook = new NotebookDocument();
        notebook.Metadata["kernelspec"] = CourseKernelSpec();
        notebook.Metadata["language_info"] = CourseLanguageInfo();
        return notebook;
    }

    /// <summary>The <c>kernelspec</c> metadata object of our notebooks.</summary>
    public static JsonObject CourseKernelSpec() => new()
    {
        ["name"] = KernelName,
        ["display_name"] = KernelDisplayName,
        ["language"] = "C#",
    };

    /// <summary>The <c>language_info</c> metadata object of our notebooks.</summary>
    public static JsonObject CourseLanguageInfo() => new()
    {
        ["name"] = "C#",
        ["file_extension"] = ".cs",
        ["mimetype"] = "text/x-csharp",
        ["pygments_lexer"] = "csharp",
    };

    /// <summary>
    /// A title for listings: the first Markdown heading of the notebook, else <paramref name="fallback"/>.
    /// </summary>
    public string Title(string fallback)
    {
        foreach (var cell in Cells)
        {
            if (cell.CellType != CellType.Markdown)
            {
                continue;
            }

            foreach (var line in cell.Source.Split('\n'))
            {
                var trimmed = line.Trim();
                if (trimmed.StartsWith('#'))
                {
                    var title = trimmed.TrimStart('#').Trim();
                    if (title.Length > 0)
                    {
                        return title;
                    }
                }
            }
        }

        return fallback;
    }
}

/// <summary>The three nbformat cell types.</summary>
public enum CellType
{
    /// <summary>A code cell (executed by the kernel; has outputs and an execution count).</summary>
    Code,

    /// <summary>A Markdown cell (may contain LaTeX math).</summary>
    Markdown,

    /// <summary>A raw cell (passed through untouched).</summary>
    Raw,
}

/// <summary>One notebook cell.</summary>
public sealed class NotebookCell
{
    /// <summary>Creates a cell of the given type with the given source text.</summary>
    public NotebookCell(CellType cellType, string source, string? id = null)
    {
        CellType = cellType;
        Source = source;
        Id = id ?? NotebookFile.NewCellId();
    }

    /// <summary>The nbformat 4.5 cell id (1–64 characters of [a-zA-Z0-9-_]).</summary>
    public string Id { get; set; }

    /// <summary>Code, Markdown or raw.</summary>
    public CellType CellType { get; }

    /// <summary>The cell's text, lines joined with '\n' (nbformat stores it as a list of lines).</summary>
    public string Source { get; set; }

    /// <summary>Cell metadata, kept as read (e.g. <c>dotnet_interactive</c>, <c>polyglot_notebook</c>, <c>tags</c>).</summary>
    public JsonObject Metadata { get; set; } = new();

    /// <summary>Attachments of Markdown/raw cells (images pasted into Markdown), kept as read.</summary>
    public JsonObject? Attachments { get; set; }

    /// <summary>Execution count of a code cell; null when not executed.</summary>
    public int? ExecutionCount { get; set; }

    /// <summary>
    /// Outputs of a code cell, each an nbformat output object
    /// (<c>output_type</c> = stream, display_data, execute_result or error).
    /// </summary>
    public List<JsonObject> Outputs { get; } = new();

    /// <summary>A new C# code cell with the .NET Interactive / Polyglot metadata that VS Code understands.</summary>
    public static NotebookCell CSharp(string source) => new(CellType.Code, source)
    {
        Metadata = CSharpCellMetadata(),
    };

    /// <summary>A new Markdown cell.</summary>
    public static NotebookCell Markdown(string source) => new(CellType.Markdown, source);

    /// <summary>
    /// Cell metadata of the .NET Interactive C# dialect:
    /// <c>{"dotnet_interactive": {"language": "csharp"}, "polyglot_notebook": {"kernelName": "csharp"}}</c>.
    /// </summary>
    public static JsonObject CSharpCellMetadata() => new()
    {
        ["dotnet_interactive"] = new JsonObject { ["language"] = "csharp" },
        ["polyglot_notebook"] = new JsonObject { ["kernelName"] = "csharp" },
    };
}
