using SeqCourse.Numerics;

namespace SeqCourse.Tests.Numerics;

/// <summary>
/// Every GEMM path against a naive triple loop. Tolerance per element: 1e-12 relative to the size of the
/// terms summed, 1e-12 · (|α|·Σ_p |op(A)_ip|·|op(B)_pj| + |β|·|C_ij|), which bounds any summation order.
/// </summary>
public class GemmTests
{
    // (m, n, k): odd sizes that exercise edge tiles of every micro-kernel and every KC/MC boundary but the largest.
    public static readonly (int M, int N, int K)[] Sizes =
    [
        (1, 1, 1), (7, 5, 13), (17, 19, 33), (130, 70, 257), (3, 50, 1), (50, 1, 50), (48, 16, 40), // n = 16: 6 + 6 + a 4-column edge
    ];

    // (α, β): plain product, general update, and β = 0 with NaN in C (C must not be read).
    private static readonly (double Alpha, double Beta)[] Scalars = [(1.0, 0.0), (1.7, -0.6), (-0.5, 1.0)];

    [Theory]
    [InlineData(SimdLevel.Vector512, GemmStrategy.Blocked)]
    [InlineData(SimdLevel.Vector256, GemmStrategy.Blocked)]
    [InlineData(SimdLevel.Scalar, GemmStrategy.Blocked)]
    [InlineData(SimdLevel.Vector512, GemmStrategy.Small)]
    [InlineData(SimdLevel.Vector256, GemmStrategy.Small)]
    [InlineData(SimdLevel.Scalar, GemmStrategy.Small)]
    [InlineData(SimdLevel.Auto, GemmStrategy.Auto)]
    public void EveryPathMatchesNaiveTripleLoop(SimdLevel simd, GemmStrategy strategy)
    {
        var options = new GemmOptions(simd, strategy, MaxThreads: 1);
        var rng = new Random(8);
        foreach (var (m, n, k) in Sizes)
        {
            foreach (var opA in new[] { GemmOp.N, GemmOp.T })
            {
                foreach (var opB in new[] { GemmOp.N, GemmOp.T })
                {
                    // The largest size once, with a general α, β; the others with every pair.
                    foreach (var (alpha, beta) in m * n * k > 100_000 ? Scalars[1..2] : Scalars)
                    {
                        CheckAgainstNaive(rng, m, n, k, opA, opB, alpha, beta, pad: 3, options);
                    }
                }
            }
        }
    }

    [Theory]
    [InlineData(SimdLevel.Vector512, 230, 250, 200)] // shared B panel, dynamic row blocks
    [InlineData(SimdLevel.Vector512, 260, 190, 170)]
    [InlineData(SimdLevel.Vector512, 40, 700, 300)]  // n > 4m: one column block per thread
    [InlineData(SimdLevel.Vector512, 500, 30, 600)]  // tall and skinny (the LSTM's 4H × B gate products)
    [InlineData(SimdLevel.Vector256, 230, 250, 200)]
    [InlineData(SimdLevel.Vector256, 40, 700, 300)]
    [InlineData(SimdLevel.Scalar, 260, 190, 170)]
    public void ParallelBlockedMatchesNaive(SimdLevel simd, int m, int n, int k)
    {
        Assert.True((long)m * n * k >= Gemm.ParallelWork, "size must reach the parallel threshold");
        var options = new GemmOptions(simd, GemmStrategy.Blocked, MaxThreads: 2);
        var rng = new Random(9);
        CheckAgainstNaive(rng, m, n, k, GemmOp.N, GemmOp.N, 1.3, 0.4, pad: 2, options);
        CheckAgainstNaive(rng, m, n, k, GemmOp.T, GemmOp.T, 1.0, 0.0, pad: 0, options);
        CheckAgainstNaive(rng, m, n, k, simd == SimdLevel.Vector512 ? GemmOp.N : GemmOp.T, simd == SimdLevel.Vector512 ? GemmOp.T : GemmOp.N, -0.7, 1.0, pad: 1, options);
    }

    [Fact]
    public void DeepProductCrossesSeveralKcPanels()
    {
        // k = 900 > 2·KC and m = 300 > 2·MC: the accumulation over panels of C must be right.
        var rng = new Random(10);
        CheckAgainstNaive(rng, 300, 13, 900, GemmOp.N, GemmOp.N, 1.0, 1.0, pad: 1, new GemmOptions(SimdLevel.Auto, GemmStrategy.Blocked, 1));
        CheckAgainstNaive(rng, 300, 13, 900, GemmOp.T, GemmOp.T, 0.3, 0.0, pad: 1, new GemmOptions(SimdLevel.Vector256, GemmStrategy.Blocked, 1));
    }

    [Fact]
    public void HandExample()
    {
        // [1 2; 3 4] · [5 6; 7 8] = [19 22; 43 50], column-major storage.
        double[] a = [1, 3, 2, 4], b = [5, 7, 6, 8], c = new double[4];
        foreach (var strategy in new[] { GemmStrategy.Small, GemmStrategy.Blocked })
        {
            Gemm.Compute(GemmOp.N, GemmOp.N, 2, 2, 2, 1.0, a, 2, b, 2, 0.0, c, 2, new GemmOptions(Strategy: strategy));
            Assert.Equal([19.0, 43.0, 22.0, 50.0], c);
        }
    }

    [Fact]
    public void ZeroDepthScalesC()
    {
        double[] c = [1, 2, 3, 4];
        Gemm.Compute(GemmOp.N, GemmOp.N, 2, 2, 0, 1.0, [], 2, [], 1, 0.5, c, 2);
        Assert.Equal([0.5, 1.0, 1.5, 2.0], c);
        c = [double.NaN, 1, 2, 3];
        Gemm.Compute(GemmOp.N, GemmOp.N, 2, 2, 0, 1.0, [], 2, [], 1, 0.0, c, 2);
        Assert.Equal([0.0, 0.0, 0.0, 0.0], c);
    }

    [Theory]
    [InlineData(GemmStrategy.Small, 50, 1, 50)]  // the char LM's Waa·a
    [InlineData(GemmStrategy.Small, 50, 50, 1)]  // an outer product dz·aᵀ
    [InlineData(GemmStrategy.Blocked, 130, 70, 257)]
    public void SequentialCallsAllocateNothing(GemmStrategy strategy, int m, int n, int k)
    {
        var rng = new Random(11);
        double[] a = RandomArray(rng, m * k), b = RandomArray(rng, k * n), c = new double[m * n];
        var options = new GemmOptions(SimdLevel.Auto, strategy, MaxThreads: 1);
        foreach (var opA in new[] { GemmOp.N, GemmOp.T })
        {
            foreach (var opB in new[] { GemmOp.N, GemmOp.T })
            {
                int lda = opA == GemmOp.N ? m : k, ldb = opB == GemmOp.N ? k : n;
                Gemm.Compute(opA, opB, m, n, k, 1.0, a, lda, b, ldb, 0.5, c, m, options); // warm-up: buffers grow
                // Steady state must allocate nothing. Tiered JIT recompiling a method mid-measurement can
                // charge a few bytes to this thread once, so the best of three rounds of 10 calls is taken.
                long allocated = long.MaxValue;
                for (int round = 0; round < 3 && allocated != 0; round++)
                {
                    long before = GC.GetAllocatedBytesForCurrentThread();
                    for (int r = 0; r < 10; r++) Gemm.Compute(opA, opB, m, n, k, 1.0, a, lda, b, ldb, 0.5, c, m, options);
                    allocated = GC.GetAllocatedBytesForCurrentThread() - before;
                }
                Assert.True(allocated == 0, $"{strategy} {opA}{opB} {m}x{n}x{k}: allocated {allocated} bytes in 10 calls");
            }
        }
    }

    [Fact]
    public void BadArgumentsNameTheArgument()
    {
        double[] a = new double[6], b = new double[6], c = new double[4];
        var ex = Assert.Throws<ArgumentException>(() => Gemm.Compute(GemmOp.N, GemmOp.N, 2, 2, 3, 1, a, 1, b, 3, 0, c, 2));
        Assert.Equal("lda", ex.ParamName);
        Assert.Contains("got 1", ex.Message);
        ex = Assert.Throws<ArgumentException>(() => Gemm.Compute(GemmOp.N, GemmOp.N, 2, 2, 3, 1, a, 2, b, 3, 0, new double[3], 2));
        Assert.Equal("c", ex.ParamName);
        Assert.Contains("got 3", ex.Message);
        ex = Assert.Throws<ArgumentException>(() => Gemm.Compute(GemmOp.N, GemmOp.T, 2, 2, 3, 1, a, 2, b, 1, 0, c, 2));
        Assert.Equal("ldb", ex.ParamName); // op(B) = Bᵀ is 3×2, so B is stored 2×3: ldb must be ≥ 2
        ex = Assert.Throws<ArgumentException>(() => Gemm.Compute(GemmOp.N, GemmOp.N, 2, 2, 2, 1, a, 2, a, 2, 0, a.AsSpan(2), 2));
        Assert.Equal("c", ex.ParamName);
        ex = Assert.Throws<ArgumentException>(() => Gemm.Compute(GemmOp.N, GemmOp.N, -1, 2, 2, 1, a, 2, b, 2, 0, c, 2));
        Assert.Equal("m", ex.ParamName);
    }

    [Fact]
    public void HardwareLevelIsReported()
    {
        // Whatever the machine has, Auto resolves to a concrete level and that level is what runs.
        Assert.NotEqual(SimdLevel.Auto, Gemm.HardwareSimd);
        Assert.Equal(Gemm.HardwareSimd, Gemm.Resolve(SimdLevel.Auto));
        Assert.Equal(SimdLevel.Scalar, Gemm.Resolve(SimdLevel.Scalar));
    }

    // ------------------------------------------------------------------------------------------------

    internal static double[] RandomArray(Random rng, int count)
    {
        var x = new double[count];
        for (int i = 0; i < count; i++) x[i] = rng.NextDouble() * 2 - 1;
        return x;
    }

    /// <summary>
    /// Stores A, B, C with leading dimensions padded by <paramref name="pad"/> rows filled with NaN, runs Gemm
    /// and checks every element of C against the naive sum, and that no padding was written.
    /// </summary>
    private static void CheckAgainstNaive(Random rng, int m, int n, int k, GemmOp opA, GemmOp opB,
        double alpha, double beta, int pad, GemmOptions options)
    {
        int rowsA = opA == GemmOp.N ? m : k, colsA = opA == GemmOp.N ? k : m;
        int rowsB = opB == GemmOp.N ? k : n, colsB = opB == GemmOp.N ? n : k;
        int lda = rowsA + pad, ldb = rowsB + pad, ldc = m + pad;
        double[] a = Padded(rng, rowsA, colsA, lda), b = Padded(rng, rowsB, colsB, ldb), c = Padded(rng, m, n, ldc);
        if (beta == 0.0)
        {
            for (int j = 0; j < n; j++) for (int i = 0; i < m; i++) c[i + j * ldc] = double.NaN;
        }
        double[] c0 = (double[])c.Clone();

        // op(A) by rows and op(B) by columns, contiguous in p, so the reference loop is plain.
        var aRows = new double[m * k];
        var bCols = new double[k * n];
        for (int i = 0; i < m; i++)
            for (int p = 0; p < k; p++) aRows[i * k + p] = opA == GemmOp.N ? a[i + p * lda] : a[p + i * lda];
        for (int j = 0; j < n; j++)
            for (int p = 0; p < k; p++) bCols[j * k + p] = opB == GemmOp.N ? b[p + j * ldb] : b[j + p * ldb];

        Gemm.Compute(opA, opB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, options);

        for (int j = 0; j < n; j++)
        {
            for (int i = 0; i < m; i++)
            {
                double sum = 0, magnitude = 0;
                for (int p = 0; p < k; p++)
                {
                    double term = aRows[i * k + p] * bCols[j * k + p];
                    sum += term;
                    magnitude += Math.Abs(term);
                }
                double old = beta == 0.0 ? 0.0 : c0[i + j * ldc];
                double expected = alpha * sum + beta * old;
                double tol = 1e-12 * (Math.Abs(alpha) * magnitude + Math.Abs(beta * old)) + 1e-300;
                double got = c[i + j * ldc];
                if (!(Math.Abs(got - expected) <= tol))
                {
                    Assert.Fail($"{options} {opA}{opB} m={m} n={n} k={k} α={alpha} β={beta}: C[{i},{j}] = {got}, expected {expected} (tol {tol:E2})");
                }
            }
            for (int i = m; i < ldc && j * ldc + i < c.Length; i++)
            {
                Assert.True(double.IsNaN(c[i + j * ldc]), $"{options} {opA}{opB}: padding C[{i},{j}] was written");
            }
        }
    }

    /// <summary>A rows×cols matrix with leading dimension ld; the ld − rows padding rows hold NaN.</summary>
    private static double[] Padded(Random rng, int rows, int cols, int ld)
    {
        var x = new double[ld * cols];
        for (int j = 0; j < cols; j++)
        {
            for (int i = 0; i < ld; i++) x[i + j * ld] = i < rows ? rng.NextDouble() * 2 - 1 : double.NaN;
        }
        return x;
    }
}
