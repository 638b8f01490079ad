using System.Text.Json;
using MathNet.Numerics.LinearAlgebra;

namespace SeqCourse.Tests;

/// <summary>Shared helpers for the GRU, LSTM, BRNN and deep tests (syllabus §3.12 set-up).</summary>
internal static class GatedTestKit
{
    // §3.12 shapes
    public const int Nx = 3, Na = 5, M = 4, T = 4;

    public static Matrix<double> Mat(double[,] a) => Matrix<double>.Build.DenseOfArray(a);

    public static Matrix<double> Scalar(double v) => Matrix<double>.Build.Dense(1, 1, v);

    public static Matrix<double>[] RandomSeq(int steps, int rows, int m, Random rng, double std = 1.0) =>
        Enumerable.Range(0, steps).Select(_ => Init.Normal(rows, m, std, rng)).ToArray();

    /// <summary>J = Σ_t Σ R⟨t⟩ ⊙ out⟨t⟩; its gradient with respect to out⟨t⟩ is R⟨t⟩.</summary>
    public static double Objective(IReadOnlyList<Matrix<double>> R, IReadOnlyList<Matrix<double>> outs)
    {
        double J = 0;
        for (int t = 0; t < R.Count; t++) J += R[t].PointwiseMultiply(outs[t]).Enumerate().Sum();
        return J;
    }

    /// <summary>A sequence as a parameter set ("x1", "x2", …) so that gradient checks also probe the inputs.</summary>
    public static IParameterSet Seq(string prefix, IReadOnlyList<Matrix<double>> xs) =>
        ParameterSet.Of(xs.Select((x, t) => new NamedMatrix($"{prefix}{t + 1}", x)).ToArray());

    /// <summary>Concatenation of several sets without renaming (parameters, then inputs).</summary>
    public static IParameterSet Join(params IParameterSet[] sets) =>
        ParameterSet.Of(sets.SelectMany(s => s.Items).ToArray());

    public static GradientCheckReport AssertGradientsPass(Func<double> J, IParameterSet parameters, IParameterSet grads)
    {
        var report = GradientCheck.Run(J, parameters, grads);
        Assert.True(report.Passed, report.ToString());
        Assert.True(report.MaxRelativeError < 1e-7, report.ToString());
        // Every parameter must receive a non-trivial gradient, or the check proves little.
        foreach (var (name, g) in grads.Items)
            Assert.True(g.FrobeniusNorm() > 1e-6, $"{name} is (nearly) zero: the check would be vacuous.");
        return report;
    }

    /// <summary>Gradient check of any recurrent layer with J = Σ R ⊙ a, over its parameters and its inputs.</summary>
    public static GradientCheckReport CheckLayer(IRecurrentLayer layer, Random rng)
    {
        var xs = RandomSeq(T, layer.InputSize, M, rng);
        var R = RandomSeq(T, layer.HiddenSize, M, rng);
        var fwd = layer.Forward(xs);
        var back = layer.Backward(R, fwd);
        Assert.Equal(T, back.DX.Length);
        double J() => Objective(R, layer.Forward(xs).A);
        return AssertGradientsPass(J, Join(layer.Parameters, Seq("x", xs)), Join(back.Grads, Seq("dx", back.DX)));
    }

    // ---- fixtures written by tests/fixtures/make_gated_fixtures.py (PyTorch, float64) ----

    public static JsonElement Fixture(string file, string name)
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "tests", "fixtures", file))) dir = dir.Parent;
        Assert.True(dir is not null, $"tests/fixtures/{file} not found above {AppContext.BaseDirectory}");
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir!.FullName, "tests", "fixtures", file)));
        return doc.RootElement.GetProperty(name).Clone();
    }

    public static Matrix<double> Mat(JsonElement e)
    {
        var rows = e.EnumerateArray().Select(r => r.EnumerateArray().Select(v => v.GetDouble()).ToArray()).ToArray();
        return Matrix<double>.Build.DenseOfRowArrays(rows);
    }

    public static Matrix<double>[] Seq(JsonElement e) => e.EnumerateArray().Select(Mat).ToArray();

    public static Matrix<double>? Param(JsonElement fixture, string name) =>
        fixture.GetProperty("params").TryGetProperty(name, out var v) ? Mat(v) : null;

    public static void AssertClose(Matrix<double> expected, Matrix<double> actual, double tol, string what)
    {
        Assert.True(expected.RowCount == actual.RowCount && expected.ColumnCount == actual.ColumnCount,
            $"{what}: expected shape ({expected.RowCount}, {expected.ColumnCount}) but got ({actual.RowCount}, {actual.ColumnCount})");
        for (int i = 0; i < expected.RowCount; i++)
            for (int j = 0; j < expected.ColumnCount; j++)
                Assert.True(Math.Abs(expected[i, j] - actual[i, j]) <= tol,
                    $"{what}[{i}, {j}]: expected {expected[i, j]:R} but got {actual[i, j]:R} (|diff| {Math.Abs(expected[i, j] - actual[i, j]):E2} > {tol:E0})");
    }

    /// <summary>Compares outputs, J, parameter gradients (by name) and input gradients with a fixture case.</summary>
    public static void AssertMatchesFixture(JsonElement fx, IReadOnlyList<Matrix<double>> outs, IReadOnlyList<Matrix<double>> R,
        IParameterSet grads, IReadOnlyList<Matrix<double>> dX, double tol = 1e-10)
    {
        var a = Seq(fx.GetProperty("a"));
        Assert.Equal(a.Length, outs.Count);
        for (int t = 0; t < a.Length; t++) AssertClose(a[t], outs[t], tol, $"a[{t}]");
        Assert.Equal(fx.GetProperty("J").GetDouble(), Objective(R, outs), 10);
        var expectedGrads = fx.GetProperty("grads");
        int seen = 0;
        foreach (var (name, g) in grads.Items)
        {
            AssertClose(Mat(expectedGrads.GetProperty(name)), g, tol, name);
            seen++;
        }
        Assert.Equal(expectedGrads.EnumerateObject().Count(), seen);
        var dxs = Seq(fx.GetProperty("dxs"));
        for (int t = 0; t < dxs.Length; t++) AssertClose(dxs[t], dX[t], tol, $"dx[{t}]");
    }

    /// <summary>Asserts an ArgumentException that names the argument and quotes the given fragments.</summary>
    public static ArgumentException AssertBadArgument(Action act, string paramName, params string[] fragments)
    {
        var ex = Assert.ThrowsAny<ArgumentException>(act);
        Assert.Equal(paramName, ex.ParamName);
        foreach (var f in fragments) Assert.Contains(f, ex.Message);
        return ex;
    }
}
