using MathNet.Numerics.LinearAlgebra;
using SeqCourse.Numerics;

namespace SeqCourse.Tests.Numerics;

/// <summary>
/// The fused char-LM training step (<see cref="FusedRnnLm"/>, called by <see cref="CharLanguageModel.TrainStep"/>) against
/// the straightforward composition Rnn.Forward → Losses.SoftmaxCrossEntropy → Rnn.Backward → Clipping.ByValue →
/// optimizer.Step, for every SIMD width and sizes with and without a partial last vector; and its tanh/exp kernels
/// against Math.Tanh/Math.Exp.
/// </summary>
public class FusedRnnLmTests
{
    public static readonly SimdLevel[] Levels = [SimdLevel.Vector512, SimdLevel.Vector256, SimdLevel.Scalar, SimdLevel.Auto];

    // Random lower-case names of 4–13 letters, like the bench data.
    private static string[] Names(int count, int seed, int letters = 26)
    {
        var rng = new Random(seed);
        return Enumerable.Range(0, count)
            .Select(_ => new string(Enumerable.Range(0, rng.Next(4, 14)).Select(_ => (char)('a' + rng.Next(letters))).ToArray()))
            .ToArray();
    }

    /// <summary>The straightforward step, written out: one-hot inputs, forward, loss, BPTT, clip, update.</summary>
    private static double ReferenceStep(RnnParameters p, int[] y, IOptimizer optimizer, double clip) => ReferenceStep(p, y, optimizer, clip, out _);

    private static double ReferenceStep(RnnParameters p, int[] y, IOptimizer optimizer, double clip, out int clipped)
    {
        int nv = p.Nx;
        var xs = new List<Matrix<double>>();
        var targets = new List<int[]>();
        for (int t = 0; t < y.Length; t++)
        {
            xs.Add(t == 0 ? Init.Zeros(nv, 1) : OneHot.Vector(y[t - 1], nv));
            targets.Add([y[t]]);
        }
        var forward = SeqCourse.Rnn.Forward(xs, null, p);
        var (J, dZy) = Losses.SoftmaxCrossEntropy(forward.Zy, targets);
        var grads = SeqCourse.Rnn.Backward(dZy, forward, p).Grads;
        Trainer.CheckFinite(0, J, grads);
        clipped = Clipping.ByValue(grads, clip);
        optimizer.Step(p, grads);
        return J;
    }

    private static void AssertClose(double expected, double actual, string what)
    {
        double tol = 1e-12 * Math.Max(1.0, Math.Abs(expected));
        Assert.True(Math.Abs(expected - actual) <= tol, $"{what}: expected {expected:R}, got {actual:R} (diff {Math.Abs(expected - actual):E2})");
    }

    private static void AssertSame(IParameterSet expected, IParameterSet actual, string when)
    {
        var e = expected.Items; var a = actual.Items;
        for (int k = 0; k < e.Count; k++)
            for (int j = 0; j < e[k].Value.ColumnCount; j++)
                for (int i = 0; i < e[k].Value.RowCount; i++)
                    AssertClose(e[k].Value[i, j], a[k].Value[i, j], $"{when}: {e[k].Name}[{i}, {j}]");
    }

    // (hidden size, letters): the bench size (50, 26 → V = 27), sizes that are multiples of 8 (64, 15 → V = 16),
    // odd sizes below 8 (the kernels fall back to narrower vectors) and between.
    [Theory]
    [InlineData(50, 26, 0.01, 5.0)]
    [InlineData(50, 26, 0.15, 0.05)]     // larger weights and a small clip: many gradients are clipped
    [InlineData(64, 15, 0.1, 5.0)]
    [InlineData(13, 4, 0.3, 1.0)]
    [InlineData(3, 3, 0.8, 5.0)]
    [InlineData(9, 10, 0.3, 0.5)]
    public void SgdStepMatchesStraightforwardComposition(int hidden, int letters, double initStd, double clip)
    {
        var names = Names(12, seed: hidden + letters, letters);
        var vocab = Vocabulary.Characters(names);
        foreach (var level in Levels)
        {
            var lm = new CharLanguageModel(vocab, hidden, new Random(5), initStd);
            lm.Fused.Level = level;
            var reference = lm.Parameters.DeepCopy();
            var sgd = new Sgd(0.1);
            var referenceSgd = new Sgd(0.1);
            int clippedTotal = 0;
            foreach (var name in names)
            {
                var y = lm.Encode(name);
                double expected = ReferenceStep(reference, y, referenceSgd, clip, out int clipped);
                clippedTotal += clipped;
                double actual = lm.TrainStep(y, sgd, clip);
                AssertClose(expected, actual, $"{level} loss of '{name}'");
                AssertSame(reference, lm.Parameters, $"{level} after '{name}'");
            }
            Assert.Equal(names.Length, sgd.Steps);
            if (clip < 1) Assert.True(clippedTotal > 0, "the small clip must change some entries");
        }
    }

    [Theory]
    [InlineData(SimdLevel.Vector512)]
    [InlineData(SimdLevel.Vector256)]
    [InlineData(SimdLevel.Scalar)]
    public void GradientsMatchLossAndGradients(SimdLevel level)
    {
        var names = Names(6, seed: 11);
        var vocab = Vocabulary.Characters(names);
        var lm = new CharLanguageModel(vocab, 50, new Random(2), initStd: 0.2);
        var fused = new FusedRnnLm { Level = level };
        // Long, short, long again: the reused buffers (and the cleared W_ax columns) must not leak between sequences.
        foreach (var y in new[] { lm.Encode(names[0] + names[1]), lm.Encode(names[3][..2]), lm.Encode(names[2]), lm.Encode(names[4][..1]) })
        {
            var (J, grads) = lm.LossAndGradients(y);
            Assert.True(fused.TryLossAndGradients(lm.Parameters, y, out double loss));
            AssertClose(J, loss, $"{level} loss");
            AssertSame(grads, fused.Gradients, $"{level} gradients");
        }
    }

    [Fact]
    public void MomentumUsesFusedGradientsAdagradAndAdamTheStraightforwardPath()
    {
        var names = Names(8, seed: 3);
        var vocab = Vocabulary.Characters(names);
        Func<IOptimizer>[] make = [() => new Momentum(0.05), () => new Adagrad(0.1), () => new Adam(0.01)];
        foreach (var create in make)
        {
            var lm = new CharLanguageModel(vocab, 50, new Random(4), initStd: 0.1);
            var reference = lm.Parameters.DeepCopy();
            var optimizer = create();
            var referenceOptimizer = create();
            bool exact = optimizer is not Momentum;     // the same code runs, so the same bits come out
            foreach (var name in names)
            {
                var y = lm.Encode(name);
                double expected = ReferenceStep(reference, y, referenceOptimizer, 1.0);
                double actual = lm.TrainStep(y, optimizer, 1.0);
                if (exact)
                {
                    Assert.Equal(expected, actual);
                    for (int k = 0; k < reference.Items.Count; k++) Assert.Equal(reference.Items[k].Value, lm.Parameters.Items[k].Value);
                }
                else
                {
                    AssertClose(expected, actual, $"{optimizer.GetType().Name} loss");
                    AssertSame(reference, lm.Parameters, $"{optimizer.GetType().Name} after '{name}'");
                }
            }
            Assert.Equal(names.Length, ((Optimizer)optimizer).Steps);
        }
    }

    [Fact]
    public void NonTanhActivationTakesStraightforwardPath()
    {
        var names = Names(4, seed: 8);
        var vocab = Vocabulary.Characters(names);
        var lm = new CharLanguageModel(vocab, 10, new Random(4), 0.3) { G = Activation.Relu };
        var reference = lm.Parameters.DeepCopy();
        var sgd = new Sgd(0.1);
        foreach (var name in names)
        {
            var y = lm.Encode(name);
            var (J, grads) = new CharLanguageModel(vocab, reference) { G = Activation.Relu, UseFusedStep = false }.LossAndGradients(y);
            Clipping.ByValue(grads, 5.0);
            new Sgd(0.1).Step(reference, grads);
            AssertClose(J, lm.TrainStep(y, sgd, 5.0), "relu loss");
            AssertSame(reference, lm.Parameters, "relu");
        }
    }

    [Fact]
    public void WarmedUpSgdStepDoesNotAllocate()
    {
        var names = Names(200, seed: 1);
        var vocab = Vocabulary.Characters(names);
        var lm = new CharLanguageModel(vocab, 50, new Random(0));
        var data = names.Select(lm.Encode).ToArray();
        var sgd = new Sgd(0.01);
        foreach (var y in data) lm.TrainStep(y, sgd, 5.0);      // warm-up: buffers sized, methods compiled
        long before = GC.GetAllocatedBytesForCurrentThread();
        foreach (var y in data) lm.TrainStep(y, sgd, 5.0);
        long perStep = (GC.GetAllocatedBytesForCurrentThread() - before) / data.Length;
        Assert.True(perStep == 0, $"{perStep} bytes allocated per step");
    }

    [Fact]
    public void NonFiniteAndBadArgumentsReportLikeTheStraightforwardPath()
    {
        var names = Names(3, seed: 2);
        var vocab = Vocabulary.Characters(names);
        var lm = new CharLanguageModel(vocab, 50, new Random(0));
        var y = lm.Encode(names[0]);
        Assert.Throws<ArgumentException>(() => lm.TrainStep(y, new Sgd(0.1), 0.0));
        Assert.Throws<ArgumentException>(() => lm.TrainStep([99], new Sgd(0.1)));
        // One optimizer for two models of different shapes is refused, on the fused path as on the general one.
        var sgd = new Sgd(0.1);
        lm.TrainStep(y, sgd);
        var other = new CharLanguageModel(vocab, 20, new Random(0));
        var ex = Assert.Throws<ArgumentException>(() => other.TrainStep(y, sgd));
        Assert.Contains("one optimizer per model", ex.Message);
        // A huge recurrent weight overflows the gradient: the same exception names the same entry, nothing is updated.
        lm.Parameters.Wya[3, 4] = double.PositiveInfinity;
        var before = lm.Parameters.DeepCopy();
        var fused = Assert.Throws<TrainingDivergedException>(() => lm.TrainStep(y, new Sgd(0.1)));
        var straight = new CharLanguageModel(vocab, lm.Parameters.DeepCopy()) { UseFusedStep = false };
        var expected = Assert.Throws<TrainingDivergedException>(() => straight.TrainStep(y, new Sgd(0.1)));
        Assert.Equal(expected.Message, fused.Message);
        Assert.Equal(before.Waa, lm.Parameters.Waa);
        lm.Parameters.Wya[3, 4] = double.NaN;
        Assert.Throws<TrainingDivergedException>(() => lm.TrainStep(y, new Sgd(0.1)));
    }

    private static double Ulp(double v) => Math.BitIncrement(Math.Abs(v)) - Math.Abs(v);

    [Theory]
    [InlineData(SimdLevel.Vector512)]
    [InlineData(SimdLevel.Vector256)]
    [InlineData(SimdLevel.Scalar)]
    public void TanhAndExpMatchMathToAFewUlp(SimdLevel level)
    {
        var rng = new Random(9);
        var xs = new List<double> { 0.0, -0.0, 1e-300, -1e-300, 1e-17, 0.3465, 0.3466, -0.3467, 0.5493, 1, -1, 18.5, 19.1, -22, 40, 354, -355, 400, 1e300, -1e300 };
        foreach (var scale in new[] { 1e-12, 1e-6, 1e-3, 0.1, 0.5, 1, 3, 10, 30, 400 })
            for (int i = 0; i < 4000; i++) xs.Add((2 * rng.NextDouble() - 1) * scale);
        int n = xs.Count;
        var x = xs.ToArray(); var t = new double[n]; var negative = x.Select(v => -Math.Abs(v)).ToArray(); var e = new double[n];
        FusedRnnLm.Tanh(x, t, level);
        FusedRnnLm.ExpNonPositive(negative, e, level);
        for (int i = 0; i < n; i++)
        {
            double tanh = Math.Tanh(x[i]);
            Assert.True(Math.Abs(t[i] - tanh) <= 4 * Ulp(tanh), $"tanh({x[i]:R}) = {tanh:R}, kernel {t[i]:R}");
            Assert.Equal(double.IsNegative(tanh), double.IsNegative(t[i]));
            double exp = Math.Exp(negative[i]);
            // Below e^−708 the kernel clamps (the softmax never needs those: they vanish next to e^0 = 1).
            if (negative[i] >= -708)
                Assert.True(Math.Abs(e[i] - exp) <= 4 * Ulp(exp), $"exp({negative[i]:R}) = {exp:R}, kernel {e[i]:R}");
            else Assert.True(e[i] < 1e-307);
        }
    }
}
