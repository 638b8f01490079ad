namespace SeqCourse.Bench;

/// <summary>
/// What the process-level rows need from the course CLI that runs the bench: the <c>course.dll</c> to start as a
/// kernel, a notebook runner or a measurement child, and the repository root (its <c>notebooks/</c>). Rows that
/// need them are skipped with a note when they are missing (e.g. when the bench runs inside a test).
/// </summary>
/// <param name="CourseDll">Path of course.dll, or null.</param>
/// <param name="CourseRoot">The repository root (folder with course.sln), or null.</param>
public sealed record BenchHost(string? CourseDll, string? CourseRoot)
{
    /// <summary>No CLI around: process-level rows are skipped.</summary>
    public static BenchHost None { get; } = new(null, null);
}
