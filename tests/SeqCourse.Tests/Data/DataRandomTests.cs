namespace SeqCourse.Tests.Data;

public class DataRandomTests
{
    [Fact]
    public void ShuffleIsASeededPermutation()
    {
        var a = Enumerable.Range(0, 100).ToArray();
        var b = Enumerable.Range(0, 100).ToArray();
        DataRandom.Shuffle(a, new Random(5));
        DataRandom.Shuffle(b, new Random(5));
        Assert.Equal(a, b);
        Assert.Equal(Enumerable.Range(0, 100), a.Order());
        Assert.NotEqual(Enumerable.Range(0, 100), a);
        // Every position is reachable: over many shuffles of 3 items all 6 orders appear about equally often.
        var rng = new Random(9);
        var counts = new Dictionary<string, int>();
        for (int i = 0; i < 6000; i++)
        {
            var x = new[] { 0, 1, 2 };
            DataRandom.Shuffle(x, rng);
            var key = string.Concat(x);
            counts[key] = counts.GetValueOrDefault(key) + 1;
        }
        Assert.Equal(6, counts.Count);
        Assert.All(counts.Values, c => Assert.InRange(c, 850, 1150)); // 1000 ± ~5 standard deviations
    }

    [Fact]
    public void StandardNormalHasMeanZeroAndVarianceOne()
    {
        var rng = new Random(2);
        var z = Enumerable.Range(0, 20000).Select(_ => DataRandom.StandardNormal(rng)).ToArray();
        double mean = z.Average(), variance = z.Average(v => (v - mean) * (v - mean));
        Assert.InRange(mean, -0.03, 0.03);         // standard error 0.007
        Assert.InRange(variance, 0.96, 1.04);      // standard error 0.01
        Assert.InRange(z.Count(v => Math.Abs(v) < 1) / 20000.0, 0.67, 0.70); // P(|Z| < 1) = 0.6827
        Assert.All(z, v => Assert.True(double.IsFinite(v)));
    }

    [Fact]
    public void BadInputNamesTheArgument()
    {
        Assert.Equal("items", Assert.Throws<ArgumentNullException>(() => DataRandom.Shuffle<int>(null!, new Random(1))).ParamName);
        Assert.Equal("rng", Assert.Throws<ArgumentNullException>(() => DataRandom.StandardNormal(null!)).ParamName);
    }
}
