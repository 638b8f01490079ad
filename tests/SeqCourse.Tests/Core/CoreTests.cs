using MathNet.Numerics.LinearAlgebra;

namespace SeqCourse.Tests.Core;

public class GradientCheckTests
{
    [Fact]
    public void CubeExampleFromSyllabus()
    {
        // §3.12: J = θ³ at θ = 2 gives g_num = 12.0000000002 and relative error ≈ 8.8e-12.
        var theta = Matrix<double>.Build.Dense(1, 1, 2.0);
        double J() => Math.Pow(theta[0, 0], 3);
        var g = Matrix<double>.Build.Dense(1, 1, 12.0);
        var report = GradientCheck.Run(J, ParameterSet.Of(new NamedMatrix("theta", theta)), ParameterSet.Of(new NamedMatrix("dtheta", g)));
        Assert.True(report.Passed, report.ToString());
        Assert.InRange(report.MaxRelativeError, 1e-12, 5e-11);
        Assert.Equal(2.0, theta[0, 0]); // restored
        Assert.Equal(12.0000000002, GradientCheck.Numeric(J, theta, 0, 0), 9);
    }

    [Fact]
    public void BuggyGradientFails()
    {
        var theta = Matrix<double>.Build.Dense(1, 1, 2.0);
        var report = GradientCheck.Run(() => Math.Pow(theta[0, 0], 3), ParameterSet.Of(new NamedMatrix("theta", theta)),
            ParameterSet.Of(new NamedMatrix("dtheta", Matrix<double>.Build.Dense(1, 1, 12.5))));
        Assert.False(report.Passed);
        Assert.Equal(0.0204, report.MaxRelativeError, 4);
        Assert.Contains("WRONG", report.ToString());
    }

    [Fact]
    public void MismatchedShapesAreReported()
    {
        var p = ParameterSet.Of(new NamedMatrix("W", Matrix<double>.Build.Dense(2, 3)));
        var g = ParameterSet.Of(new NamedMatrix("dW", Matrix<double>.Build.Dense(3, 2)));
        var ex = Assert.Throws<ArgumentException>(() => GradientCheck.Run(() => 0, p, g));
        Assert.Contains("(2, 3)", ex.Message);
        Assert.Contains("(3, 2)", ex.Message);
    }
}

public class ActivationTests
{
    [Fact]
    public void SoftmaxIsStableAndSumsToOne()
    {
        var z = Matrix<double>.Build.DenseOfArray(new double[,] { { 1000, 2 }, { 1001, 1 }, { 999, 0 } });
        var p = Activations.Softmax(z);
        Assert.Equal(1.0, p.Column(0).Sum(), 12);
        Assert.Equal(0.6652410, p[0, 1], 7); // §3.6, τ = 1
        Assert.Equal(0.2447285, p[1, 1], 7);
        Assert.Equal(0.09003057, p[2, 1], 8);
        var lp = Activations.LogSoftmax(z);
        Assert.Equal(Math.Log(p[0, 0]), lp[0, 0], 12);
    }

    [Fact]
    public void SigmoidDoesNotOverflowAndPeaksAtQuarter()
    {
        Assert.Equal(1.0, Activations.Sigmoid(800.0));
        Assert.Equal(0.0, Activations.Sigmoid(-800.0));
        var a = Activations.Sigmoid(Matrix<double>.Build.Dense(1, 1, 0.0));
        Assert.Equal(0.25, Activations.SigmoidGradFromOutput(a)[0, 0]);
    }

    [Fact]
    public void LogSumExpTreatsNegativeInfinityAsIdentity()
    {
        Assert.Equal(double.NegativeInfinity, Activations.LogSumExp(new[] { double.NegativeInfinity, double.NegativeInfinity }));
        Assert.Equal(Math.Log(3), Activations.LogSumExp(new[] { 0.0, double.NegativeInfinity, Math.Log(2) }), 14);
    }
}

public class InitTests
{
    [Fact]
    public void XavierAndHeStandardDeviations()
    {
        // §3.13: for n_in = 16, Xavier std 0.25, He std 0.3535534.
        var x = Init.Xavier(400, 16, new Random(1));
        var h = Init.He(400, 16, new Random(1));
        double Std(Matrix<double> m) => Math.Sqrt(m.Enumerate().Select(v => v * v).Average());
        Assert.InRange(Std(x), 0.25 * 0.95, 0.25 * 1.05);
        Assert.InRange(Std(h), 0.3535534 * 0.95, 0.3535534 * 1.05);
        Assert.Equal(Init.Xavier(3, 4, new Random(7)), Init.Xavier(3, 4, new Random(7)));
    }

    [Fact]
    public void BadArgumentsNameTheArgument()
    {
        var ex = Assert.Throws<ArgumentException>(() => Init.Normal(0, 3, 1, new Random()));
        Assert.Equal("rows", ex.ParamName);
        Assert.Contains("0", ex.Message);
    }
}

public class LossTests
{
    private static Matrix<double>[] RandomSeq(int n, int m, int T, Random rng) =>
        Enumerable.Range(0, T).Select(_ => Init.Normal(n, m, 1.0, rng)).ToArray();

    [Fact]
    public void SoftmaxCrossEntropyGradientCheck()
    {
        var rng = new Random(3);
        var zy = RandomSeq(5, 4, 3, rng);
        var targets = new[] { new[] { 0, 1, 4, -1 }, new[] { 2, 2, -1, 3 }, new[] { 1, 0, 3, 4 } };
        var (_, dZy) = Losses.SoftmaxCrossEntropy(zy, targets);
        var p = ParameterSet.Of(zy.Select((z, t) => new NamedMatrix($"zy{t}", z)).ToArray());
        var g = ParameterSet.Of(dZy.Select((z, t) => new NamedMatrix($"dzy{t}", z)).ToArray());
        var report = GradientCheck.Run(() => Losses.SoftmaxCrossEntropy(zy, targets).J, p, g);
        Assert.True(report.Passed, report.ToString());
        Assert.Equal(0.0, dZy[0].Column(3).AbsoluteMaximum()); // padding gets no gradient
    }

    [Fact]
    public void SoftmaxCrossEntropyHandValue()
    {
        // z = (1, 0.5, 1.5), target 2: L = −ln 0.5064804 = 0.6802697 (§3.10 numbers).
        var z = Matrix<double>.Build.DenseOfColumnArrays(new[] { 1.0, 0.5, 1.5 });
        var (J, d) = Losses.SoftmaxCrossEntropy(new[] { z }, new[] { new[] { 2 } });
        Assert.Equal(0.6802697, J, 7);
        Assert.Equal(0.5064804 - 1, d[0][2, 0], 7);
    }

    [Fact]
    public void BinaryCrossEntropyGradientCheckWithMask()
    {
        var rng = new Random(5);
        var zy = RandomSeq(2, 3, 4, rng);
        var y = Enumerable.Range(0, 4).Select(_ => Matrix<double>.Build.Dense(2, 3, (i, j) => rng.Next(2))).ToArray();
        var mask = Enumerable.Range(0, 4).Select(t => Matrix<double>.Build.Dense(1, 3, (i, j) => t < 2 + j ? 1 : 0)).ToArray();
        var (_, dZy) = Losses.SigmoidBinaryCrossEntropy(zy, y, mask);
        var p = ParameterSet.Of(zy.Select((z, t) => new NamedMatrix($"zy{t}", z)).ToArray());
        var g = ParameterSet.Of(dZy.Select((z, t) => new NamedMatrix($"dzy{t}", z)).ToArray());
        Assert.True(GradientCheck.Run(() => Losses.SigmoidBinaryCrossEntropy(zy, y, mask).J, p, g) is { Passed: true } r, "BCE");
        // hand value: z = 0, y = 1 → ln 2
        var (J, _) = Losses.SigmoidBinaryCrossEntropy(new[] { Matrix<double>.Build.Dense(1, 1) }, new[] { Matrix<double>.Build.Dense(1, 1, 1.0) });
        Assert.Equal(Math.Log(2), J, 14);
    }

    [Fact]
    public void BadTargetsAreReported()
    {
        var z = Matrix<double>.Build.Dense(3, 2);
        var ex = Assert.Throws<ArgumentException>(() => Losses.SoftmaxCrossEntropy(new[] { z }, new[] { new[] { 0, 7 } }));
        Assert.Contains("[0, 2]", ex.Message);
        Assert.Contains("7", ex.Message);
        Assert.Throws<ArgumentException>(() => Losses.SoftmaxCrossEntropy(Array.Empty<Matrix<double>>(), Array.Empty<int[]>()));
    }
}
