using MathNet.Numerics.LinearAlgebra;
using SeqCourse.Numerics;

namespace SeqCourse.Tests.Numerics;

public class ElementwiseTests
{
    private static Matrix<double> Random(Random rng, int rows, int cols, double scale = 1) =>
        Matrix<double>.Build.Dense(rows, cols, (_, _) => scale * (rng.NextDouble() * 2 - 1));

    [Theory]
    [InlineData(1, 1)]
    [InlineData(50, 1)]
    [InlineData(37, 13)]
    [InlineData(256, 64)]
    public void MatchStraightforwardLoops(int rows, int cols)
    {
        var rng = new Random(rows * 100 + cols);
        var z = Random(rng, rows, cols, 8); // σ and tanh saturate: exercise both tails
        var b = Random(rng, rows, 1);

        var biased = z.Clone();
        Elementwise.AddBiasInPlace(biased, b);
        for (int i = 0; i < rows; i++)
            for (int j = 0; j < cols; j++)
                Assert.Equal(z[i, j] + b[i, 0], biased[i, j]);

        var db = Random(rng, rows, 1);
        var db0 = db.Clone();
        Elementwise.AddColumnSumsInto(db, z);
        for (int i = 0; i < rows; i++)
        {
            double sum = db0[i, 0];
            for (int j = 0; j < cols; j++) sum += z[i, j];
            Assert.True(Math.Abs(sum - db[i, 0]) <= 1e-12 * (1 + Math.Abs(sum)), $"db[{i}] = {db[i, 0]}, expected {sum}");
        }

        var s = z.Clone();
        Elementwise.SigmoidInPlace(s);
        var t = z.Clone();
        Elementwise.TanhInPlace(t);
        for (int i = 0; i < rows; i++)
        {
            for (int j = 0; j < cols; j++)
            {
                double x = z[i, j];
                double sigma = 1.0 / (1.0 + Math.Exp(-x));
                Assert.True(Math.Abs(s[i, j] - sigma) <= 1e-12 * sigma, $"σ({x}) = {s[i, j]}, expected {sigma}");
                Assert.True(Math.Abs(t[i, j] - Math.Tanh(x)) <= 1e-12 * Math.Max(1e-300, Math.Abs(Math.Tanh(x))), $"tanh({x}) = {t[i, j]}, expected {Math.Tanh(x)}");
            }
        }
    }

    [Fact]
    public void BadShapesNameTheArgument()
    {
        var z = Matrix<double>.Build.Dense(3, 2);
        var ex = Assert.Throws<ArgumentException>(() => Elementwise.AddBiasInPlace(z, Matrix<double>.Build.Dense(2, 1)));
        Assert.Equal("b", ex.ParamName);
        Assert.Contains("(3, 1)", ex.Message);
        Assert.Contains("(2, 1)", ex.Message);
        ex = Assert.Throws<ArgumentException>(() => Elementwise.AddColumnSumsInto(Matrix<double>.Build.Dense(3, 2), z));
        Assert.Equal("db", ex.ParamName);
        ex = Assert.Throws<ArgumentException>(() => Elementwise.TanhInPlace(Matrix<double>.Build.Sparse(2, 2)));
        Assert.Equal("z", ex.ParamName);
    }
}
