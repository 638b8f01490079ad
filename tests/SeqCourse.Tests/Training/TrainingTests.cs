using MathNet.Numerics.LinearAlgebra;
using SeqCourse.Tests.Rnn;

namespace SeqCourse.Tests.Training;

public class ClippingTests
{
    private static IParameterSet Three(double a, double b, double c) =>
        ParameterSet.Of(new NamedMatrix("dWaa", H.Scalar(a)), new NamedMatrix("dba", H.Scalar(b)), new NamedMatrix("dWya", H.Scalar(c)));

    private static double[] Values(IParameterSet g) => g.Items.SelectMany(i => i.Value.Enumerate()).ToArray();

    [Fact]
    public void ByValueExampleFromSyllabus()
    {
        // §3.5: g = (3, −4, 12) spread over three gradients; N = 5 gives (3, −4, 5), norm 7.0710678, a new direction.
        var g = Three(3, -4, 12);
        Assert.Equal(1, Clipping.ByValue(g, 5));
        Assert.Equal([3.0, -4.0, 5.0], Values(g));
        Assert.Equal(7.0710678, Clipping.GlobalNorm(g), 7);
        var neg = Three(-30, 0.5, -5);
        Clipping.ByValue(neg, 5);
        Assert.Equal([-5.0, 0.5, -5.0], Values(neg));
    }

    [Fact]
    public void ByGlobalNormExampleFromSyllabus()
    {
        // θ = 5: (15/13, −20/13, 60/13) = (1.1538462, −1.5384615, 4.6153846), norm 5; returns ‖g‖ = 13.
        var g = Three(3, -4, 12);
        Assert.Equal(13.0, Clipping.ByGlobalNorm(g, 5), 14);
        var v = Values(g);
        Assert.Equal(1.1538462, v[0], 7); Assert.Equal(-1.5384615, v[1], 7); Assert.Equal(4.6153846, v[2], 7);
        Assert.Equal(5.0, Clipping.GlobalNorm(g), 14);
        // below the threshold nothing changes
        var small = Three(0.3, -0.4, 1.2);
        Assert.Equal(1.3, Clipping.ByGlobalNorm(small, 5), 14);
        Assert.Equal([0.3, -0.4, 1.2], Values(small));
    }

    [Fact]
    public void BadThresholdNamesArgument()
    {
        var ex = Assert.Throws<ArgumentException>(() => Clipping.ByValue(Three(1, 2, 3), 0));
        Assert.Equal("maxValue", ex.ParamName); Assert.Contains("0", ex.Message);
        ex = Assert.Throws<ArgumentException>(() => Clipping.ByGlobalNorm(Three(1, 2, 3), -1));
        Assert.Equal("threshold", ex.ParamName); Assert.Contains("-1", ex.Message);
    }
}

public class OptimizerTests
{
    private static (IParameterSet P, IParameterSet G, Matrix<double> Theta, Matrix<double> Grad) Single(double[] theta, double[] grad)
    {
        var t = Matrix<double>.Build.DenseOfColumnArrays(theta);
        var g = Matrix<double>.Build.DenseOfColumnArrays(grad);
        return (ParameterSet.Of(new NamedMatrix("W", t)), ParameterSet.Of(new NamedMatrix("dW", g)), t, g);
    }

    [Fact]
    public void SgdStep()
    {
        var (p, g, t, _) = Single([1.0, -2.0], [0.5, -0.1]);
        new Sgd(0.1).Step(p, g);
        Assert.Equal(0.95, t[0, 0], 15); Assert.Equal(-1.99, t[1, 0], 15);
    }

    [Fact]
    public void MomentumTwoSteps()
    {
        // v = 0.9·0 + 0.1·0.5 = 0.05, θ = 1 − 0.1·0.05 = 0.995; then v = 0.045 + 0.05 = 0.095, θ = 0.995 − 0.0095 = 0.9855.
        var (p, g, t, _) = Single([1.0], [0.5]);
        var opt = new Momentum(0.1, 0.9);
        opt.Step(p, g); Assert.Equal(0.995, t[0, 0], 15);
        opt.Step(p, g); Assert.Equal(0.9855, t[0, 0], 15);
    }

    [Fact]
    public void AdagradStepsLikeMinCharRnn()
    {
        // mem = 0.25, θ = 1 − 0.1·0.5/√(0.25 + 1e-8) = 0.900000002; then mem = 0.5, θ −= 0.05/√(0.50000001) → 0.8292893246.
        var (p, g, t, _) = Single([1.0], [0.5]);
        var opt = new Adagrad(0.1);
        opt.Step(p, g); Assert.Equal(0.900000002, t[0, 0], 12);
        opt.Step(p, g); Assert.Equal(0.8292893246, t[0, 0], 10);
    }

    [Fact]
    public void AdamOneStepIsBiasCorrected()
    {
        // t = 1: m = 0.1 g, v = 0.001 g², m̂ = g, v̂ = g², so θ −= α g/(|g| + 1e-8):
        // 1 − 0.01·0.5/0.50000001 = 0.9900000002,  −2 + 0.01·0.1/0.10000001 = −1.990000001.
        var (p, g, t, _) = Single([1.0, -2.0], [0.5, -0.1]);
        var opt = new Adam(0.01);
        opt.Step(p, g);
        Assert.Equal(0.9900000002, t[0, 0], 13);
        Assert.Equal(-1.990000001, t[1, 0], 13);
        Assert.Equal(1, opt.Steps);
        // t = 2 with the same gradient: m̂ = 0.095/0.19 = 0.5, v̂ = 0.00049975/0.001999 = 0.25 → the same step again
        opt.Step(p, g);
        Assert.Equal(0.9800000004, t[0, 0], 12);
    }

    [Fact]
    public void OptimizersWorkOnRnnParameterSets()
    {
        var rng = new Random(1);
        var p = H.RandomParams(3, 4, 2, rng);
        var before = p.DeepCopy();
        var xs = H.RandomSeq(3, 2, 3, rng);
        var targets = H.RandomTargets(2, 2, 3, rng);
        var (_, grads) = RnnArchitectures.ManyToMany(xs, targets, p);
        new Sgd(0.5).Step(p, grads);
        H.AssertClose(before.Waa - 0.5 * grads.dWaa, p.Waa, 1e-15, "Waa");
        H.AssertClose(before.by - 0.5 * grads.dby, p.by, 1e-15, "by");
    }

    [Fact]
    public void MismatchedGradientsAreReported()
    {
        var (p, _, _, _) = Single([1.0, 2.0], [0, 0]);
        var g = ParameterSet.Of(new NamedMatrix("dW", Matrix<double>.Build.Dense(3, 1)));
        var ex = Assert.Throws<ArgumentException>(() => new Adam().Step(p, g));
        Assert.Contains("(2, 1)", ex.Message); Assert.Contains("(3, 1)", ex.Message);
        Assert.Throws<ArgumentException>(() => new Sgd(0));

        // one optimizer per model: its state is shaped by the first call
        var adam = new Adam();
        var (p1, g1, _, _) = Single([1.0, 2.0], [0.1, 0.1]);
        adam.Step(p1, g1);
        var (p2, g2, _, _) = Single([1.0, 2.0, 3.0], [0.1, 0.1, 0.1]);
        ex = Assert.Throws<ArgumentException>(() => adam.Step(p2, g2));
        Assert.Equal("parameters", ex.ParamName);
        Assert.Contains("(2, 1)", ex.Message); Assert.Contains("(3, 1)", ex.Message); Assert.Contains("one optimizer per model", ex.Message);
    }
}

public class TrainerTests
{
    [Fact]
    public void MinimisesAQuadraticAndRecordsHistory()
    {
        // J = ½‖θ − c‖², dJ/dθ = θ − c
        var theta = Matrix<double>.Build.DenseOfColumnArrays([3.0, -1.0]);
        var c = Matrix<double>.Build.DenseOfColumnArrays([1.0, 2.0]);
        var p = ParameterSet.Of(new NamedMatrix("theta", theta));
        var progress = new List<TrainingProgress>();
        var trainer = new Trainer(p, new Sgd(0.1)) { Progress = progress.Add, ProgressEvery = 10, Smoothing = 0.5 };
        var result = trainer.Run(_ =>
        {
            var d = theta - c;
            return (0.5 * d.FrobeniusNorm() * d.FrobeniusNorm(), ParameterSet.Of(new NamedMatrix("dtheta", d)));
        }, 100);
        Assert.Equal(100, result.StepsDone);
        Assert.False(result.Cancelled);
        Assert.Equal(6.5, result.Losses[0], 14);                  // ½(2² + 3²)
        Assert.Equal(6.5 * 0.81, result.Losses[1], 12);           // each step scales θ − c by 0.9
        Assert.Equal(0.5 * 6.5 + 0.5 * 6.5 * 0.81, result.SmoothedLosses[1], 12);
        Assert.True(result.Losses[^1] < 1e-8);
        Assert.Equal(10, progress.Count);
        Assert.Equal(99, progress[^1].Step);
    }

    [Fact]
    public void NaNInAGradientNamesStepAndParameter()
    {
        var rng = new Random(2);
        var p = H.RandomParams(3, 4, 2, rng);
        var trainer = new Trainer(p, new Sgd(0.1));
        var ex = Assert.Throws<TrainingDivergedException>(() => trainer.Run(step =>
        {
            var g = RnnGradients.ZerosLike(p);
            if (step == 3) g.dWax[1, 2] = double.NaN;
            return (1.0, g);
        }, 10));
        Assert.Equal(3, ex.Step);
        Assert.Equal("dWax[1, 2]", ex.Quantity);
        Assert.Contains("step 3", ex.Message); Assert.Contains("dWax", ex.Message);
        Assert.Equal(3, trainer.Losses.Count);   // steps 0–2 were recorded, step 3 was not applied

        var ex2 = Assert.Throws<TrainingDivergedException>(() => new Trainer(p, new Sgd(0.1)).Run(
            step => (step == 1 ? double.PositiveInfinity : 1.0, RnnGradients.ZerosLike(p)), 5));
        Assert.Equal(1, ex2.Step); Assert.Equal("loss", ex2.Quantity); Assert.Contains("Infinity", ex2.Message);
    }

    [Fact]
    public void ClipsBeforeUpdatingAndHonoursCancellation()
    {
        var theta = Matrix<double>.Build.DenseOfColumnArrays([0.0]);
        var p = ParameterSet.Of(new NamedMatrix("theta", theta));
        using var cts = new CancellationTokenSource();
        var trainer = new Trainer(p, new Sgd(1.0))
        {
            ClipValue = 5,
            ProgressEvery = 1,
            Progress = pr => { if (pr.Step == 4) cts.Cancel(); },
        };
        var result = trainer.Run(_ => (1.0, ParameterSet.Of(new NamedMatrix("d", H.Scalar(-100)))), 1000, cts.Token);
        Assert.True(result.Cancelled);
        Assert.Equal(5, result.StepsDone);
        Assert.Equal(25.0, theta[0, 0]);   // five steps of +5 (clipped from +100)

        var byNorm = new Trainer(ParameterSet.Of(new NamedMatrix("theta", theta)), new Sgd(1.0)) { ClipNorm = 13.0 / 5, ProgressEvery = 1 };
        theta[0, 0] = 0;
        byNorm.Run(_ => (1.0, ParameterSet.Of(new NamedMatrix("d", H.Scalar(-13)))), 1);
        Assert.Equal(2.6, theta[0, 0], 14);
    }
}
