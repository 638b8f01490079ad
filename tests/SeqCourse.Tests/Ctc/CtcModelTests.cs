using MathNet.Numerics.LinearAlgebra;

namespace SeqCourse.Tests.Ctc;

using Ctc = SeqCourse.Ctc;

public class CtcModelTests
{
    [Fact]
    public void GradientCheckOfBrnnGruWithCtcOnAPaddedBatch()
    {
        var rng = new Random(5);
        var model = CtcModel.BidirectionalGru(nx: 3, na: 4, classes: 4, rng);
        int[] lengths = { 6, 4, 5 };
        var xs = Enumerable.Range(0, 6).Select(_ => Init.Normal(3, 3, 1.0, rng)).ToArray();
        int[][] targets = { new[] { 1, 1, 2 }, new[] { 3 }, new[] { 2, 3 } };
        var (loss, grads) = model.LossAndGradients(xs, lengths, targets);
        Assert.True(double.IsFinite(loss.Loss));
        var report = GradientCheck.Run(() => model.LossAndGradients(xs, lengths, targets).Loss.Loss, model.Parameters, grads);
        Assert.True(report.Passed, report.ToString());
    }

    [Fact]
    public void TrainingOnSyntheticFramesReachesLowLabelErrorRate()
    {
        // §5.4 data: one shuffled epoch over the 2000 training utterances (batch 32, Adam 0.01) is enough for
        // LER ≤ 5% on the held-out 200 (it reaches about 0.1%).
        var (train, test, _) = CtcSynthetic.Generate();
        var rng = new Random(1);
        var model = CtcModel.BidirectionalGru(CtcSynthetic.FeatureSize, 16, CtcSynthetic.NumLabels + 1, rng);
        var opt = new Adam(0.01);
        var tb = CtcSynthetic.Pad(test);
        double before = Ctc.LabelErrorRate(model.GreedyDecode(tb.X, tb.Lengths), tb.Labels);
        var order = Enumerable.Range(0, train.Length).OrderBy(_ => rng.Next()).ToArray();
        for (int b = 0; b < order.Length; b += 32)
        {
            var batch = CtcSynthetic.Pad(order.Skip(b).Take(32).Select(i => train[i]).ToArray());
            model.TrainStep(batch.X, batch.Lengths, batch.Labels, opt);
        }
        double greedy = Ctc.LabelErrorRate(model.GreedyDecode(tb.X, tb.Lengths), tb.Labels);
        double beam = Ctc.LabelErrorRate(model.BeamDecode(tb.X, tb.Lengths, 4), tb.Labels);
        Assert.True(before > 0.5, $"untrained LER {before}");
        Assert.True(greedy <= 0.05, $"greedy LER {greedy}");
        Assert.True(beam <= 0.05, $"beam LER {beam}");
    }
}
