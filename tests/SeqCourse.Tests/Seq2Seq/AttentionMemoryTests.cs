using MathNet.Numerics.LinearAlgebra;

namespace SeqCourse.Tests.Seq2Seq;

public class AttentionMemoryTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void MatchesThePerStepAttentionOverSeveralDecoderSteps(bool masked)
    {
        // Reference: Attention.AttentionForward/Backward called once per decoder step, gradients summed by hand.
        var rng = new Random(61);
        int nS = 3, nA2 = 4, nH = 5, m = 3, Tx = 6, Ty = 3;
        var p = AttentionParameters.Create(nH, nS, nA2, rng);
        var a = Enumerable.Range(0, Tx).Select(_ => Init.Normal(nA2, m, 1.0, rng)).ToArray();
        var s = Enumerable.Range(0, Ty).Select(_ => Init.Normal(nS, m, 1.0, rng)).ToArray();
        var R = Enumerable.Range(0, Ty).Select(_ => Init.Normal(nA2, m, 1.0, rng)).ToArray();
        int[]? lengths = masked ? [6, 2, 4] : null;

        var memory = AttentionMemory.Create(a, p, lengths);
        var steps = new AttentionStep[Ty];
        var dW1 = Matrix<double>.Build.Dense(nH, nS); var dW2 = Matrix<double>.Build.Dense(nH, nA2); var dv = Matrix<double>.Build.Dense(nH, 1);
        var da = a.Select(x => Matrix<double>.Build.Dense(nA2, m)).ToArray();
        for (int t = 0; t < Ty; t++)
        {
            var reference = Attention.AttentionForward(s[t], a, p, lengths);
            var (ctx, step) = memory.Attend(s[t]);
            steps[t] = step;
            Assert.True((ctx - reference.Ctx).FrobeniusNorm() < 1e-14);
            Assert.True((step.Alpha - reference.Alpha).FrobeniusNorm() < 1e-14);
            var back = Attention.AttentionBackward(R[t], reference.Cache, p);
            dW1 += back.Grads.dW1; dW2 += back.Grads.dW2; dv += back.Grads.dv;
            for (int k = 0; k < Tx; k++) da[k] += back.da[k];
            var ds = memory.AttendBackward(R[t], step);
            Assert.True((ds - back.ds).FrobeniusNorm() < 1e-13);
        }
        var (g, daMem) = memory.Gradients();
        Assert.True((g.dW1 - dW1).FrobeniusNorm() < 1e-13);
        Assert.True((g.dW2 - dW2).FrobeniusNorm() < 1e-13);
        Assert.True((g.dv - dv).FrobeniusNorm() < 1e-13);
        for (int k = 0; k < Tx; k++) Assert.True((daMem[k] - da[k]).FrobeniusNorm() < 1e-13, $"da[{k}]");
    }

    [Fact]
    public void BadInputNamesTheArgument()
    {
        var rng = new Random(67);
        var p = AttentionParameters.Create(2, 3, 4, rng);
        var a = new[] { Init.Normal(4, 2, 1, rng), Init.Normal(4, 2, 1, rng) };
        var e = Assert.Throws<ArgumentException>(() => AttentionMemory.Create([Init.Normal(5, 2, 1, rng)], p));
        Assert.Equal("a", e.ParamName);
        e = Assert.Throws<ArgumentException>(() => AttentionMemory.Create(a, p, [1, 3]));
        Assert.Equal("sourceLengths", e.ParamName); Assert.Contains("[1, 2]", e.Message); Assert.Contains("is 3", e.Message);
        var mem = AttentionMemory.Create(a, p);
        e = Assert.Throws<ArgumentException>(() => mem.Attend(Init.Normal(3, 1, 1, rng)));
        Assert.Equal("s", e.ParamName); Assert.Contains("(3, 2)", e.Message); Assert.Contains("(3, 1)", e.Message);
    }
}
