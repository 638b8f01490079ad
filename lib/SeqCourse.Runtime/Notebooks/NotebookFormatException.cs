namespace SeqCourse.Runtime.Notebooks;

/// <summary>
/// A notebook file could not be read: missing, not valid JSON, or not an nbformat 4 notebook.
/// The message is meant to be shown to the user as is (it names the file and what is wrong).
/// </summary>
public sealed class NotebookFormatException : Exception
{
    /// <summary>Creates the exception for <paramref name="path"/> with a user-facing message.</summary>
    public NotebookFormatException(string path, string message, Exception? inner = null)
        : base(message, inner)
    {
        Path = path;
    }

    /// <summary>The file (or source name) that could not be read.</summary>
    public string Path { get; }
}
