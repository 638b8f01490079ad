using System.Numerics;
using System.Text.Json;
using MathNet.Numerics.LinearAlgebra;

namespace SeqCourse.Tests.Ctc;

using Ctc = SeqCourse.Ctc;

/// <summary>Independent references: every path enumerated, or probability space with per-frame rescaling.</summary>
internal static class CtcReference
{
    /// <summary>y = softmax per column, as plain probabilities y[t][k].</summary>
    public static double[][] Probabilities(Matrix<double> logits)
    {
        var y = Activations.Softmax(logits);
        return Enumerable.Range(0, logits.ColumnCount).Select(t => y.Column(t).ToArray()).ToArray();
    }

    /// <summary>Enumerates all C^T paths: p(l) for every labelling l that some path collapses to.</summary>
    public static Dictionary<string, double> AllLabellings(Matrix<double> logits)
    {
        var y = Probabilities(logits);
        int C = logits.RowCount, T = logits.ColumnCount;
        var result = new Dictionary<string, double>();
        var path = new int[T];
        long total = (long)Math.Pow(C, T);
        for (long n = 0; n < total; n++)
        {
            long r = n; double p = 1;
            for (int t = 0; t < T; t++) { path[t] = (int)(r % C); r /= C; p *= y[t][path[t]]; }
            var key = Key(Ctc.Collapse(path));
            result[key] = result.GetValueOrDefault(key) + p;
        }
        return result;
    }

    public static string Key(IEnumerable<int> labels) => string.Join(",", labels);

    /// <summary>p(l|x) by brute force.</summary>
    public static double BruteForceP(Matrix<double> logits, int[] target) =>
        AllLabellings(logits).GetValueOrDefault(Key(target));

    /// <summary>The most probable single path that collapses to target, by brute force.</summary>
    public static (int[] Path, double P) BestPath(Matrix<double> logits, int[] target)
    {
        var y = Probabilities(logits);
        int C = logits.RowCount, T = logits.ColumnCount;
        var path = new int[T]; int[] best = Array.Empty<int>(); double bp = -1;
        long total = (long)Math.Pow(C, T);
        for (long n = 0; n < total; n++)
        {
            long r = n; double p = 1;
            for (int t = 0; t < T; t++) { path[t] = (int)(r % C); r /= C; p *= y[t][path[t]]; }
            if (p > bp && Ctc.Collapse(path).SequenceEqual(target)) { bp = p; best = (int[])path.Clone(); }
        }
        return (best, bp);
    }

    /// <summary>
    /// −ln p in probability space with the α's rescaled to sum to 1 after every frame (Graves 2006, §4.1):
    /// an independent way to reach long inputs without logs inside the recursion.
    /// </summary>
    public static double ScaledLoss(Matrix<double> logits, int[] target)
    {
        var y = Probabilities(logits);
        var ext = Ctc.ExtendedLabels(target);
        int S = ext.Length, T = logits.ColumnCount;
        var a = new double[S];
        a[0] = y[0][0];
        if (S > 1) a[1] = y[0][ext[1]];
        double logScale = 0;
        Rescale(a, ref logScale);
        for (int t = 1; t < T; t++)
        {
            var n = new double[S];
            for (int s = 0; s < S; s++)
            {
                double sum = a[s] + (s >= 1 ? a[s - 1] : 0) + (s >= 2 && ext[s] != ext[s - 2] ? a[s - 2] : 0);
                n[s] = y[t][ext[s]] * sum;
            }
            a = n;
            Rescale(a, ref logScale);
        }
        double p = S == 1 ? a[0] : a[S - 1] + a[S - 2];
        return -(Math.Log(p) + logScale);
    }

    private static void Rescale(double[] a, ref double logScale)
    {
        double c = a.Sum();
        for (int s = 0; s < a.Length; s++) a[s] /= c;
        logScale += Math.Log(c);
    }

    /// <summary>The number of paths of length T that collapse to target, exactly (BigInteger DP).</summary>
    public static BigInteger CountPaths(int[] target, int T)
    {
        var ext = Ctc.ExtendedLabels(target);
        int S = ext.Length;
        var a = new BigInteger[S];
        a[0] = 1; if (S > 1) a[1] = 1;
        for (int t = 1; t < T; t++)
        {
            var n = new BigInteger[S];
            for (int s = 0; s < S; s++)
                n[s] = a[s] + (s >= 1 ? a[s - 1] : 0) + (s >= 2 && ext[s] != ext[s - 2] ? a[s - 2] : 0);
            a = n;
        }
        return S == 1 ? a[0] : a[S - 1] + a[S - 2];
    }

    public static Matrix<double> Uniform(int C, int T) => Matrix<double>.Build.Dense(C, T);

    public static Matrix<double> FromProbabilities(params double[][] yPerFrame) =>
        Matrix<double>.Build.DenseOfColumnArrays(yPerFrame.Select(c => c.Select(v => Math.Log(v)).ToArray()));
}

public class CtcHandCaseTests
{
    [Fact]
    public void ExtendedLabelsCollapseAndRequiredFrames()
    {
        Assert.Equal(new[] { 0, 1, 0, 2, 0 }, Ctc.ExtendedLabels(new[] { 1, 2 }));
        Assert.Equal(new[] { 0 }, Ctc.ExtendedLabels(Array.Empty<int>()));
        Assert.Equal(new[] { 1, 1, 2 }, Ctc.Collapse(new[] { 1, 1, 0, 1, 2, 2 })); // B(aa∅abb) = aab
        Assert.Equal(3, Ctc.RequiredFrames(new[] { 1, 1 }));
        Assert.Equal(5, Ctc.RequiredFrames(new[] { 1, 2, 2, 3 }));
        Assert.True(Ctc.IsFeasible(new[] { 1, 1 }, 3));
        Assert.False(Ctc.IsFeasible(new[] { 1, 1 }, 2));
    }

    [Theory]
    [InlineData(2, 2, new[] { 1 }, 3.0 / 4, 0.2876821)]
    [InlineData(3, 3, new[] { 1, 2 }, 5.0 / 27, 1.6863990)]
    [InlineData(3, 3, new[] { 1, 1 }, 1.0 / 27, 3.2958369)]
    [InlineData(2, 3, new[] { 1, 2 }, 1.0 / 9, 2.1972246)]
    public void WorkedCasesFromSyllabus(int T, int C, int[] target, double p, double loss)
    {
        var u = CtcReference.Uniform(C, T);   // equal logits: y = 1/C at every frame
        Assert.Equal(loss, Ctc.CtcLoss(u, target), 7);
        Assert.Equal(-Math.Log(p), Ctc.CtcLoss(u, target), 13);
        Assert.Equal(Math.Log(p), Ctc.CtcForward(u, target).LogP, 13);
        Assert.Equal(p, CtcReference.BruteForceP(u, target), 14);
    }

    [Fact]
    public void InfeasibleWorkedCaseIsInfinityWithZeroGradient()
    {
        var u = CtcReference.Uniform(2, 2);
        Assert.Equal(double.PositiveInfinity, Ctc.CtcLoss(u, new[] { 1, 1 }));
        Assert.Equal(double.NegativeInfinity, Ctc.CtcForward(u, new[] { 1, 1 }).LogP);
        var (loss, g) = Ctc.CtcLossAndGradient(u, new[] { 1, 1 });
        Assert.Equal(double.PositiveInfinity, loss);
        Assert.Equal(0.0, g.Enumerate().Max(Math.Abs));
        Assert.Equal(0.0, CtcReference.BruteForceP(u, new[] { 1, 1 }));
        Assert.Equal(double.NegativeInfinity, Ctc.CtcViterbi(u, new[] { 1, 1 }).LogProbability);
    }

    [Fact]
    public void AlphaTableForAbFromSyllabus()
    {
        var lattice = Ctc.CtcForward(CtcReference.Uniform(3, 3), new[] { 1, 2 });
        var alpha = lattice.LogAlpha.Map(Math.Exp);
        Assert.Equal(5, alpha.RowCount); Assert.Equal(3, alpha.ColumnCount);
        double[][] expected =
        {
            new[] { 1 / 3.0, 1 / 3.0, 0, 0, 0 },
            new[] { 1 / 9.0, 2 / 9.0, 1 / 9.0, 1 / 9.0, 0 },
            new[] { 1 / 27.0, 3 / 27.0, 3 / 27.0, 4 / 27.0, 1 / 27.0 },
        };
        for (int t = 0; t < 3; t++)
            for (int s = 0; s < 5; s++)
                Assert.True(Math.Abs(expected[t][s] - alpha[s, t]) < 1e-15, $"α_{t + 1}({s + 1}) = {alpha[s, t]}, expected {expected[t][s]}");
        Assert.Equal(double.NegativeInfinity, lattice.LogAlpha[4, 0]); // exact zeros stay −∞ in log space
    }

    [Fact]
    public void GradientsForAbFromSyllabus()
    {
        var g = Ctc.CtcGradient(CtcReference.Uniform(3, 3), new[] { 1, 2 });
        double[][] expected =   // y − γ over (∅, a, b) per frame
        {
            new[] { 2 / 15.0, -7 / 15.0, 1 / 3.0 },
            new[] { 2 / 15.0, -1 / 15.0, -1 / 15.0 },
            new[] { 2 / 15.0, 1 / 3.0, -7 / 15.0 },
        };
        for (int t = 0; t < 3; t++)
            for (int k = 0; k < 3; k++)
                Assert.True(Math.Abs(expected[t][k] - g[k, t]) < 1e-15, $"dL/du^{t + 1}_{k} = {g[k, t]}, expected {expected[t][k]}");
    }

    [Fact]
    public void GradientForSingleLabelFromSyllabus()
    {
        // T = C = 2, target "a": γ = (1/3, 2/3) at both frames, so y − γ = (1/6, −1/6).
        var g = Ctc.CtcGradient(CtcReference.Uniform(2, 2), new[] { 1 });
        for (int t = 0; t < 2; t++)
        {
            Assert.Equal(1 / 6.0, g[0, t], 15);
            Assert.Equal(-1 / 6.0, g[1, t], 15);
        }
    }

    [Fact]
    public void AlphaBetaGiveTheSameProbabilityAtEveryFrame()
    {
        var rng = new Random(11);
        var u = Init.Normal(4, 8, 1.5, rng);
        int[] target = { 2, 2, 3, 1 };
        var f = Ctc.CtcForward(u, target);
        var lb = Ctc.CtcBackward(u, target);
        var ly = Activations.LogSoftmax(u);
        var ext = Ctc.ExtendedLabels(target);
        for (int t = 0; t < 8; t++)
        {
            var terms = Enumerable.Range(0, ext.Length).Select(s => f.LogAlpha[s, t] + lb[s, t] - ly[ext[s], t]).ToArray();
            Assert.Equal(f.LogP, Activations.LogSumExp(terms), 12);
        }
        Assert.Equal(Math.Log(CtcReference.BruteForceP(u, target)), f.LogP, 12);
    }

    [Fact]
    public void EmptyTargetIsTheAllBlankPath()
    {
        var u = Init.Normal(3, 4, 1, new Random(2));
        var ly = Activations.LogSoftmax(u);
        double expected = -Enumerable.Range(0, 4).Sum(t => ly[0, t]);
        Assert.Equal(expected, Ctc.CtcLoss(u, Array.Empty<int>()), 13);
        var report = CtcGradientCheck(u, Array.Empty<int>(), useBruteForce: true);
        Assert.True(report.Passed, report.ToString());
    }

    internal static GradientCheckReport CtcGradientCheck(Matrix<double> u, int[] target, bool useBruteForce)
    {
        var g = Ctc.CtcGradient(u, target);
        // With brute force, the numerical gradient comes from an independent loss, not from CtcLoss itself.
        Func<double> J = useBruteForce ? () => -Math.Log(CtcReference.BruteForceP(u, target)) : () => Ctc.CtcLoss(u, target);
        return GradientCheck.Run(J, ParameterSet.Of(new NamedMatrix("u", u)), ParameterSet.Of(new NamedMatrix("du", g)));
    }
}

public class CtcBruteForceTests
{
    public static IEnumerable<object[]> Cases()
    {
        // (C, T, target, seed): repeated labels included; C^T ≤ 4096 so enumeration stays fast.
        yield return new object[] { 3, 4, new[] { 1, 1 }, 1 };
        yield return new object[] { 3, 5, new[] { 2, 1, 2 }, 2 };
        yield return new object[] { 4, 5, new[] { 1, 1, 3 }, 3 };
        yield return new object[] { 4, 6, new[] { 3, 3, 3 }, 4 };
        yield return new object[] { 5, 5, new[] { 4, 2 }, 5 };
        yield return new object[] { 2, 8, new[] { 1, 1, 1 }, 6 };
        yield return new object[] { 4, 6, new[] { 2, 3, 2, 1 }, 7 };
        yield return new object[] { 3, 6, new[] { 1, 2, 2, 1 }, 8 };
        yield return new object[] { 4, 5, new[] { 3, 3, 3 }, 9 };   // T = L + R exactly: one path
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void LossEqualsSumOverAllPaths(int C, int T, int[] target, int seed)
    {
        var u = Init.Normal(C, T, 1.5, new Random(seed));
        double p = CtcReference.BruteForceP(u, target);
        Assert.True(p > 0);
        double loss = Ctc.CtcLoss(u, target);
        Assert.True(Math.Abs(-Math.Log(p) - loss) < 1e-12 * Math.Max(1, loss), $"brute force {-Math.Log(p)} vs {loss}");
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void GradientMatchesFiniteDifferencesOfBruteForce(int C, int T, int[] target, int seed)
    {
        var u = Init.Normal(C, T, 1.5, new Random(seed));
        var report = CtcHandCaseTests.CtcGradientCheck(u, target, useBruteForce: true);
        Assert.True(report.MaxRelativeError < 1e-7, report.ToString());
        // every column of y − γ sums to zero (Σ_k γ_t(k) = 1)
        var g = Ctc.CtcGradient(u, target);
        for (int t = 0; t < T; t++) Assert.True(Math.Abs(g.Column(t).Sum()) < 1e-14);
    }

    [Fact]
    public void GradientCheckOnALargerCaseAgainstItsOwnLoss()
    {
        var u = Init.Normal(6, 20, 2.0, new Random(21));
        var report = CtcHandCaseTests.CtcGradientCheck(u, new[] { 1, 5, 5, 2, 3, 3, 3, 4 }, useBruteForce: false);
        Assert.True(report.Passed, report.ToString());
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void ViterbiIsTheMostLikelyPathThatCollapsesToTheTarget(int C, int T, int[] target, int seed)
    {
        var u = Init.Normal(C, T, 1.5, new Random(seed));
        var (path, p) = CtcReference.BestPath(u, target);
        var a = Ctc.CtcViterbi(u, target);
        Assert.Equal(Math.Log(p), a.LogProbability, 12);
        Assert.Equal(path, a.Path);
        Assert.Equal(target, Ctc.Collapse(a.Path));
        var ext = Ctc.ExtendedLabels(target);
        Assert.Equal(a.Path, a.States.Select(s => ext[s]).ToArray());
    }
}

public class CtcLongInputTests
{
    [Fact]
    public void NoUnderflowAtT1000AgainstRescaledProbabilitySpace()
    {
        // p(l|x) is around e^-2000 here: far below double's 1e-308, so a plain α recursion gives 0.
        var rng = new Random(1000);
        int C = 6, T = 1000;
        var u = Init.Normal(C, T, 3.0, rng);
        var target = Enumerable.Range(0, 120).Select(_ => rng.Next(1, C)).ToArray();
        double loss = Ctc.CtcLoss(u, target);
        Assert.True(double.IsFinite(loss) && loss > 745, $"loss {loss}");
        double reference = CtcReference.ScaledLoss(u, target);
        Assert.True(Math.Abs(reference - loss) < 1e-9 * loss, $"log space {loss} vs rescaled {reference}");
        var g = Ctc.CtcGradient(u, target);
        Assert.True(g.Enumerate().All(double.IsFinite));
        for (int t = 0; t < T; t += 97) Assert.True(Math.Abs(g.Column(t).Sum()) < 1e-12 * loss, $"Σ_k (y − γ) at t = {t} is {g.Column(t).Sum()}"); // rounding grows with |ln p|
    }

    [Fact]
    public void UniformT1000EqualsExactPathCountTimesCToTheMinusT()
    {
        // y = 1/C everywhere, so p = N · C^(−T) with N the exact number of paths (BigInteger), ≈ 1e-560.
        int C = 4, T = 1000;
        int[] target = { 1, 2, 2, 3, 1, 1, 3, 2, 1, 3 };
        double lnN = BigInteger.Log(CtcReference.CountPaths(target, T));
        double expected = -(lnN - T * Math.Log(C));
        double loss = Ctc.CtcLoss(CtcReference.Uniform(C, T), target);
        Assert.True(Math.Abs(expected - loss) < 1e-10 * expected, $"{loss} vs {expected}");
    }

    [Fact]
    public void ScaledLogitsOnlyShiftTheLossByTheKnownAmount()
    {
        // Adding a constant to a frame's logits changes nothing (softmax); peaky extreme logits stay finite.
        var rng = new Random(5);
        var u = Init.Normal(5, 200, 1.0, rng);
        int[] target = { 1, 2, 3, 4, 4, 1 };
        double l0 = Ctc.CtcLoss(u, target);
        var shifted = u.Clone();
        for (int t = 0; t < 200; t++) for (int k = 0; k < 5; k++) shifted[k, t] += 500 * (t % 3) - 300;
        Assert.Equal(l0, Ctc.CtcLoss(shifted, target), 9);
        // a path forced through classes with probability ~e^-800 per frame: prob. space underflows, log space does not
        var peaky = Matrix<double>.Build.Dense(3, 1000, (k, t) => k == 0 ? 800.0 : 0.0);
        double lp = Ctc.CtcLoss(peaky, new[] { 1, 2 });
        Assert.True(double.IsFinite(lp) && lp > 1500 && lp < 1700, $"{lp}");
    }
}

public class CtcFastPathTests
{
    [Theory]
    [InlineData(4, 12, 1.0, 1)]
    [InlineData(6, 60, 4.0, 2)]
    [InlineData(30, 100, 2.0, 3)]
    [InlineData(5, 1000, 3.0, 4)]
    [InlineData(3, 50, 40.0, 5)]     // very peaky: many y far below 1e-16
    public void RescaledFastPathEqualsPureLogSpace(int C, int T, double scale, int seed)
    {
        var rng = new Random(seed);
        var u = Init.Normal(C, T, scale, rng);
        var target = Enumerable.Range(0, Math.Min(T / 3, 60)).Select(_ => rng.Next(1, C)).ToArray();
        var (l1, g1) = Ctc.CtcLossAndGradient(u, target);
        var (l2, g2) = Ctc.CtcLossAndGradientLogSpace(u, target);
        Assert.True(Math.Abs(l1 - l2) < 1e-12 * Math.Max(1, l2), $"{l1} vs {l2}");
        double d = (g1 - g2).Enumerate().Max(Math.Abs);
        Assert.True(d < 1e-14 * Math.Max(100, l2), $"max |Δgrad| {d}");   // log-space rounding grows with |ln p|
    }

    [Theory]
    [InlineData(700.0)]   // y ≈ 1e-304: normal numbers, fast path
    [InlineData(730.0)]   // y ≈ 1e-317: subnormal, falls back to log space
    [InlineData(2000.0)]  // y = 0 in double: log space only
    public void ExtremeLogitGapsAgreeWithLogSpace(double gap)
    {
        // every frame says "blank" by `gap` nats, but the target forces two labels
        var u = Matrix<double>.Build.Dense(3, 40, (k, t) => k == 0 ? gap : (k == 1 ? 0.3 * Math.Sin(t) : 0.0));
        int[] target = { 1, 2 };
        var (l1, g1) = Ctc.CtcLossAndGradient(u, target);
        var (l2, g2) = Ctc.CtcLossAndGradientLogSpace(u, target);
        Assert.True(double.IsFinite(l1) && l1 > 2 * gap - 10, $"{l1}");
        Assert.True(Math.Abs(l1 - l2) < 1e-12 * l2, $"{l1} vs {l2}");
        Assert.True((g1 - g2).Enumerate().Max(Math.Abs) < 1e-12);
        Assert.Equal(l1, Ctc.CtcLoss(u, target), 9);
    }
}

public class CtcBatchTests
{
    private static (Matrix<double>[] U, int[][] Targets) RandomBatch(int seed)
    {
        var rng = new Random(seed);
        int[] lengths = { 7, 12, 4, 9, 10 };
        var u = lengths.Select(T => Init.Normal(5, T, 1.0, rng)).ToArray();
        var targets = lengths.Select(T => Enumerable.Range(0, rng.Next(0, T / 2 + 1)).Select(_ => rng.Next(1, 5)).ToArray()).ToArray();
        return (u, targets);
    }

    [Fact]
    public void BatchLossIsTheMeanAndGradientsIncludeOneOverM()
    {
        var (u, targets) = RandomBatch(3);
        var r = Ctc.CtcBatch(u, targets);
        Assert.Equal(u.Select((x, i) => Ctc.CtcLoss(x, targets[i])).Average(), r.Loss, 12);
        for (int i = 0; i < u.Length; i++)
        {
            var (li, gi) = Ctc.CtcLossAndGradient(u[i], targets[i]);
            Assert.Equal(li, r.Losses[i], 12);
            Assert.True((gi / u.Length - r.Gradients[i]).Enumerate().Max(Math.Abs) < 1e-15);
        }
        var p = ParameterSet.Of(u.Select((x, i) => new NamedMatrix($"u{i}", x)).ToArray());
        var g = ParameterSet.Of(r.Gradients.Select((x, i) => new NamedMatrix($"du{i}", x)).ToArray());
        var report = GradientCheck.Run(() => Ctc.CtcBatch(u, targets).Loss, p, g);
        Assert.True(report.Passed, report.ToString());
    }

    [Fact]
    public void SequenceBatchLayoutMatchesPerExampleBatchAndPaddingGetsNoGradient()
    {
        var (u, targets) = RandomBatch(4);
        int m = u.Length, Tmax = u.Max(x => x.ColumnCount), C = 5;
        var rng = new Random(9);
        // (C, m, T_max) with random junk in the padding: it must not matter
        var zy = Enumerable.Range(0, Tmax).Select(t => Matrix<double>.Build.Dense(C, m,
            (k, i) => t < u[i].ColumnCount ? u[i][k, t] : 100 * rng.NextDouble())).ToArray();
        var lengths = u.Select(x => x.ColumnCount).ToArray();
        var a = Ctc.CtcSequenceBatch(zy, lengths, targets);
        var b = Ctc.CtcBatch(u, targets);
        Assert.Equal(b.Loss, a.Loss, 13);
        Assert.Equal(Tmax, a.Gradients.Length);
        for (int i = 0; i < m; i++)
            for (int t = 0; t < Tmax; t++)
                for (int k = 0; k < C; k++)
                    Assert.Equal(t < lengths[i] ? b.Gradients[i][k, t] : 0.0, a.Gradients[t][k, i], 15);
        // per-example (C, T_max) matrices with lengths give the same again
        var padded = Enumerable.Range(0, m).Select(i => Ctc.ExampleLogits(zy, i)).ToArray();
        var c = Ctc.CtcBatch(padded, targets, lengths);
        Assert.Equal(b.Loss, c.Loss, 13);
        Assert.Equal(Tmax, c.Gradients[2].ColumnCount);
        Assert.Equal(0.0, c.Gradients[2].Column(Tmax - 1).AbsoluteMaximum());
    }

    [Fact]
    public void LargeBatchTakesTheParallelPathAndAgrees()
    {
        var rng = new Random(77);
        int m = 32, C = 30, T = 100;
        var zy = Enumerable.Range(0, T).Select(_ => Init.Normal(C, m, 2.0, rng)).ToArray();
        var targets = Enumerable.Range(0, m).Select(_ => Enumerable.Range(0, 20).Select(_ => rng.Next(1, C)).ToArray()).ToArray();
        var lengths = Enumerable.Range(0, m).Select(i => T - i).ToArray();
        var r = Ctc.CtcSequenceBatch(zy, lengths, targets);
        for (int i = 0; i < m; i += 7)
        {
            var (li, gi) = Ctc.CtcLossAndGradient(Ctc.ExampleLogits(zy, i, lengths[i]), targets[i]);
            Assert.Equal(li, r.Losses[i], 10);
            Assert.Equal(gi[3, 5] / m, r.Gradients[5][3, i], 15);
        }
    }

    [Fact]
    public void InfeasibleExampleInABatch()
    {
        var u = new[] { CtcReference.Uniform(3, 3), CtcReference.Uniform(3, 2) };
        var targets = new[] { new[] { 1, 2 }, new[] { 1, 1 } };
        var r = Ctc.CtcBatch(u, targets);
        Assert.Equal(double.PositiveInfinity, r.Loss);
        Assert.Equal(1, r.InfeasibleCount);
        Assert.Equal(0.0, r.Gradients[1].Enumerate().Max(Math.Abs));
        var z = Ctc.CtcBatch(u, targets, zeroInfinity: true);
        Assert.Equal(Math.Log(5.4) / 2, z.Loss, 13);   // PyTorch zero_infinity: the infeasible one counts as 0
        Assert.Equal(2 / 15.0 / 2, z.Gradients[0][0, 0], 15);
    }
}

public class CtcTorchFixtureTests
{
    internal static string FixturePath(string name)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var p = Path.Combine(dir.FullName, "tests", "fixtures", name);
            if (File.Exists(p)) return p;
        }
        throw new FileNotFoundException($"tests/fixtures/{name} not found above {AppContext.BaseDirectory}");
    }

    private static Matrix<double> ToMatrix(JsonElement rows) =>
        Matrix<double>.Build.DenseOfRowArrays(rows.EnumerateArray().Select(r => r.EnumerateArray().Select(v => v.GetDouble()).ToArray()));

    [Fact]
    public void LossAndGradientMatchPyTorchFloat64()
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(FixturePath("ctc.json")));
        int checkedExamples = 0;
        foreach (var c in doc.RootElement.GetProperty("cases").EnumerateArray())
        {
            var us = new List<Matrix<double>>(); var ts = new List<int[]>(); var losses = new List<double>(); var grads = new List<Matrix<double>>();
            foreach (var e in c.GetProperty("examples").EnumerateArray())
            {
                var u = ToMatrix(e.GetProperty("logits"));
                var target = e.GetProperty("target").EnumerateArray().Select(v => v.GetInt32()).ToArray();
                var lossEl = e.GetProperty("loss");
                double expected = lossEl.ValueKind == JsonValueKind.String ? double.PositiveInfinity : lossEl.GetDouble();
                var gExpected = ToMatrix(e.GetProperty("gradient"));
                var (loss, g) = Ctc.CtcLossAndGradient(u, target);
                if (double.IsPositiveInfinity(expected)) Assert.Equal(double.PositiveInfinity, loss);
                else Assert.True(Math.Abs(expected - loss) < 1e-10 * Math.Max(1, expected), $"{c.GetProperty("name")}: torch {expected} vs {loss}");
                double diff = (g - gExpected).Enumerate().Max(Math.Abs);
                Assert.True(diff < 1e-10, $"{c.GetProperty("name")} target {string.Join(",", target)}: max |Δgrad| = {diff}");
                us.Add(u); ts.Add(target); losses.Add(expected); grads.Add(gExpected);
                checkedExamples++;
            }
            // the batched entry point agrees with torch's reduction='sum', zero_infinity=True (divided by m)
            var r = Ctc.CtcBatch(us, ts, zeroInfinity: true);
            double sum = losses.Where(double.IsFinite).Sum();
            Assert.True(Math.Abs(sum / us.Count - r.Loss) < 1e-10 * Math.Max(1, sum));
            for (int i = 0; i < us.Count; i++)
                Assert.True((grads[i] / us.Count - r.Gradients[i]).Enumerate().Max(Math.Abs) < 1e-10);
        }
        Assert.True(checkedExamples >= 10);
    }
}

public class CtcDecodingTests
{
    [Fact]
    public void GreedyAndPrefixBeamDifferOnTheSyllabusExample()
    {
        var u = CtcReference.FromProbabilities(new[] { 0.6, 0.4 }, new[] { 0.6, 0.4 });
        Assert.Empty(Ctc.CtcGreedyDecode(u));                    // best path ∅∅ (0.36) collapses to ""
        var beams = Ctc.CtcPrefixBeamSearch(u, 2);
        Assert.Equal(new[] { 1 }, beams[0].Labels);               // p("a") = 0.64
        Assert.Equal(0.64, Math.Exp(beams[0].LogProbability), 14);
        Assert.Empty(beams[1].Labels);
        Assert.Equal(0.36, Math.Exp(beams[1].LogProbability), 14);
        Assert.Empty(Ctc.CtcPrefixBeamSearch(u, 1)[0].Labels);   // W = 1 keeps "" (0.6) over "a" (0.4) after frame 1
    }

    [Fact]
    public void GreedyDecodeCollapsesTheArgmaxPath()
    {
        // argmax path: a a ∅ a b b ∅  →  a a b
        int[] path = { 1, 1, 0, 1, 2, 2, 0 };
        var u = Matrix<double>.Build.Dense(3, path.Length, (k, t) => k == path[t] ? 2.0 : 0.0);
        Assert.Equal(new[] { 1, 1, 2 }, Ctc.CtcGreedyDecode(u));
        var zy = Enumerable.Range(0, path.Length).Select(t => Matrix<double>.Build.Dense(3, 2, (k, i) => i == 0 ? u[k, t] : (k == 0 ? 1 : 0))).ToArray();
        var d = Ctc.CtcGreedyDecode(zy, new[] { 7, 3 });
        Assert.Equal(new[] { 1, 1, 2 }, d[0]);
        Assert.Empty(d[1]);
    }

    [Theory]
    [InlineData(3, 5, 1)]
    [InlineData(4, 5, 2)]
    [InlineData(3, 7, 3)]
    [InlineData(5, 4, 4)]
    [InlineData(2, 9, 5)]
    public void FullWidthPrefixBeamFindsTheMostProbableLabellingByBruteForce(int C, int T, int seed)
    {
        var u = Init.Normal(C, T, 1.5, new Random(seed));
        var all = CtcReference.AllLabellings(u);
        var best = all.MaxBy(kv => kv.Value);
        // a width that never prunes makes the search exact: every probability must match the enumeration
        var beams = Ctc.CtcPrefixBeamSearch(u, 100_000);
        Assert.Equal(best.Key, CtcReference.Key(beams[0].Labels));
        Assert.Equal(Math.Log(best.Value), beams[0].LogProbability, 12);
        Assert.Equal(all.Count, beams.Count);
        foreach (var b in beams) Assert.Equal(Math.Log(all[CtcReference.Key(b.Labels)]), b.LogProbability, 11);
        // and each equals exp(−CtcLoss) for that labelling
        Assert.Equal(-Ctc.CtcLoss(u, beams[0].Labels), beams[0].LogProbability, 12);
    }

    [Fact]
    public void NarrowBeamFindsTheBestOnPeakyInputs()
    {
        // Peaky frames (as after training): a width of 8 already finds the brute-force optimum.
        for (int seed = 0; seed < 10; seed++)
        {
            var u = Init.Normal(4, 7, 3.0, new Random(100 + seed));
            var best = CtcReference.AllLabellings(u).MaxBy(kv => kv.Value);
            var beams = Ctc.CtcPrefixBeamSearch(u, 8);
            Assert.Equal(best.Key, CtcReference.Key(beams[0].Labels));
        }
    }

    [Fact]
    public void PrefixBeamDoesNotUnderflowOnLongInputs()
    {
        var u = Init.Normal(5, 1000, 1.0, new Random(8));
        var beams = Ctc.CtcPrefixBeamSearch(u, 4);
        Assert.True(double.IsFinite(beams[0].LogProbability));
        Assert.True(beams[0].LogProbability <= -Ctc.CtcLoss(u, beams[0].Labels) + 1e-9); // the beam keeps only part of the paths
    }

    [Fact]
    public void EditDistanceAndLabelErrorRate()
    {
        Assert.Equal(3, Ctc.EditDistance("kitten".ToArray(), "sitting".ToArray()));
        Assert.Equal(0, Ctc.EditDistance(new[] { 1, 2 }, new[] { 1, 2 }));
        Assert.Equal(2, Ctc.EditDistance(Array.Empty<int>(), new[] { 1, 2 }));
        Assert.Equal(1, Ctc.EditDistance(new[] { 1, 2, 3 }, new[] { 1, 3 }));
        // (1 + 0) errors over 3 + 2 reference labels
        Assert.Equal(0.2, Ctc.LabelErrorRate(new[] { new[] { 1, 3 }, new[] { 4, 4 } }, new[] { new[] { 1, 2, 3 }, new[] { 4, 4 } }), 15);
    }
}

public class CtcBadInputTests
{
    [Fact]
    public void TargetLongerThanInputIsAnArgumentError()
    {
        var ex = Assert.Throws<ArgumentException>(() => Ctc.CtcLoss(CtcReference.Uniform(3, 2), new[] { 1, 2, 1 }));
        Assert.Equal("target", ex.ParamName);
        Assert.Contains("L = 3", ex.Message);
        Assert.Contains("T = 2", ex.Message);
    }

    [Fact]
    public void BlankOrOutOfRangeLabels()
    {
        var u = CtcReference.Uniform(3, 4);
        var ex = Assert.Throws<ArgumentException>(() => Ctc.CtcGradient(u, new[] { 1, 0 }));
        Assert.Contains("target[1]", ex.Message);
        Assert.Contains("[1, 2]", ex.Message);
        ex = Assert.Throws<ArgumentException>(() => Ctc.CtcForward(u, new[] { 3 }));
        Assert.Contains("but is 3", ex.Message);
        ex = Assert.Throws<ArgumentException>(() => Ctc.CtcBatch(new[] { u, u }, new[] { new[] { 1 }, new[] { -1 } }));
        Assert.Equal("targets", ex.ParamName);
        Assert.Contains("targets[1][0]", ex.Message);
    }

    [Fact]
    public void BeamWidthZero()
    {
        var ex = Assert.Throws<ArgumentException>(() => Ctc.CtcPrefixBeamSearch(CtcReference.Uniform(3, 4), 0));
        Assert.Equal("beamWidth", ex.ParamName);
        Assert.Contains("but is 0", ex.Message);
    }

    [Fact]
    public void MismatchedBatchLengths()
    {
        var u = CtcReference.Uniform(3, 4);
        var ex = Assert.Throws<ArgumentException>(() => Ctc.CtcBatch(new[] { u, u }, new[] { new[] { 1 } }));
        Assert.Equal("targets", ex.ParamName);
        Assert.Contains("2 entries", ex.Message); Assert.Contains("has 1", ex.Message);
        var zy = new[] { Matrix<double>.Build.Dense(3, 2), Matrix<double>.Build.Dense(3, 2) };
        ex = Assert.Throws<ArgumentException>(() => Ctc.CtcSequenceBatch(zy, new[] { 2, 3 }, new[] { new[] { 1 }, new[] { 1 } }));
        Assert.Equal("inputLengths", ex.ParamName);
        Assert.Contains("[1, 2]", ex.Message); Assert.Contains("is 3", ex.Message);
        ex = Assert.Throws<ArgumentException>(() => Ctc.CtcSequenceBatch(zy, new[] { 2 }, new[] { new[] { 1 }, new[] { 1 } }));
        Assert.Equal("inputLengths", ex.ParamName);
        ex = Assert.Throws<ArgumentException>(() => Ctc.CtcBatch(new[] { u, CtcReference.Uniform(4, 4) }, new[] { new[] { 1 }, new[] { 1 } }));
        Assert.Contains("logits[1]", ex.Message);
        ex = Assert.Throws<ArgumentException>(() => Ctc.CtcLoss(Matrix<double>.Build.Dense(1, 3), new[] { 1 }));
        Assert.Equal("logits", ex.ParamName);
    }
}
