using MathNet.Numerics.LinearAlgebra;

namespace SeqCourse.Tests.Rnn;

public class RtrlTests
{
    [Fact]
    public void ScalarHandExampleFromSyllabus()
    {
        // §3.11: a⟨t⟩ = tanh(w a⟨t−1⟩ + u x⟨t⟩), w = 0.5, u = 1, a⟨0⟩ = 0, x = (1, 1), L = ½ a⟨2⟩².
        // p₂ = (1 − a⟨2⟩²)(a⟨1⟩ + w p₁) = 0.1703005, dL/dw = a⟨2⟩ p₂ = 0.1500568.
        var p = new RnnParameters(H.Scalar(0.5), H.Scalar(1.0), H.Scalar(0.0), H.Scalar(0.0), H.Scalar(0.0));
        Matrix<double>[] xs = [H.Scalar(1), H.Scalar(1)];
        var (J, rtrl) = Rtrl.Gradient(xs, p, (t, a, zy) => t == 1 ? (0.5 * a[0, 0] * a[0, 0], null, a.Clone()) : (0.0, null, null));
        Assert.Equal(0.5 * 0.8811296 * 0.8811296, J, 7);
        Assert.Equal(0.1500568, rtrl.dWaa[0, 0], 7);

        // BPTT: δ₂ = a⟨2⟩(1 − a⟨2⟩²), dL/dw = δ₂ a⟨1⟩ + δ₁ a⟨0⟩ — the same number.
        var fwd = SeqCourse.Rnn.Forward(xs, null, p);
        Assert.Equal(0.1703005, rtrl.dWaa[0, 0] / fwd.A[1][0, 0], 7);   // p₂
        var bptt = SeqCourse.Rnn.Backward(null, fwd, p, [null, fwd.A[1].Clone()]);
        Assert.Equal(0.1500568, bptt.Grads.dWaa[0, 0], 7);
        Assert.Equal(rtrl.dWax[0, 0], bptt.Grads.dWax[0, 0], 14);

        // and so does a centred difference
        double L() { var a2 = SeqCourse.Rnn.Forward(xs, null, p).A[1][0, 0]; return 0.5 * a2 * a2; }
        Assert.Equal(0.1500568, GradientCheck.Numeric(L, p.Waa, 0, 0), 7);
    }

    [Theory]
    [InlineData(Activation.Tanh)]
    [InlineData(Activation.Sigmoid)]
    public void RtrlEqualsBpttOnASmallNetwork(Activation g)
    {
        var rng = new Random(40);
        var p = H.RandomParams(2, 3, 3, rng, std: 0.8);
        var xs = H.RandomSeq(2, 2, 6, rng);
        var a0 = Init.Normal(3, 2, 0.5, rng);
        var targets = H.RandomTargets(3, 2, 6, rng);
        var (Jb, bptt) = RnnArchitectures.ManyToMany(xs, targets, p, a0, g);
        var (Jr, rtrl) = Rtrl.Gradient(xs, targets, p, a0, g);
        Assert.Equal(Jb, Jr, 12);
        for (int k = 0; k < 5; k++)
            H.AssertClose(bptt.Items[k].Value, rtrl.Items[k].Value, 1e-10, bptt.Items[k].Name);
        Assert.True(bptt.dWaa.FrobeniusNorm() > 1e-3);
    }

    [Fact]
    public void RtrlRejectsMismatchedTargets()
    {
        var rng = new Random(41);
        var p = H.RandomParams(2, 3, 3, rng);
        var ex = Assert.Throws<ArgumentException>(() => Rtrl.Gradient(H.RandomSeq(2, 1, 3, rng), H.RandomTargets(3, 1, 2, rng), p));
        Assert.Equal("targets", ex.ParamName); Assert.Contains("3", ex.Message); Assert.Contains("2", ex.Message);
    }
}
