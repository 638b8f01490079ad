using MathNet.Numerics.LinearAlgebra;

namespace SeqCourse.Tests.Seq2Seq;

public class AttentionModelTests
{
    private static readonly int[][] Sources = [[0, 4, 2, 1], [3, 3, 0, 2]];
    private static readonly int[][] Targets = [[1, 0, 3], [2, 2, 1]];

    private static AttentionModel Tiny(int seed, int? pad = null)
    {
        var p = AttentionModelParameters.Normal(inputSize: 5, encoderSize: 2, decoderSize: 3, outputSize: 4, attentionSize: 3, std: 1.0, new Random(seed));
        // Larger attention weights make α depend clearly on s⟨t−1⟩; with small ones ∂J/∂W1 is ~1e-5 and finite
        // differences (round-off ~1e-10 on J) could not confirm it to 1e-7.
        p.Attention.W1.MapInplace(w => 3 * w);
        p.Attention.v.MapInplace(w => 3 * w);
        return new AttentionModel(p, 3, pad);
    }

    [Fact]
    public void GradientCheckOfEveryParameter()
    {
        var model = Tiny(41);
        var (_, grads) = model.LossAndGradients(Sources, Targets);
        var report = GradientCheck.Run(() => model.Loss(Sources, Targets), model.Parameters, grads);
        Assert.True(report.Passed, report.ToString());
        Assert.Equal(8 + 8 + 3 + 8 + 2, report.Entries.Count);
        foreach (var (name, g) in grads.Items) Assert.True(g.FrobeniusNorm() > 0, $"{name} is all zero");
    }

    // Symbol 0 is padding: real lengths 4, 2, 3 inside T_x = 5.
    private static readonly int[][] Padded = [[1, 4, 2, 1, 0], [3, 3, 0, 0, 0], [2, 0, 4, 0, 0]];
    private static readonly int[][] PaddedTargets = [[1, 0, 3], [2, 2, 1], [0, 3, 3]];

    [Fact]
    public void GradientCheckWithPadding()
    {
        // Ragged sources. (With other seeds one of the ~30 parameters can land at 1–2e-7 because its gradient is
        // ~1e-5 and the round-off of J/2ε is ~1e-11; PaddingChangesNothing below checks the masking independently.)
        var model = Tiny(83, pad: 0);
        var (_, grads) = model.LossAndGradients(Padded, PaddedTargets);
        var report = GradientCheck.Run(() => model.Loss(Padded, PaddedTargets), model.Parameters, grads);
        Assert.True(report.Passed, report.ToString());
    }

    [Fact]
    public void PaddingChangesNothing()
    {
        // The same sources with 7 more padding symbols, or with none beyond the longest: identical outputs,
        // attention maps over the real symbols only, and an interior 0 (example 3) is a real symbol.
        var model = Tiny(73, pad: 0);
        var longer = Padded.Select(x => x.Concat(new int[7]).ToArray()).ToArray();
        var shorter = Padded.Select(x => x[..4]).ToArray();
        var f = model.Forward(Padded);
        Assert.Equal([4, 2, 3], f.Lengths);
        foreach (var other in new[] { longer, shorter })
        {
            var g = model.Forward(other);
            for (int t = 0; t < 3; t++) Assert.True((f.Zy[t] - g.Zy[t]).FrobeniusNorm() < 1e-14);
            Assert.Equal(model.Loss(Padded, PaddedTargets), model.Loss(other, PaddedTargets), 14);
        }
        var pred = model.Predict(longer);
        Assert.Equal(new[] { 4, 2, 3 }, pred.Alpha.Select(a => a.ColumnCount));
        // Each example alone (no padding at all) gives the same numbers as in the padded batch.
        for (int i = 0; i < 3; i++)
        {
            var alone = model.Forward([Padded[i][..f.Lengths[i]]]);
            for (int t = 0; t < 3; t++)
                for (int k = 0; k < 4; k++) Assert.Equal(f.Zy[t][k, i], alone.Zy[t][k, 0], 13);
        }
    }

    [Fact]
    public void BatchEqualsTheMeanOfSingleExamples()
    {
        var model = Tiny(43);
        var (J, g) = model.LossAndGradients(Sources, Targets);
        var (J0, g0) = model.LossAndGradients([Sources[0]], [Targets[0]]);
        var (J1, g1) = model.LossAndGradients([Sources[1]], [Targets[1]]);
        Assert.Equal((J0 + J1) / 2, J, 13);
        for (int k = 0; k < g.Items.Count; k++)
            Assert.True(((g0.Items[k].Value + g1.Items[k].Value) / 2 - g.Items[k].Value).FrobeniusNorm() < 1e-13, g.Items[k].Name);
    }

    [Fact]
    public void ForwardFollowsTheEquationsStepByStep()
    {
        // Independent recomputation of step 1 and 2 for example 1 with the building blocks: BiLSTM annotations,
        // the published attention (§3.9) from s⟨0⟩ = 0, one LSTM cell on ctx, then the softmax layer.
        var model = Tiny(47);
        var p = model.Parameters;
        var x = DataEncoding.OneHot([Sources[1]], 5);
        var (aF, _, _) = Lstm.Forward(x, p.EncoderForward);
        var (aB, _, _) = Lstm.Forward(x.Reverse().ToArray(), p.EncoderBackward);
        var a = Enumerable.Range(0, 4).Select(t => aF[t].Stack(aB[3 - t])).ToArray();
        var s = Matrix<double>.Build.Dense(3, 1); var c = Matrix<double>.Build.Dense(3, 1);
        var f = model.Forward(Sources);
        for (int t = 0; t < 2; t++)
        {
            var att = Attention.AttentionForward(s, a, p.Attention);
            (s, c, _) = LstmCell.Forward(att.Ctx, s, c, p.Decoder);
            var zy = p.Wy * s + p.by;
            for (int k = 0; k < 4; k++) Assert.Equal(zy[k, 0], f.Zy[t][k, 1], 13);
            for (int k = 0; k < 4; k++) Assert.Equal(att.Alpha[k, 0], f.AlphaAt(t)[k, 1], 14);
        }
    }

    [Fact]
    public void PredictReturnsArgmaxAndAttentionMapsWhoseRowsSumToOne()
    {
        var model = Tiny(53);
        var pred = model.Predict(Sources);
        var f = model.Forward(Sources);
        Assert.Equal(2, pred.Alpha.Length);
        for (int i = 0; i < 2; i++)
        {
            Assert.Equal(3, pred.Alpha[i].RowCount); Assert.Equal(4, pred.Alpha[i].ColumnCount);
            for (int t = 0; t < 3; t++)
            {
                Assert.Equal(1.0, pred.Alpha[i].Row(t).Sum(), 13);
                Assert.Equal(f.Zy[t].Column(i).MaximumIndex(), pred.Tokens[i][t]);
            }
        }
    }

    [Fact]
    public void BadInputNamesTheArgument()
    {
        var model = Tiny(59);
        var e = Assert.Throws<ArgumentException>(() => model.Loss([[0, 1, 2, 3], [0, 1, 2]], Targets));
        Assert.Equal("sources", e.ParamName); Assert.Contains("sources[1]", e.Message); Assert.Contains("T_x = 4", e.Message); Assert.Contains("has 3", e.Message);
        e = Assert.Throws<ArgumentException>(() => model.Loss(Sources, [Targets[0]]));
        Assert.Equal("targets", e.ParamName); Assert.Contains("2 examples", e.Message);
        e = Assert.Throws<ArgumentException>(() => model.Loss(Sources, [[1, 0], [2, 2, 1]]));
        Assert.Equal("targets", e.ParamName); Assert.Contains("T_y = 3", e.Message); Assert.Contains("has 2", e.Message);
        e = Assert.Throws<ArgumentException>(() => model.Loss([[0, 9, 2, 1], [3, 3, 0, 2]], Targets));
        Assert.Equal("sources", e.ParamName); Assert.Contains("sources[0][1]", e.Message); Assert.Contains("[0, 4]", e.Message); Assert.Contains("is 9", e.Message);
        e = Assert.Throws<ArgumentException>(() => model.Loss(Sources, [[1, 0, 4], [2, 2, 1]]));
        Assert.Equal("targets", e.ParamName); Assert.Contains("targets[0][2]", e.Message); Assert.Contains("is 4", e.Message);
        e = Assert.Throws<ArgumentException>(() => model.Predict([[]]));
        Assert.Equal("sources", e.ParamName); Assert.Contains("empty", e.Message);
        e = Assert.Throws<ArgumentException>(() => Tiny(59, pad: 0).Predict([[1, 2], [0, 0]]));
        Assert.Equal("sources", e.ParamName); Assert.Contains("sources[1]", e.Message); Assert.Contains("all padding", e.Message);
    }
}
