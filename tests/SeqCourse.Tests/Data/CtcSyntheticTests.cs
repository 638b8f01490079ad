using MathNet.Numerics.LinearAlgebra;

namespace SeqCourse.Tests.Data;

public class CtcSyntheticTests
{
    /// <summary>The default set, generated once for all tests of this file.</summary>
    internal static readonly Lazy<(CtcUtterance[] Train, CtcUtterance[] Test, Matrix<double> Prototypes)> Data =
        new(() => CtcSynthetic.Generate());

    [Fact]
    public void PrototypesHaveNormThreeAndSilenceIsZero()
    {
        var mu = Data.Value.Prototypes;
        Assert.Equal(8, mu.RowCount);
        Assert.Equal(5, mu.ColumnCount);
        Assert.Equal(0.0, mu.Column(0).L2Norm());
        for (int k = 1; k <= 4; k++) Assert.Equal(3.0, mu.Column(k).L2Norm(), 12);
        // Distinct directions: no two prototypes closer than 2 (they are ≈ 3√2 apart for random directions).
        for (int a = 1; a <= 4; a++)
            for (int b = a + 1; b <= 4; b++)
                Assert.True((mu.Column(a) - mu.Column(b)).L2Norm() > 2, $"μ_{a} and μ_{b} are too close");
    }

    [Fact]
    public void EveryUtteranceFollowsTheConstructionRules()
    {
        var (train, test, _) = Data.Value;
        Assert.Equal(2000, train.Length);
        Assert.Equal(200, test.Length);
        var seenLengths = new HashSet<int>();
        foreach (var u in train.Concat(test))
        {
            int L = u.Labels.Length;
            Assert.InRange(L, 1, 6);
            seenLengths.Add(L);
            Assert.All(u.Labels, l => Assert.InRange(l, 1, 4));
            Assert.Equal(8, u.X.RowCount);
            Assert.InRange(u.T, 4, 46);
            int R = Enumerable.Range(1, L - 1).Count(i => u.Labels[i] == u.Labels[i - 1]);
            Assert.Equal(L + R, CtcSynthetic.RequiredFrames(u.Labels));
            Assert.True(u.T >= L + R, $"T = {u.T} < L + R = {L + R}");

            var f = u.FrameLabels!;
            Assert.Equal(u.T, f.Length);
            Assert.Equal(L, u.Spans.Count);
            Assert.InRange(u.Spans[0].Start, 1, 3);                           // 1–3 leading silence
            Assert.InRange(u.T - (u.Spans[^1].Start + u.Spans[^1].Length), 1, 3); // 1–3 trailing silence
            for (int i = 0; i < L; i++)
            {
                Assert.InRange(u.Spans[i].Length, 2, 5);
                for (int t = u.Spans[i].Start; t < u.Spans[i].Start + u.Spans[i].Length; t++) Assert.Equal(u.Labels[i], f[t]);
                if (i == 0) continue;
                int gap = u.Spans[i].Start - (u.Spans[i - 1].Start + u.Spans[i - 1].Length);
                Assert.InRange(gap, u.Labels[i] == u.Labels[i - 1] ? 1 : 0, 2); // ≥ 1 silence between equal labels
                for (int t = u.Spans[i].Start - gap; t < u.Spans[i].Start; t++) Assert.Equal(0, f[t]);
            }
        }
        Assert.Equal(6, seenLengths.Count); // every L from 1 to 6 occurs
    }

    [Fact]
    public void FramesArePrototypePlusNoiseOfStdHalf()
    {
        var (train, _, mu) = Data.Value;
        double sum = 0, sumSq = 0;
        long n = 0;
        foreach (var u in train)
            for (int t = 0; t < u.T; t++)
                for (int i = 0; i < 8; i++)
                {
                    double e = u.X[i, t] - mu[i, u.FrameLabels![t]];
                    sum += e; sumSq += e * e; n++;
                }
        double mean = sum / n, std = Math.Sqrt(sumSq / n - mean * mean);
        Assert.True(n > 200_000, $"only {n} noise samples");
        Assert.InRange(mean, -0.01, 0.01); // standard error ≈ 0.5/√n ≈ 0.001
        Assert.InRange(std, 0.49, 0.51);
    }

    [Fact]
    public void SameSeedSameData()
    {
        var a = CtcSynthetic.Generate(11, 5, 2);
        var b = CtcSynthetic.Generate(11, 5, 2);
        for (int i = 0; i < 5; i++)
        {
            Assert.Equal(a.Train[i].Labels, b.Train[i].Labels);
            Assert.Equal(a.Train[i].X, b.Train[i].X);
        }
        Assert.Equal(a.Prototypes, b.Prototypes);
        Assert.NotEqual(a.Prototypes, CtcSynthetic.Generate(12, 5, 2).Prototypes);
    }

    [Fact]
    public void PadLaysOutColumnsAndZeroPads()
    {
        var batch = Data.Value.Test[..3];
        var p = CtcSynthetic.Pad(batch);
        int tMax = batch.Max(u => u.T);
        Assert.Equal(tMax, p.X.Length);
        Assert.Equal(batch.Select(u => u.T).ToArray(), p.Lengths);
        for (int j = 0; j < 3; j++)
        {
            Assert.Equal(batch[j].Labels, p.Labels[j]);
            for (int t = 0; t < tMax; t++)
            {
                Assert.Equal(8, p.X[t].RowCount);
                Assert.Equal(3, p.X[t].ColumnCount);
                var col = p.X[t].Column(j);
                if (t < batch[j].T) Assert.Equal(batch[j].X.Column(t), col);
                else Assert.Equal(0.0, col.L2Norm());
            }
        }
    }

    [Fact]
    public void TriggerLabelsHandExample()
    {
        // Frames: sil, 2, 2, sil, 3, 3, 3, sil, sil, 3, 3, sil  (labels 2 3 3, keyword 3, two frames after each end)
        int[] f = [0, 2, 2, 0, 3, 3, 3, 0, 0, 3, 3, 0];
        var u = new CtcUtterance(Matrix<double>.Build.Dense(8, f.Length), [2, 3, 3], f);
        Assert.Equal(new[] { (1, 2), (4, 3), (9, 2) }, u.Spans);
        double[] want = [0, 0, 0, 0, 0, 0, 0, 1, 1, 0, 0, 1]; // after the 2nd "3": frames 11, 12 → cut at T = 12
        Assert.Equal(want, CtcSynthetic.TriggerLabels(u, keyword: 3, duration: 2));
        Assert.Equal(new double[] { 0, 0, 0, 1, 1, 1, 0, 0, 0, 0, 0, 0 }, CtcSynthetic.TriggerLabels(u, 2, 3));
        Assert.All(CtcSynthetic.TriggerLabels(u, 4, 3), v => Assert.Equal(0.0, v));

        var Y = CtcSynthetic.TriggerTargets([u, Data.Value.Test[0]], 3, 2);
        Assert.Equal(Math.Max(12, Data.Value.Test[0].T), Y.Length);
        Assert.Equal(want, Enumerable.Range(0, 12).Select(t => Y[t][0, 0]).ToArray());
    }

    [Fact]
    public void BadInputNamesTheArgument()
    {
        var x = Matrix<double>.Build.Dense(8, 4);
        Assert.Equal("labels", Assert.Throws<ArgumentException>(() => new CtcUtterance(x, [1, 0])).ParamName);
        Assert.Equal("frameLabels", Assert.Throws<ArgumentException>(() => new CtcUtterance(x, [1], [0, 1, 0])).ParamName);
        var spell = Assert.Throws<ArgumentException>(() => new CtcUtterance(x, [1, 1], [0, 1, 1, 0]));
        Assert.Equal("frameLabels", spell.ParamName);
        Assert.Contains("[1, 1]", spell.Message);
        Assert.Equal("batch", Assert.Throws<ArgumentException>(() => CtcSynthetic.Pad([])).ParamName);
        var mixed = new[] { new CtcUtterance(x, [1]), new CtcUtterance(Matrix<double>.Build.Dense(7, 4), [1]) };
        Assert.Equal("batch", Assert.Throws<ArgumentException>(() => CtcSynthetic.Pad(mixed)).ParamName);
        var noAlign = new CtcUtterance(x, [1]);
        Assert.Equal("utterance", Assert.Throws<ArgumentException>(() => CtcSynthetic.TriggerLabels(noAlign, 1)).ParamName);
        var u = new CtcUtterance(x, [1], [0, 1, 1, 0]);
        Assert.Equal("keyword", Assert.Throws<ArgumentException>(() => CtcSynthetic.TriggerLabels(u, 0)).ParamName);
        Assert.Equal("duration", Assert.Throws<ArgumentException>(() => CtcSynthetic.TriggerLabels(u, 1, 0)).ParamName);
        Assert.Equal("noiseStd", Assert.Throws<ArgumentException>(() => CtcSynthetic.Utterance(Data.Value.Prototypes, new Random(1), -1)).ParamName);
        Assert.Equal("train", Assert.Throws<ArgumentException>(() => CtcSynthetic.Generate(1, 0, 0)).ParamName);
    }
}

public class CtcSyntheticFingerprintTests
{
    /// <summary>
    /// The set lives in memory, so pin its integer skeleton (labels and T of all 2 200 utterances, which depend only on
    /// the seeded draws, not on libm rounding): a changed generator would silently change the notebooks' numbers.
    /// </summary>
    [Fact]
    public void DefaultSeedGivesThePinnedSkeleton()
    {
        var (train, test, _) = CtcSyntheticTests.Data.Value;
        var text = string.Concat(train.Concat(test).Select(u => $"{u.T}:{string.Join(",", u.Labels)}\n"));
        Assert.Equal("d5ba38c41d9932d03783440a4a09a97e207948ff4efad820053bbd8d2f7019e1", Datasets.Sha256(text));
    }
}
