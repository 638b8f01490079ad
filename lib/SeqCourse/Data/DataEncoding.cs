using MathNet.Numerics.LinearAlgebra;

namespace SeqCourse;

/// <summary>Turning index sequences into the library's one-hot sequence batches.</summary>
public static class DataEncoding
{
    /// <summary>
    /// One-hot batch from equal-length index sequences: returns T matrices of shape (<paramref name="vocabSize"/>, m),
    /// where m = sequences.Count and column j of step t is e_{sequences[j][t]}.
    /// </summary>
    public static Matrix<double>[] OneHot(IReadOnlyList<int[]> sequences, int vocabSize)
    {
        Guard.NotNull(sequences, nameof(sequences));
        Guard.Positive(vocabSize, nameof(vocabSize));
        if (sequences.Count == 0) throw new ArgumentException("sequences must contain at least one sequence but is empty.", nameof(sequences));
        int T = Guard.NotNull(sequences[0], "sequences[0]").Length, m = sequences.Count;
        if (T == 0) throw new ArgumentException("sequences[0] must have at least one step but is empty.", nameof(sequences));
        var X = new Matrix<double>[T];
        for (int t = 0; t < T; t++) X[t] = Matrix<double>.Build.Dense(vocabSize, m);
        for (int j = 0; j < m; j++)
        {
            var s = Guard.NotNull(sequences[j], $"sequences[{j}]");
            if (s.Length != T)
                throw new ArgumentException($"sequences[{j}] must have length {T} like sequences[0] but has {s.Length}.", nameof(sequences));
            for (int t = 0; t < T; t++)
            {
                if (s[t] < 0 || s[t] >= vocabSize)
                    throw new ArgumentException(
                        $"sequences[{j}][{t}] must be in [0, {vocabSize - 1}] but is {s[t]}.", nameof(sequences));
                X[t][s[t], j] = 1.0;
            }
        }
        return X;
    }
}
