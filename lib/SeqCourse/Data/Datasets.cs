using System.Security.Cryptography;
using System.Text;

namespace SeqCourse;

/// <summary>
/// Finds the repository's <c>datasets/</c> folder and loads the committed data sets of syllabus §5.
/// Every file there is produced by a seeded generator in <c>lib/SeqCourse/Data/</c>; <see cref="WriteAll"/>
/// rewrites them all, and the tests check that regenerating gives the committed bytes (SHA-256).
/// </summary>
/// <remarks>
/// <c>root</c> arguments are the repository root (the folder holding <c>course.sln</c> and
/// <c>datasets/</c>). Pass <c>null</c> to search upwards from the current directory, which is what a
/// notebook in <c>notebooks/week1/</c> wants.
/// </remarks>
public static class Datasets
{
    /// <summary>The repository-relative folder of the data sets.</summary>
    public const string FolderName = "datasets";

    /// <summary>The file that marks the repository root (together with <c>datasets/</c>).</summary>
    public const string MarkerFile = "course.sln";

    /// <summary>
    /// Walks up from <paramref name="start"/> (default: the current directory) until a folder contains
    /// both <c>datasets/</c> and <c>course.sln</c>, and returns that folder (the repository root).
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="start"/> does not exist.</exception>
    /// <exception cref="DirectoryNotFoundException">No ancestor is the repository root.</exception>
    public static string FindRoot(string? start = null)
    {
        start ??= Directory.GetCurrentDirectory();
        if (string.IsNullOrWhiteSpace(start))
            throw new ArgumentException("start must be a directory path but is empty.", nameof(start));
        var full = Path.GetFullPath(start);
        if (!Directory.Exists(full))
            throw new ArgumentException($"start must be an existing directory but '{full}' does not exist.", nameof(start));
        for (var dir = new DirectoryInfo(full); dir is not null; dir = dir.Parent)
        {
            if (Directory.Exists(Path.Combine(dir.FullName, FolderName)) && File.Exists(Path.Combine(dir.FullName, MarkerFile)))
                return dir.FullName;
        }
        throw new DirectoryNotFoundException(
            $"Could not find the SeqCourse repository root (a folder containing both '{FolderName}/' and '{MarkerFile}') " +
            $"in '{full}' or any folder above it. Start the notebook inside the repository, or pass the root explicitly.");
    }

    /// <summary>The full path of <c>datasets/&lt;relative&gt;</c> under the repository root (found if <paramref name="root"/> is null).</summary>
    public static string PathOf(string relative, string? root = null)
    {
        if (string.IsNullOrWhiteSpace(relative))
            throw new ArgumentException("relative must be a path like 'names/names-train.txt' but is empty.", nameof(relative));
        if (root is not null && !Directory.Exists(root))
            throw new ArgumentException($"root must be the repository folder (holding '{FolderName}/') but '{root}' does not exist.", nameof(root));
        return Path.Combine(root ?? FindRoot(), FolderName, relative);
    }

    // ---------------------------------------------------------------- loaders

    /// <summary>§5.1: the invented dinosaur-like names, 800 for training and 100 held out.</summary>
    public static (string[] Train, string[] Test) LoadNames(string? root = null) =>
        (ReadLines("names/names-train.txt", root), ReadLines("names/names-test.txt", root));

    /// <summary>
    /// The word-level text for the week 1 language model: one sentence per line, lowercase words separated
    /// by single spaces, stories separated by blank lines (skipped here). Returns the sentences as token arrays.
    /// </summary>
    public static string[][] LoadWordText(string? root = null) =>
        ReadLines("wordtext/stories.txt", root).Select(l => l.Split(' ')).ToArray();

    /// <summary>§5.3: one split of the dates set ("train", "dev" or "test") as (input, target) pairs.</summary>
    public static DateExample[] LoadDates(string split, string? root = null)
    {
        if (split is not ("train" or "dev" or "test"))
            throw new ArgumentException($"split must be \"train\", \"dev\" or \"test\" but is \"{split}\".", nameof(split));
        return ReadLines($"dates/{split}.tsv", root).Select(l =>
        {
            var parts = l.Split('\t');
            return new DateExample(parts[0], parts[1]);
        }).ToArray();
    }

    /// <summary>The toy translation pairs for the beam-search/BLEU notebook (English, Tikan).</summary>
    public static TranslationPair[] LoadToyTranslation(string? root = null) =>
        ReadLines("toytranslation/pairs.tsv", root).Select(l =>
        {
            var parts = l.Split('\t');
            return new TranslationPair(parts[0], parts[1]);
        }).ToArray();

    /// <summary>§5.6: the three-turn dialogues; each element holds the turns (greeting, question, answer).</summary>
    public static string[][] LoadDialogues(string? root = null) =>
        ReadLines("dialogues/dialogues.txt", root).Select(l => l.Split('\t')).ToArray();

    // ---------------------------------------------------------------- regeneration

    // One generation per data set, shared by its files (the splits come from one run of the generator).
    private static readonly Lazy<(string[] Train, string[] Test)> Names = new(() => DinoNames.Generate(DinoNames.DefaultSeed));
    private static readonly Lazy<(DateExample[] Train, DateExample[] Dev, DateExample[] Test)> Dates =
        new(() => DateData.Generate(DateData.DefaultSeed));

    /// <summary>
    /// The committed files and how to produce their exact contents (relative path → text, LF line ends).
    /// </summary>
    public static IReadOnlyList<(string RelativePath, Func<string> Render)> Files { get; } =
    [
        ("names/names-train.txt", () => DinoNames.Render(Names.Value.Train)),
        ("names/names-test.txt", () => DinoNames.Render(Names.Value.Test)),
        ("wordtext/stories.txt", () => WordStories.Generate(WordStories.DefaultSeed)),
        ("dates/train.tsv", () => DateData.Render(Dates.Value.Train)),
        ("dates/dev.tsv", () => DateData.Render(Dates.Value.Dev)),
        ("dates/test.tsv", () => DateData.Render(Dates.Value.Test)),
        ("toytranslation/pairs.tsv", () => ToyTranslation.Render(ToyTranslation.Generate(ToyTranslation.DefaultSeed))),
        ("dialogues/dialogues.txt", () => DialogueData.Render(DialogueData.Generate(DialogueData.DefaultSeed))),
    ];

    /// <summary>Regenerates every committed data file under <c>&lt;root&gt;/datasets/</c> (UTF-8 without BOM, LF).</summary>
    public static void WriteAll(string root)
    {
        if (string.IsNullOrWhiteSpace(root) || !Directory.Exists(root))
            throw new ArgumentException($"root must be an existing directory but is '{root}'.", nameof(root));
        foreach (var (rel, render) in Files)
        {
            var path = Path.Combine(root, FolderName, rel);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllBytes(path, Utf8.GetBytes(render()));
        }
    }

    /// <summary>Lowercase hex SHA-256 of a text as UTF-8 bytes (how the tests pin the committed files).</summary>
    public static string Sha256(string text) => Convert.ToHexStringLower(SHA256.HashData(Utf8.GetBytes(text)));

    /// <summary>Lowercase hex SHA-256 of a file's bytes.</summary>
    public static string Sha256OfFile(string path) => Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(path)));

    internal static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false);

    /// <summary>Joins lines with '\n' and ends the file with one '\n'.</summary>
    internal static string JoinLines(IEnumerable<string> lines)
    {
        var sb = new StringBuilder();
        foreach (var l in lines) sb.Append(l).Append('\n');
        return sb.ToString();
    }

    private static string[] ReadLines(string relative, string? root)
    {
        var path = PathOf(relative, root);
        if (!File.Exists(path))
            throw new FileNotFoundException(
                $"The data file '{path}' is missing. Regenerate it with SeqCourse.Datasets.WriteAll(root).", path);
        return File.ReadAllText(path, Utf8).Split('\n').Select(l => l.TrimEnd('\r')).Where(l => l.Length > 0).ToArray();
    }
}

/// <summary>One example of the dates set: the human-written <paramref name="Input"/> and the ISO <paramref name="Target"/>.</summary>
public sealed record DateExample(string Input, string Target);

/// <summary>One pair of the toy translation set.</summary>
public sealed record TranslationPair(string English, string Tikan);
