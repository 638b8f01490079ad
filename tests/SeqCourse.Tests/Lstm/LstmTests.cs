using MathNet.Numerics.LinearAlgebra;
using static SeqCourse.Tests.GatedTestKit;

namespace SeqCourse.Tests.Gated;

public class LstmHandExampleTests
{
    // §3.2 scalar example: a⟨t−1⟩ = 0, c⟨t−1⟩ = 1, x = 1, W_c = [0, 1], all other weights and biases 0.
    private static LstmParameters Scalar(bool peepholes)
    {
        Matrix<double> Z() => Mat(new double[,] { { 0, 0 } });
        Matrix<double> B(double v = 0) => GatedTestKit.Scalar(v);
        return peepholes
            ? new LstmParameters(Z(), B(), Z(), B(), Mat(new double[,] { { 0, 1 } }), B(), Z(), B(), B(1), B(1), B(1))
            : new LstmParameters(Z(), B(), Z(), B(), Mat(new double[,] { { 0, 1 } }), B(), Z(), B());
    }

    [Fact]
    public void PeepholeOutputGateSeesTheNewCell()
    {
        var (a, c, cache) = LstmCell.Forward(GatedTestKit.Scalar(1), GatedTestKit.Scalar(0), GatedTestKit.Scalar(1), Scalar(true));
        Assert.Equal(0.7615942, cache.CTilde[0, 0], 7);
        Assert.Equal(0.7310586, cache.GammaF[0, 0], 7);
        Assert.Equal(0.7310586, cache.GammaU[0, 0], 7);
        Assert.Equal(1.2878285, c[0, 0], 7);
        Assert.Equal(0.7837794, cache.GammaO[0, 0], 7);       // σ(c⟨t⟩), not σ(c⟨t−1⟩) = 0.7310586
        Assert.Equal(0.8585568, cache.TanhC[0, 0], 7);
        Assert.Equal(0.6729191, a[0, 0], 7);
        Assert.NotEqual(0.6276553, a[0, 0], 4);              // the value with the slide's (wrong) output gate
    }

    [Fact]
    public void WithoutPeepholesAllGatesAreHalf()
    {
        var (a, c, cache) = LstmCell.Forward(GatedTestKit.Scalar(1), GatedTestKit.Scalar(0), GatedTestKit.Scalar(1), Scalar(false));
        Assert.Equal(0.5, cache.GammaF[0, 0], 15); Assert.Equal(0.5, cache.GammaU[0, 0], 15); Assert.Equal(0.5, cache.GammaO[0, 0], 15);
        Assert.Equal(0.8807971, c[0, 0], 7);
        Assert.Equal(0.3534092, a[0, 0], 7);
    }

    [Fact]
    public void FusedGateMatrixMatchesSeparateProducts()
    {
        // The fused GEMM is an implementation choice: check it against the four separate products of 1.9.
        var rng = new Random(3);
        var p = LstmParameters.Normal(Nx, Na, 0.7, rng);
        var x = Init.Normal(Nx, M, 1, rng); var aPrev = Init.Normal(Na, M, 0.5, rng); var cPrev = Init.Normal(Na, M, 0.5, rng);
        var ax = aPrev.Stack(x);
        Matrix<double> Gate(Matrix<double> W, Matrix<double> b, Func<Matrix<double>, Matrix<double>> g)
        {
            var z = W * ax; for (int j = 0; j < M; j++) z.SetColumn(j, z.Column(j) + b.Column(0)); return g(z);
        }
        var f = Gate(p.Wf, p.bf, Activations.Sigmoid); var u = Gate(p.Wu, p.bu, Activations.Sigmoid);
        var ct = Gate(p.Wc, p.bc, Activations.Tanh); var o = Gate(p.Wo, p.bo, Activations.Sigmoid);
        var c = f.PointwiseMultiply(cPrev) + u.PointwiseMultiply(ct);
        var a = o.PointwiseMultiply(Activations.Tanh(c));
        var (a2, c2, cache) = LstmCell.Forward(x, aPrev, cPrev, p);
        AssertClose(c, c2, 1e-14, "c"); AssertClose(a, a2, 1e-14, "a");
        AssertClose(f, cache.GammaF, 1e-15, "GammaF"); AssertClose(u, cache.GammaU, 1e-15, "GammaU");
        AssertClose(ct, cache.CTilde, 1e-15, "CTilde"); AssertClose(o, cache.GammaO, 1e-15, "GammaO");
    }
}

public class LstmGradientTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void CellGradientCheck(bool peepholes)
    {
        var rng = new Random(peepholes ? 41 : 40);
        var p = LstmParameters.Normal(Nx, Na, 0.8, rng, peepholes);
        var x = Init.Normal(Nx, M, 1, rng); var aPrev = Init.Normal(Na, M, 0.7, rng); var cPrev = Init.Normal(Na, M, 0.7, rng);
        var Ra = Init.Normal(Na, M, 1, rng); var Rc = Init.Normal(Na, M, 1, rng);
        // J = Σ Ra ⊙ a⟨t⟩ + Σ Rc ⊙ c⟨t⟩ exercises both incoming gradients da and dc of the cell backward.
        var (_, _, cache) = LstmCell.Forward(x, aPrev, cPrev, p);
        var (dx, daPrev, dcPrev, g) = LstmCell.Backward(Ra, Rc, cache);
        double J()
        {
            var (a, c, _) = LstmCell.Forward(x, aPrev, cPrev, p);
            return Ra.PointwiseMultiply(a).Enumerate().Sum() + Rc.PointwiseMultiply(c).Enumerate().Sum();
        }
        AssertGradientsPass(J, Join(p, ParameterSet.Of(new("x", x), new("aPrev", aPrev), new("cPrev", cPrev))),
            Join(g, ParameterSet.Of(new("dx", dx), new("daPrev", daPrev), new("dcPrev", dcPrev))));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void SequenceGradientCheckWithInitialStates(bool peepholes)
    {
        var rng = new Random(peepholes ? 51 : 50);
        var p = LstmParameters.Normal(Nx, Na, 0.8, rng, peepholes);
        var xs = RandomSeq(T, Nx, M, rng); var R = RandomSeq(T, Na, M, rng);
        var a0 = Init.Normal(Na, M, 0.5, rng); var c0 = Init.Normal(Na, M, 0.5, rng);
        var (_, _, caches) = Lstm.Forward(xs, p, a0, c0);
        var (dX, dA0, dC0, g) = Lstm.Backward(R, caches);
        double J() => Objective(R, Lstm.Forward(xs, p, a0, c0).A);
        AssertGradientsPass(J, Join(p, Seq("x", xs), ParameterSet.Of(new("a0", a0), new("c0", c0))),
            Join(g, Seq("dx", dX), ParameterSet.Of(new("da0", dA0), new("dc0", dC0))));
    }

    [Fact]
    public void SequenceGradientCheckWithLossOnTheCell()
    {
        var rng = new Random(52);
        var p = LstmParameters.Normal(Nx, Na, 0.8, rng, peepholes: true);
        var xs = RandomSeq(T, Nx, M, rng); var Ra = RandomSeq(T, Na, M, rng); var Rc = RandomSeq(T, Na, M, rng);
        var (_, _, caches) = Lstm.Forward(xs, p);
        var (dX, _, _, g) = Lstm.Backward(Ra, caches, Rc);
        double J() { var (a, c, _) = Lstm.Forward(xs, p); return Objective(Ra, a) + Objective(Rc, c); }
        AssertGradientsPass(J, Join(p, Seq("x", xs)), Join(g, Seq("dx", dX)));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void LayerGradientCheck(bool peepholes) =>
        CheckLayer(new LstmLayer(LstmParameters.Normal(Nx, Na, 0.8, new Random(61), peepholes)), new Random(62));

    [Fact]
    public void ConstantErrorCarousel()
    {
        // S3: ∂c⟨t⟩/∂c⟨t−1⟩ = diag(Γ_f) without peepholes: with da = 0, dc_prev = dc ⊙ Γ_f exactly.
        var rng = new Random(9);
        var p = LstmParameters.Normal(Nx, Na, 0.8, rng);
        var (_, _, cache) = LstmCell.Forward(Init.Normal(Nx, M, 1, rng), Init.Normal(Na, M, 1, rng), Init.Normal(Na, M, 1, rng), p);
        var dc = Init.Normal(Na, M, 1, rng);
        var (_, _, dcPrev, _) = LstmCell.Backward(Init.Zeros(Na, M), dc, cache);
        AssertClose(dc.PointwiseMultiply(cache.GammaF), dcPrev, 1e-15, "dcPrev");
    }
}

public class LstmFixtureTests
{
    private static LstmParameters FromFixture(System.Text.Json.JsonElement fx) => new(
        Param(fx, "Wf")!, Param(fx, "bf")!, Param(fx, "Wu")!, Param(fx, "bu")!,
        Param(fx, "Wc")!, Param(fx, "bc")!, Param(fx, "Wo")!, Param(fx, "bo")!,
        Param(fx, "pf"), Param(fx, "pu"), Param(fx, "po"));

    [Theory]
    [InlineData("standard")]   // PyTorch's own nn.LSTM, i,f,g,o mapped to Γ_u, Γ_f, c̃, Γ_o
    [InlineData("peephole")]   // the peephole LSTM written with torch ops, autograd gradients
    public void MatchesPyTorch(string name)
    {
        var fx = Fixture("lstm.json", name);
        var p = FromFixture(fx);
        Assert.Equal(name == "peephole", p.HasPeepholes);
        var xs = GatedTestKit.Seq(fx.GetProperty("xs")); var R = GatedTestKit.Seq(fx.GetProperty("R"));
        var (a, _, caches) = Lstm.Forward(xs, p);
        var (dX, _, _, g) = Lstm.Backward(R, caches);
        AssertMatchesFixture(fx, a, R, g, dX);
    }
}

public class LstmBadInputTests
{
    private static readonly LstmParameters P = LstmParameters.Normal(Nx, Na, 0.5, new Random(1), peepholes: true);

    [Fact]
    public void WrongShapes()
    {
        AssertBadArgument(() => LstmCell.Forward(Init.Zeros(Nx - 1, M), Init.Zeros(Na, M), Init.Zeros(Na, M), P), "x", "3 rows", "(2, 4)");
        AssertBadArgument(() => LstmCell.Forward(Init.Zeros(Nx, M), Init.Zeros(Na - 1, M), Init.Zeros(Na, M), P), "aPrev", "(5, 4)", "(4, 4)");
        AssertBadArgument(() => LstmCell.Forward(Init.Zeros(Nx, M), Init.Zeros(Na, M), Init.Zeros(Na, 2), P), "cPrev", "(5, 4)", "(5, 2)");
        AssertBadArgument(() => Lstm.Forward(RandomSeq(T, Nx, M, new Random(2)), P, c0: Init.Zeros(Na, 1)), "c0", "(5, 4)", "(5, 1)");
    }

    [Fact]
    public void EmptySequenceAndNaN()
    {
        AssertBadArgument(() => Lstm.Forward(Array.Empty<Matrix<double>>(), P), "xs", "at least one time step");
        var xs = RandomSeq(T, Nx, M, new Random(3));
        xs[0][2, 0] = double.PositiveInfinity;
        AssertBadArgument(() => Lstm.Forward(xs, P), "xs[0]", "finite", "Infinity");
    }

    [Fact]
    public void WrongUpstreamGradients()
    {
        var (_, _, caches) = Lstm.Forward(RandomSeq(T, Nx, M, new Random(4)), P);
        AssertBadArgument(() => Lstm.Backward(RandomSeq(T + 1, Na, M, new Random(5)), caches), "dA", "4 time steps", "5");
        AssertBadArgument(() => Lstm.Backward(RandomSeq(T, Na, M, new Random(5)), caches, RandomSeq(T, Na + 1, M, new Random(6))),
            "dC[0]", "(5, 4)", "(6, 4)");
        var dNaN = Init.Zeros(Na, M); dNaN[0, 0] = double.NaN;
        AssertBadArgument(() => LstmCell.Backward(dNaN, Init.Zeros(Na, M), caches[0]), "da", "finite", "NaN");
    }

    [Fact]
    public void PeepholesAllOrNone()
    {
        var W = Init.Zeros(Na, Na + Nx); var b = Init.Zeros(Na, 1);
        AssertBadArgument(() => new LstmParameters(W, b, W, b, W, b, W, b, pf: b), "pu", "all three", "1 were given");
        AssertBadArgument(() => new LstmParameters(W, b, W, b, W, b, W, b, b, b, Init.Zeros(Na, 2)), "po", "(5, 1)", "(5, 2)");
        AssertBadArgument(() => new LstmParameters(W, b, W, b, W, Init.Zeros(Na + 1, 1), W, b), "bc", "(5, 1)", "(6, 1)");
    }
}
