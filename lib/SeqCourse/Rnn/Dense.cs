using System.Numerics.Tensors;
using MathNet.Numerics.LinearAlgebra;
using MathNet.Numerics.LinearAlgebra.Double;

namespace SeqCourse;

/// <summary>
/// Small accumulate-in-place products for the recurrent hot loops. They work on the column-major array of a
/// MathNet <see cref="DenseMatrix"/> (falling back to MathNet operators for other storage), skip zero entries of
/// the right-hand side (one-hot inputs make W_ax x a column lookup), and never split tiny products over threads.
/// </summary>
internal static class Dense
{
    /// <summary>The column-major values of a dense matrix, or null.</summary>
    public static double[]? Values(Matrix<double> m) => (m as DenseMatrix)?.Values;

    /// <summary>C += A B.</summary>
    public static void MultiplyAdd(Matrix<double> C, Matrix<double> A, Matrix<double> B)
    {
        if (Values(C) is not { } c || Values(A) is not { } a || Values(B) is not { } b) { C.Add(A * B, C); return; }
        int r = A.RowCount, k = A.ColumnCount;
        for (int j = 0; j < B.ColumnCount; j++)
        {
            var cj = c.AsSpan(j * r, r);
            for (int p = 0; p < k; p++)
            {
                double bpj = b[j * k + p];
                if (bpj == 0) continue;
                TensorPrimitives.MultiplyAdd(a.AsSpan(p * r, r), bpj, cj, cj);   // C[:, j] += B[p, j] A[:, p]
            }
        }
    }

    /// <summary>C += Aᵀ B.</summary>
    public static void TransposeMultiplyAdd(Matrix<double> C, Matrix<double> A, Matrix<double> B)
    {
        if (Values(C) is not { } c || Values(A) is not { } a || Values(B) is not { } b) { C.Add(A.TransposeThisAndMultiply(B), C); return; }
        int k = A.RowCount, n = A.ColumnCount;
        for (int j = 0; j < B.ColumnCount; j++)
        {
            var bj = b.AsSpan(j * k, k);
            for (int i = 0; i < n; i++) c[j * n + i] += TensorPrimitives.Dot(a.AsSpan(i * k, k), bj);
        }
    }

    /// <summary>C += A Bᵀ (a sum of outer products over the batch columns).</summary>
    public static void MultiplyTransposeAdd(Matrix<double> C, Matrix<double> A, Matrix<double> B)
    {
        if (Values(C) is not { } c || Values(A) is not { } a || Values(B) is not { } b) { C.Add(A.TransposeAndMultiply(B), C); return; }
        int r = A.RowCount, k = B.RowCount;
        for (int l = 0; l < A.ColumnCount; l++)
        {
            var al = a.AsSpan(l * r, r);
            for (int p = 0; p < k; p++)
            {
                double bpl = b[l * k + p];
                if (bpl == 0) continue;
                var cp = c.AsSpan(p * r, r);
                TensorPrimitives.MultiplyAdd(al, bpl, cp, cp);   // C[:, p] += B[p, l] A[:, l]
            }
        }
    }
}
