using MathNet.Numerics.LinearAlgebra;

namespace SeqCourse;

/// <summary>
/// A bidirectional recurrent layer (syllabus 1.10, §3.3; Schuster &amp; Paliwal 1997) over any two layers:
/// a→⟨t⟩ reads x⟨1…t⟩, a←⟨t⟩ reads x⟨t…T⟩, and the output at t is [a→⟨t⟩; a←⟨t⟩] (n_a→ + n_a←, m).
/// The backward direction is an ordinary layer run on the reversed sequence; its outputs are reversed
/// AGAIN before concatenating (the pitfall of §3.3: without it step 1 would be paired with a←⟨T⟩).
/// </summary>
public sealed class BidirectionalLayer : IRecurrentLayer
{
    /// <summary>The left-to-right layer.</summary>
    public IRecurrentLayer ForwardLayer { get; }
    /// <summary>The right-to-left layer (fed x⟨T⟩ first).</summary>
    public IRecurrentLayer BackwardLayer { get; }

    /// <summary>Combines two layers that read the same n_x.</summary>
    public BidirectionalLayer(IRecurrentLayer forward, IRecurrentLayer backward)
    {
        Guard.NotNull(forward, nameof(forward)); Guard.NotNull(backward, nameof(backward));
        if (forward.InputSize != backward.InputSize)
            throw new ArgumentException($"backward must have InputSize {forward.InputSize} like forward but has {backward.InputSize}.", nameof(backward));
        if (ReferenceEquals(forward, backward))
            throw new ArgumentException("backward must be a different layer object from forward (each direction has its own parameters).", nameof(backward));
        ForwardLayer = forward; BackwardLayer = backward;
    }

    /// <inheritdoc />
    public int InputSize => ForwardLayer.InputSize;
    /// <inheritdoc />
    public int HiddenSize => ForwardLayer.HiddenSize + BackwardLayer.HiddenSize;
    /// <summary>The forward layer's parameters prefixed "fwd.", then the backward layer's prefixed "bwd.".</summary>
    public IParameterSet Parameters => ParameterSet.Concat(("fwd.", ForwardLayer.Parameters), ("bwd.", BackwardLayer.Parameters));

    /// <inheritdoc />
    public RecurrentOutput Forward(IReadOnlyList<Matrix<double>> xs)
    {
        Guard.Sequence(xs, nameof(xs));
        var fwd = ForwardLayer.Forward(xs);
        var bwd = BackwardLayer.Forward(Reversed(xs));          // a← computed from x⟨T⟩ down to x⟨1⟩
        int T = xs.Count;
        var A = new Matrix<double>[T];
        for (int t = 0; t < T; t++)
            A[t] = fwd.A[t].Stack(bwd.A[T - 1 - t]);             // [a→⟨t⟩; a←⟨t⟩]: reverse the backward outputs again
        return new RecurrentOutput(A, new Cache(fwd, bwd));
    }

    /// <inheritdoc />
    public RecurrentGradients Backward(IReadOnlyList<Matrix<double>?> dA, RecurrentOutput forward)
    {
        Guard.NotNull(forward, nameof(forward));
        if (forward.Cache is not Cache cache)
            throw new ArgumentException($"forward must come from BidirectionalLayer.Forward but its cache is {forward.Cache?.GetType().Name ?? "null"}.", nameof(forward));
        int T = forward.A.Length, nf = ForwardLayer.HiddenSize, nb = BackwardLayer.HiddenSize, m = forward.A[0].ColumnCount;
        GatedMath.CheckGradSequence(dA, T, nf + nb, m, nameof(dA), allowNull: true);
        var dFwd = new Matrix<double>?[T];
        var dBwd = new Matrix<double>?[T];
        for (int t = 0; t < T; t++)
        {
            if (dA[t] is not { } d) continue;
            dFwd[t] = GatedMath.Rows(d, 0, nf);
            dBwd[T - 1 - t] = GatedMath.Rows(d, nf, nb);       // the backward layer saw step t at position T−1−t
        }
        var gf = ForwardLayer.Backward(dFwd, cache.Fwd);
        var gb = BackwardLayer.Backward(dBwd, cache.Bwd);
        var dX = new Matrix<double>[T];
        for (int t = 0; t < T; t++) dX[t] = gf.DX[t] + gb.DX[T - 1 - t];   // x⟨t⟩ feeds both directions
        return new RecurrentGradients(dX, ParameterSet.Concat(("fwd.", gf.Grads), ("bwd.", gb.Grads)));
    }

    private static Matrix<double>[] Reversed(IReadOnlyList<Matrix<double>> xs)
    {
        var r = new Matrix<double>[xs.Count];
        for (int t = 0; t < xs.Count; t++) r[t] = xs[xs.Count - 1 - t];
        return r;
    }

    private sealed record Cache(RecurrentOutput Fwd, RecurrentOutput Bwd);
}
