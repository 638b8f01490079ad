using MathNet.Numerics.LinearAlgebra;

namespace SeqCourse;

/// <summary>
/// Syllabus §5.2 (from S3): binary addition as a many-to-many task with T_x = T_y = 8.
/// a and b are in [0, 127], so a + b ≤ 254 fits in 8 bits. The bits are fed least significant first,
/// so the carry flows forward in time: x⟨t⟩ = (a_t, b_t), y⟨t⟩ = bit t of a + b (t = 0..7, 0-based).
/// All 16 384 pairs are enumerated; a seeded 10 % is held out.
/// </summary>
public static class BinaryAddition
{
    /// <summary>The seed of the course's train/held-out split.</summary>
    public const int DefaultSeed = 502;

    /// <summary>Number of bits (time steps), T = 8.</summary>
    public const int Bits = 8;

    /// <summary>Largest operand, 127.</summary>
    public const int MaxOperand = 127;

    /// <summary>All 128 × 128 = 16 384 pairs (a, b), a-major order.</summary>
    public static (int A, int B)[] AllPairs()
    {
        var pairs = new (int, int)[(MaxOperand + 1) * (MaxOperand + 1)];
        int k = 0;
        for (int a = 0; a <= MaxOperand; a++)
            for (int b = 0; b <= MaxOperand; b++)
                pairs[k++] = (a, b);
        return pairs;
    }

    /// <summary>
    /// Shuffles all pairs with <paramref name="seed"/> and holds out round(<paramref name="heldOutFraction"/> · 16 384)
    /// of them (1 638 for the default 10 %).
    /// </summary>
    public static ((int A, int B)[] Train, (int A, int B)[] Test) Split(int seed = DefaultSeed, double heldOutFraction = 0.1)
    {
        if (!(heldOutFraction >= 0 && heldOutFraction < 1))
            throw new ArgumentException($"heldOutFraction must be in [0, 1) but is {heldOutFraction}.", nameof(heldOutFraction));
        var all = AllPairs();
        DataRandom.Shuffle(all, new Random(seed));
        int test = (int)Math.Round(heldOutFraction * all.Length);
        return (all[test..], all[..test]);
    }

    /// <summary>Bit t (0 = least significant) of <paramref name="value"/>, as 0.0 or 1.0.</summary>
    public static double Bit(int value, int t) => (value >> t) & 1;

    /// <summary>
    /// Builds a batch: X is T = 8 matrices of shape (n_x = 2, m) with row 0 = a_t and row 1 = b_t;
    /// Y is 8 matrices of shape (1, m) with y⟨t⟩ = bit t of a + b. Column j is pair j.
    /// </summary>
    public static (Matrix<double>[] X, Matrix<double>[] Y) Batch(IReadOnlyList<(int A, int B)> pairs)
    {
        Guard.NotNull(pairs, nameof(pairs));
        if (pairs.Count == 0) throw new ArgumentException("pairs must contain at least one pair but is empty.", nameof(pairs));
        for (int j = 0; j < pairs.Count; j++)
        {
            var (a, b) = pairs[j];
            if (a < 0 || a > MaxOperand || b < 0 || b > MaxOperand)
                throw new ArgumentException(
                    $"pairs[{j}] must have both operands in [0, {MaxOperand}] but is ({a}, {b}).", nameof(pairs));
        }
        int m = pairs.Count;
        var X = new Matrix<double>[Bits];
        var Y = new Matrix<double>[Bits];
        for (int t = 0; t < Bits; t++)
        {
            X[t] = Matrix<double>.Build.Dense(2, m);
            Y[t] = Matrix<double>.Build.Dense(1, m);
            for (int j = 0; j < m; j++)
            {
                var (a, b) = pairs[j];
                X[t][0, j] = Bit(a, t);
                X[t][1, j] = Bit(b, t);
                Y[t][0, j] = Bit(a + b, t);
            }
        }
        return (X, Y);
    }

    /// <summary>
    /// Reads column <paramref name="column"/> of a sequence of (1, m) outputs as a number, thresholding
    /// each step at 0.5 (so it works on targets and on sigmoid outputs ŷ alike): Σ_t [y⟨t⟩ &gt; 0.5] · 2^t.
    /// </summary>
    public static int Decode(IReadOnlyList<Matrix<double>> y, int column)
    {
        Guard.Sequence(y, nameof(y));
        if (y[0].RowCount != 1)
            throw new ArgumentException($"y[0] must have 1 row but has shape ({y[0].RowCount}, {y[0].ColumnCount}).", nameof(y));
        Guard.Index(column, y[0].ColumnCount, nameof(column));
        int value = 0;
        for (int t = 0; t < y.Count; t++)
            if (y[t][0, column] > 0.5) value |= 1 << t;
        return value;
    }

    /// <summary>Reads operand row <paramref name="row"/> (0 = a, 1 = b) of column <paramref name="column"/> of an input batch.</summary>
    public static int DecodeOperand(IReadOnlyList<Matrix<double>> x, int row, int column)
    {
        Guard.Sequence(x, nameof(x));
        Guard.Index(row, x[0].RowCount, nameof(row));
        Guard.Index(column, x[0].ColumnCount, nameof(column));
        int value = 0;
        for (int t = 0; t < x.Count; t++)
            if (x[t][row, column] > 0.5) value |= 1 << t;
        return value;
    }
}
