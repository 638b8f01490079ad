using MathNet.Numerics.LinearAlgebra;

namespace SeqCourse.Numerics;

/// <summary>
/// Accumulating products for backward passes, without the temporary matrix that
/// <c>dW.Add(dz.TransposeAndMultiply(x), dW)</c> allocates at every time step:
/// <c>dWax.AddProductTransposed(dz, x)</c> is dW_ax += dz·xᵀ computed by <see cref="Gemm"/> straight into dW_ax
/// (β = 1). Dense matrices only; results are the same as the two-step form up to rounding.
/// </summary>
public static class MatrixProducts
{
    /// <summary>c += a·b.</summary>
    public static void AddProduct(this Matrix<double> c, Matrix<double> a, Matrix<double> b) =>
        Gemm.Multiply(a, b, c, GemmOp.N, GemmOp.N, 1.0, 1.0);

    /// <summary>c += a·bᵀ (a weight gradient: dW += dz·xᵀ).</summary>
    public static void AddProductTransposed(this Matrix<double> c, Matrix<double> a, Matrix<double> b) =>
        Gemm.Multiply(a, b, c, GemmOp.N, GemmOp.T, 1.0, 1.0);

    /// <summary>c += aᵀ·b (a gradient sent back: da += Wᵀ·dz).</summary>
    public static void AddTransposedProduct(this Matrix<double> c, Matrix<double> a, Matrix<double> b) =>
        Gemm.Multiply(a, b, c, GemmOp.T, GemmOp.N, 1.0, 1.0);
}
