using System.Security.Cryptography;
using System.Text;

namespace SeqCourse.Tests.Embeddings;

/// <summary>
/// The committed data files must be exactly what the generators produce. To regenerate them after a
/// deliberate change to a generator: SEQCOURSE_REGENERATE=1 dotnet test --filter DatasetTests
/// </summary>
public class DatasetTests
{
    internal static string RepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "course.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("course.sln not found above " + AppContext.BaseDirectory);
    }

    private static string Sha256(string text) => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(text)));

    public static TheoryData<string> Files => new() { "datasets/wordvectors/corpus.txt", "datasets/wordvectors/analogies.tsv", "datasets/sentiment/sentences.tsv" };

    private static string Generate(string file) => file switch
    {
        "datasets/wordvectors/corpus.txt" => WordCorpus.CorpusText(),
        "datasets/wordvectors/analogies.tsv" => WordCorpus.AnalogiesTsv(),
        "datasets/sentiment/sentences.tsv" => SentimentSet.Tsv(),
        _ => throw new ArgumentException(file),
    };

    [Theory]
    [MemberData(nameof(Files))]
    public void RegeneratingGivesTheCommittedFile(string file)
    {
        string path = Path.Combine(RepoRoot(), file);
        string text = Generate(file);
        if (Environment.GetEnvironmentVariable("SEQCOURSE_REGENERATE") == "1")
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, text, new UTF8Encoding(false));
        }
        Assert.True(File.Exists(path), $"{file} is missing");
        Assert.Equal(Sha256(File.ReadAllText(path, Encoding.UTF8)), Sha256(text));
    }

    [Fact]
    public void CorpusHasTheAdvertisedSize()
    {
        var toks = WordCorpus.Tokenized();
        Assert.Equal(20000, toks.Count);
        var vocab = WordVocabulary.Build(toks);
        Assert.InRange(vocab.Count, 130, 175);
        Assert.InRange(toks.Sum(t => t.Length), 80_000, 120_000);
        // every analogy word is in the corpus
        foreach (var q in WordCorpus.Analogies())
            foreach (var w in new[] { q.A, q.B, q.C, q.D }) Assert.True(vocab.Contains(w), w);
        var sentiment = SentimentSet.Generate();
        Assert.Equal(300, sentiment.Count);
        Assert.Equal(300, sentiment.Select(s => s.Sentence).Distinct().Count());
        Assert.All(new[] { 0, 1, 2 }, c => Assert.True(sentiment.Count(s => s.Label == c) >= 50));
        Assert.Contains(sentiment, s => s.Sentence.Contains(" not "));
    }

    [Fact]
    public void EmptyVocabularyIsAnError()
    {
        var ex = Assert.Throws<ArgumentException>(() => WordVocabulary.Build(Array.Empty<string[]>()));
        Assert.Equal("sentences", ex.ParamName);
        Assert.Contains("empty", ex.Message);
    }
}
