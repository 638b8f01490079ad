using MathNet.Numerics.LinearAlgebra;
using static SeqCourse.Tests.GatedTestKit;

namespace SeqCourse.Tests.Gated;

public class GruHandExampleTests
{
    // §3.1 scalar example: c⟨t−1⟩ = 0.5, x = 1, gate weights 0, W_c = [1, 1], b_c = 0.
    private static GruParameters Scalar(GruVariant v, double bu = 0, double bc = 0, double bhn = 0) => new(v,
        Wu: Mat(new double[,] { { 0, 0 } }), bu: GatedTestKit.Scalar(bu),
        Wr: v == GruVariant.Simplified ? null : Mat(new double[,] { { 0, 0 } }),
        br: v == GruVariant.Simplified ? null : GatedTestKit.Scalar(0),
        Wc: Mat(new double[,] { { 1, 1 } }), bc: GatedTestKit.Scalar(bc),
        bhn: v == GruVariant.ResetAfter ? GatedTestKit.Scalar(bhn) : null);

    private static double Step(GruParameters p) => GruCell.Forward(GatedTestKit.Scalar(1), GatedTestKit.Scalar(0.5), p).C[0, 0];

    [Fact]
    public void SimplifiedAndFull()
    {
        var (c, cache) = GruCell.Forward(GatedTestKit.Scalar(1), GatedTestKit.Scalar(0.5), Scalar(GruVariant.Simplified));
        Assert.Equal(0.9051483, cache.CTilde[0, 0], 7);      // tanh 1.5
        Assert.Equal(0.7025741, c[0, 0], 7);
        Assert.Null(cache.GammaR);
        var (c2, cache2) = GruCell.Forward(GatedTestKit.Scalar(1), GatedTestKit.Scalar(0.5), Scalar(GruVariant.Lecture));
        Assert.Equal(0.5, cache2.GammaR![0, 0], 12);
        Assert.Equal(0.8482836, cache2.CTilde[0, 0], 7);     // tanh 1.25
        Assert.Equal(0.6741418, c2[0, 0], 7);
    }

    [Fact]
    public void HiddenBiasLectureVersusPyTorch()
    {
        // Lecture: the bias sits outside the reset, c̃ = tanh(0.25 + 1 + 0.4).
        var (c, cache) = GruCell.Forward(GatedTestKit.Scalar(1), GatedTestKit.Scalar(0.5), Scalar(GruVariant.Lecture, bc: 0.4));
        Assert.Equal(0.9288576, cache.CTilde[0, 0], 7);
        Assert.Equal(0.7144288, c[0, 0], 7);
        // PyTorch: W_in = W_hn = 1, b_hn = 0.4 inside r ⊙ (·): n = tanh(1 + 0.5 · 0.9).
        var (h, cacheT) = GruCell.Forward(GatedTestKit.Scalar(1), GatedTestKit.Scalar(0.5), Scalar(GruVariant.ResetAfter, bhn: 0.4));
        Assert.Equal(0.8956929, cacheT.CTilde[0, 0], 7);
        Assert.Equal(0.6978464, h[0, 0], 7);
    }

    [Fact]
    public void UpdateSignLectureWritesPyTorchKeeps()
    {
        // Gate pre-activation +2: σ(2) = 0.8807971; both candidates are tanh 1.25 = 0.8482836.
        var lecture = GruCell.Forward(GatedTestKit.Scalar(1), GatedTestKit.Scalar(0.5), Scalar(GruVariant.Lecture, bu: 2));
        Assert.Equal(0.8807971, lecture.Cache.GammaU[0, 0], 7);
        Assert.Equal(0.8067672, lecture.C[0, 0], 7);          // mostly new
        var torch = GruCell.Forward(GatedTestKit.Scalar(1), GatedTestKit.Scalar(0.5), Scalar(GruVariant.ResetAfter, bu: 2));
        Assert.Equal(0.8482836, torch.Cache.CTilde[0, 0], 7);
        Assert.Equal(0.5415164, torch.C[0, 0], 7);            // mostly old
        Assert.Equal(0.7025741, Step(Scalar(GruVariant.Simplified)), 7);
    }

    [Fact]
    public void UpdateSignFlipMakesSimplifiedGatesAgree()
    {
        // §3.1 (1): z = 1 − Γ_u exactly when W_z = −W_u and b_z = −b_u. With a diagonal-free check we use the
        // Lecture cell and a ResetAfter cell whose reset gate is pinned open (r = Γ_r = 1 via b_r = 40, σ(40) = 1
        // in double) and b_hn = 0: then both candidates are tanh(W_c[h; x] + b_c) and only the sign differs.
        var rng = new Random(7);
        var lec = GruParameters.Normal(Nx, Na, 0.7, rng);
        lec.br!.MapInplace(_ => 40);
        var pt = new GruParameters(GruVariant.ResetAfter, -lec.Wu, -lec.bu, lec.Wr!.Clone(), lec.br.Clone(), lec.Wc.Clone(), lec.bc.Clone(), Init.Zeros(Na, 1));
        var x = Init.Normal(Nx, M, 1, rng); var h = Init.Normal(Na, M, 0.5, rng);
        AssertClose(GruCell.Forward(x, h, lec).C, GruCell.Forward(x, h, pt).C, 1e-14, "c");
    }
}

public class GruGradientTests
{
    [Theory]
    [InlineData(GruVariant.Simplified)]
    [InlineData(GruVariant.Lecture)]
    [InlineData(GruVariant.ResetAfter)]
    public void CellGradientCheck(GruVariant variant)
    {
        var rng = new Random(11 + (int)variant);
        var p = GruParameters.Normal(Nx, Na, 0.8, rng, variant);
        var x = Init.Normal(Nx, M, 1, rng); var cPrev = Init.Normal(Na, M, 0.7, rng); var R = Init.Normal(Na, M, 1, rng);
        var (c, cache) = GruCell.Forward(x, cPrev, p);
        var (dx, dcPrev, g) = GruCell.Backward(R, cache);
        double J() => R.PointwiseMultiply(GruCell.Forward(x, cPrev, p).C).Enumerate().Sum();
        AssertGradientsPass(J, Join(p, ParameterSet.Of(new("x", x), new("cPrev", cPrev))),
            Join(g, ParameterSet.Of(new("dx", dx), new("dcPrev", dcPrev))));
        Assert.Equal(Na, c.RowCount);
    }

    [Theory]
    [InlineData(GruVariant.Simplified)]
    [InlineData(GruVariant.Lecture)]
    [InlineData(GruVariant.ResetAfter)]
    public void SequenceGradientCheckWithInitialState(GruVariant variant)
    {
        var rng = new Random(21 + (int)variant);
        var p = GruParameters.Normal(Nx, Na, 0.8, rng, variant);
        var xs = RandomSeq(T, Nx, M, rng); var R = RandomSeq(T, Na, M, rng); var c0 = Init.Normal(Na, M, 0.5, rng);
        var (cs, caches) = Gru.Forward(xs, p, c0);
        var (dX, dC0, g) = Gru.Backward(R, caches);
        double J() => Objective(R, Gru.Forward(xs, p, c0).C);
        AssertGradientsPass(J, Join(p, Seq("x", xs), ParameterSet.Of(new NamedMatrix("c0", c0))),
            Join(g, Seq("dx", dX), ParameterSet.Of(new NamedMatrix("dc0", dC0))));
        Assert.Equal(T, cs.Length);
    }

    [Theory]
    [InlineData(GruVariant.Simplified)]
    [InlineData(GruVariant.Lecture)]
    [InlineData(GruVariant.ResetAfter)]
    public void LayerGradientCheck(GruVariant variant) =>
        CheckLayer(new GruLayer(GruParameters.Normal(Nx, Na, 0.8, new Random(31), variant)), new Random(32));

    [Fact]
    public void NullUpstreamStepsMeanNoLossThere()
    {
        // Many-to-one: only the last step is read. Null entries must equal zero matrices.
        var rng = new Random(5);
        var p = GruParameters.Normal(Nx, Na, 0.8, rng);
        var xs = RandomSeq(T, Nx, M, rng); var R = Init.Normal(Na, M, 1, rng);
        var (_, caches) = Gru.Forward(xs, p);
        var withNull = Gru.Backward(new Matrix<double>?[] { null, null, null, R }, caches);
        var withZero = Gru.Backward(new[] { Init.Zeros(Na, M), Init.Zeros(Na, M), Init.Zeros(Na, M), R }, caches);
        for (int i = 0; i < withNull.Grads.Items.Count; i++)
            AssertClose(withZero.Grads.Items[i].Value, withNull.Grads.Items[i].Value, 0, withNull.Grads.Items[i].Name);
    }

    [Fact]
    public void ForwardDoesNotMutateInputs()
    {
        var rng = new Random(6);
        var p = GruParameters.Normal(Nx, Na, 0.8, rng);
        var xs = RandomSeq(T, Nx, M, rng);
        var copy = xs.Select(x => x.Clone()).ToArray();
        var wu = p.Wu.Clone();
        var (_, caches) = Gru.Forward(xs, p);
        Gru.Backward(RandomSeq(T, Na, M, rng), caches);
        for (int t = 0; t < T; t++) Assert.Equal(copy[t], xs[t]);
        Assert.Equal(wu, p.Wu);
    }
}

public class GruFixtureTests
{
    private static GruParameters FromFixture(System.Text.Json.JsonElement fx, GruVariant v) =>
        new(v, Param(fx, "Wu")!, Param(fx, "bu")!, Param(fx, "Wr"), Param(fx, "br"), Param(fx, "Wc")!, Param(fx, "bc")!, Param(fx, "bhn"));

    [Theory]
    [InlineData("lecture", GruVariant.Lecture)]        // the lecture GRU written with torch ops, autograd gradients
    [InlineData("simplified", GruVariant.Simplified)]
    [InlineData("reset_after", GruVariant.ResetAfter)] // PyTorch's own nn.GRU, weights mapped to our layout
    public void MatchesPyTorch(string name, GruVariant variant)
    {
        var fx = Fixture("gru.json", name);
        var p = FromFixture(fx, variant);
        var xs = GatedTestKit.Seq(fx.GetProperty("xs")); var R = GatedTestKit.Seq(fx.GetProperty("R"));
        var (cs, caches) = Gru.Forward(xs, p);
        var (dX, _, g) = Gru.Backward(R, caches);
        AssertMatchesFixture(fx, cs, R, g, dX);
    }
}

public class GruBadInputTests
{
    private static readonly GruParameters P = GruParameters.Normal(Nx, Na, 0.5, new Random(1));

    [Fact]
    public void WrongInputRows() =>
        AssertBadArgument(() => GruCell.Forward(Init.Zeros(Nx + 1, M), Init.Zeros(Na, M), P), "x", "3 rows", "(4, 4)");

    [Fact]
    public void WrongStateShape() =>
        AssertBadArgument(() => GruCell.Forward(Init.Zeros(Nx, M), Init.Zeros(Na, M + 1), P), "cPrev", "(5, 4)", "(5, 5)");

    [Fact]
    public void EmptySequence() =>
        AssertBadArgument(() => Gru.Forward(Array.Empty<Matrix<double>>(), P), "xs", "at least one time step", "empty");

    [Fact]
    public void RaggedSequence() =>
        AssertBadArgument(() => Gru.Forward(new[] { Init.Zeros(Nx, M), Init.Zeros(Nx, M + 1) }, P), "xs", "(3, 4)", "(3, 5)");

    [Fact]
    public void NaNInInput()
    {
        var xs = RandomSeq(T, Nx, M, new Random(2));
        xs[2][1, 3] = double.NaN;
        AssertBadArgument(() => Gru.Forward(xs, P), "xs[2]", "finite", "NaN");
    }

    [Fact]
    public void WrongUpstreamGradients()
    {
        var (_, caches) = Gru.Forward(RandomSeq(T, Nx, M, new Random(3)), P);
        AssertBadArgument(() => Gru.Backward(RandomSeq(T - 1, Na, M, new Random(4)), caches), "dC", "4 time steps", "3");
        AssertBadArgument(() => GruCell.Backward(Init.Zeros(Na + 1, M), caches[0]), "dc", "(5, 4)", "(6, 4)");
    }

    [Fact]
    public void ExplicitVariantMustMatchParameters()
    {
        var x = Init.Zeros(Nx, M); var c = Init.Zeros(Na, M);
        Assert.Equal(GruCell.Forward(x, c, P).C, GruCell.Forward(x, c, P, GruVariant.Lecture).C);
        AssertBadArgument(() => GruCell.Forward(x, c, P, GruVariant.ResetAfter), "variant", "Lecture", "ResetAfter");
    }

    [Fact]
    public void ParametersMustMatchVariant()
    {
        var W = Init.Zeros(Na, Na + Nx); var b = Init.Zeros(Na, 1);
        AssertBadArgument(() => new GruParameters(GruVariant.Simplified, W, b, W, b, W, b), "Wr", "null", "simplified");
        Assert.Throws<ArgumentNullException>(() => new GruParameters(GruVariant.Lecture, W, b, null, null, W, b));
        AssertBadArgument(() => new GruParameters(GruVariant.Lecture, W, b, W, b, Init.Zeros(Na, Na + Nx + 1), b), "Wc", "(5, 8)", "(5, 9)");
        AssertBadArgument(() => new GruParameters(GruVariant.Lecture, W, b, W, b, W, b, b), "bhn", "ResetAfter");
        AssertBadArgument(() => new GruParameters((GruVariant)7, W, b, W, b, W, b), "variant", "7");
    }
}

public class GruCreateTests
{
    [Fact]
    public void UpdateBiasAndShapes()
    {
        var p = GruParameters.Create(3, 5, new Random(1), GruVariant.Lecture, updateBias: -1.5);
        Assert.All(p.bu.Enumerate(), v => Assert.Equal(-1.5, v));
        Assert.All(p.bc.Enumerate(), v => Assert.Equal(0.0, v));
        Assert.Equal((5, 8), (p.Wu.RowCount, p.Wu.ColumnCount));
        Assert.Equal(new[] { "Wu", "bu", "Wc", "bc" }, GruParameters.Create(3, 5, new Random(1), GruVariant.Simplified).Items.Select(i => i.Name));
        Assert.Equal(new[] { "dWu", "dbu", "dWr", "dbr", "dWc", "dbc", "dbhn" },
            GruParameters.Create(3, 5, new Random(1), GruVariant.ResetAfter).ZeroGradients().Items.Select(i => i.Name));
        // Xavier: std √(1/8) for n_in = n_a + n_x = 8.
        var big = GruParameters.Create(100, 100, new Random(2));
        double var = big.Wu.Enumerate().Select(v => v * v).Average();
        Assert.InRange(Math.Sqrt(var), 0.95 * Math.Sqrt(1.0 / 200), 1.05 * Math.Sqrt(1.0 / 200));
    }
}
