using MathNet.Numerics.LinearAlgebra;

namespace SeqCourse;

/// <summary>
/// A GRU over a whole sequence (syllabus 1.8, §1.3 contract): <see cref="Forward"/> runs t = 1…T keeping one
/// cache per step, <see cref="Backward"/> walks t = T…1 carrying dc_next and sums the parameter gradients.
/// </summary>
public static class Gru
{
    /// <summary>
    /// c⟨1…T⟩ for <paramref name="xs"/>[t] (n_x, m), starting from <paramref name="c0"/> (n_a, m; zero when null).
    /// In a GRU the hidden state a⟨t⟩ is c⟨t⟩.
    /// </summary>
    public static (Matrix<double>[] C, GruCache[] Caches) Forward(IReadOnlyList<Matrix<double>> xs, GruParameters p, Matrix<double>? c0 = null)
    {
        Guard.NotNull(p, nameof(p));
        GatedMath.CheckSequence(xs, p.InputSize, nameof(xs));
        int m = xs[0].ColumnCount;
        if (c0 is not null) { Guard.Shape(c0, p.HiddenSize, m, nameof(c0)); Guard.Finite(c0, nameof(c0)); }
        var c = c0 ?? Matrix<double>.Build.Dense(p.HiddenSize, m);
        var cs = new Matrix<double>[xs.Count];
        var caches = new GruCache[xs.Count];
        for (int t = 0; t < xs.Count; t++)
        {
            (c, caches[t]) = GruCell.ForwardUnchecked(xs[t], c, p);
            cs[t] = c;
        }
        return (cs, caches);
    }

    /// <summary>
    /// BPTT. <paramref name="dC"/>[t] is ∂J/∂c⟨t⟩ from above (n_a, m), or null when no loss reads step t.
    /// Returns ∂J/∂x⟨t⟩ for every t, ∂J/∂c⟨0⟩, and the parameter gradients summed over t.
    /// </summary>
    public static (Matrix<double>[] dX, Matrix<double> dC0, GruGradients Grads) Backward(IReadOnlyList<Matrix<double>?> dC, IReadOnlyList<GruCache> caches)
    {
        Guard.NotNull(caches, nameof(caches));
        if (caches.Count == 0) throw new ArgumentException("caches must contain at least one time step but is empty.", nameof(caches));
        var p = caches[0].P;
        int m = caches[0].X.ColumnCount;
        GatedMath.CheckGradSequence(dC, caches.Count, p.HiddenSize, m, nameof(dC), allowNull: true);
        var g = p.ZeroGradients();
        var dX = new Matrix<double>[caches.Count];
        var dcNext = Matrix<double>.Build.Dense(p.HiddenSize, m);   // nothing flows in from beyond T
        for (int t = caches.Count - 1; t >= 0; t--)
        {
            var dc = dC[t] is { } up ? up + dcNext : dcNext;
            (dX[t], dcNext) = GruCell.BackwardInto(dc, caches[t], g);
        }
        return (dX, dcNext, g);
    }
}

/// <summary>A GRU as an <see cref="IRecurrentLayer"/> (zero initial state), so it can be made bidirectional or stacked.</summary>
public sealed class GruLayer : IRecurrentLayer
{
    /// <summary>The parameters the layer computes with (not a copy).</summary>
    public GruParameters P { get; }

    /// <summary>Wraps existing parameters.</summary>
    public GruLayer(GruParameters p) => P = Guard.NotNull(p, nameof(p));

    /// <summary>A layer with Xavier-initialised weights, zero biases except b_u = <paramref name="updateBias"/>.</summary>
    public GruLayer(int nx, int na, Random rng, GruVariant variant = GruVariant.Lecture, double updateBias = 0.0)
        : this(GruParameters.Create(nx, na, rng, variant, updateBias)) { }

    /// <inheritdoc />
    public int InputSize => P.InputSize;
    /// <inheritdoc />
    public int HiddenSize => P.HiddenSize;
    /// <inheritdoc />
    public IParameterSet Parameters => P;

    /// <inheritdoc />
    public RecurrentOutput Forward(IReadOnlyList<Matrix<double>> xs)
    {
        var (c, caches) = Gru.Forward(xs, P);
        return new RecurrentOutput(c, caches);
    }

    /// <inheritdoc />
    public RecurrentGradients Backward(IReadOnlyList<Matrix<double>?> dA, RecurrentOutput forward)
    {
        Guard.NotNull(forward, nameof(forward));
        if (forward.Cache is not GruCache[] caches)
            throw new ArgumentException($"forward must come from GruLayer.Forward (cache GruCache[]) but its cache is {forward.Cache?.GetType().Name ?? "null"}.", nameof(forward));
        var (dX, _, g) = Gru.Backward(dA, caches);
        return new RecurrentGradients(dX, g);
    }
}
