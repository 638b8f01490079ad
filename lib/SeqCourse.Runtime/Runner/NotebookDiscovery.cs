namespace SeqCourse.Runtime.Runner;

/// <summary>A notebook to process: where it is and where it goes relative to an output folder.</summary>
/// <param name="FullPath">Absolute path of the notebook (it may not exist: the runner then reports it).</param>
/// <param name="RelativePath">Path used inside output folders and the site, with '/' separators, e.g. <c>week1/01-rnn.ipynb</c>.</param>
public sealed record NotebookInput(string FullPath, string RelativePath);

/// <summary>Turns command-line paths (files or folders) into an ordered list of notebooks.</summary>
public static class NotebookDiscovery
{
    /// <summary>
    /// Every .ipynb under <paramref name="folder"/> (recursively, skipping .ipynb_checkpoints and hidden
    /// folders), sorted by relative path with ordinal comparison, relative to <paramref name="folder"/>.
    /// </summary>
    public static IReadOnlyList<NotebookInput> InFolder(string folder)
    {
        var root = Path.GetFullPath(folder);
        if (!Directory.Exists(root))
        {
            return [];
        }

        return Directory.EnumerateFiles(root, "*.ipynb", SearchOption.AllDirectories)
            .Select(path => new NotebookInput(path, ToSlashes(Path.GetRelativePath(root, path))))
            .Where(input => !input.RelativePath.Split('/').Any(part => part.StartsWith('.')))
            .OrderBy(input => input.RelativePath, StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>
    /// Resolves <paramref name="paths"/> (relative to the current folder): a folder contributes its notebooks
    /// (relative to the folder's base, see below), a file itself. Relative paths are taken against the first
    /// of <paramref name="bases"/> that contains the notebook, else the bare file name is used. Missing paths
    /// are kept so the runner can report them.
    /// </summary>
    public static IReadOnlyList<NotebookInput> Resolve(IEnumerable<string> paths, IReadOnlyList<string> bases)
    {
        var result = new List<NotebookInput>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var path in paths)
        {
            var full = Path.GetFullPath(path);
            var files = Directory.Exists(full)
                ? InFolder(full).Select(i => i.FullPath)
                : [full];
            foreach (var file in files)
            {
                if (seen.Add(file))
                {
                    result.Add(new NotebookInput(file, RelativeTo(file, bases)));
                }
            }
        }

        return result;
    }

    private static string RelativeTo(string file, IReadOnlyList<string> bases)
    {
        foreach (var baseFolder in bases)
        {
            var relative = Path.GetRelativePath(Path.GetFullPath(baseFolder), file);
            if (!relative.StartsWith("..", StringComparison.Ordinal) && !Path.IsPathRooted(relative))
            {
                return ToSlashes(relative);
            }
        }

        return Path.GetFileName(file);
    }

    private static string ToSlashes(string path) => path.Replace('\\', '/');
}
