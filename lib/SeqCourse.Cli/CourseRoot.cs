namespace SeqCourse.Cli;

/// <summary>Locates the repository root (the folder holding course.sln).</summary>
public static class CourseRoot
{
    /// <summary>
    /// The repository root: $COURSE_ROOT (set by the ./course launcher), else the nearest folder above the
    /// current directory holding course.sln, else the one above this program's own files.
    /// </summary>
    public static string Find()
    {
        var fromEnvironment = Environment.GetEnvironmentVariable("COURSE_ROOT");
        if (!string.IsNullOrEmpty(fromEnvironment) && File.Exists(Path.Combine(fromEnvironment, "course.sln")))
        {
            return Path.GetFullPath(fromEnvironment);
        }

        return Above(Environment.CurrentDirectory) ?? Above(AppContext.BaseDirectory)
            ?? throw new InvalidOperationException(
                "cannot find the course repository (no course.sln above the current folder); run ./course from the repository");
    }

    private static string? Above(string start)
    {
        for (var dir = new DirectoryInfo(Path.GetFullPath(start)); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "course.sln")))
            {
                return dir.FullName;
            }
        }

        return null;
    }

    /// <summary>A path for messages: relative to the current folder when inside it, else absolute.</summary>
    public static string Show(string path)
    {
        var full = Path.GetFullPath(path);
        var relative = Path.GetRelativePath(Environment.CurrentDirectory, full);
        return relative.StartsWith("..", StringComparison.Ordinal) || Path.IsPathRooted(relative) ? full : relative;
    }
}
