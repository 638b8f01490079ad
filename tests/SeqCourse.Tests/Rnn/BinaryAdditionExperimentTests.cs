using MathNet.Numerics.LinearAlgebra;

namespace SeqCourse.Tests.Rnn;

/// <summary>The binary-addition RNN and experiment of syllabus §5.2 / lecture 1.6 (b).</summary>
public class BinaryAdditionExperimentTests
{
    private static readonly (int A, int B)[] SomePairs = [(0, 0), (127, 127), (37, 90), (64, 1), (5, 122), (100, 27)];

    private static BinaryAdditionRnn RandomModel(Activation g, int na, Random rng) =>
        new(H.RandomParams(2, na, 1, rng, std: 0.7), g);

    [Theory]
    [InlineData(Activation.Sigmoid)]
    [InlineData(Activation.Tanh)]
    [InlineData(Activation.Relu)]
    public void GradientCheckOverEveryParameter(Activation g)
    {
        var rng = new Random(11);
        var model = RandomModel(g, 5, rng);
        var (x, y) = BinaryAddition.Batch(SomePairs);
        model.LossAndGradients(x, y);
        var grads = model.Gradients;   // the analytic gradients at the current parameters
        var report = H.AssertGradients(() => model.Loss(x, y), model.Parameters, grads);
        Assert.Equal(["Waa", "Wax", "ba", "Wya", "by"], report.Entries.Select(e => e.Name));
        Assert.All(report.Entries, e => Assert.True(e.RelativeError < 1e-7, $"{e.Name}: {e.RelativeError:E2}"));
    }

    [Theory]
    [InlineData(Activation.Sigmoid)]
    [InlineData(Activation.Tanh)]
    [InlineData(Activation.Relu)]
    public void MatchesTheLibraryRnnAndBceLoss(Activation g)
    {
        // The preallocated model must compute what Rnn.Forward + Losses.SigmoidBinaryCrossEntropy + Rnn.Backward compute.
        var rng = new Random(5);
        var model = RandomModel(g, 7, rng);
        var (x, y) = BinaryAddition.Batch(SomePairs);
        double J = model.LossAndGradients(x, y);

        var fwd = SeqCourse.Rnn.Forward(x, null, model.Parameters, g);
        var (Jref, dZy) = Losses.SigmoidBinaryCrossEntropy(fwd.Zy, y);
        var back = SeqCourse.Rnn.Backward(dZy, fwd, model.Parameters);
        Assert.Equal(Jref, J, 1e-12);
        var mine = model.Gradients.Items; var theirs = back.Grads.Items;
        for (int k = 0; k < mine.Count; k++) H.AssertClose(theirs[k].Value, mine[k].Value, 1e-12, mine[k].Name);

        var yHat = model.Predict(x);
        var yHatRef = fwd.SigmoidOutputs();
        for (int t = 0; t < 8; t++) H.AssertClose(yHatRef[t], yHat[t], 1e-14, $"ŷ<{t + 1}>");

        // A second, smaller batch reuses nothing stale: loss equals a fresh computation.
        var (x2, y2) = BinaryAddition.Batch(SomePairs[..2]);
        Assert.Equal(Losses.SigmoidBinaryCrossEntropy(SeqCourse.Rnn.Forward(x2, null, model.Parameters, g).Zy, y2).J,
            model.Loss(x2, y2), 1e-12);
    }

    [Fact]
    public void AccuracyCountsAPairOnlyWhenAllEightBitsAreRight()
    {
        var rng = new Random(3);
        var model = RandomModel(Activation.Tanh, 6, rng);
        var pairs = BinaryAddition.AllPairs().Where((_, i) => i % 41 == 0).ToArray();
        var (x, y) = BinaryAddition.Batch(pairs);
        // Independent count: decode the thresholded predictions as a number and compare with a + b.
        var yHat = model.Predict(x);
        int right = Enumerable.Range(0, pairs.Length).Count(j => BinaryAddition.Decode(yHat, j) == pairs[j].A + pairs[j].B);
        Assert.Equal((double)right / pairs.Length, model.Accuracy(x, y), 15);
        // The targets themselves score 100 %: a model whose outputs are the targets is checked via Decode above.
        Assert.All(Enumerable.Range(0, pairs.Length), j => Assert.Equal(pairs[j].A + pairs[j].B, BinaryAddition.Decode(y, j)));
    }

    [Fact]
    public void S3SetUpReachesFullHeldOutAccuracy()
    {
        // S3's configuration (n_a = 16, σ, weight_init_std = 1, SGD with α = 0.1), batches of 16, 2 000 steps, seed 1.
        var options = new BinaryAdditionOptions { Steps = 2000, BatchSize = 16, EvalEvery = 250 };
        var r = BinaryAdditionExperiment.BinaryAdditionTrain(options, new Random(1));
        Assert.False(r.Diverged);
        Assert.Equal(2000, r.Losses.Count);
        Assert.Equal([0, 250, 500, 750, 1000, 1250, 1500, 1750, 2000], r.EvalSteps);
        Assert.True(r.HeldOutAccuracy[0] < 0.05, $"untrained accuracy {r.HeldOutAccuracy[0]}");
        Assert.Equal(1.0, r.FinalAccuracy);

        // Independently of Accuracy(): every one of the 1 638 held-out sums decodes right.
        var (_, test) = BinaryAddition.Split();
        var (x, _) = BinaryAddition.Batch(test);
        var yHat = new BinaryAdditionRnn(r.Parameters, Activation.Sigmoid).Predict(x);
        for (int j = 0; j < test.Length; j++)
            Assert.Equal(test[j].A + test[j].B, BinaryAddition.Decode(yHat, j));
        Assert.True(r.FinalLoss < 0.2, $"final loss {r.FinalLoss}");
    }

    [Fact]
    public void TanhWithAdamReachesFullHeldOutAccuracy()
    {
        var options = new BinaryAdditionOptions
        {
            Activation = Activation.Tanh, Initialization = WeightInit.Xavier, Optimizer = OptimizerKind.Adam,
            LearningRate = 0.01, Steps = 600, BatchSize = 16, EvalEvery = 100,
        };
        var r = BinaryAdditionExperiment.BinaryAdditionTrain(options, new Random(1));
        Assert.Equal(1.0, r.FinalAccuracy);
        Assert.True(r.Losses[^1] < r.Losses[0] / 50, $"loss {r.Losses[0]} → {r.Losses[^1]}");
    }

    [Fact]
    public void SameSeedSameRunDifferentSeedDifferentRun()
    {
        var options = new BinaryAdditionOptions { Steps = 50, BatchSize = 8, EvalEvery = 25 };
        var a = BinaryAdditionExperiment.BinaryAdditionTrain(options, 7);
        var b = BinaryAdditionExperiment.BinaryAdditionTrain(options, new Random(7));
        var c = BinaryAdditionExperiment.BinaryAdditionTrain(options, 8);
        Assert.Equal(a.Losses, b.Losses);
        Assert.Equal(a.HeldOutAccuracy, b.HeldOutAccuracy);
        Assert.NotEqual(a.Losses, c.Losses);
    }

    [Fact]
    public void InitialisationFollowsTheOptions()
    {
        // Xavier: std √(1/n_in); He: √(2/n_in); Normal: weight_init_std. Checked on W_aa (n_in = n_a = 64).
        double Std(Matrix<double> w) => Math.Sqrt(w.Enumerate().Select(v => v * v).Average());
        var o = new BinaryAdditionOptions { HiddenSize = 64 };
        var xavier = BinaryAdditionRnn.Create(o with { Initialization = WeightInit.Xavier }, new Random(1)).Parameters.Waa;
        var he = BinaryAdditionRnn.Create(o with { Initialization = WeightInit.He }, new Random(1)).Parameters.Waa;
        var normal = BinaryAdditionRnn.Create(o with { WeightInitStd = 10 }, new Random(1)).Parameters.Waa;
        Assert.InRange(Std(xavier), 0.125 * 0.95, 0.125 * 1.05);
        Assert.InRange(Std(he), Math.Sqrt(2.0 / 64) * 0.95, Math.Sqrt(2.0 / 64) * 1.05);
        Assert.InRange(Std(normal), 10 * 0.95, 10 * 1.05);
        Assert.Equal(Init.Xavier(64, 64, new Random(1)), xavier);   // the same draws, from the rng given
    }

    [Fact]
    public void ReluAtS3SettingsExplodesAndSaysWhen()
    {
        // S3's "check the gradient explosion" with ReLU: weight_init_std = 1, α = 0.1, no clipping (seed 1 blows up within a few steps).
        var options = new BinaryAdditionOptions { Activation = Activation.Relu, Steps = 200, EvalEvery = 50 };
        var r = BinaryAdditionExperiment.BinaryAdditionTrain(options, 1);
        Assert.True(r.Diverged);
        Assert.Equal(r.DivergedAtStep, r.Losses.Count);   // the diverging step is not recorded
        Assert.Equal(0.0, r.FinalAccuracy);
        Assert.True(double.IsNaN(r.FinalLoss));
    }

    public static TheoryData<string, BinaryAdditionOptions, string, string> BadOptions => new()
    {
        { "HiddenSize", new BinaryAdditionOptions { HiddenSize = 0 }, "a positive integer", "is 0" },
        { "Activation", new BinaryAdditionOptions { Activation = (Activation)42 }, "Sigmoid, Tanh or Relu", "is 42" },
        { "Initialization", new BinaryAdditionOptions { Initialization = (WeightInit)7 }, "Normal, Xavier or He", "is 7" },
        { "WeightInitStd", new BinaryAdditionOptions { WeightInitStd = -1 }, "> 0", "is -1" },
        { "WeightInitStd", new BinaryAdditionOptions { WeightInitStd = double.NaN }, "> 0", "is NaN" },
        { "LearningRate", new BinaryAdditionOptions { LearningRate = 0 }, "> 0", "is 0" },
        { "Optimizer", new BinaryAdditionOptions { Optimizer = (OptimizerKind)9 }, "Sgd, Momentum, Adagrad or Adam", "is 9" },
        { "BatchSize", new BinaryAdditionOptions { BatchSize = -3 }, "a positive integer", "is -3" },
        { "Steps", new BinaryAdditionOptions { Steps = 0 }, "a positive integer", "is 0" },
        { "EvalEvery", new BinaryAdditionOptions { EvalEvery = 0 }, "a positive integer", "is 0" },
        { "ClipNorm", new BinaryAdditionOptions { ClipNorm = 0 }, "> 0", "is 0" },
    };

    [Theory]
    [MemberData(nameof(BadOptions))]
    public void BadOptionsAreRejectedByName(string name, BinaryAdditionOptions options, string expected, string actual)
    {
        var e = Assert.Throws<ArgumentException>(() => BinaryAdditionExperiment.BinaryAdditionTrain(options, new Random(1)));
        Assert.Equal(name, e.ParamName);
        Assert.Contains(expected, e.Message);
        Assert.Contains(actual, e.Message);
    }

    [Fact]
    public void BadShapesAndArgumentsAreRejected()
    {
        var rng = new Random(2);
        var e1 = Assert.Throws<ArgumentException>(() => new BinaryAdditionRnn(H.RandomParams(3, 4, 1, rng), Activation.Tanh));
        Assert.Equal("parameters", e1.ParamName);
        Assert.Contains("2 columns", e1.Message); Assert.Contains("has 3", e1.Message);
        var e2 = Assert.Throws<ArgumentException>(() => new BinaryAdditionRnn(H.RandomParams(2, 4, 2, rng), Activation.Tanh));
        Assert.Contains("1 row", e2.Message); Assert.Contains("has 2", e2.Message);

        var model = RandomModel(Activation.Tanh, 4, rng);
        var (x, y) = BinaryAddition.Batch(SomePairs);
        var e3 = Assert.Throws<ArgumentException>(() => model.LossAndGradients(x, y[..7]));
        Assert.Equal("y", e3.ParamName); Assert.Contains("8", e3.Message); Assert.Contains("7", e3.Message);
        var badY = y.Select(m => m.Clone()).ToArray(); badY[3] = Matrix<double>.Build.Dense(1, 2);
        var e4 = Assert.Throws<ArgumentException>(() => model.Loss(x, badY));
        Assert.Equal("y[3]", e4.ParamName);
        var badX = x.Select(m => m.Clone()).ToArray(); badX[0] = Matrix<double>.Build.Dense(3, SomePairs.Length);
        Assert.Throws<ArgumentException>(() => model.Predict(badX));
        Assert.Throws<ArgumentException>(() => model.Predict([]));
        Assert.Throws<ArgumentNullException>(() => BinaryAdditionExperiment.BinaryAdditionTrain(null!, new Random(1)));
    }
}
