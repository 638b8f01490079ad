namespace SeqCourse.Tests.Data;

public class ToyTranslationTests
{
    [Fact]
    public void CommittedFileMatchesTheGenerator() =>
        DataFiles.AssertPinned("toytranslation/pairs.tsv", "4457a87a75e50db2e5eea1a7257be55b938d4e18b778590fd62ce68c5a7c9cd1");

    [Fact]
    public void HandTranslationsShowTheWordOrder()
    {
        Assert.Equal("miru ta vopa u nata", ToyTranslation.Translate("the cat sees a dog"));                // SOV
        Assert.Equal("miru gora ta vopa pim u nata", ToyTranslation.Translate("the big cat sees a small dog")); // noun adj article
        Assert.Equal("neli miru ta suno", ToyTranslation.Translate("the cat sleeps today"));                // time word first
    }

    [Fact]
    public void PairsAreDistinctConsistentAndUseTheLexicon()
    {
        var pairs = Datasets.LoadToyTranslation(DataFiles.Root);
        Assert.Equal(200, pairs.Length);
        Assert.Equal(200, pairs.Select(p => p.English).Distinct().Count());
        var reverse = ToyTranslation.Lexicon.ToDictionary(kv => kv.Value, kv => kv.Key);
        Assert.Equal(31, ToyTranslation.Lexicon.Count);            // as the README says
        Assert.Equal(ToyTranslation.Lexicon.Count, reverse.Count); // one-to-one
        foreach (var p in pairs)
        {
            Assert.Equal(ToyTranslation.Translate(p.English), p.Tikan);
            var en = p.English.Split(' ');
            var tk = p.Tikan.Split(' ');
            Assert.Equal(en.Length, tk.Length); // word-for-word, only the order changes
            Assert.Equal(en.Order(), tk.Select(w => reverse[w]).Order());
        }
        // Both clause types and the time words occur.
        Assert.Contains(pairs, p => p.English.Split(' ').Length <= 4);
        Assert.Contains(pairs, p => p.English.EndsWith(" today", StringComparison.Ordinal));
        Assert.Contains(pairs, p => p.English.EndsWith(" now", StringComparison.Ordinal));
    }

    [Fact]
    public void BadInputNamesTheArgument()
    {
        var ex = Assert.Throws<ArgumentException>(() => ToyTranslation.Translate("the cat sees a unicorn"));
        Assert.Equal("english", ex.ParamName);
        Assert.Contains("unicorn", ex.Message);
        Assert.Equal("english", Assert.Throws<ArgumentException>(() => ToyTranslation.Translate("cat sees the dog")).ParamName);
        Assert.Equal("english", Assert.Throws<ArgumentException>(() => ToyTranslation.Translate("the cat the dog")).ParamName);
        Assert.Equal("english", Assert.Throws<ArgumentException>(() => ToyTranslation.Translate("the cat sleeps a dog")).ParamName);
        Assert.Equal("count", Assert.Throws<ArgumentException>(() => ToyTranslation.Generate(1, 0)).ParamName);
    }
}
