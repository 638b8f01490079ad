namespace SeqCourse.Tests.Data;

public class DinoNamesTests
{
    [Fact]
    public void CommittedFilesMatchTheGenerator()
    {
        DataFiles.AssertPinned("names/names-train.txt", "12283639298df3790d2a11d093b044711f547a989efa9307e4b9e77ad15d991c");
        DataFiles.AssertPinned("names/names-test.txt", "182f3ea23710b360ca4ab54c50cec9bf9a647dab1cf782142f786ab9831a3fec");
    }

    [Fact]
    public void NamesAreLowercaseOfTheRightLengthDistinctAndDisjoint()
    {
        var (train, test) = Datasets.LoadNames(DataFiles.Root);
        Assert.Equal(800, train.Length);
        Assert.Equal(100, test.Length);
        var all = train.Concat(test).ToArray();
        foreach (var n in all)
        {
            Assert.InRange(n.Length, 6, 20);
            Assert.True(n.All(c => c is >= 'a' and <= 'z'), $"'{n}' has a character outside a-z");
            Assert.Contains(DinoNames.Endings, e => n.EndsWith(e, StringComparison.Ordinal)); // the ending is never cut
        }
        Assert.Equal(all.Length, all.Distinct().Count());
        Assert.Empty(train.Intersect(test));
    }

    [Fact]
    public void SameSeedSameNamesOtherSeedOtherNames()
    {
        var a = DinoNames.Generate(7, 50, 10);
        var b = DinoNames.Generate(7, 50, 10);
        var c = DinoNames.Generate(8, 50, 10);
        Assert.Equal(a.Train, b.Train);
        Assert.Equal(a.Test, b.Test);
        Assert.NotEqual(a.Train, c.Train);
    }

    [Fact]
    public void JoinFollowsTheLinkVowelRules()
    {
        var rng = new Random(1);
        Assert.Equal("krodon", DinoNames.Join("kra", "odon", rng));      // vowel + vowel: stem vowel dropped
        Assert.Equal("kraesaurus", DinoNames.Join("krae", "saurus", rng)); // vowel + consonant: plain
        Assert.Equal("kalodon", DinoNames.Join("kal", "odon", rng));     // consonant + vowel: plain
        var linked = DinoNames.Join("kal", "saurus", rng);               // consonant + consonant: link vowel
        Assert.True(linked is "kalosaurus" or "kalisaurus", linked);
    }

    [Fact]
    public void BadCountsNameTheArgument()
    {
        Assert.Equal("trainCount", Assert.Throws<ArgumentException>(() => DinoNames.Generate(1, 0, 10)).ParamName);
        Assert.Equal("testCount", Assert.Throws<ArgumentException>(() => DinoNames.Generate(1, 10, -1)).ParamName);
        var ex = Assert.Throws<ArgumentException>(() => DinoNames.Generate(1, 30000, 0));
        Assert.Equal("trainCount", ex.ParamName);
        Assert.Contains("30000", ex.Message);
    }
}
