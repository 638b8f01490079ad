using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using MathNet.Numerics.LinearAlgebra;
using MathNet.Numerics.LinearAlgebra.Double;

namespace SeqCourse.Numerics;

/// <summary>Whether a GEMM operand is used as stored (<see cref="N"/>) or transposed (<see cref="T"/>).</summary>
public enum GemmOp
{
    /// <summary>op(X) = X.</summary>
    N,
    /// <summary>op(X) = Xᵀ.</summary>
    T,
}

/// <summary>Which GEMM algorithm runs. <see cref="Auto"/> chooses by size.</summary>
public enum GemmStrategy
{
    /// <summary>Small products unpacked, the rest packed and blocked (parallel when large).</summary>
    Auto,
    /// <summary>Unpacked dot/axpy loops, no allocation and no threads: best for matrix–vector and tiny products.</summary>
    Small,
    /// <summary>Packed, cache-blocked, register micro-kernel; on several threads when large (shared packed B, dynamic row blocks).</summary>
    Blocked,
}

/// <summary>Switches for <see cref="Gemm"/>; <c>default</c> means "choose automatically" for all of them.</summary>
/// <param name="Simd">Instruction set; <see cref="SimdLevel.Auto"/> = the widest accelerated one.</param>
/// <param name="Strategy">Algorithm; <see cref="GemmStrategy.Auto"/> = by size.</param>
/// <param name="MaxThreads">Threads for large blocked products; 0 = <see cref="Environment.ProcessorCount"/>, 1 = sequential.</param>
public readonly record struct GemmOptions(SimdLevel Simd = SimdLevel.Auto, GemmStrategy Strategy = GemmStrategy.Auto, int MaxThreads = 0);

/// <summary>
/// Double-precision general matrix product on column-major storage (Math.NET's dense layout):
/// <c>C = α·op(A)·op(B) + β·C</c>, op(A) m×k, op(B) k×n, C m×n, element (i, j) at <c>i + j·ld</c>.
/// Sequential calls allocate nothing once the per-thread packing buffers have grown to size; large products
/// run on <see cref="Parallel.For(int,int,Action{int})"/>, which allocates a few small task objects per call.
/// </summary>
public static unsafe class Gemm
{
    /// <summary>Below this many multiply-adds (m·n·k) the unpacked path wins over packing.</summary>
    public const long SmallWork = 64L * 64 * 32;

    /// <summary>From this many multiply-adds (m·n·k) a blocked product is split over threads.</summary>
    public const long ParallelWork = 192L * 192 * 192;

    /// <summary>Options used by the overloads without an options argument (and by <see cref="FastLinearAlgebraProvider"/>).</summary>
    public static GemmOptions DefaultOptions { get; set; }

    /// <summary>What <see cref="SimdLevel.Auto"/> resolves to on this machine.</summary>
    public static SimdLevel HardwareSimd { get; } =
        Vector512.IsHardwareAccelerated && Avx512F.IsSupported ? SimdLevel.Vector512
        : Vector256.IsHardwareAccelerated && Fma.IsSupported ? SimdLevel.Vector256
        : SimdLevel.Scalar;

    /// <summary>C = α·op(A)·op(B) + β·C with <see cref="DefaultOptions"/>.</summary>
    public static void Compute(GemmOp opA, GemmOp opB, int m, int n, int k, double alpha,
        ReadOnlySpan<double> a, int lda, ReadOnlySpan<double> b, int ldb, double beta, Span<double> c, int ldc)
        => Compute(opA, opB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, DefaultOptions);

    /// <summary>
    /// C = α·op(A)·op(B) + β·C. A is stored m×k (opA = N) or k×m (opA = T) with leading dimension lda;
    /// B is stored k×n or n×k with ldb; C is m×n with ldc. When β = 0, C is not read (it may hold NaN).
    /// </summary>
    /// <exception cref="ArgumentException">Negative sizes, leading dimension smaller than the stored rows,
    /// spans too short, or C overlapping A or B.</exception>
    public static void Compute(GemmOp opA, GemmOp opB, int m, int n, int k, double alpha,
        ReadOnlySpan<double> a, int lda, ReadOnlySpan<double> b, int ldb, double beta, Span<double> c, int ldc,
        GemmOptions options)
    {
        if (m < 0) throw new ArgumentException($"expected m >= 0, got {m}", nameof(m));
        if (n < 0) throw new ArgumentException($"expected n >= 0, got {n}", nameof(n));
        if (k < 0) throw new ArgumentException($"expected k >= 0, got {k}", nameof(k));
        bool transA = opA == GemmOp.T, transB = opB == GemmOp.T;
        CheckOperand(nameof(a), a.Length, transA ? k : m, transA ? m : k, lda, nameof(lda));
        CheckOperand(nameof(b), b.Length, transB ? n : k, transB ? k : n, ldb, nameof(ldb));
        CheckOperand(nameof(c), c.Length, m, n, ldc, nameof(ldc));
        if (m == 0 || n == 0) return;
        if (c.Overlaps(a) || c.Overlaps(b))
        {
            throw new ArgumentException("expected the output C not to overlap the inputs A or B", nameof(c));
        }

        fixed (double* pa = a, pb = b, pc = c)
        {
            Run(transA, transB, m, n, k, alpha, pa, lda, pb, ldb, beta, pc, ldc, options);
        }
    }

    /// <summary>
    /// result = α·op(a)·op(b) + β·result on dense Math.NET matrices, without allocating.
    /// </summary>
    /// <exception cref="ArgumentException">Shapes that do not conform, non-dense matrices, or result aliasing an input.</exception>
    public static void Multiply(Matrix<double> a, Matrix<double> b, Matrix<double> result,
        GemmOp opA = GemmOp.N, GemmOp opB = GemmOp.N, double alpha = 1.0, double beta = 0.0)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        ArgumentNullException.ThrowIfNull(result);
        var da = AsDense(a, nameof(a));
        var db = AsDense(b, nameof(b));
        var dr = AsDense(result, nameof(result));
        int m = opA == GemmOp.N ? a.RowCount : a.ColumnCount;
        int ka = opA == GemmOp.N ? a.ColumnCount : a.RowCount;
        int kb = opB == GemmOp.N ? b.RowCount : b.ColumnCount;
        int n = opB == GemmOp.N ? b.ColumnCount : b.RowCount;
        if (ka != kb)
        {
            throw new ArgumentException(
                $"inner dimensions differ: op(a) is {m}x{ka}, op(b) is {kb}x{n}", nameof(b));
        }
        if (result.RowCount != m || result.ColumnCount != n)
        {
            throw new ArgumentException(
                $"expected result {m}x{n}, got {result.RowCount}x{result.ColumnCount}", nameof(result));
        }
        if (ReferenceEquals(da, dr) || ReferenceEquals(db, dr))
        {
            throw new ArgumentException("expected result to be a different matrix from a and b", nameof(result));
        }
        Compute(opA, opB, m, n, ka, alpha, da, a.RowCount, db, b.RowCount, beta, dr, m);
    }

    /// <summary>The resolved instruction set for the given options.</summary>
    public static SimdLevel Resolve(SimdLevel level) => level == SimdLevel.Auto ? HardwareSimd : level;

    private static double[] AsDense(Matrix<double> m, string name) =>
        m is DenseMatrix d ? d.Values
        : throw new ArgumentException($"expected a DenseMatrix, got {m.GetType().Name}", name);

    private static void CheckOperand(string name, int length, int rows, int cols, int ld, string ldName)
    {
        if (ld < Math.Max(1, rows))
        {
            throw new ArgumentException($"expected {ldName} >= {Math.Max(1, rows)} (stored rows of {name}), got {ld}", ldName);
        }
        long needed = rows == 0 || cols == 0 ? 0 : (long)ld * (cols - 1) + rows;
        if (length < needed)
        {
            throw new ArgumentException(
                $"expected {name} to hold a {rows}x{cols} matrix with leading dimension {ld} ({needed} values), got {length}", name);
        }
    }

    /// <summary>Pointer entry point shared with the Math.NET provider; arguments already validated.</summary>
    internal static void Run(bool transA, bool transB, int m, int n, int k, double alpha,
        double* a, int lda, double* b, int ldb, double beta, double* c, int ldc, GemmOptions options)
    {
        if (m == 0 || n == 0) return;
        if (k == 0 || alpha == 0.0)
        {
            ScaleC(m, n, beta, c, ldc);
            return;
        }

        var level = Resolve(options.Simd);
        long work = (long)m * n * k;
        var strategy = options.Strategy;
        if (strategy == GemmStrategy.Auto)
        {
            strategy = work <= SmallWork || n <= 2 || m <= 2 || k <= 4 ? GemmStrategy.Small : GemmStrategy.Blocked;
        }

        if (strategy == GemmStrategy.Small)
        {
            switch (level)
            {
                case SimdLevel.Vector512: Small<V512, Vector512<double>>(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc); break;
                case SimdLevel.Vector256: Small<V256, Vector256<double>>(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc); break;
                default: Small<VScalar, double>(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc); break;
            }
            return;
        }

        ScaleC(m, n, beta, c, ldc);
        int threads = options.MaxThreads > 0 ? options.MaxThreads : Environment.ProcessorCount;
        if (threads > 1 && work >= ParallelWork)
        {
            BlockedParallel(level, threads, transA, transB, m, n, k, alpha, a, lda, b, ldb, c, ldc);
        }
        else
        {
            Blocked(level, transA, transB, m, n, k, alpha, a, lda, b, ldb, c, ldc);
        }
    }

    private static void Small<TO, TV>(bool transA, bool transB, int m, int n, int k, double alpha,
        double* a, int lda, double* b, int ldb, double beta, double* c, int ldc)
        where TO : struct, ISimd<TV> where TV : struct
    {
        if (transA) GemmKernels<TO, TV>.SmallT(transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
        else GemmKernels<TO, TV>.SmallN(transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
    }

    private static void Blocked(SimdLevel level, bool transA, bool transB, int m, int n, int k, double alpha,
        double* a, int lda, double* b, int ldb, double* c, int ldc)
    {
        switch (level)
        {
            case SimdLevel.Vector512: GemmKernels<V512, Vector512<double>>.Blocked(transA, transB, m, n, k, alpha, a, lda, b, ldb, c, ldc); break;
            case SimdLevel.Vector256: GemmKernels<V256, Vector256<double>>.Blocked(transA, transB, m, n, k, alpha, a, lda, b, ldb, c, ldc); break;
            default: GemmKernels<VScalar, double>.Blocked(transA, transB, m, n, k, alpha, a, lda, b, ldb, c, ldc); break;
        }
    }

    /// <summary>
    /// Large products on several threads. Usually the threads share one packed B panel and take row blocks of
    /// A dynamically (<see cref="GemmKernels{TO,TV}.BlockedParallel"/>). When C is much wider than tall
    /// (n &gt; 4m) there are too few row blocks, so C is split into one column block per thread instead, each
    /// thread packing its own panels (A is small then, so packing it twice costs little).
    /// </summary>
    private static void BlockedParallel(SimdLevel level, int threads, bool transA, bool transB, int m, int n, int k,
        double alpha, double* a, int lda, double* b, int ldb, double* c, int ldc)
    {
        if (n <= 4 * m)
        {
            switch (level)
            {
                case SimdLevel.Vector512: GemmKernels<V512, Vector512<double>>.BlockedParallel(transA, transB, m, n, k, alpha, a, lda, b, ldb, c, ldc, threads); break;
                case SimdLevel.Vector256: GemmKernels<V256, Vector256<double>>.BlockedParallel(transA, transB, m, n, k, alpha, a, lda, b, ldb, c, ldc, threads); break;
                default: GemmKernels<VScalar, double>.BlockedParallel(transA, transB, m, n, k, alpha, a, lda, b, ldb, c, ldc, threads); break;
            }
            return;
        }

        const int nr = 6;
        int units = (n + nr - 1) / nr;
        int parts = Math.Min(threads, units);
        int chunk = (units + parts - 1) / parts * nr;
        nint pa = (nint)a, pb = (nint)b, pc = (nint)c;
        Parallel.For(0, parts, new ParallelOptions { MaxDegreeOfParallelism = parts }, part =>
        {
            int start = part * chunk;
            int count = Math.Min(chunk, n - start);
            if (count <= 0) return;
            // Columns start..start+count of op(B) and C.
            double* bs = transB ? (double*)pb + start : (double*)pb + (long)start * ldb;
            Blocked(level, transA, transB, m, count, k, alpha, (double*)pa, lda, bs, ldb, (double*)pc + (long)start * ldc, ldc);
        });
    }

    private static void ScaleC(int m, int n, double beta, double* c, int ldc)
    {
        if (beta == 1.0) return;
        for (int j = 0; j < n; j++)
        {
            var col = new Span<double>(c + (long)j * ldc, m);
            if (beta == 0.0) col.Clear();
            else System.Numerics.Tensors.TensorPrimitives.Multiply(col, beta, col);
        }
    }
}
