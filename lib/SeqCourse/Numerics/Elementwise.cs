using System.Numerics.Tensors;
using MathNet.Numerics.LinearAlgebra;
using MathNet.Numerics.LinearAlgebra.Double;

namespace SeqCourse.Numerics;

/// <summary>
/// In-place element-wise kernels on dense matrices for the time loops of the models: no new matrix, no
/// delegate per element (unlike <c>Matrix.Map</c>), vectorised by <see cref="TensorPrimitives"/>.
/// Every method checks shapes and throws <see cref="ArgumentException"/> naming the argument.
/// </summary>
public static class Elementwise
{
    /// <summary>z[:, j] += b for every column j (a bias broadcast over the batch). b is (rows, 1).</summary>
    public static void AddBiasInPlace(Matrix<double> z, Matrix<double> b)
    {
        var zv = Values(z, nameof(z));
        var bv = Values(b, nameof(b));
        if (b.RowCount != z.RowCount || b.ColumnCount != 1)
            throw new ArgumentException($"b must be ({z.RowCount}, 1) to broadcast over z but is ({b.RowCount}, {b.ColumnCount}).", nameof(b));
        int n = z.RowCount;
        for (int j = 0; j < z.ColumnCount; j++)
        {
            var col = zv.AsSpan(j * n, n);
            TensorPrimitives.Add(col, bv, col);
        }
    }

    /// <summary>db += Σ_j dz[:, j] (the gradient of a broadcast bias, accumulated). db is (rows, 1).</summary>
    public static void AddColumnSumsInto(Matrix<double> db, Matrix<double> dz)
    {
        var dbv = Values(db, nameof(db));
        var dzv = Values(dz, nameof(dz));
        if (db.RowCount != dz.RowCount || db.ColumnCount != 1)
            throw new ArgumentException($"db must be ({dz.RowCount}, 1) to hold the column sums of dz but is ({db.RowCount}, {db.ColumnCount}).", nameof(db));
        int n = dz.RowCount;
        for (int j = 0; j < dz.ColumnCount; j++)
        {
            TensorPrimitives.Add(dbv, dzv.AsSpan(j * n, n), dbv);
        }
    }

    /// <summary>z ← σ(z) = 1 / (1 + e^(−z)), element-wise, in place.</summary>
    public static void SigmoidInPlace(Matrix<double> z)
    {
        var v = Values(z, nameof(z));
        TensorPrimitives.Sigmoid<double>(v, v);
    }

    /// <summary>z ← tanh(z), element-wise, in place.</summary>
    public static void TanhInPlace(Matrix<double> z)
    {
        var v = Values(z, nameof(z));
        TensorPrimitives.Tanh<double>(v, v);
    }

    private static double[] Values(Matrix<double> m, string name)
    {
        ArgumentNullException.ThrowIfNull(m, name);
        return m is DenseMatrix d ? d.Values
            : throw new ArgumentException($"{name} must be a dense matrix but is a {m.GetType().Name}.", name);
    }
}
