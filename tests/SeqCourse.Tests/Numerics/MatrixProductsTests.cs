using MathNet.Numerics.LinearAlgebra;
using SeqCourse.Numerics;

namespace SeqCourse.Tests.Numerics;

public class MatrixProductsTests
{
    private static Matrix<double> Random(Random rng, int rows, int cols) =>
        Matrix<double>.Build.Dense(rows, cols, (_, _) => rng.NextDouble() * 2 - 1);

    [Theory]
    [InlineData(50, 27, 1)]   // char LM: dW_ax += dz·xᵀ at batch 1
    [InlineData(50, 50, 1)]
    [InlineData(33, 17, 9)]
    [InlineData(300, 200, 64)] // large enough for the blocked, parallel path
    public void AccumulatingProductsMatchTheTwoStepForm(int rows, int cols, int batch)
    {
        var rng = new Random(rows + cols + batch);
        var dz = Random(rng, rows, batch);
        var x = Random(rng, cols, batch);
        var W = Random(rng, rows, cols);
        var dW = Random(rng, rows, cols);
        var da = Random(rng, cols, batch);

        var expected1 = dW + dz * x.Transpose();
        var got1 = dW.Clone();
        got1.AddProductTransposed(dz, x);
        AssertClose(expected1, got1, batch);

        var expected2 = da + W.Transpose() * dz;
        var got2 = da.Clone();
        got2.AddTransposedProduct(W, dz);
        AssertClose(expected2, got2, rows);

        var expected3 = dz + W * x;
        var got3 = dz.Clone();
        got3.AddProduct(W, x);
        AssertClose(expected3, got3, cols);
    }

    [Fact]
    public void AccumulatingAllocatesNothing()
    {
        var rng = new Random(1);
        var dz = Random(rng, 50, 1);
        var x = Random(rng, 27, 1);
        var dW = Random(rng, 50, 27);
        dW.AddProductTransposed(dz, x);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 100; i++) dW.AddProductTransposed(dz, x);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void ShapeMismatchNamesTheArgument()
    {
        var ex = Assert.Throws<ArgumentException>(() => Matrix<double>.Build.Dense(4, 5).AddProductTransposed(Matrix<double>.Build.Dense(4, 2), Matrix<double>.Build.Dense(6, 2)));
        Assert.Equal("result", ex.ParamName);
        Assert.Contains("4x6", ex.Message);
        ex = Assert.Throws<ArgumentException>(() => Matrix<double>.Build.Dense(4, 5).AddProduct(Matrix<double>.Build.Dense(4, 2), Matrix<double>.Build.Dense(3, 5)));
        Assert.Equal("b", ex.ParamName);
    }

    private static void AssertClose(Matrix<double> expected, Matrix<double> actual, int k)
    {
        double err = (expected - actual).FrobeniusNorm();
        Assert.True(err <= 1e-12 * Math.Max(1.0, expected.FrobeniusNorm()), $"error {err:E2} (k = {k})");
    }
}
