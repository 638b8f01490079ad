using MathNet.Numerics.LinearAlgebra;

namespace SeqCourse;

/// <summary>What <see cref="AttentionMemory.AttendBackward"/> needs from one <see cref="AttentionMemory.Attend"/> call.</summary>
public sealed class AttentionStep
{
    internal AttentionStep(Matrix<double> s, Matrix<double> h, Matrix<double> alpha) { S = s; H = h; Alpha = alpha; }
    internal Matrix<double> S { get; }
    internal Matrix<double> H { get; }     // tanh(W1 s + W2 a⟨t′⟩), all (t′, i) as columns t′·m + i
    /// <summary>α⟨t,t′⟩ (T_x, m).</summary>
    public Matrix<double> Alpha { get; }
}

/// <summary>
/// The same additive attention as <see cref="Attention.AttentionForward"/> (§3.9), organised for a decoder that attends
/// to one source T_y times. The annotation projections W2 a⟨t′⟩ do not depend on the decoder step, so they are
/// computed once per source, for all T_x positions and m examples in one matrix product
/// (U = W2 [a⟨1⟩ … a⟨T_x⟩], n_h × T_x·m). Their gradients are summed over the decoder steps first and pushed back
/// through W2 once at the end: dW2 = (Σ_t dH_t) Aᵀ and da = W2ᵀ Σ_t dH_t, which is the same sum as
/// Σ_t (dh_t a⟨t′⟩ᵀ) of the per-step backward, computed with two products instead of 2·T_y·T_x.
/// Use: <see cref="Create"/> → <see cref="Attend"/> for t = 1…T_y → <see cref="AttendBackward"/> for t = T_y…1 → <see cref="Gradients"/>.
/// Not thread-safe (it accumulates gradients).
/// </summary>
public sealed class AttentionMemory
{
    private readonly AttentionParameters _p;
    private readonly Matrix<double> _a;        // [a⟨1⟩ … a⟨T_x⟩] side by side: (2n_a, T_x·m), column t′·m + i
    private readonly Matrix<double> _u;        // W2 _a
    private readonly int[] _lengths;
    private readonly Matrix<double> _dU, _dA, _dW1, _dv;

    private AttentionMemory(AttentionParameters p, Matrix<double> a, int tx, int m, int[] lengths)
    {
        _p = p; _a = a; Tx = tx; M = m; _lengths = lengths;
        _u = p.W2 * a;
        var (nH, nS, _) = p.Sizes;
        _dU = Matrix<double>.Build.Dense(nH, tx * m);
        _dA = Matrix<double>.Build.Dense(a.RowCount, tx * m);
        _dW1 = Matrix<double>.Build.Dense(nH, nS);
        _dv = Matrix<double>.Build.Dense(nH, 1);
    }

    /// <summary>T_x.</summary>
    public int Tx { get; }
    /// <summary>m.</summary>
    public int M { get; }

    /// <summary>
    /// Stores the annotations a⟨1…T_x⟩ (each (2n_a, m)) and projects them with W2 once. Optional
    /// <paramref name="sourceLengths"/> mask padding as in <see cref="Attention.AttentionForward"/>.
    /// </summary>
    public static AttentionMemory Create(IReadOnlyList<Matrix<double>> a, AttentionParameters p, IReadOnlyList<int>? sourceLengths = null)
    {
        Guard.NotNull(p, nameof(p));
        Guard.Sequence(a, nameof(a));
        int tx = a.Count, nA2 = a[0].RowCount, m = a[0].ColumnCount;
        if (p.W2.ColumnCount != nA2)
            throw new ArgumentException($"a[t] must have {p.W2.ColumnCount} rows (columns of W2 = 2n_a) but has shape ({nA2}, {m}).", nameof(a));
        var lengths = Enumerable.Repeat(tx, m).ToArray();
        if (sourceLengths is not null)
        {
            if (sourceLengths.Count != m)
                throw new ArgumentException($"sourceLengths must have {m} entries (one per column) but has {sourceLengths.Count}.", nameof(sourceLengths));
            for (int i = 0; i < m; i++)
            {
                if (sourceLengths[i] < 1 || sourceLengths[i] > tx)
                    throw new ArgumentException($"sourceLengths[{i}] must be in [1, {tx}] but is {sourceLengths[i]}.", nameof(sourceLengths));
                lengths[i] = sourceLengths[i];
            }
        }
        var all = Matrix<double>.Build.Dense(nA2, tx * m);
        var dst = all.AsColumnMajorArray();
        for (int t = 0; t < tx; t++)
        {
            var src = a[t].ToColumnMajorArray();
            Array.Copy(src, 0, dst, t * m * nA2, src.Length);
        }
        return new AttentionMemory(p, all, tx, m, lengths);
    }

    /// <summary>
    /// One decoder step: h = tanh(W1 s⟨t−1⟩ + W2 a⟨t′⟩), e⟨t,t′⟩ = vᵀh, α⟨t,·⟩ = softmax over t′ &lt; T_x^(i),
    /// ctx⟨t⟩ = Σ_t′ α⟨t,t′⟩ a⟨t′⟩. Returns ctx (2n_a, m) and the step record (with α).
    /// </summary>
    public (Matrix<double> Ctx, AttentionStep Step) Attend(Matrix<double> s)
    {
        var (nH, nS, nA2) = _p.Sizes;
        Guard.Shape(s, nS, M, nameof(s));
        var q = Values(_p.W1 * s);                   // W1 s⟨t−1⟩, the same for every t′
        var h = Matrix<double>.Build.Dense(nH, Tx * M);
        var H = h.AsColumnMajorArray();
        var U = Values(_u);
        var v = Values(_p.v);
        var alpha = Matrix<double>.Build.Dense(Tx, M);
        var al = alpha.AsColumnMajorArray();                         // al[i·T_x + t′]
        for (int t = 0; t < Tx; t++)
            for (int i = 0; i < M; i++)
            {
                int col = (t * M + i) * nH, qi = i * nH;
                double e = 0;
                for (int k = 0; k < nH; k++)
                {
                    double hk = Math.Tanh(U[col + k] + q[qi + k]);
                    H[col + k] = hk;
                    e += v[k] * hk;                                  // e⟨t,t′⟩ = vᵀ h
                }
                al[i * Tx + t] = e;
            }
        for (int i = 0; i < M; i++)                                  // softmax over the first T_x^(i) positions
        {
            int o = i * Tx, len = _lengths[i];
            double max = double.NegativeInfinity;
            for (int t = 0; t < len; t++) max = Math.Max(max, al[o + t]);
            double sum = 0;
            for (int t = 0; t < len; t++) { al[o + t] = Math.Exp(al[o + t] - max); sum += al[o + t]; }
            for (int t = 0; t < len; t++) al[o + t] /= sum;
            for (int t = len; t < Tx; t++) al[o + t] = 0;
        }
        var ctx = Matrix<double>.Build.Dense(nA2, M);
        var c = ctx.AsColumnMajorArray();
        var A = Values(_a);
        for (int t = 0; t < Tx; t++)
            for (int i = 0; i < M; i++)
            {
                double w = al[i * Tx + t];
                if (w == 0) continue;
                int src = (t * M + i) * nA2, dst = i * nA2;
                for (int k = 0; k < nA2; k++) c[dst + k] += w * A[src + k];   // ctx = Σ_t′ α a⟨t′⟩
            }
        return (ctx, new AttentionStep(s, h, alpha));
    }

    /// <summary>
    /// The backward pass of one <see cref="Attend"/> call given dctx (2n_a, m), exactly §3.9: returns ds⟨t−1⟩ (n_s, m)
    /// and accumulates dW1, dv and the gradients of the annotations and of their projections.
    /// </summary>
    public Matrix<double> AttendBackward(Matrix<double> dCtx, AttentionStep step)
    {
        Guard.NotNull(step, nameof(step));
        var (nH, _, nA2) = _p.Sizes;
        Guard.Shape(dCtx, nA2, M, nameof(dCtx));
        var dc = Values(dCtx);
        var A = Values(_a);
        var dA = _dA.AsColumnMajorArray();
        var al = step.Alpha.AsColumnMajorArray();
        var H = step.H.AsColumnMajorArray();
        var dU = _dU.AsColumnMajorArray();
        var v = Values(_p.v);
        var dv = _dv.AsColumnMajorArray();
        var dq = Matrix<double>.Build.Dense(nH, M);
        var DQ = dq.AsColumnMajorArray();
        var dAlpha = new double[Tx];
        for (int i = 0; i < M; i++)
        {
            int dci = i * nA2;
            double avg = 0;
            for (int t = 0; t < Tx; t++)
            {
                double w = al[i * Tx + t];
                int col = (t * M + i) * nA2;
                double d = 0;
                for (int k = 0; k < nA2; k++)
                {
                    d += dc[dci + k] * A[col + k];                   // dα_t′ = dctxᵀ a⟨t′⟩
                    dA[col + k] += w * dc[dci + k];                  // da⟨t′⟩ += α_t′ dctx
                }
                dAlpha[t] = d;
                avg += w * d;
            }
            for (int t = 0; t < Tx; t++)
            {
                double de = al[i * Tx + t] * (dAlpha[t] - avg);      // de_t′ = α_t′(dα_t′ − Σ α dα)
                if (de == 0) continue;
                int col = (t * M + i) * nH;
                for (int k = 0; k < nH; k++)
                {
                    double hk = H[col + k];
                    dv[k] += de * hk;                                // dv += de_t′ h_t′
                    double dh = de * v[k] * (1 - hk * hk);           // dh_t′ = v de_t′ ⊙ (1 − h²)
                    dU[col + k] += dh;                               // → dW2, da⟨t′⟩ at the end
                    DQ[i * nH + k] += dh;                            // Σ_t′ dh_t′
                }
            }
        }
        _dW1.Add(dq.TransposeAndMultiply(step.S), _dW1);             // dW1 += (Σ_t′ dh_t′) sᵀ
        return _p.W1.TransposeThisAndMultiply(dq);                   // ds = W1ᵀ Σ_t′ dh_t′
    }

    /// <summary>
    /// After all <see cref="AttendBackward"/> calls: the summed parameter gradients and ∂J/∂a⟨t′⟩ (each (2n_a, m)),
    /// including da⟨t′⟩ += W2ᵀ dh_t′ and dW2 = Σ dh_t′ a⟨t′⟩ᵀ, done here once for all steps.
    /// </summary>
    public (AttentionGradients Grads, Matrix<double>[] da) Gradients()
    {
        var dW2 = _dU.TransposeAndMultiply(_a);                       // Σ_t Σ_t′ dh a⟨t′⟩ᵀ
        var dAll = _dA + _p.W2.TransposeThisAndMultiply(_dU);         // + W2ᵀ dh
        int nA2 = _a.RowCount;
        var src = dAll.AsColumnMajorArray();
        var da = new Matrix<double>[Tx];
        for (int t = 0; t < Tx; t++)
        {
            var block = new double[nA2 * M];
            Array.Copy(src, t * M * nA2, block, 0, block.Length);
            da[t] = Matrix<double>.Build.Dense(nA2, M, block);
        }
        return (new AttentionGradients(_dW1.Clone(), dW2, _dv.Clone()), da);
    }

    // The column-major values of a dense matrix (read-only use), copied only if the storage is not dense.
    private static double[] Values(Matrix<double> m) => m.AsColumnMajorArray() ?? m.ToColumnMajorArray();
}
