using MathNet.Numerics.LinearAlgebra;
using SeqCourse.Numerics;

namespace SeqCourse;

/// <summary>
/// An LSTM over a whole sequence (syllabus 1.9): <see cref="Forward"/> runs t = 1…T from a⟨0⟩, c⟨0⟩ (zero by default);
/// <see cref="Backward"/> walks t = T…1 carrying da_next and dc_next (both zero at T) and sums the gradients.
/// <para>The step-by-step version, one <see cref="LstmCell"/> call per step, is <see cref="ForwardStepwise"/> /
/// <see cref="BackwardStepwise"/>. <see cref="Forward"/> computes the same equations arranged for speed by
/// <see cref="LstmEngine"/>: the pre-activation z⟨t⟩ = W[a⟨t−1⟩; x⟨t⟩] + b = W_x x⟨t⟩ + W_a a⟨t−1⟩ + b splits into an
/// input half that does not depend on the recurrence — one matrix product for all t before the loop — and the
/// recurrent half W_a a⟨t−1⟩, the only product that must wait for the previous step. Likewise backward only
/// da⟨t−1⟩ = W_aᵀ dz⟨t⟩ is sequential (dx⟨t⟩ = W_xᵀ dz⟨t⟩ rides along with it); dW = Σ_t dz⟨t⟩[a⟨t−1⟩; x⟨t⟩]ᵀ and
/// db = Σ_t dz⟨t⟩ are one product over the gate gradients of all steps. Tests check both versions agree to 1e-12.</para>
/// </summary>
public static class Lstm
{
    /// <summary>a⟨1…T⟩, c⟨1…T⟩ and one cache per step. <paramref name="xs"/>[t] is (n_x, m).</summary>
    public static (Matrix<double>[] A, Matrix<double>[] C, LstmCache[] Caches) Forward(IReadOnlyList<Matrix<double>> xs, LstmParameters p,
        Matrix<double>? a0 = null, Matrix<double>? c0 = null) => ForwardWith(xs, p, a0, c0, default);

    /// <summary><see cref="Forward"/> with the engine's switches (tests force each path).</summary>
    internal static (Matrix<double>[] A, Matrix<double>[] C, LstmCache[] Caches) ForwardWith(IReadOnlyList<Matrix<double>> xs, LstmParameters p,
        Matrix<double>? a0, Matrix<double>? c0, LstmEngineOptions options)
    {
        var (a, c, W, b) = Prepare(xs, p, a0, c0);
        int T = xs.Count, m = a.ColumnCount, na = p.HiddenSize;
        var As = new Matrix<double>[T + 1];                 // a⟨0⟩ … a⟨T⟩
        var Cs = new Matrix<double>[T + 1];
        As[0] = a; Cs[0] = c;
        for (int t = 1; t <= T; t++) { As[t] = LstmSequence.Uninitialized(na, m); Cs[t] = LstmSequence.Uninitialized(na, m); }
        var seq = new LstmSequence(p, W, b, xs.ToArray(), As, Cs, options);
        LstmEngine.ForCurrentThread().Forward(seq);         // the equations of LstmCell.Forward for t = 1…T
        var caches = new LstmCache[T];
        for (int t = 0; t < T; t++) caches[t] = new LstmCache(seq, t);
        return (As[1..], Cs[1..], caches);
    }

    /// <summary>The same as <see cref="Forward"/>, one <see cref="LstmCell"/> step after the other.</summary>
    internal static (Matrix<double>[] A, Matrix<double>[] C, LstmCache[] Caches) ForwardStepwise(IReadOnlyList<Matrix<double>> xs, LstmParameters p,
        Matrix<double>? a0 = null, Matrix<double>? c0 = null)
    {
        var (a, c, W, b) = Prepare(xs, p, a0, c0);
        var As = new Matrix<double>[xs.Count];
        var Cs = new Matrix<double>[xs.Count];
        var caches = new LstmCache[xs.Count];
        for (int t = 0; t < xs.Count; t++)
        {
            (a, c, caches[t]) = LstmCell.ForwardUnchecked(xs[t], a, c, p, W, b);
            As[t] = a; Cs[t] = c;
        }
        return (As, Cs, caches);
    }

    private static (Matrix<double> a, Matrix<double> c, Matrix<double> W, Matrix<double> b) Prepare(IReadOnlyList<Matrix<double>> xs,
        LstmParameters p, Matrix<double>? a0, Matrix<double>? c0)
    {
        Guard.NotNull(p, nameof(p));
        GatedMath.CheckSequence(xs, p.InputSize, nameof(xs));
        int m = xs[0].ColumnCount, na = p.HiddenSize;
        if (a0 is not null) { Guard.Shape(a0, na, m, nameof(a0)); Guard.Finite(a0, nameof(a0)); }
        if (c0 is not null) { Guard.Shape(c0, na, m, nameof(c0)); Guard.Finite(c0, nameof(c0)); }
        var (W, b) = p.Stacked();   // fused once per sequence
        return (a0 ?? Matrix<double>.Build.Dense(na, m), c0 ?? Matrix<double>.Build.Dense(na, m), W, b);
    }

    /// <summary>
    /// BPTT. <paramref name="dA"/>[t] is ∂J/∂a⟨t⟩ from above (n_a, m) or null; <paramref name="dC"/> (optional)
    /// likewise for c⟨t⟩ (e.g. when a loss reads the cell). Returns ∂J/∂x⟨t⟩, ∂J/∂a⟨0⟩, ∂J/∂c⟨0⟩ and the gradients.
    /// </summary>
    public static (Matrix<double>[] dX, Matrix<double> dA0, Matrix<double> dC0, LstmGradients Grads) Backward(
        IReadOnlyList<Matrix<double>?> dA, IReadOnlyList<LstmCache> caches, IReadOnlyList<Matrix<double>?>? dC = null)
    {
        var (p, T) = CheckBackward(dA, caches, dC);
        if (caches[0].Sequence is { } seq && seq.T == T && IsWholeSequence(caches, seq))
        {
            // The caches are the steps of one Forward: back-propagate over its stacked storage.
            return LstmEngine.ForCurrentThread().Backward(seq, dA, dC);
        }
        return BackwardStepwiseUnchecked(dA, caches, dC, p, T);
    }

    /// <summary>The same as <see cref="Backward"/>, one <see cref="LstmCell"/> step after the other (any list of caches).</summary>
    internal static (Matrix<double>[] dX, Matrix<double> dA0, Matrix<double> dC0, LstmGradients Grads) BackwardStepwise(
        IReadOnlyList<Matrix<double>?> dA, IReadOnlyList<LstmCache> caches, IReadOnlyList<Matrix<double>?>? dC = null)
    {
        var (p, T) = CheckBackward(dA, caches, dC);
        return BackwardStepwiseUnchecked(dA, caches, dC, p, T);
    }

    private static (LstmParameters p, int T) CheckBackward(IReadOnlyList<Matrix<double>?> dA, IReadOnlyList<LstmCache> caches,
        IReadOnlyList<Matrix<double>?>? dC)
    {
        Guard.NotNull(caches, nameof(caches));
        if (caches.Count == 0) throw new ArgumentException("caches must contain at least one time step but is empty.", nameof(caches));
        var p = caches[0].P;
        int m = caches[0].X.ColumnCount, na = p.HiddenSize, T = caches.Count;
        GatedMath.CheckGradSequence(dA, T, na, m, nameof(dA), allowNull: true);
        if (dC is not null) GatedMath.CheckGradSequence(dC, T, na, m, nameof(dC), allowNull: true);
        return (p, T);
    }

    private static bool IsWholeSequence(IReadOnlyList<LstmCache> caches, LstmSequence seq)
    {
        for (int t = 0; t < caches.Count; t++)
            if (!ReferenceEquals(caches[t].Sequence, seq) || caches[t].Step != t) return false;
        return true;
    }

    private static (Matrix<double>[] dX, Matrix<double> dA0, Matrix<double> dC0, LstmGradients Grads) BackwardStepwiseUnchecked(
        IReadOnlyList<Matrix<double>?> dA, IReadOnlyList<LstmCache> caches, IReadOnlyList<Matrix<double>?>? dC, LstmParameters p, int T)
    {
        int m = caches[0].X.ColumnCount, na = p.HiddenSize;
        var acc = new LstmAccumulator(p);
        var dX = new Matrix<double>[T];
        var daNext = Matrix<double>.Build.Dense(na, m);
        var dcNext = Matrix<double>.Build.Dense(na, m);
        for (int t = T - 1; t >= 0; t--)
        {
            var da = dA[t] is { } up ? up + daNext : daNext;            // the cell receives da⟨t⟩ + da_next
            var dc = dC?[t] is { } upc ? upc + dcNext : dcNext;
            (dX[t], daNext, dcNext) = LstmCell.BackwardInto(da, dc, caches[t], acc);
        }
        return (dX, daNext, dcNext, acc.ToGradients());
    }
}

/// <summary>An LSTM as an <see cref="IRecurrentLayer"/> (zero initial a and c); outputs a⟨t⟩.</summary>
public sealed class LstmLayer : IRecurrentLayer
{
    /// <summary>The parameters the layer computes with (not a copy).</summary>
    public LstmParameters P { get; }

    /// <summary>Wraps existing parameters.</summary>
    public LstmLayer(LstmParameters p) => P = Guard.NotNull(p, nameof(p));

    /// <summary>A layer with Xavier weights, zero biases except b_f = 1, optional (zero) peepholes.</summary>
    public LstmLayer(int nx, int na, Random rng, bool peepholes = false) : this(LstmParameters.Create(nx, na, rng, peepholes)) { }

    /// <inheritdoc />
    public int InputSize => P.InputSize;
    /// <inheritdoc />
    public int HiddenSize => P.HiddenSize;
    /// <inheritdoc />
    public IParameterSet Parameters => P;

    /// <inheritdoc />
    public RecurrentOutput Forward(IReadOnlyList<Matrix<double>> xs)
    {
        var (a, _, caches) = Lstm.Forward(xs, P);
        return new RecurrentOutput(a, caches);
    }

    /// <inheritdoc />
    public RecurrentGradients Backward(IReadOnlyList<Matrix<double>?> dA, RecurrentOutput forward)
    {
        Guard.NotNull(forward, nameof(forward));
        if (forward.Cache is not LstmCache[] caches)
            throw new ArgumentException($"forward must come from LstmLayer.Forward (cache LstmCache[]) but its cache is {forward.Cache?.GetType().Name ?? "null"}.", nameof(forward));
        var (dX, _, _, g) = Lstm.Backward(dA, caches);
        return new RecurrentGradients(dX, g);
    }
}
