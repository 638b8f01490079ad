namespace SeqCourse.Tests.Data;

public class GaussianMixture2DTests
{
    [Fact]
    public void RingSamplesHaveTheRightMomentsPerComponent()
    {
        var gm = GaussianMixture2D.Ring(components: 4, radius: 2.0, sigma: 0.2);
        Assert.Equal((2.0, 0.0), gm.Means[0]);
        Assert.Equal(0.0, gm.Means[1].X, 12);
        Assert.Equal(2.0, gm.Means[1].Y, 12);
        var (X, comp) = gm.Sample(4000, new Random(1));
        Assert.Equal(2, X.RowCount);
        Assert.Equal(4000, X.ColumnCount);
        for (int k = 0; k < 4; k++)
        {
            var cols = Enumerable.Range(0, comp.Length).Where(j => comp[j] == k).ToArray();
            Assert.InRange(cols.Length, 880, 1120); // equal weights: 1000 ± ~4.4 standard deviations (σ ≈ 27)
            double mx = cols.Average(j => X[0, j]), my = cols.Average(j => X[1, j]);
            Assert.InRange(mx - gm.Means[k].X, -0.03, 0.03); // standard error 0.2/√1000 ≈ 0.0063
            Assert.InRange(my - gm.Means[k].Y, -0.03, 0.03);
            double sx = Math.Sqrt(cols.Average(j => (X[0, j] - mx) * (X[0, j] - mx)));
            Assert.InRange(sx, 0.185, 0.215); // standard error of s ≈ 0.2/√2000 ≈ 0.0045
        }
        var (X2, _) = gm.Sample(10, new Random(1));
        Assert.Equal(X.Column(0), X2.Column(0)); // same Random seed, same draws
    }

    [Fact]
    public void LogDensityMatchesTheFormula()
    {
        // One component at the origin: log N(0; 0, σ²I) = −log(2πσ²).
        var one = new GaussianMixture2D([(0.0, 0.0)], 0.5);
        Assert.Equal(-Math.Log(2 * Math.PI * 0.25), one.LogDensity(0, 0), 12);
        Assert.Equal(-Math.Log(2 * Math.PI * 0.25) - 1.0 / (2 * 0.25), one.LogDensity(1, 0), 12);
        // Two components with weights 1:3, evaluated by hand.
        var two = new GaussianMixture2D([(0.0, 0.0), (1.0, 0.0)], 1.0, [1.0, 3.0]);
        double n0 = Math.Exp(-0.5 * 0.25) / (2 * Math.PI), n1 = Math.Exp(-0.5 * 0.25) / (2 * Math.PI);
        Assert.Equal(Math.Log(0.25 * n0 + 0.75 * n1), two.LogDensity(0.5, 0), 12);
        // Far away: no underflow to −∞ thanks to log-sum-exp.
        Assert.True(double.IsFinite(GaussianMixture2D.Ring().LogDensity(100, 100)));
    }

    [Fact]
    public void BadInputNamesTheArgument()
    {
        Assert.Equal("sigma", Assert.Throws<ArgumentException>(() => new GaussianMixture2D([(0.0, 0.0)], 0)).ParamName);
        Assert.Equal("means", Assert.Throws<ArgumentException>(() => new GaussianMixture2D([], 1)).ParamName);
        Assert.Equal("weights", Assert.Throws<ArgumentException>(() => new GaussianMixture2D([(0.0, 0.0)], 1, [1.0, 2.0])).ParamName);
        Assert.Equal("weights", Assert.Throws<ArgumentException>(() => new GaussianMixture2D([(0.0, 0.0)], 1, [-1.0])).ParamName);
        Assert.Equal("components", Assert.Throws<ArgumentException>(() => GaussianMixture2D.Ring(0)).ParamName);
        Assert.Equal("n", Assert.Throws<ArgumentException>(() => GaussianMixture2D.Ring().Sample(0, new Random(1))).ParamName);
    }
}
