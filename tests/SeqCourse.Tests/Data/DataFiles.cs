namespace SeqCourse.Tests.Data;

/// <summary>Shared checks: the committed file equals the regenerated text, and both have the pinned SHA-256.</summary>
internal static class DataFiles
{
    /// <summary>The repository root, found from the test binary's folder (tests/SeqCourse.Tests/bin/...).</summary>
    public static string Root { get; } = Datasets.FindRoot(AppContext.BaseDirectory);

    private static readonly Dictionary<string, DateExample[]> DateCache = [];

    /// <summary>A split of the committed dates, read once per test run.</summary>
    public static DateExample[] Dates(string split)
    {
        lock (DateCache)
        {
            if (!DateCache.TryGetValue(split, out var d)) DateCache[split] = d = Datasets.LoadDates(split, Root);
            return d;
        }
    }

    /// <summary>
    /// Regenerates <paramref name="relative"/> through <see cref="Datasets.Files"/>, checks its hash against
    /// <paramref name="expectedSha256"/> (catches a changed generator) and the committed file's hash against the
    /// same value (catches an edited or stale file, or CRLF conversion by git).
    /// </summary>
    public static string AssertPinned(string relative, string expectedSha256)
    {
        var entry = Datasets.Files.Single(f => f.RelativePath == relative);
        var text = entry.Render();
        Assert.Equal(expectedSha256, Datasets.Sha256(text));
        var path = Datasets.PathOf(relative, Root);
        Assert.True(File.Exists(path), $"{path} is not committed");
        Assert.Equal(expectedSha256, Datasets.Sha256OfFile(path));
        return text;
    }
}
