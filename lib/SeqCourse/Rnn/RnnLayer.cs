using MathNet.Numerics.LinearAlgebra;

namespace SeqCourse;

/// <summary>
/// The hidden part of a vanilla RNN (W_aa, W_ax, b_a; no output layer) as an <see cref="IRecurrentLayer"/>,
/// so that the bidirectional and deep wrappers (§3.3, §3.4) can stack it. a⟨0⟩ = 0.
/// </summary>
public sealed class RnnLayer : IRecurrentLayer
{
    /// <summary>A layer over the given matrices (used as they are, not copied).</summary>
    public RnnLayer(Matrix<double> Waa, Matrix<double> Wax, Matrix<double> ba, Activation g = Activation.Tanh)
    {
        Guard.NotNull(Waa, nameof(Waa));
        Guard.Shape(Waa, Waa.RowCount, Waa.RowCount, nameof(Waa));
        Guard.Rows(Wax, Waa.RowCount, nameof(Wax));
        Guard.Shape(ba, Waa.RowCount, 1, nameof(ba));
        this.Waa = Waa; this.Wax = Wax; this.ba = ba; G = g;
        Parameters = ParameterSet.Of(new NamedMatrix("Waa", Waa), new NamedMatrix("Wax", Wax), new NamedMatrix("ba", ba));
    }

    /// <summary>A new layer with W_aa, W_ax from <paramref name="init"/> (default Xavier) and b_a = 0.</summary>
    public static RnnLayer Create(int nx, int na, Random rng, Activation g = Activation.Tanh, Func<int, int, Random, Matrix<double>>? init = null)
    {
        Guard.Positive(nx, nameof(nx)); Guard.Positive(na, nameof(na)); Guard.NotNull(rng, nameof(rng));
        init ??= Init.Xavier;
        return new RnnLayer(init(na, na, rng), init(na, nx, rng), Init.Zeros(na, 1), g);
    }

    /// <summary>W_aa (n_a, n_a).</summary>
    public Matrix<double> Waa { get; }

    /// <summary>W_ax (n_a, n_x).</summary>
    public Matrix<double> Wax { get; }

    /// <summary>b_a (n_a, 1).</summary>
    public Matrix<double> ba { get; }

    /// <summary>The hidden activation g.</summary>
    public Activation G { get; }

    /// <inheritdoc />
    public int InputSize => Wax.ColumnCount;

    /// <inheritdoc />
    public int HiddenSize => Waa.RowCount;

    /// <inheritdoc />
    public IParameterSet Parameters { get; }

    /// <inheritdoc />
    public RecurrentOutput Forward(IReadOnlyList<Matrix<double>> xs)
    {
        Rnn.CheckInputs(xs, InputSize);
        var A = new Matrix<double>[xs.Count];
        var caches = new RnnCellCache[xs.Count];
        var aPrev = Init.Zeros(HiddenSize, xs[0].ColumnCount);
        for (int t = 0; t < xs.Count; t++)
        {
            (A[t], caches[t]) = RnnCell.Forward(xs[t], aPrev, Waa, Wax, ba, G);
            aPrev = A[t];
        }
        return new RecurrentOutput(A, caches);
    }

    /// <inheritdoc />
    public RecurrentGradients Backward(IReadOnlyList<Matrix<double>?> dA, RecurrentOutput forward)
    {
        Guard.NotNull(dA, nameof(dA)); Guard.NotNull(forward, nameof(forward));
        if (forward.Cache is not RnnCellCache[] caches)
            throw new ArgumentException($"forward must come from RnnLayer.Forward but its cache is {forward.Cache?.GetType().Name ?? "null"}.", nameof(forward));
        int T = caches.Length, m = forward.A[0].ColumnCount;
        if (dA.Count != T)
            throw new ArgumentException($"dA must have {T} time steps like the forward pass but has {dA.Count}.", nameof(dA));
        var grads = new RnnCellGradients(Init.Zeros(HiddenSize, HiddenSize), Init.Zeros(HiddenSize, InputSize), Init.Zeros(HiddenSize, 1));
        var dx = new Matrix<double>[T];
        var daNext = Init.Zeros(HiddenSize, m);
        for (int t = T - 1; t >= 0; t--)
        {
            var da = daNext;
            if (dA[t] is { } up) { Guard.Shape(up, HiddenSize, m, $"dA[{t}]"); da = da + up; }
            (dx[t], daNext) = RnnCell.Backward(da, caches[t], grads.dWaa, grads.dWax, grads.dba);
        }
        return new RecurrentGradients(dx, grads);
    }
}
