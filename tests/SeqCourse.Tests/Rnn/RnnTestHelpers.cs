using MathNet.Numerics.LinearAlgebra;

namespace SeqCourse.Tests.Rnn;

/// <summary>Small helpers shared by the RNN, training and text tests.</summary>
internal static class H
{
    public static Matrix<double> M(double[,] v) => Matrix<double>.Build.DenseOfArray(v);

    public static Matrix<double> Scalar(double v) => Matrix<double>.Build.Dense(1, 1, v);

    public static Matrix<double>[] RandomSeq(int n, int m, int T, Random rng, double std = 1.0, double shift = 0.0) =>
        Enumerable.Range(0, T).Select(_ => Init.Normal(n, m, std, rng).Add(shift)).ToArray();

    public static RnnParameters RandomParams(int nx, int na, int ny, Random rng, double std = 0.5)
    {
        var p = RnnParameters.Create(nx, na, ny, rng, std);
        // non-zero biases so that their gradients are exercised with realistic values
        p.ba.SetSubMatrix(0, 0, Init.Normal(na, 1, 0.1, rng));
        p.by.SetSubMatrix(0, 0, Init.Normal(ny, 1, 0.1, rng));
        return p;
    }

    public static int[][] RandomTargets(int ny, int m, int T, Random rng) =>
        Enumerable.Range(0, T).Select(_ => Enumerable.Range(0, m).Select(_ => rng.Next(ny)).ToArray()).ToArray();

    /// <summary>Named sets for a gradient check over extra inputs (x⟨t⟩, a⟨0⟩) besides the parameters.</summary>
    public static IParameterSet Named(string prefix, IReadOnlyList<Matrix<double>> ms) =>
        ParameterSet.Of(ms.Select((m, i) => new NamedMatrix($"{prefix}{i}", m)).ToArray());

    /// <summary>Asserts the §3.12 gradient check passes (&lt; 1e-7), printing the report on failure.</summary>
    public static GradientCheckReport AssertGradients(Func<double> J, IParameterSet parameters, IParameterSet grads)
    {
        var report = GradientCheck.Run(J, parameters, grads);
        Assert.True(report.Passed, report.ToString());
        return report;
    }

    public static double MaxAbsDiff(Matrix<double> a, Matrix<double> b)
    {
        Assert.Equal(a.RowCount, b.RowCount);
        Assert.Equal(a.ColumnCount, b.ColumnCount);
        return (a - b).Enumerate().Select(Math.Abs).DefaultIfEmpty(0).Max();
    }

    public static void AssertClose(Matrix<double> expected, Matrix<double> actual, double tol, string what)
    {
        double d = MaxAbsDiff(expected, actual);
        Assert.True(d <= tol, $"{what}: max |diff| = {d:E3} > {tol:E0}\nexpected\n{expected}\nactual\n{actual}");
    }

    /// <summary>J = Σ_t Σ R⟨t⟩ ⊙ Y⟨t⟩ (§3.12), so every output gets a non-trivial gradient.</summary>
    public static double WeightedSum(IReadOnlyList<Matrix<double>> R, IReadOnlyList<Matrix<double>> Y)
    {
        double s = 0;
        for (int t = 0; t < R.Count; t++) s += R[t].PointwiseMultiply(Y[t]).Enumerate().Sum();
        return s;
    }
}

/// <summary>A <see cref="Random"/> whose NextDouble returns the given values in turn (to test the sampling rule exactly).</summary>
internal sealed class FixedRandom(params double[] values) : Random
{
    private int _i;

    public override double NextDouble() => values[_i++ % values.Length];

    protected override double Sample() => NextDouble();
}
