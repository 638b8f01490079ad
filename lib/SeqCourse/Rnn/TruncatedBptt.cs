using MathNet.Numerics.LinearAlgebra;

namespace SeqCourse;

/// <summary>
/// Truncated BPTT with carried state (the stateful <c>TimeRNN</c> of Deep Learning from Scratch 2): a long
/// sequence is cut into chunks of length k. The forward pass of each chunk starts from the last a⟨t⟩ of the
/// previous chunk, so the model still sees the past, but the gradient is cut at the chunk boundary: that
/// a⟨t⟩ is treated as a constant input, so each backward pass costs O(k) instead of O(T).
/// </summary>
public sealed class TruncatedBptt
{
    /// <summary>A runner over <paramref name="p"/> (used, not copied) with chunks of <paramref name="chunkLength"/> steps.</summary>
    public TruncatedBptt(RnnParameters p, int chunkLength, Activation g = Activation.Tanh)
    {
        Parameters = Guard.NotNull(p, nameof(p));
        p.Validate();
        Guard.Positive(chunkLength, nameof(chunkLength));
        ChunkLength = chunkLength;
        G = g;
    }

    /// <summary>The model being trained.</summary>
    public RnnParameters Parameters { get; }

    /// <summary>k, the number of steps per chunk.</summary>
    public int ChunkLength { get; }

    /// <summary>The hidden activation g.</summary>
    public Activation G { get; }

    /// <summary>The carried state a⟨t⟩ (n_a, m) at the end of the last chunk, or null before the first one.</summary>
    public Matrix<double>? State { get; private set; }

    /// <summary>Forgets the carried state (start of a new, unrelated sequence).</summary>
    public void Reset() => State = null;

    /// <summary>
    /// One chunk: forward from the carried state (zeros at the start, or when the batch size m changes), softmax cross-entropy against
    /// <paramref name="targets"/>, backward to the chunk's start only. Carries a⟨last⟩ on as a constant
    /// (a copy, so later updates of it cannot leak a gradient path). Returns the chunk's loss and gradients.
    /// </summary>
    public (double J, RnnGradients Grads) Step(IReadOnlyList<Matrix<double>> xs, IReadOnlyList<int[]> targets)
    {
        Rnn.CheckInputs(xs, Parameters.Nx);
        if (xs.Count > ChunkLength)
            throw new ArgumentException($"xs must have at most {ChunkLength} steps (the chunk length) but has {xs.Count}.", nameof(xs));
        int m = xs[0].ColumnCount;
        var a0 = State is { } s && s.ColumnCount == m ? s : null;
        var fwd = Rnn.Forward(xs, a0, Parameters, G);
        var (J, dZy) = Losses.SoftmaxCrossEntropy(fwd.Zy, targets);
        var back = Rnn.Backward(dZy, fwd, Parameters);
        // back.Da0 is dropped on purpose: this is where the gradient is truncated.
        State = fwd.ALast.Clone();
        return (J, back.Grads);
    }

    /// <summary>
    /// One pass over a long sequence: for each chunk, <see cref="Step"/>, optional clipping by value, then
    /// <paramref name="optimizer"/> updates the parameters before the next chunk. Returns the chunk losses.
    /// </summary>
    public List<double> Run(IReadOnlyList<Matrix<double>> xs, IReadOnlyList<int[]> targets, IOptimizer optimizer, double? clipValue = null)
    {
        Guard.Sequence(xs, nameof(xs)); Guard.NotNull(targets, nameof(targets)); Guard.NotNull(optimizer, nameof(optimizer));
        if (targets.Count != xs.Count)
            throw new ArgumentException($"targets must have {xs.Count} time steps like xs but has {targets.Count}.", nameof(targets));
        var losses = new List<double>();
        foreach (var (start, length) in Chunks(xs.Count, ChunkLength))
        {
            var (J, grads) = Step(Slice(xs, start, length), Slice(targets, start, length));
            if (clipValue is { } c) Clipping.ByValue(grads, c);
            optimizer.Step(Parameters, grads);
            losses.Add(J);
        }
        return losses;
    }

    /// <summary>The (start, length) of each chunk when T steps are cut into pieces of k (the last may be shorter).</summary>
    public static IEnumerable<(int Start, int Length)> Chunks(int T, int k)
    {
        Guard.Positive(T, nameof(T)); Guard.Positive(k, nameof(k));
        for (int s = 0; s < T; s += k) yield return (s, Math.Min(k, T - s));
    }

    private static T[] Slice<T>(IReadOnlyList<T> xs, int start, int length)
    {
        var r = new T[length];
        for (int i = 0; i < length; i++) r[i] = xs[start + i];
        return r;
    }
}
