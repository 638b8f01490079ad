using MathNet.Numerics.LinearAlgebra;

namespace SeqCourse.Tests.Seq2Seq;

public class AttentionTests
{
    private static Matrix<double> Scalar(double x) => Matrix<double>.Build.Dense(1, 1, x);

    [Fact]
    public void ScalarExampleFromSyllabus()
    {
        // s = 1, a⟨1⟩ = 1, a⟨2⟩ = −1, W1 = W2 = v = 1: e = (tanh 2, 0), α = (0.7239275, 0.2760725), ctx = 0.4478549
        var p = new AttentionParameters(Scalar(1), Scalar(1), Scalar(1));
        var (ctx, alpha, cache) = Attention.AttentionForward(Scalar(1), new[] { Scalar(1), Scalar(-1) }, p);
        Assert.Equal(0.9640276, cache.Energies[0, 0], 7);
        Assert.Equal(0.0, cache.Energies[1, 0], 15);
        Assert.Equal(0.7239275, alpha[0, 0], 7);
        Assert.Equal(0.2760725, alpha[1, 0], 7);
        Assert.Equal(0.4478549, ctx[0, 0], 7);
    }

    [Fact]
    public void OneStepVariantOnTheScalarExample()
    {
        // n_h = 1, b1 = bv = 0: relu(tanh 2) = tanh 2 and relu(0) = 0, so the same numbers as above ...
        var p = new OneStepAttentionParameters(Scalar(1), Scalar(1), Scalar(0), Scalar(1), Scalar(0));
        var o = Attention.OneStepAttention(Scalar(1), new[] { Scalar(1), Scalar(-1) }, p);
        Assert.Equal(0.4478549, o.Ctx[0, 0], 7);
        // ... but with v = −1 both energies are cut to 0 by the ReLU: α = (½, ½), ctx = 0 (published form: e = (−tanh 2, 0))
        var q = new OneStepAttentionParameters(Scalar(1), Scalar(1), Scalar(0), Scalar(-1), Scalar(0));
        var o2 = Attention.OneStepAttention(Scalar(1), new[] { Scalar(1), Scalar(-1) }, q);
        Assert.Equal(0.5, o2.Alpha[0, 0], 15);
        Assert.Equal(0.0, o2.Ctx[0, 0], 15);
        var o3 = Attention.AttentionForward(Scalar(1), new[] { Scalar(1), Scalar(-1) }, new AttentionParameters(Scalar(1), Scalar(1), Scalar(-1)));
        Assert.Equal(-0.4478549, o3.Ctx[0, 0], 7);
    }

    private static (Matrix<double> s, Matrix<double>[] a, Matrix<double> R) RandomInputs(int nS, int nA2, int m, int Tx, Random rng) =>
        (Init.Normal(nS, m, 1.0, rng), Enumerable.Range(0, Tx).Select(_ => Init.Normal(nA2, m, 1.0, rng)).ToArray(), Init.Normal(nA2, m, 1.0, rng));

    private static IParameterSet Inputs(Matrix<double> s, Matrix<double>[] a, string prefix = "") =>
        ParameterSet.Of(new[] { new NamedMatrix(prefix + "s", s) }.Concat(a.Select((x, t) => new NamedMatrix($"{prefix}a{t}", x))).ToArray());

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void AdditiveAttentionGradientCheck(bool masked)
    {
        var rng = new Random(31);
        int nS = 3, nA2 = 4, nH = 5, m = 4, Tx = 5;
        var p = AttentionParameters.Create(nH, nS, nA2, rng);
        var (s, a, R) = RandomInputs(nS, nA2, m, Tx, rng);
        int[]? lengths = masked ? new[] { 5, 3, 1, 4 } : null;
        double J() => Attention.AttentionForward(s, a, p, lengths).Ctx.PointwiseMultiply(R).Enumerate().Sum();   // J = Σ R ⊙ ctx
        var fwd = Attention.AttentionForward(s, a, p, lengths);
        var back = Attention.AttentionBackward(R, fwd.Cache, p);
        var report = GradientCheck.Run(J, ParameterSet.Concat(("", p), ("", Inputs(s, a))),
            ParameterSet.Concat(("", back.Grads), ("d", Inputs(back.ds, back.da))));
        Assert.True(report.Passed, report.ToString());
        for (int i = 0; i < m; i++) Assert.Equal(1.0, fwd.Alpha.Column(i).Sum(), 14);
        if (masked)
        {
            Assert.Equal(0.0, fwd.Alpha[3, 1]);
            Assert.Equal(1.0, fwd.Alpha[0, 2]);
            Assert.Equal(0.0, back.da[4].Column(1).AbsoluteMaximum());   // padding gets no gradient
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void OneStepAttentionGradientCheck(bool masked)
    {
        var rng = new Random(37);
        int nS = 4, nA2 = 6, m = 3, Tx = 6;
        var p = OneStepAttentionParameters.Create(nS, nA2, rng, nH: 10);
        // bv = 0: about half the energies are cut by the ReLU. Energies stay O(1), so α is not saturated
        // and no gradient is so tiny that finite differences lose their digits.
        p.bv[0, 0] = 0;
        var (s, a, R) = RandomInputs(nS, nA2, m, Tx, rng);
        int[]? lengths = masked ? new[] { 6, 2, 4 } : null;
        var fwd = Attention.OneStepAttention(s, a, p, lengths);
        Assert.Contains(fwd.Cache.Energies.Enumerate(), e => e == 0);          // the ReLU is active somewhere
        Assert.Contains(fwd.Cache.Energies.Enumerate(), e => e > 0);
        double J() => Attention.OneStepAttention(s, a, p, lengths).Ctx.PointwiseMultiply(R).Enumerate().Sum();
        var back = Attention.OneStepAttentionBackward(R, fwd.Cache, p);
        var report = GradientCheck.Run(J, ParameterSet.Concat(("", p), ("", Inputs(s, a))),
            ParameterSet.Concat(("", back.Grads), ("d", Inputs(back.ds, back.da))));
        Assert.True(report.Passed, report.ToString());
    }

    [Fact]
    public void BadInput()
    {
        var rng = new Random(1);
        var p = AttentionParameters.Create(5, 3, 4, rng);
        var (s, a, _) = RandomInputs(3, 4, 2, 3, rng);
        var ex = Assert.Throws<ArgumentException>(() => Attention.AttentionForward(s, new[] { Init.Normal(5, 2, 1, rng) }, p));
        Assert.Equal("a", ex.ParamName);
        Assert.Contains("4 rows", ex.Message);
        ex = Assert.Throws<ArgumentException>(() => Attention.AttentionForward(Init.Normal(3, 3, 1, rng), a, p));
        Assert.Equal("s", ex.ParamName);
        Assert.Contains("(3, 2)", ex.Message);
        ex = Assert.Throws<ArgumentException>(() => Attention.AttentionForward(s, a, p, new[] { 4, 1 }));
        Assert.Equal("sourceLengths", ex.ParamName);
        var o = Attention.AttentionForward(s, a, p);
        ex = Assert.Throws<ArgumentException>(() => Attention.AttentionBackward(Init.Normal(3, 2, 1, rng), o.Cache, p));
        Assert.Equal("dCtx", ex.ParamName);
        Assert.Throws<ArgumentException>(() => Attention.OneStepAttentionBackward(Init.Normal(4, 2, 1, rng), o.Cache,
            OneStepAttentionParameters.Create(3, 4, rng)));
    }
}
