using MathNet.Numerics.LinearAlgebra;

namespace SeqCourse;

/// <summary>Small matrix helpers shared by the GRU, LSTM and wrapper layers (internal plumbing, not lecture material).</summary>
internal static class GatedMath
{
    /// <summary>z + b with the (n, 1) bias broadcast over the m columns; returns a new matrix.</summary>
    public static Matrix<double> AddBias(Matrix<double> z, Matrix<double> b)
    {
        var r = z.Clone();
        AddBiasInPlace(r, b);
        return r;
    }

    /// <summary>z += b broadcast over columns.</summary>
    public static void AddBiasInPlace(Matrix<double> z, Matrix<double> b)
    {
        for (int j = 0; j < z.ColumnCount; j++)
            for (int i = 0; i < z.RowCount; i++)
                z[i, j] += b[i, 0];
    }

    /// <summary>Σ over columns as an (n, 1) matrix: the gradient of a broadcast bias.</summary>
    public static Matrix<double> SumColumns(Matrix<double> dz) => dz.RowSums().ToColumnMatrix();

    /// <summary>The vertical stack [top; bottom].</summary>
    public static Matrix<double> Stack(Matrix<double> top, Matrix<double> bottom) => top.Stack(bottom);

    /// <summary>Rows [start, start + count) of <paramref name="m"/>, copied.</summary>
    public static Matrix<double> Rows(Matrix<double> m, int start, int count) => m.SubMatrix(start, count, 0, m.ColumnCount);

    /// <summary>Columns [start, start + count) of <paramref name="m"/>, copied.</summary>
    public static Matrix<double> Cols(Matrix<double> m, int start, int count) => m.SubMatrix(0, m.RowCount, start, count);

    /// <summary>The (n, 1) vector p broadcast over columns and multiplied elementwise with c: p ⊙ c.</summary>
    public static Matrix<double> DiagTimes(Matrix<double> p, Matrix<double> c)
    {
        var r = c.Clone();
        for (int j = 0; j < r.ColumnCount; j++)
            for (int i = 0; i < r.RowCount; i++)
                r[i, j] *= p[i, 0];
        return r;
    }

    /// <summary>A zero matrix shaped like <paramref name="m"/>.</summary>
    public static Matrix<double> ZerosLike(Matrix<double> m) => Matrix<double>.Build.Dense(m.RowCount, m.ColumnCount);

    /// <summary>Checks the common arguments of a recurrent input sequence: non-empty, same shapes, n_x rows, finite.</summary>
    public static void CheckSequence(IReadOnlyList<Matrix<double>> xs, int nx, string name)
    {
        Guard.Sequence(xs, name);
        Guard.Rows(xs[0], nx, $"{name}[0]");
        Guard.Finite(xs, name);
    }

    /// <summary>Checks a list of upstream gradients against T steps of (rows, m); null entries allowed when <paramref name="allowNull"/>.</summary>
    public static void CheckGradSequence(IReadOnlyList<Matrix<double>?> d, int T, int rows, int m, string name, bool allowNull)
    {
        Guard.NotNull(d, name);
        if (d.Count != T)
            throw new ArgumentException($"{name} must have {T} time steps like the forward pass but has {d.Count}.", name);
        for (int t = 0; t < T; t++)
        {
            if (d[t] is null)
            {
                if (allowNull) continue;
                throw new ArgumentNullException(name, $"{name}[{t}] must not be null.");
            }
            Guard.Shape(d[t]!, rows, m, $"{name}[{t}]");
        }
    }
}
