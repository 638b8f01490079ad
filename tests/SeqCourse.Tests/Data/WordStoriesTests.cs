namespace SeqCourse.Tests.Data;

public class WordStoriesTests
{
    [Fact]
    public void CommittedFileMatchesTheGenerator() =>
        DataFiles.AssertPinned("wordtext/stories.txt", "0fe275e88ae6c5941feb7d0a459f231378efb39fb200bda353e32f128cf49195");

    [Fact]
    public void AFewThousandWordsSmallVocabularyAndRareWordsForUnk()
    {
        var sentences = Datasets.LoadWordText(DataFiles.Root);
        var words = sentences.SelectMany(s => s).ToArray();
        Assert.InRange(words.Length, 3000, 8000);
        Assert.All(words, w => Assert.Matches("^[a-z]+$", w));
        var counts = words.GroupBy(w => w).ToDictionary(g => g.Key, g => g.Count());
        Assert.InRange(counts.Count, 80, 200);
        // The words seen once are exactly the rare creatures used, so min-count 2 sends them (and only them) to <UNK>.
        var once = counts.Where(kv => kv.Value == 1).Select(kv => kv.Key).ToHashSet();
        Assert.InRange(once.Count, 20, WordStories.RareWords.Count);
        Assert.Subset(WordStories.RareWords.ToHashSet(), once);
        Assert.All(WordStories.Animals, a => Assert.True(counts[a] >= 20, $"{a} occurs {counts[a]} times"));
        // Stories are separated by blank lines: 64 stories.
        var text = File.ReadAllText(Datasets.PathOf("wordtext/stories.txt", DataFiles.Root));
        Assert.Equal(WordStories.DefaultStories, text.Split("\n\n").Length);
        Assert.DoesNotContain('\r', text);
    }

    [Fact]
    public void BadInputNamesTheArgument()
    {
        Assert.Equal("stories", Assert.Throws<ArgumentException>(() => WordStories.Generate(1, 0)).ParamName);
        Assert.Equal("stories", Assert.Throws<ArgumentException>(() => WordStories.Generate(1, 10_001)).ParamName);
    }
}
