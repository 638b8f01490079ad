using MathNet.Numerics.LinearAlgebra;

namespace SeqCourse.Tests.Embeddings;

public class DebiasTests
{
    private static Vector<double> V(params double[] x) => Vector<double>.Build.DenseOfArray(x);

    [Fact]
    public void NeutralizeHandExample()
    {
        var g = V(1, 1, 0);
        Assert.Equal(V(0.35, 0.35, 0), Debias.ProjectOnto(V(0.3, 0.4, 0.5), g));
        var e = Debias.Neutralize(V(0.3, 0.4, 0.5), g);
        Assert.Equal(-0.05, e[0], 12); Assert.Equal(0.05, e[1], 12); Assert.Equal(0.5, e[2], 12);
        Assert.True(Math.Abs(e.DotProduct(g)) < 1e-12);
    }

    [Fact]
    public void NeutralizeLeavesRandomVectorsOrthogonal()
    {
        var rng = new Random(14);
        for (int n = 0; n < 20; n++)
        {
            var g = Vector<double>.Build.Dense(16, _ => Init.StandardNormal(rng));
            var e = Vector<double>.Build.Dense(16, _ => Init.StandardNormal(rng));
            Assert.True(Math.Abs(Debias.Neutralize(e, g).DotProduct(g)) < 1e-12);
        }
    }

    [Fact]
    public void EqualizeHandExample()
    {
        var g = V(1, 0, 0);
        var (w1, w2) = Debias.Equalize(V(0.6, 0.8, 0), V(-0.8, 0, 0.6), g);
        Assert.Equal(0.8660254, w1[0], 7); Assert.Equal(0.4, w1[1], 12); Assert.Equal(0.3, w1[2], 12);
        Assert.Equal(-0.8660254, w2[0], 7); Assert.Equal(0.4, w2[1], 12); Assert.Equal(0.3, w2[2], 12);
        Assert.Equal(1.0, w1.L2Norm(), 12); Assert.Equal(1.0, w2.L2Norm(), 12);
        // equidistant from any neutral word (one orthogonal to g)
        foreach (var u in new[] { V(0, 0.3, -0.7), Debias.Neutralize(V(0.2, 0.9, 0.1), g) })
            Assert.Equal((u - w1).L2Norm(), (u - w2).L2Norm(), 12);
    }

    [Fact]
    public void EqualizeOnRandomUnitPairs()
    {
        var rng = new Random(15);
        var g = Vector<double>.Build.Dense(10, _ => Init.StandardNormal(rng));
        for (int n = 0; n < 10; n++)
        {
            var a = Vector<double>.Build.Dense(10, _ => Init.StandardNormal(rng)).Normalize(2);
            var b = Vector<double>.Build.Dense(10, _ => Init.StandardNormal(rng)).Normalize(2);
            var (w1, w2) = Debias.Equalize(a, b, g);
            Assert.Equal(1.0, w1.L2Norm(), 12); Assert.Equal(1.0, w2.L2Norm(), 12);
            var neutral = Debias.Neutralize(Vector<double>.Build.Dense(10, _ => Init.StandardNormal(rng)), g);
            Assert.Equal((neutral - w1).L2Norm(), (neutral - w2).L2Norm(), 12);
            Assert.Equal(-Debias.Projection(w1, g), Debias.Projection(w2, g), 12);   // mirror images along g
        }
    }

    [Fact]
    public void BiasDirectionFromPairs()
    {
        var pairs = new[] { (V(1, 0, 0), V(1, 1, 0)), (V(3, 0, 1), V(3, 1, 1)) };
        Assert.Equal(V(0, 1, 0), Debias.BiasDirection(pairs));
        var pc = Debias.BiasDirection(pairs, BiasDirectionMethod.PrincipalComponent);
        Assert.Equal(0.0, (pc - V(0, 1, 0)).L2Norm(), 12);
        // with noisy pairs the PC is a unit vector oriented like the mean difference
        var noisy = new[] { (V(1, 0, 0), V(1.1, 1, 0)), (V(3, 0, 1), V(2.9, 1.2, 1)), (V(0, 2, 0), V(0, 3, 0.1)) };
        var g = Debias.BiasDirection(noisy, BiasDirectionMethod.PrincipalComponent);
        Assert.Equal(1.0, g.L2Norm(), 12);
        Assert.True(g[1] > 0.95);
    }

    [Fact]
    public void BadInput()
    {
        Assert.Equal("g", Assert.Throws<ArgumentException>(() => Debias.Neutralize(V(1, 2), V(0, 0))).ParamName);
        Assert.Equal("e", Assert.Throws<ArgumentException>(() => Debias.Neutralize(V(1, 2, 3), V(1, 0))).ParamName);
        var ex = Assert.Throws<ArgumentException>(() => Debias.Equalize(V(3, 3, 0), V(-3, 3, 0), V(1, 0, 0)));
        Assert.Contains("unit", ex.Message);
    }
}

public class PcaTests
{
    [Fact]
    public void PointsOnAPlaneKeepTheirDistances()
    {
        // 3-D points on the plane spanned by u and v: the 2-D projection is an isometry
        var rng = new Random(16);
        var u = Vector<double>.Build.DenseOfArray(new[] { 1.0, 2, 2 }) / 3;
        var v = Vector<double>.Build.DenseOfArray(new[] { 2.0, -2, 1 }) / 3;
        var origin = Vector<double>.Build.DenseOfArray(new[] { 5.0, -1, 0.5 });
        var pts = Matrix<double>.Build.DenseOfColumnVectors(Enumerable.Range(0, 12)
            .Select(_ => origin + u * (4 * rng.NextDouble()) + v * rng.NextDouble()).ToArray());
        var r = Pca.Project(pts);
        Assert.Equal(2, r.Projected.RowCount);
        for (int i = 0; i < 12; i++)
            for (int j = 0; j < 12; j++)
                Assert.Equal((pts.Column(i) - pts.Column(j)).L2Norm(), (r.Projected.Column(i) - r.Projected.Column(j)).L2Norm(), 10);
        Assert.Equal(1.0, r.ExplainedVarianceRatio.Sum(), 10);
        Assert.True(r.ExplainedVarianceRatio[0] > r.ExplainedVarianceRatio[1]);   // the long side (4u) first
        Assert.True(Math.Abs(r.Components.Column(0).DotProduct(u)) > 0.99);
    }

    [Fact]
    public void MatchesTheCovarianceEigenvectors()
    {
        var rng = new Random(17);
        var pts = Matrix<double>.Build.Dense(5, 30, (i, _) => (i + 1) * Init.StandardNormal(rng));
        var r = Pca.Project(pts);
        var mean = pts.RowSums() / 30;
        var c = pts - Matrix<double>.Build.Dense(5, 30, (i, _) => mean[i]);
        var evd = (c * c.Transpose()).Evd();   // eigenvalues ascending
        var top = evd.EigenVectors.Column(4);
        Assert.Equal(1.0, Math.Abs(top.DotProduct(r.Components.Column(0))), 10);
    }

    [Fact]
    public void TooFewPointsIsAnError()
    {
        var ex = Assert.Throws<ArgumentException>(() => Pca.Project(Matrix<double>.Build.Dense(3, 1)));
        Assert.Equal("points", ex.ParamName);
    }
}
