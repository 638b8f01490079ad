using System.Buffers;
using System.Numerics.Tensors;
using MathNet.Numerics.Providers.LinearAlgebra;

namespace SeqCourse.Numerics;

/// <summary>
/// A Math.NET linear-algebra provider that runs the double-precision matrix products on <see cref="Gemm"/>
/// and the element-wise array kernels on <see cref="TensorPrimitives"/>; everything else (factorisations,
/// float/complex types) is forwarded to Math.NET's <see cref="ManagedLinearAlgebraProvider"/>.
/// Math.NET's <c>ManagedLinearAlgebraProvider</c> is sealed, so this wraps it rather than deriving from it.
/// With it installed (<see cref="Fast.Enable"/>), ordinary model code such as <c>W * x</c>,
/// <c>W.TransposeThisAndMultiply(dz)</c> and <c>dz.TransposeAndMultiply(x)</c> on dense matrices is fast.
/// </summary>
public sealed partial class FastLinearAlgebraProvider : ILinearAlgebraProvider
{
    private static readonly ManagedLinearAlgebraProvider Managed = ManagedLinearAlgebraProvider.Instance;

    /// <summary>Products this thread has routed through <see cref="Gemm"/> (lets tests prove the routing).</summary>
    [ThreadStatic] internal static long t_products;

    /// <summary>Options for the products; <c>null</c> means <see cref="Gemm.DefaultOptions"/>.</summary>
    public GemmOptions? Options { get; init; }

    /// <inheritdoc />
    public bool IsAvailable() => true;

    /// <inheritdoc />
    public void InitializeVerify() => Managed.InitializeVerify();

    /// <inheritdoc />
    public void FreeResources() => Managed.FreeResources();

    /// <inheritdoc />
    public override string ToString() => $"SeqCourse fast GEMM ({Gemm.Resolve((Options ?? Gemm.DefaultOptions).Simd)}) over {Managed}";

    // ---- products -------------------------------------------------------------------------------

    void ILinearAlgebraProvider<double>.MatrixMultiply(double[] x, int rowsX, int columnsX, double[] y, int rowsY, int columnsY, double[] result)
        => Product(Transpose.DontTranspose, Transpose.DontTranspose, 1.0, x, rowsX, columnsX, y, rowsY, columnsY, 0.0, result);

    void ILinearAlgebraProvider<double>.MatrixMultiplyWithUpdate(Transpose transposeA, Transpose transposeB, double alpha,
        double[] a, int rowsA, int columnsA, double[] b, int rowsB, int columnsB, double beta, double[] c)
        => Product(transposeA, transposeB, alpha, a, rowsA, columnsA, b, rowsB, columnsB, beta, c);

    /// <summary>Math.NET's convention: a is stored rowsA×columnsA (column-major, no padding), op applied on top.</summary>
    private unsafe void Product(Transpose transposeA, Transpose transposeB, double alpha,
        double[] a, int rowsA, int columnsA, double[] b, int rowsB, int columnsB, double beta, double[] c)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        ArgumentNullException.ThrowIfNull(c);
        bool ta = transposeA != Transpose.DontTranspose; // real matrices: conjugate transpose = transpose
        bool tb = transposeB != Transpose.DontTranspose;
        int m = ta ? columnsA : rowsA, k = ta ? rowsA : columnsA;
        int kb = tb ? columnsB : rowsB, n = tb ? rowsB : columnsB;
        if (k != kb)
        {
            throw new ArgumentException($"inner dimensions differ: op(a) is {m}x{k}, op(b) is {kb}x{n}", nameof(b));
        }
        if (a.Length < (long)rowsA * columnsA) throw new ArgumentException($"expected a to hold {rowsA}x{columnsA} values, got {a.Length}", nameof(a));
        if (b.Length < (long)rowsB * columnsB) throw new ArgumentException($"expected b to hold {rowsB}x{columnsB} values, got {b.Length}", nameof(b));
        if (c.Length < (long)m * n) throw new ArgumentException($"expected c to hold {m}x{n} values, got {c.Length}", nameof(c));
        if (m == 0 || n == 0) return;
        t_products++;

        var options = Options ?? Gemm.DefaultOptions;
        int lda = Math.Max(1, rowsA), ldb = Math.Max(1, rowsB);
        if (ReferenceEquals(c, a) || ReferenceEquals(c, b))
        {
            // In-place update (e.g. x.Multiply(y, x)): compute into a scratch array, then copy back.
            double[] scratch = ArrayPool<double>.Shared.Rent(m * n);
            try
            {
                fixed (double* pa = a, pb = b, pc = c, ps = scratch)
                {
                    if (beta != 0.0) new Span<double>(pc, m * n).CopyTo(new Span<double>(ps, m * n));
                    Gemm.Run(ta, tb, m, n, k, alpha, pa, lda, pb, ldb, beta, ps, m, options);
                    new Span<double>(ps, m * n).CopyTo(new Span<double>(pc, m * n));
                }
            }
            finally
            {
                ArrayPool<double>.Shared.Return(scratch);
            }
            return;
        }
        fixed (double* pa = a, pb = b, pc = c)
        {
            Gemm.Run(ta, tb, m, n, k, alpha, pa, lda, pb, ldb, beta, pc, m, options);
        }
    }

    // ---- element-wise kernels: TensorPrimitives, no closures or task scheduling per call ---------

    void ILinearAlgebraProvider<double>.AddVectorToScaledVector(double[] y, double alpha, double[] x, double[] result)
    {
        // result = y + alpha·x
        if (alpha == 0.0) y.AsSpan().CopyTo(result);
        else if (alpha == 1.0) TensorPrimitives.Add(y, x, result);
        else TensorPrimitives.MultiplyAdd(x, alpha, y, result);
    }

    void ILinearAlgebraProvider<double>.ScaleArray(double alpha, double[] x, double[] result)
    {
        if (alpha == 0.0) result.AsSpan(0, x.Length).Clear();
        else if (alpha == 1.0) x.AsSpan().CopyTo(result);
        else TensorPrimitives.Multiply(x, alpha, result);
    }

    double ILinearAlgebraProvider<double>.DotProduct(double[] x, double[] y) => TensorPrimitives.Dot<double>(x, y);

    void ILinearAlgebraProvider<double>.AddArrays(double[] x, double[] y, double[] result) => TensorPrimitives.Add<double>(x, y, result);

    void ILinearAlgebraProvider<double>.SubtractArrays(double[] x, double[] y, double[] result) => TensorPrimitives.Subtract<double>(x, y, result);

    void ILinearAlgebraProvider<double>.PointWiseMultiplyArrays(double[] x, double[] y, double[] result) => TensorPrimitives.Multiply<double>(x, y, result);

    void ILinearAlgebraProvider<double>.PointWiseDivideArrays(double[] x, double[] y, double[] result) => TensorPrimitives.Divide<double>(x, y, result);
}
