using MathNet.Numerics.LinearAlgebra;

namespace SeqCourse;

/// <summary>
/// Argument checks shared by the whole library. Every message names the argument and gives the
/// expected and the actual value, so a learner sees at once which shape is wrong.
/// </summary>
public static class Guard
{
    /// <summary>Throws unless <paramref name="value"/> is not null.</summary>
    public static T NotNull<T>(T? value, string name) where T : class =>
        value ?? throw new ArgumentNullException(name, $"{name} must not be null.");

    /// <summary>Throws unless <paramref name="m"/> has exactly <paramref name="rows"/> × <paramref name="cols"/>.</summary>
    public static void Shape(Matrix<double> m, int rows, int cols, string name)
    {
        NotNull(m, name);
        if (m.RowCount != rows || m.ColumnCount != cols)
            throw new ArgumentException(
                $"{name} must have shape ({rows}, {cols}) but has shape ({m.RowCount}, {m.ColumnCount}).", name);
    }

    /// <summary>Throws unless <paramref name="m"/> has <paramref name="rows"/> rows.</summary>
    public static void Rows(Matrix<double> m, int rows, string name)
    {
        NotNull(m, name);
        if (m.RowCount != rows)
            throw new ArgumentException(
                $"{name} must have {rows} rows but has shape ({m.RowCount}, {m.ColumnCount}).", name);
    }

    /// <summary>Throws unless <paramref name="m"/> has <paramref name="cols"/> columns (the batch size m).</summary>
    public static void Columns(Matrix<double> m, int cols, string name)
    {
        NotNull(m, name);
        if (m.ColumnCount != cols)
            throw new ArgumentException(
                $"{name} must have {cols} columns (batch size) but has shape ({m.RowCount}, {m.ColumnCount}).", name);
    }

    /// <summary>Throws unless the sequence has at least one step and every step has the same shape.</summary>
    public static void Sequence(IReadOnlyList<Matrix<double>> xs, string name)
    {
        NotNull(xs, name);
        if (xs.Count == 0)
            throw new ArgumentException($"{name} must contain at least one time step but is empty.", name);
        var first = NotNull(xs[0], $"{name}[0]");
        for (int t = 1; t < xs.Count; t++)
        {
            var x = NotNull(xs[t], $"{name}[{t}]");
            if (x.RowCount != first.RowCount || x.ColumnCount != first.ColumnCount)
                throw new ArgumentException(
                    $"{name}[{t}] must have shape ({first.RowCount}, {first.ColumnCount}) like {name}[0] " +
                    $"but has shape ({x.RowCount}, {x.ColumnCount}).", name);
        }
    }

    /// <summary>Throws if any entry is NaN or infinite.</summary>
    public static void Finite(Matrix<double> m, string name)
    {
        NotNull(m, name);
        if (m is MathNet.Numerics.LinearAlgebra.Double.DenseMatrix d && AllFinite(d.Values)) return;   // fast scan of the storage
        for (int j = 0; j < m.ColumnCount; j++)
            for (int i = 0; i < m.RowCount; i++)
                if (!double.IsFinite(m[i, j]))
                    throw new ArgumentException($"{name} must be finite but {name}[{i}, {j}] = {m[i, j]}.", name);
    }

    /// <summary>Throws if any step of a sequence has a NaN or infinite entry.</summary>
    public static void Finite(IReadOnlyList<Matrix<double>> xs, string name)
    {
        for (int t = 0; t < xs.Count; t++)
        {
            if (xs[t] is MathNet.Numerics.LinearAlgebra.Double.DenseMatrix d && AllFinite(d.Values)) continue; // no name string per step
            Finite(xs[t], $"{name}[{t}]");
        }
    }

    private static bool AllFinite(double[] values)
    {
        foreach (double v in values)
            if (!double.IsFinite(v)) return false;
        return true;
    }

    /// <summary>Throws unless <paramref name="value"/> &gt; 0.</summary>
    public static void Positive(double value, string name)
    {
        if (!(value > 0))
            throw new ArgumentException($"{name} must be > 0 but is {value}.", name);
    }

    /// <summary>Throws unless <paramref name="value"/> &gt; 0.</summary>
    public static void Positive(int value, string name)
    {
        if (value <= 0)
            throw new ArgumentException($"{name} must be > 0 but is {value}.", name);
    }

    /// <summary>Throws unless 0 ≤ <paramref name="value"/> &lt; <paramref name="count"/>.</summary>
    public static void Index(int value, int count, string name)
    {
        if (value < 0 || value >= count)
            throw new ArgumentException($"{name} must be in [0, {count - 1}] but is {value}.", name);
    }
}
