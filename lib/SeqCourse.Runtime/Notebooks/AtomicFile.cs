using System.Text;

namespace SeqCourse.Runtime.Notebooks;

/// <summary>
/// Writes files so that readers see either the old content or the complete new content, never a prefix:
/// the content goes to a temporary file in the same folder, is flushed to disk, and then replaces the
/// target with one rename (<see cref="File.Move(string, string, bool)"/>, atomic on one file system).
/// If anything fails before the rename, the temporary file is deleted and the target is untouched.
/// </summary>
public static class AtomicFile
{
    /// <summary>Atomically replaces <paramref name="path"/> with <paramref name="contents"/> (UTF-8, no BOM).</summary>
    public static void WriteAllText(string path, string contents) =>
        Write(path, stream =>
        {
            var bytes = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false).GetBytes(contents);
            stream.Write(bytes);
        });

    /// <summary>
    /// Atomically replaces <paramref name="path"/> with what <paramref name="writeContent"/> writes to the
    /// stream it is given. If <paramref name="writeContent"/> throws, the exception propagates and
    /// <paramref name="path"/> keeps its previous content (or still does not exist).
    /// </summary>
    public static void Write(string path, Action<Stream> writeContent)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(writeContent);

        var fullPath = Path.GetFullPath(path);
        var directory = Path.GetDirectoryName(fullPath)
            ?? throw new ArgumentException($"'{path}' has no parent folder.", nameof(path));
        Directory.CreateDirectory(directory);

        // Same folder as the target, so the final rename never crosses a file system.
        var tempPath = Path.Combine(directory, $".{Path.GetFileName(fullPath)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(tempPath, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                writeContent(stream);
                stream.Flush(flushToDisk: true);
            }

            File.Move(tempPath, fullPath, overwrite: true);
        }
        catch
        {
            TryDelete(tempPath);
            throw;
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
            // Best effort: the temp file has a hidden, unique name and is never read as a notebook.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
