using MathNet.Numerics.LinearAlgebra;
using MathNet.Numerics.Providers.LinearAlgebra;
using SeqCourse.Numerics;

namespace SeqCourse.Tests.Numerics;

/// <summary>Switching Math.NET's global provider must not race with other tests' products.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public class GlobalProviderCollection
{
    public const string Name = "Math.NET global provider";
}

/// <summary>The Math.NET operators give the same results with the fast provider on and off.</summary>
[Collection(GlobalProviderCollection.Name)]
public class FastProviderTests
{
    private static readonly (int M, int N, int K)[] Sizes = [(1, 1, 1), (7, 5, 13), (17, 19, 33), (130, 70, 257), (50, 1, 50), (300, 260, 200)];

    [Fact]
    public void OperatorsMatchManagedProvider()
    {
        bool wasEnabled = Fast.IsEnabled;
        try
        {
            var rng = new Random(12);
            foreach (var (m, n, k) in Sizes)
            {
                var a = Random(rng, m, k);
                var b = Random(rng, k, n);
                var at = Random(rng, k, m); // for Aᵀ·B
                var bt = Random(rng, n, k); // for A·Bᵀ
                var x = Vector<double>.Build.Dense(k, i => rng.NextDouble() - 0.5);

                Fast.Disable();
                Assert.IsType<ManagedLinearAlgebraProvider>(LinearAlgebraControl.Provider);
                var slow = (a * b, at.TransposeThisAndMultiply(b), a.TransposeAndMultiply(bt), a * x, at.TransposeThisAndMultiply(Col(x)));

                Fast.Enable();
                Fast.Enable(); // idempotent
                Assert.IsType<FastLinearAlgebraProvider>(LinearAlgebraControl.Provider);
                long before = FastLinearAlgebraProvider.t_products;
                var fast = (a * b, at.TransposeThisAndMultiply(b), a.TransposeAndMultiply(bt), a * x, at.TransposeThisAndMultiply(Col(x)));
                Assert.Equal(5, FastLinearAlgebraProvider.t_products - before); // every product went through Gemm

                AssertClose(slow.Item1, fast.Item1, k, $"A*B {m}x{n}x{k}");
                AssertClose(slow.Item2, fast.Item2, k, $"TransposeThisAndMultiply {m}x{n}x{k}");
                AssertClose(slow.Item3, fast.Item3, k, $"TransposeAndMultiply {m}x{n}x{k}");
                AssertClose(Col(slow.Item4), Col(fast.Item4), k, $"A*x {m}x{k}");
                AssertClose(slow.Item5, fast.Item5, k, $"Aᵀ*x {m}x{k}");
            }
        }
        finally
        {
            if (wasEnabled) Fast.Enable(); else Fast.Disable();
        }
    }

    [Fact]
    public void InPlaceAndElementwiseOperationsMatch()
    {
        bool wasEnabled = Fast.IsEnabled;
        try
        {
            var rng = new Random(13);
            var a = Random(rng, 40, 40);
            var b = Random(rng, 40, 40);
            Fast.Disable();
            var slowInPlace = a.Clone();
            slowInPlace.Multiply(b, slowInPlace);
            var slow = (a + b, a - b, a.PointwiseMultiply(b), a.PointwiseDivide(b), 2.5 * a, a.Add(b.Multiply(-0.3)));
            Fast.Enable();
            var fastInPlace = a.Clone();
            fastInPlace.Multiply(b, fastInPlace); // result aliases the left operand
            var fast = (a + b, a - b, a.PointwiseMultiply(b), a.PointwiseDivide(b), 2.5 * a, a.Add(b.Multiply(-0.3)));
            AssertClose(slowInPlace, fastInPlace, 40, "in-place A*B");
            Assert.Equal(slow.Item1, fast.Item1);
            Assert.Equal(slow.Item2, fast.Item2);
            Assert.Equal(slow.Item3, fast.Item3);
            Assert.Equal(slow.Item4, fast.Item4);
            Assert.Equal(slow.Item5, fast.Item5);
            AssertClose(slow.Item6, fast.Item6, 1, "A + (-0.3)B");
            Assert.Equal(a.Column(3).DotProduct(b.Column(5)), Col(a.Column(3)).TransposeThisAndMultiply(Col(b.Column(5)))[0, 0], 12);
        }
        finally
        {
            if (wasEnabled) Fast.Enable(); else Fast.Disable();
        }
    }

    [Fact]
    public void DisableRestoresManagedProvider()
    {
        bool wasEnabled = Fast.IsEnabled;
        try
        {
            Fast.Enable();
            Fast.Disable();
            Fast.Disable(); // idempotent
            Assert.False(Fast.IsEnabled);
            Assert.IsType<ManagedLinearAlgebraProvider>(LinearAlgebraControl.Provider);
        }
        finally
        {
            if (wasEnabled) Fast.Enable();
        }
    }

    private static Matrix<double> Col(Vector<double> v) => v.ToColumnMatrix();

    private static Matrix<double> Random(Random rng, int rows, int cols) =>
        Matrix<double>.Build.Dense(rows, cols, (_, _) => rng.NextDouble() * 2 - 1);

    /// <summary>Entries are sums of k products of values in [-1, 1]: both results are within k·ε of the truth.</summary>
    private static void AssertClose(Matrix<double> expected, Matrix<double> actual, int k, string what)
    {
        Assert.Equal(expected.RowCount, actual.RowCount);
        Assert.Equal(expected.ColumnCount, actual.ColumnCount);
        double scale = Math.Max(1.0, expected.FrobeniusNorm());
        double err = (expected - actual).FrobeniusNorm();
        Assert.True(err <= 1e-12 * scale, $"{what}: ||slow - fast|| = {err:E2}, ||slow|| = {scale:E2}, k = {k}");
    }
}
