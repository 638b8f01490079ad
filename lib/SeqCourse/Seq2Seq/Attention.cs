using MathNet.Numerics.LinearAlgebra;

namespace SeqCourse;

/// <summary>Parameters of additive attention (Bahdanau et al. 2015; §3.9): W1 (n_h, n_s), W2 (n_h, 2n_a), v (n_h, 1).</summary>
public sealed class AttentionParameters : IParameterSet
{
    /// <summary>Acts on the previous decoder state s⟨t−1⟩.</summary>
    public Matrix<double> W1 { get; }
    /// <summary>Acts on each encoder annotation a⟨t′⟩.</summary>
    public Matrix<double> W2 { get; }
    /// <summary>Reads the energy off the hidden layer: e = vᵀ h.</summary>
    public Matrix<double> v { get; }

    /// <summary>Wraps existing matrices (checked for consistent shapes).</summary>
    public AttentionParameters(Matrix<double> W1, Matrix<double> W2, Matrix<double> v)
    {
        Guard.NotNull(W1, nameof(W1)); Guard.Rows(W2, W1.RowCount, nameof(W2)); Guard.Shape(v, W1.RowCount, 1, nameof(v));
        this.W1 = W1; this.W2 = W2; this.v = v;
    }

    /// <summary>Xavier-initialised parameters for attention size n_h, decoder size n_s and annotation size 2n_a.</summary>
    public static AttentionParameters Create(int nH, int nS, int nA2, Random rng) =>
        new(Init.Xavier(nH, nS, rng), Init.Xavier(nH, nA2, rng), Init.Xavier(nH, 1, rng));

    /// <summary>n_h, n_s, 2n_a.</summary>
    public (int nH, int nS, int nA2) Sizes => (W1.RowCount, W1.ColumnCount, W2.ColumnCount);

    /// <inheritdoc />
    public IReadOnlyList<NamedMatrix> Items => new NamedMatrix[] { new("W1", W1), new("W2", W2), new("v", v) };
}

/// <summary>Gradients of <see cref="AttentionParameters"/>, same order and shapes.</summary>
public sealed record AttentionGradients(Matrix<double> dW1, Matrix<double> dW2, Matrix<double> dv) : IParameterSet
{
    /// <inheritdoc />
    public IReadOnlyList<NamedMatrix> Items => new NamedMatrix[] { new("dW1", dW1), new("dW2", dW2), new("dv", dv) };
}

/// <summary>
/// Parameters of the Coursera <c>one_step_attention</c>: Dense(n_h, tanh) on [s⟨t−1⟩; a⟨t′⟩] split as
/// W1 (n_h, n_s), W2 (n_h, 2n_a) and bias b1 (n_h, 1); then Dense(1, relu) with weights v (n_h, 1) (used as vᵀ) and bias bv (1, 1).
/// </summary>
public sealed class OneStepAttentionParameters : IParameterSet
{
    /// <summary>First dense layer, block acting on s⟨t−1⟩.</summary>
    public Matrix<double> W1 { get; }
    /// <summary>First dense layer, block acting on a⟨t′⟩.</summary>
    public Matrix<double> W2 { get; }
    /// <summary>First dense layer bias.</summary>
    public Matrix<double> b1 { get; }
    /// <summary>Second dense layer (one unit) weights, as a column.</summary>
    public Matrix<double> v { get; }
    /// <summary>Second dense layer bias (1 × 1).</summary>
    public Matrix<double> bv { get; }

    /// <summary>Wraps existing matrices (checked for consistent shapes).</summary>
    public OneStepAttentionParameters(Matrix<double> W1, Matrix<double> W2, Matrix<double> b1, Matrix<double> v, Matrix<double> bv)
    {
        Guard.NotNull(W1, nameof(W1)); int nH = W1.RowCount;
        Guard.Rows(W2, nH, nameof(W2)); Guard.Shape(b1, nH, 1, nameof(b1)); Guard.Shape(v, nH, 1, nameof(v)); Guard.Shape(bv, 1, 1, nameof(bv));
        this.W1 = W1; this.W2 = W2; this.b1 = b1; this.v = v; this.bv = bv;
    }

    /// <summary>Xavier weights, zero biases except bv (a small positive bias keeps the ReLU alive at the start).</summary>
    public static OneStepAttentionParameters Create(int nS, int nA2, Random rng, int nH = 10) =>
        new(Init.Xavier(nH, nS, rng), Init.Xavier(nH, nA2, rng), Init.Zeros(nH, 1), Init.Xavier(nH, 1, rng),
            Matrix<double>.Build.Dense(1, 1, 0.1));

    /// <inheritdoc />
    public IReadOnlyList<NamedMatrix> Items => new NamedMatrix[] { new("W1", W1), new("W2", W2), new("b1", b1), new("v", v), new("bv", bv) };
}

/// <summary>Gradients of <see cref="OneStepAttentionParameters"/>, same order and shapes.</summary>
public sealed record OneStepAttentionGradients(Matrix<double> dW1, Matrix<double> dW2, Matrix<double> db1, Matrix<double> dv, Matrix<double> dbv)
    : IParameterSet
{
    /// <inheritdoc />
    public IReadOnlyList<NamedMatrix> Items =>
        new NamedMatrix[] { new("dW1", dW1), new("dW2", dW2), new("db1", db1), new("dv", dv), new("dbv", dbv) };
}

/// <summary>
/// What the backward pass needs from the forward pass. <see cref="Energies"/> and <see cref="Alpha"/> are
/// (T_x, m): row t′ is input position t′, column i the example — ready for a heat map.
/// </summary>
public sealed class AttentionCache
{
    internal AttentionCache(Matrix<double> s, Matrix<double>[] a, Matrix<double>[] h, Matrix<double>? r, Matrix<double> energies,
        Matrix<double> alpha, int[] lengths, bool oneStep)
    {
        S = s; A = a; H = h; R = r; Energies = energies; Alpha = alpha; Lengths = lengths; OneStep = oneStep;
    }

    internal Matrix<double> S { get; }
    internal Matrix<double>[] A { get; }
    internal Matrix<double>[] H { get; }
    internal Matrix<double>? R { get; }
    internal int[] Lengths { get; }
    internal bool OneStep { get; }

    /// <summary>e⟨t,t′⟩ (T_x, m); masked positions are −∞.</summary>
    public Matrix<double> Energies { get; }

    /// <summary>α⟨t,t′⟩ (T_x, m); each column sums to 1 over the unmasked positions.</summary>
    public Matrix<double> Alpha { get; }
}

/// <summary>The context vector ctx⟨t⟩ (2n_a, m), the weights α⟨t,·⟩ (T_x, m) and the cache.</summary>
public sealed record AttentionOutput(Matrix<double> Ctx, Matrix<double> Alpha, AttentionCache Cache);

/// <summary>∂J/∂s⟨t−1⟩ (n_s, m), ∂J/∂a⟨t′⟩ (2n_a, m) for every t′, and the parameter gradients (summed over columns).</summary>
public sealed record AttentionBackwardResult<TGrads>(TGrads Grads, Matrix<double> ds, Matrix<double>[] da) where TGrads : IParameterSet;

/// <summary>
/// Attention for one decoder step t (syllabus §3.9), batched over m columns. The encoder annotations are
/// a sequence a⟨1…T_x⟩, each (2n_a, m); s is the previous decoder state s⟨t−1⟩ (n_s, m). Optional
/// <c>sourceLengths</c> mask padding: example i attends only to positions t′ &lt; sourceLengths[i].
/// </summary>
public static class Attention
{
    /// <summary>
    /// Published additive attention: e⟨t,t′⟩ = vᵀ tanh(W1 s⟨t−1⟩ + W2 a⟨t′⟩), α⟨t,·⟩ = softmax over t′,
    /// ctx⟨t⟩ = Σ_t′ α⟨t,t′⟩ a⟨t′⟩.
    /// </summary>
    public static AttentionOutput AttentionForward(Matrix<double> s, IReadOnlyList<Matrix<double>> a, AttentionParameters p,
        IReadOnlyList<int>? sourceLengths = null)
    {
        Guard.NotNull(p, nameof(p));
        return Forward(s, a, p.W1, p.W2, null, p.v, null, sourceLengths, oneStep: false);
    }

    /// <summary>
    /// Backward for one step, given dctx = ∂J/∂ctx⟨t⟩ (2n_a, m), exactly as §3.9:
    /// dα_t′ = dctxᵀ a⟨t′⟩; da⟨t′⟩ += α_t′ dctx; de_t′ = α_t′(dα_t′ − Σ_t″ α_t″ dα_t″); dv += Σ_t′ h_t′ de_t′;
    /// dh_t′ = v de_t′ ⊙ (1 − h_t′²); dW1 += (Σ_t′ dh_t′) sᵀ; dW2 += Σ_t′ dh_t′ a⟨t′⟩ᵀ; ds = W1ᵀ Σ_t′ dh_t′; da⟨t′⟩ += W2ᵀ dh_t′.
    /// </summary>
    public static AttentionBackwardResult<AttentionGradients> AttentionBackward(Matrix<double> dCtx, AttentionCache cache, AttentionParameters p)
    {
        Guard.NotNull(cache, nameof(cache)); Guard.NotNull(p, nameof(p));
        if (cache.OneStep) throw new ArgumentException("cache comes from OneStepAttention; use OneStepAttentionBackward.", nameof(cache));
        var (dW1, dW2, _, dv, _, ds, da) = Backward(dCtx, cache, p.W1, p.W2, p.v);
        return new AttentionBackwardResult<AttentionGradients>(new AttentionGradients(dW1, dW2, dv), ds, da);
    }

    /// <summary>
    /// The Coursera <c>one_step_attention</c>: h⟨t′⟩ = tanh(W1 s⟨t−1⟩ + W2 a⟨t′⟩ + b1) (Dense(n_h, tanh) on
    /// the concatenation [s⟨t−1⟩; a⟨t′⟩]), e⟨t,t′⟩ = relu(vᵀ h⟨t′⟩ + bv) (Dense(1, relu) — the ReLU is not in
    /// the published form), α = softmax over t′, ctx = Σ α a.
    /// </summary>
    public static AttentionOutput OneStepAttention(Matrix<double> s, IReadOnlyList<Matrix<double>> a, OneStepAttentionParameters p,
        IReadOnlyList<int>? sourceLengths = null)
    {
        Guard.NotNull(p, nameof(p));
        return Forward(s, a, p.W1, p.W2, p.b1, p.v, p.bv, sourceLengths, oneStep: true);
    }

    /// <summary>Backward of <see cref="OneStepAttention"/>: as <see cref="AttentionBackward"/>, with dr = de ⊙ 1[r &gt; 0] through the ReLU and the two biases.</summary>
    public static AttentionBackwardResult<OneStepAttentionGradients> OneStepAttentionBackward(Matrix<double> dCtx, AttentionCache cache,
        OneStepAttentionParameters p)
    {
        Guard.NotNull(cache, nameof(cache)); Guard.NotNull(p, nameof(p));
        if (!cache.OneStep) throw new ArgumentException("cache comes from AttentionForward; use AttentionBackward.", nameof(cache));
        var (dW1, dW2, db1, dv, dbv, ds, da) = Backward(dCtx, cache, p.W1, p.W2, p.v);
        return new AttentionBackwardResult<OneStepAttentionGradients>(new OneStepAttentionGradients(dW1, dW2, db1!, dv, dbv!), ds, da);
    }

    // ------------------------------------------------------------------ shared implementation

    private static AttentionOutput Forward(Matrix<double> s, IReadOnlyList<Matrix<double>> a, Matrix<double> W1, Matrix<double> W2,
        Matrix<double>? b1, Matrix<double> v, Matrix<double>? bv, IReadOnlyList<int>? sourceLengths, bool oneStep)
    {
        Guard.Sequence(a, nameof(a));
        int Tx = a.Count, nA2 = a[0].RowCount, m = a[0].ColumnCount, nS = W1.ColumnCount;
        Guard.Shape(s, nS, m, nameof(s));
        if (W2.ColumnCount != nA2)
            throw new ArgumentException($"a[t] must have {W2.ColumnCount} rows (columns of W2 = 2n_a) but has shape ({nA2}, {m}).", nameof(a));
        var lengths = Lengths(sourceLengths, Tx, m);

        var W1s = W1 * s;                                   // the same for every t′: computed once
        if (b1 is not null) W1s = W1s + b1 * Matrix<double>.Build.Dense(1, m, 1.0);
        var h = new Matrix<double>[Tx];
        var e = Matrix<double>.Build.Dense(Tx, m, double.NegativeInfinity);
        var r = oneStep ? Matrix<double>.Build.Dense(Tx, m) : null;
        for (int t = 0; t < Tx; t++)
        {
            h[t] = Activations.Tanh(W1s + W2 * a[t]);    // h⟨t′⟩ = tanh(W1 s + W2 a⟨t′⟩ [+ b1])
            var vh = v.TransposeThisAndMultiply(h[t]);      // vᵀ h⟨t′⟩ (1, m)
            for (int i = 0; i < m; i++)
            {
                if (t >= lengths[i]) continue;              // padding: e = −∞, α = 0
                if (oneStep)
                {
                    double ri = vh[0, i] + bv![0, 0];
                    r![t, i] = ri;
                    e[t, i] = ri > 0 ? ri : 0.0;            // Dense(1, relu)
                }
                else e[t, i] = vh[0, i];
            }
        }
        var alpha = Matrix<double>.Build.Dense(Tx, m);
        for (int i = 0; i < m; i++)
        {
            double max = double.NegativeInfinity;
            for (int t = 0; t < lengths[i]; t++) max = Math.Max(max, e[t, i]);
            double sum = 0;
            for (int t = 0; t < lengths[i]; t++) { double x = Math.Exp(e[t, i] - max); alpha[t, i] = x; sum += x; }
            for (int t = 0; t < lengths[i]; t++) alpha[t, i] /= sum;
        }
        var ctx = Matrix<double>.Build.Dense(nA2, m);
        for (int t = 0; t < Tx; t++) ctx += ScaleColumns(a[t], alpha, t);   // ctx = Σ_t′ α⟨t,t′⟩ a⟨t′⟩
        var cache = new AttentionCache(s, a.ToArray(), h, r, e, alpha, lengths, oneStep);
        return new AttentionOutput(ctx, alpha, cache);
    }

    private static (Matrix<double> dW1, Matrix<double> dW2, Matrix<double>? db1, Matrix<double> dv, Matrix<double>? dbv,
        Matrix<double> ds, Matrix<double>[] da) Backward(Matrix<double> dCtx, AttentionCache c, Matrix<double> W1, Matrix<double> W2, Matrix<double> v)
    {
        int Tx = c.A.Length, nA2 = c.A[0].RowCount, m = c.A[0].ColumnCount, nH = W1.RowCount;
        Guard.Shape(dCtx, nA2, m, nameof(dCtx));
        var alpha = c.Alpha;
        // dα_t′ = dctxᵀ a⟨t′⟩ (one number per column) and da⟨t′⟩ = α_t′ dctx
        var dAlpha = Matrix<double>.Build.Dense(Tx, m);
        var da = new Matrix<double>[Tx];
        for (int t = 0; t < Tx; t++)
        {
            for (int i = 0; i < m; i++) dAlpha[t, i] = dCtx.Column(i).DotProduct(c.A[t].Column(i));
            da[t] = ScaleColumns(dCtx, alpha, t);
        }
        // softmax backward: de_t′ = α_t′ (dα_t′ − Σ_t″ α_t″ dα_t″)
        var de = Matrix<double>.Build.Dense(Tx, m);
        for (int i = 0; i < m; i++)
        {
            double avg = 0;
            for (int t = 0; t < Tx; t++) avg += alpha[t, i] * dAlpha[t, i];
            for (int t = 0; t < Tx; t++) de[t, i] = alpha[t, i] * (dAlpha[t, i] - avg);
        }
        // One-step variant: back through e = relu(r), r = vᵀ h + bv
        var dr = de;
        Matrix<double>? dbv = null;
        if (c.OneStep)
        {
            dr = de.Clone();
            for (int i = 0; i < m; i++) for (int t = 0; t < Tx; t++) if (!(c.R![t, i] > 0)) dr[t, i] = 0;
            dbv = Matrix<double>.Build.Dense(1, 1, dr.Enumerate().Sum());
        }
        var dv = Matrix<double>.Build.Dense(nH, 1);
        var dW2 = Matrix<double>.Build.Dense(nH, nA2);
        var sumDh = Matrix<double>.Build.Dense(nH, m);
        for (int t = 0; t < Tx; t++)
        {
            var drRow = dr.SubMatrix(t, 1, 0, m);                       // (1, m)
            dv += c.H[t] * drRow.Transpose();                           // dv += h_t′ de_t′ᵀ (summed over columns)
            var dh = (v * drRow).PointwiseMultiply(Activations.TanhGradFromOutput(c.H[t]));   // v de_t′ ⊙ (1 − h²)
            sumDh += dh;
            dW2 += dh.TransposeAndMultiply(c.A[t]);                     // dW2 += dh_t′ a⟨t′⟩ᵀ
            da[t] += W2.TransposeThisAndMultiply(dh);                   // da⟨t′⟩ += W2ᵀ dh_t′
        }
        var dW1 = sumDh.TransposeAndMultiply(c.S);                      // dW1 = (Σ_t′ dh_t′) sᵀ
        var ds = W1.TransposeThisAndMultiply(sumDh);                    // ds = W1ᵀ Σ_t′ dh_t′
        var db1 = c.OneStep ? sumDh.RowSums().ToColumnMatrix() : null;  // bias: summed over t′ and columns
        return (dW1, dW2, db1, dv, dbv, ds, da);
    }

    private static Matrix<double> ScaleColumns(Matrix<double> x, Matrix<double> alpha, int t)
    {
        var r = x.Clone();
        for (int i = 0; i < x.ColumnCount; i++)
        {
            double w = alpha[t, i];
            for (int k = 0; k < x.RowCount; k++) r[k, i] *= w;
        }
        return r;
    }

    private static int[] Lengths(IReadOnlyList<int>? sourceLengths, int Tx, int m)
    {
        if (sourceLengths is null) return Enumerable.Repeat(Tx, m).ToArray();
        if (sourceLengths.Count != m)
            throw new ArgumentException($"sourceLengths must have {m} entries (one per column) but has {sourceLengths.Count}.", nameof(sourceLengths));
        var l = sourceLengths.ToArray();
        for (int i = 0; i < m; i++)
            if (l[i] < 1 || l[i] > Tx)
                throw new ArgumentException($"sourceLengths[{i}] must be in [1, {Tx}] but is {l[i]}.", nameof(sourceLengths));
        return l;
    }
}
