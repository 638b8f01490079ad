namespace SeqCourse;

/// <summary>
/// Ragged token sequences (one array per example, lengths T^(i)) laid out time-major for a batch:
/// <c>Steps[t][i]</c> is token t of example i, or −1 (padding) when t ≥ T^(i). −1 is what
/// <see cref="Embedding.Forward(int[])"/> embeds as a zero column and <see cref="Losses.SoftmaxCrossEntropy"/> skips.
/// </summary>
public sealed class PaddedBatch
{
    private PaddedBatch(int[][] steps, int[] lengths) { Steps = steps; Lengths = lengths; }

    /// <summary>T_max arrays of m tokens each (−1 = padding).</summary>
    public int[][] Steps { get; }

    /// <summary>T^(i) for every example.</summary>
    public int[] Lengths { get; }

    /// <summary>m, the number of examples (columns).</summary>
    public int BatchSize => Lengths.Length;

    /// <summary>T_max, the number of time steps.</summary>
    public int MaxLength => Steps.Length;

    /// <summary>
    /// Pads <paramref name="sequences"/> (m ≥ 1 examples, each with ≥ 1 token in [0, <paramref name="vocabularySize"/>)).
    /// With <paramref name="reverse"/> each example is reversed within its own length (x⟨T^(i)⟩ first), so that padding
    /// still comes last: the right-to-left encoder of a ragged batch then ends every example at step T^(i).
    /// </summary>
    public static PaddedBatch Create(IReadOnlyList<int[]> sequences, int vocabularySize, string name, bool reverse = false)
    {
        Check(sequences, vocabularySize, name);
        int m = sequences.Count;
        var lengths = sequences.Select(s => s.Length).ToArray();
        int T = lengths.Max();
        var steps = new int[T][];
        for (int t = 0; t < T; t++)
        {
            steps[t] = new int[m];
            for (int i = 0; i < m; i++)
                steps[t][i] = t < lengths[i] ? sequences[i][reverse ? lengths[i] - 1 - t : t] : -1;
        }
        return new PaddedBatch(steps, lengths);
    }

    /// <summary>
    /// Checks a batch of token sequences: not null, at least one example, every example non-empty, every token in
    /// [0, <paramref name="vocabularySize"/>). Messages name <paramref name="name"/>[i][t] with the expected range and the value.
    /// </summary>
    public static void Check(IReadOnlyList<int[]> sequences, int vocabularySize, string name)
    {
        Guard.NotNull(sequences, name);
        if (sequences.Count == 0) throw new ArgumentException($"{name} must contain at least one example but is empty.", name);
        for (int i = 0; i < sequences.Count; i++)
        {
            var s = sequences[i] ?? throw new ArgumentNullException(name, $"{name}[{i}] must not be null.");
            if (s.Length == 0) throw new ArgumentException($"{name}[{i}] must contain at least one token but is empty.", name);
            for (int t = 0; t < s.Length; t++)
                if (s[t] < 0 || s[t] >= vocabularySize)
                    throw new ArgumentException($"{name}[{i}][{t}] must be a token in [0, {vocabularySize - 1}] but is {s[t]}.", name);
        }
    }
}
