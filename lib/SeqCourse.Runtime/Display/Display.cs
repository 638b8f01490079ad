namespace SeqCourse.Runtime;

/// <summary>A shown output that can be replaced later (update_display_data), as in .NET Interactive.</summary>
public sealed class DisplayHandle
{
    private readonly ExecutionEngine? _engine;

    internal DisplayHandle(ExecutionEngine? engine, string displayId)
    {
        _engine = engine;
        DisplayId = displayId;
    }

    /// <summary>The display id shared by the original output and its updates.</summary>
    public string DisplayId { get; }

    /// <summary>Replaces the displayed value with <paramref name="value"/>.</summary>
    /// <param name="value">The new value.</param>
    public void Update(object? value) => NotebookDisplay.Emit(_engine, value, DisplayId, isUpdate: true);
}

/// <summary>Display helpers available in every cell (and from library code running inside a cell).</summary>
public static class NotebookDisplay
{
    /// <summary>Shows <paramref name="value"/> as a rich output of the running cell.</summary>
    /// <param name="value">The value.</param>
    public static DisplayHandle Display(object? value)
    {
        var engine = CellContext.Current?.Engine;
        var handle = new DisplayHandle(engine, Guid.NewGuid().ToString("N"));
        Emit(engine, value, handle.DisplayId, isUpdate: false);
        return handle;
    }

    /// <summary>Clears the running cell's outputs; with <paramref name="wait"/> the client clears when the next output arrives.</summary>
    /// <param name="wait">Wait for the next output before clearing (avoids flicker).</param>
    public static void ClearOutput(bool wait = false) => Target(null)?.Emit(new ClearOutputRequest(wait));

    /// <summary>Raw HTML to display.</summary>
    /// <param name="html">The HTML fragment.</param>
    public static HtmlContent Html(string html) => new(html);

    internal static void Emit(ExecutionEngine? engine, object? value, string displayId, bool isUpdate)
    {
        var target = Target(engine);
        if (target is null)
        {
            // Outside a notebook cell (e.g. a console program using the library): fall back to text.
            Console.WriteLine(Formatter.PlainText(value));
            return;
        }

        var bundle = Formatter.ToMimeBundle(value, target.Engine.PlotlyState);
        target.Emit(new DisplayDataOutput(bundle, displayId, isUpdate));
    }

    private static CellContext? Target(ExecutionEngine? engine)
    {
        var context = CellContext.Current;
        if (context is not null && !context.Completed)
        {
            return context;
        }

        return (context?.Engine ?? engine)?.RunningCell;
    }
}

/// <summary><c>obj.Display()</c>, as in .NET Interactive.</summary>
public static class DisplayExtensions
{
    /// <summary>Shows <paramref name="value"/> as a rich output of the running cell and returns a handle to update it.</summary>
    /// <param name="value">The value.</param>
    public static DisplayHandle Display(this object? value) => NotebookDisplay.Display(value);
}

/// <summary>
/// The globals object of every cell: its public members are in scope unqualified, so cells can write
/// <c>display(x)</c>, <c>ClearOutput()</c> and <c>Html("…")</c>.
/// </summary>
public sealed class NotebookGlobals
{
    /// <summary>Shows <paramref name="value"/> as a rich output and returns a handle to update it.</summary>
    /// <param name="value">The value.</param>
#pragma warning disable IDE1006 // lower-case name as in .NET Interactive and IPython
    public DisplayHandle display(object? value) => NotebookDisplay.Display(value);
#pragma warning restore IDE1006

    /// <summary>Clears the cell's outputs.</summary>
    /// <param name="wait">Wait for the next output before clearing.</param>
    public void ClearOutput(bool wait = false) => NotebookDisplay.ClearOutput(wait);

    /// <summary>Raw HTML to display.</summary>
    /// <param name="html">The HTML fragment.</param>
    public HtmlContent Html(string html) => NotebookDisplay.Html(html);
}
