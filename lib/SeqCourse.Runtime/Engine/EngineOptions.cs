namespace SeqCourse.Runtime;

/// <summary>How the <c>text/html</c> fallback of a Plotly figure gets plotly.js.</summary>
public enum PlotlyMode
{
    /// <summary>The first figure of an engine session carries the whole plotly.js bundle (defined once on the page); later figures reuse <c>window.Plotly</c>.</summary>
    InlineOncePerSession,

    /// <summary>Every figure carries the bundle (guarded, so it is still defined only once per page). Larger, but each output stands alone.</summary>
    InlineEveryFigure,

    /// <summary>No figure carries the bundle: the page that shows the output loads plotly.js itself.</summary>
    AssumeLoaded,
}

/// <summary>Settings of an <see cref="ExecutionEngine"/>.</summary>
public sealed class EngineOptions
{
    /// <summary>Directory against which <c>#r "file.dll"</c> and <c>#load "file.csx"</c> are resolved.</summary>
    public string WorkingDirectory { get; set; } = Environment.CurrentDirectory;

    /// <summary>
    /// Make <see cref="WorkingDirectory"/> the process's current directory while a cell runs, so relative file
    /// paths in cells (File.ReadAllText("data.csv")) resolve next to the notebook, as in Jupyter. The current
    /// directory is process-wide: turn this off when several engines with different directories share a process.
    /// </summary>
    public bool SetCurrentDirectory { get; set; } = true;

    /// <summary>How plotly.js is shipped in the <c>text/html</c> fallback of figures.</summary>
    public PlotlyMode Plotly { get; set; } = PlotlyMode.InlineOncePerSession;

    /// <summary>
    /// How long a cancelled cell may keep running (for example inside a blocking call that checks no token)
    /// before <see cref="ExecutionEngine.ExecuteAsync"/> gives up on it and reports the engine as stuck.
    /// </summary>
    public TimeSpan InterruptGracePeriod { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Directory where <c>#r "nuget: …"</c> packages are restored; default <c>~/.cache/seqcourse/nuget</c>.</summary>
    public string? NuGetCacheDirectory { get; set; }

    /// <summary>Stack size of the thread that runs each cell, large so deep recursion works.</summary>
    public int CellThreadStackSize { get; set; } = 16 * 1024 * 1024;
}
