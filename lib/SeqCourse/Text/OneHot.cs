using MathNet.Numerics.LinearAlgebra;

namespace SeqCourse;

/// <summary>
/// A batch of token sequences as one-hot inputs (n_v, m, T) = <see cref="X"/>[t] (n_v, m), with
/// <see cref="Mask"/>[t] (1, m) = 1 where example i has a token at step t and 0 where it is padded.
/// </summary>
public sealed record OneHotBatch(Matrix<double>[] X, Matrix<double>[] Mask, int[] Lengths, int[][] Indices)
{
    /// <summary>T, the length of the longest sequence.</summary>
    public int T => X.Length;

    /// <summary>m, the number of sequences.</summary>
    public int M => Lengths.Length;

    /// <summary>The class index of each example per step, −1 where padded (the target format of <see cref="Losses.SoftmaxCrossEntropy"/>).</summary>
    public int[][] Targets()
    {
        var r = new int[T][];
        for (int t = 0; t < T; t++)
        {
            r[t] = new int[M];
            for (int i = 0; i < M; i++) r[t][i] = t < Lengths[i] ? Indices[i][t] : -1;
        }
        return r;
    }
}

/// <summary>One-hot encoding: o_j has a 1 at vocabulary index j (syllabus §1.1).</summary>
public static class OneHot
{
    /// <summary>o_j as an (n_v, 1) column.</summary>
    public static Matrix<double> Vector(int index, int nv)
    {
        Guard.Positive(nv, nameof(nv));
        Guard.Index(index, nv, nameof(index));
        var o = Matrix<double>.Build.Dense(nv, 1);
        o[index, 0] = 1.0;
        return o;
    }

    /// <summary>
    /// Encodes m index sequences of possibly different lengths into (n_v, m, T_max): column i of X[t] is
    /// o_{sequences[i][t]}, or all zero past the end of sequence i (and then Mask[t][0, i] = 0).
    /// </summary>
    public static OneHotBatch Encode(IReadOnlyList<int[]> sequences, int nv)
    {
        Guard.NotNull(sequences, nameof(sequences));
        Guard.Positive(nv, nameof(nv));
        if (sequences.Count == 0) throw new ArgumentException("sequences must contain at least one sequence but is empty.", nameof(sequences));
        int m = sequences.Count;
        var lengths = new int[m];
        for (int i = 0; i < m; i++)
        {
            var s = sequences[i] ?? throw new ArgumentException($"sequences[{i}] must not be null.", nameof(sequences));
            if (s.Length == 0) throw new ArgumentException($"sequences[{i}] must have at least one token but is empty.", nameof(sequences));
            for (int t = 0; t < s.Length; t++)
                if (s[t] < 0 || s[t] >= nv)
                    throw new ArgumentException($"sequences[{i}][{t}] must be in [0, {nv - 1}] but is {s[t]}.", nameof(sequences));
            lengths[i] = s.Length;
        }
        int T = lengths.Max();
        var X = new Matrix<double>[T];
        var mask = new Matrix<double>[T];
        for (int t = 0; t < T; t++)
        {
            X[t] = Matrix<double>.Build.Dense(nv, m);
            mask[t] = Matrix<double>.Build.Dense(1, m);
            for (int i = 0; i < m; i++)
            {
                if (t >= lengths[i]) continue;
                X[t][sequences[i][t], i] = 1.0;
                mask[t][0, i] = 1.0;
            }
        }
        return new OneHotBatch(X, mask, lengths, sequences.Select(s => s.ToArray()).ToArray());
    }

    /// <summary>Encodes already tokenised sentences through <paramref name="vocab"/> (unknown tokens → <c>&lt;UNK&gt;</c> or an error).</summary>
    public static OneHotBatch Encode(IReadOnlyList<string[]> sentences, Vocabulary vocab, bool appendEos = false)
    {
        Guard.NotNull(sentences, nameof(sentences)); Guard.NotNull(vocab, nameof(vocab));
        return Encode(sentences.Select(s => vocab.Encode(s, appendEos)).ToArray(), vocab.Count);
    }
}
