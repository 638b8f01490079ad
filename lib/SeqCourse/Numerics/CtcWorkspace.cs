using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace SeqCourse.Numerics;

/// <summary>
/// The fast path of CTC (syllabus §3.7) for one example at a time, on reusable flat buffers: the α and
/// β recursions on probabilities rescaled after every frame (Graves et al. 2006, §4.1; Rabiner 1989)
/// instead of ln α / ln β with log-sum-exp, vectorised over the extended labels s.
/// <para>
/// Use: <see cref="Begin"/> (sizes the buffers for C classes, T frames and the target, builds l′),
/// <see cref="SetFrame"/> for every frame t (y^t = softmax(u^t)), then <see cref="TryLossAndGradient"/>,
/// and read scale·(y^t − γ_t) with <see cref="GradientFrame"/>. Buffers grow on first use and are
/// reused, so a warmed-up workspace allocates nothing. A workspace is not thread-safe: give every
/// thread its own.
/// </para>
/// <para>
/// Why it is fast: the log-space recursion needs an exp and a log per lattice cell and per term; here
/// a cell is α̂_t(s) = (α̂_{t−1}(s) + α̂_{t−1}(s−1) + skip(s)·α̂_{t−1}(s−2))·y^t_{l′_s} — an add, an FMA
/// and two multiplies (one applies the previous frame's 1/Σ), four or eight cells per instruction — with
/// one exp per (class, frame) in the softmax and a log only every few hundred frames. The shifts s−1 and s−2 are unaligned loads from a frame row
/// that starts with two zeros, the skip rule (no skip onto a blank or onto a repeated label) is a 0/1
/// mask, and cells that no path reaches yet stay exactly 0, so no branch is needed inside a frame.
/// </para>
/// <para>
/// Exactness: a cell can only be flushed to 0 if it is below 1e-308 of its frame's total, which cannot
/// change the result to 1e-12. When a frame total, the end probability or a γ normaliser falls below
/// 1e-280 (extremely peaky inputs, or an infeasible target), <see cref="TryLossAndGradient"/> returns
/// false and the caller must use the log-space route, which never underflows.
/// </para>
/// </summary>
public sealed class CtcWorkspace
{
    /// <summary>Below this a rescaling factor is no longer trusted (the caller falls back to log space).</summary>
    private const double Tiny = 1e-280;

    /// <summary>Padding of the lattice rows: a multiple of every vector width (8 doubles = Vector512).</summary>
    private const int Pad = 8;

    private readonly SimdLevel simd;
    private int classes, frames, labels, states, stride, cstride;   // C, T, L, S = 2L + 1, Sp = S and Cp = C rounded up to Pad
    private int[] ext = [];
    private double[] skip = [], even = [], y = [], invSum = [], emit = [], alpha = [], beta = [], q = [], w = [];

    /// <summary>A workspace whose kernels use <paramref name="simd"/> (<see cref="SimdLevel.Auto"/>: the widest accelerated width).</summary>
    public CtcWorkspace(SimdLevel simd = SimdLevel.Auto) => this.simd = Gemm.Resolve(simd);

    /// <summary>The instruction set the kernels use.</summary>
    public SimdLevel Simd => simd;

    /// <summary>
    /// Prepares the buffers for C = <paramref name="classes"/>, T = <paramref name="frameCount"/> and the
    /// target l (labels 1…C−1; l′ = (∅, l_1, ∅, …, l_L, ∅)). The target must be feasible (T ≥ L + R, see
    /// <see cref="Ctc.IsFeasible"/>); otherwise <see cref="TryLossAndGradient"/> returns false.
    /// </summary>
    public void Begin(int classes, int frameCount, ReadOnlySpan<int> target)
    {
        if (classes < 2) throw new ArgumentException($"classes must be >= 2 (blank + labels) but is {classes}.", nameof(classes));
        if (frameCount < 1) throw new ArgumentException($"frameCount must be >= 1 but is {frameCount}.", nameof(frameCount));
        for (int i = 0; i < target.Length; i++)
            if (target[i] < 1 || target[i] >= classes)
                throw new ArgumentException($"target[{i}] must be a label in [1, {classes - 1}] (class 0 is the blank) but is {target[i]}.", nameof(target));
        this.classes = classes; frames = frameCount; labels = target.Length;
        states = 2 * labels + 1;
        stride = (states + Pad - 1) / Pad * Pad;
        cstride = (classes + Pad - 1) / Pad * Pad;
        Grow(ref ext, states);
        Grow(ref skip, stride + 2 * Pad);
        Grow(ref even, stride);
        Grow(ref y, cstride * frameCount);
        Grow(ref invSum, frameCount);
        Grow(ref emit, stride * frameCount);
        Grow(ref alpha, (stride + 2) * frameCount + Pad);
        Grow(ref beta, stride + 2 * Pad);
        Grow(ref q, stride + 2 * Pad);
        Grow(ref w, stride);
        ext.AsSpan(0, states).Clear();
        for (int i = 0; i < labels; i++) ext[2 * i + 1] = target[i];
        // skip[s] = 1 when α_t(s) may also come from s − 2: only onto a label that differs from l′_{s−2}
        // (never onto a blank, never between two equal labels — §3.7). Zero beyond S.
        skip.AsSpan(0, stride + 2 * Pad).Clear();
        for (int s = 2; s < states; s++) if (ext[s] != ext[s - 2]) skip[s] = 1.0;
        even.AsSpan(0, stride).Clear();
        for (int s = 0; s < states; s += 2) even[s] = 1.0;
    }

    /// <summary>
    /// Frame t: the emissions of frame t from its C logits <paramref name="logits"/>. Stored unnormalised,
    /// e^t = exp(u^t − max_k u^t_k) with 1 / Σ_k e^t_k kept aside: y^t = e^t / Σ_k e^t_k differs from e^t
    /// by one factor per frame, which the per-frame rescaling of α and β absorbs, so only ln p and the
    /// gradient need the factor.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public unsafe void SetFrame(int t, ReadOnlySpan<double> logits)
    {
        if ((uint)t >= (uint)frames) throw new ArgumentException($"t must be in [0, {frames - 1}] but is {t}.", nameof(t));
        if (logits.Length != classes) throw new ArgumentException($"logits must have C = {classes} entries but has {logits.Length}.", nameof(logits));
        int C = classes, Cp = cstride, S = states, Sp = stride;
        fixed (double* y0 = y, u = logits, e0 = emit)
        fixed (int* l = ext)
        {
            double* row = y0 + t * Cp;
            for (int k = 0; k < C; k++) row[k] = u[k];
            double sum = simd switch
            {
                SimdLevel.Vector512 => Exp512(row, C, Cp),
                SimdLevel.Vector256 => Exp256(row, C, Cp),
                _ => ExpScalar(row, C),
            };
            invSum[t] = 1.0 / sum;
            double* e = e0 + t * Sp;
            for (int s = 0; s < S; s++) e[s] = row[l[s]];   // e^t_{l′_s} = y^t_{l′_s} · Σ_k e^t_k
            for (int s = S; s < Sp; s++) e[s] = 0;
        }
    }

    /// <summary>
    /// ln p(l|x) from the frames set with <see cref="SetFrame"/>; with <paramref name="wantGradient"/>
    /// also scale·(y^t − γ_t) for every frame (<see cref="GradientFrame"/>). Returns false when a
    /// rescaling factor leaves the safe range (then nothing is valid: use the log-space route).
    /// </summary>
    public bool TryLossAndGradient(bool wantGradient, double scale, out double logP) => simd switch
    {
        SimdLevel.Vector512 => Run<V512, Vector512<double>>(wantGradient, scale, out logP),
        SimdLevel.Vector256 => Run<V256, Vector256<double>>(wantGradient, scale, out logP),
        _ => Run<VScalar, double>(wantGradient, scale, out logP),
    };

    /// <summary>scale·(y^t − γ_t) (C entries) after a successful <see cref="TryLossAndGradient"/> with the gradient.</summary>
    public ReadOnlySpan<double> GradientFrame(int t) => y.AsSpan(t * cstride, classes);

    // e = exp(u − max u) in place on a row of C logits padded to Cp, returning Σ e over the C classes. The
    // padding is set to max − 600 (not −∞: Vector512.Exp takes a slow scalar route for |x| > 708); its
    // e^−600 ≈ 1e-261 cannot change a sum that is at least 1 (the max class contributes e^0).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe double Exp512(double* r, int C, int Cp)
    {
        for (int k = C; k < Cp; k++) r[k] = r[0];
        var m = Vector512.Load(r);
        for (int k = 8; k < Cp; k += 8) m = Vector512.Max(m, Vector512.Load(r + k));
        var h = Vector256.Max(m.GetLower(), m.GetUpper());
        double mx = Math.Max(Math.Max(h[0], h[1]), Math.Max(h[2], h[3]));
        for (int k = C; k < Cp; k++) r[k] = mx - 600;
        var max = Vector512.Create(mx);
        var sum = Vector512<double>.Zero;
        for (int k = 0; k < Cp; k += 8)
        {
            var v = Vector512.Exp(Vector512.Load(r + k) - max);
            v.Store(r + k);
            sum += v;
        }
        return Vector512.Sum(sum);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe double Exp256(double* r, int C, int Cp)
    {
        for (int k = C; k < Cp; k++) r[k] = r[0];
        var m = Vector256.Load(r);
        for (int k = 4; k < Cp; k += 4) m = Vector256.Max(m, Vector256.Load(r + k));
        double mx = Math.Max(Math.Max(m[0], m[1]), Math.Max(m[2], m[3]));
        for (int k = C; k < Cp; k++) r[k] = mx - 600;
        var max = Vector256.Create(mx);
        var sum = Vector256<double>.Zero;
        for (int k = 0; k < Cp; k += 4)
        {
            var v = Vector256.Exp(Vector256.Load(r + k) - max);
            v.Store(r + k);
            sum += v;
        }
        return Vector256.Sum(sum);
    }

    private static unsafe double ExpScalar(double* r, int C)
    {
        double max = double.NegativeInfinity;
        for (int k = 0; k < C; k++) max = Math.Max(max, r[k]);
        double sum = 0;
        for (int k = 0; k < C; k++) sum += r[k] = Math.Exp(r[k] - max);
        return sum;
    }

    private static void Grow(ref double[] a, int n) { if (a.Length < n) a = new double[n]; }
    private static void Grow(ref int[] a, int n) { if (a.Length < n) a = new int[n]; }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private unsafe bool Run<TO, TV>(bool wantGradient, double scale, out double logP)
        where TO : struct, ISimd<TV>
        where TV : struct
    {
        if (frames == 0) throw new InvalidOperationException("Call Begin (and SetFrame for every frame) before TryLossAndGradient.");
        int W = TO.Width, S = states, Sp = stride, la = Sp + 2, T = frames;
        logP = double.NaN;
        fixed (double* A = alpha, E = emit, sk = skip, iz = invSum)
        {
            // Row t of A (at t·la + 2, after two zeros) holds α̃_t = α̂_t · c_t: the recursion applied to the
            // normalised α̂_{t−1} = α̃_{t−1} / c_{t−1}, with c_t = Σ_s α̃_t(s). The 1/c_{t−1} rides on the
            // emission factor, so a frame is one pass. ln p = Σ_{t<T−1} ln c_t + ln(α̃_T(S) + α̃_T(S−1))
            // − Σ_t ln Σ_k e^t_k (the emissions are unnormalised, see SetFrame).
            new Span<double>(A, la).Clear();   // later rows: only what the loop below does not write
            A[2] = E[0];                        // α_1(1) = y^1_∅
            if (S > 1) A[3] = E[1];             // α_1(2) = y^1_{l_1}
            double c = S > 1 ? A[2] + A[3] : A[2];
            double logScale = 0, product = iz[0];   // Π c_t Π 1/Σe, logged whenever it leaves [1e-200, 1e200]
            for (int t = 1; t < T; t++)
            {
                if (!(c >= Tiny)) return false;
                product *= c * iz[t];
                if (product < 1e-200 || product > 1e200) { logScale += Math.Log(product); product = 1; }
                double* pa = A + (t - 1) * la, na = A + t * la, e = E + t * Sp;
                int hi = Math.Min(Sp, (2 * t + 2 + W - 1) / W * W);   // α_t(s) = 0 for s ≥ 2t + 2 (nothing reaches it yet)
                na[0] = 0; na[1] = 0;
                if (hi < Sp) new Span<double>(na + 2 + hi, Sp - hi).Clear();
                TV inv = TO.Broadcast(1.0 / c), sum = TO.Zero;
                for (int s = 0; s < hi; s += W)
                {
                    // α_t(s) = (α_{t−1}(s) + α_{t−1}(s−1) + skip(s)·α_{t−1}(s−2)) · y^t_{l′_s}   (§3.7)
                    TV v = TO.Add(TO.Load(pa + 2 + s), TO.Load(pa + 1 + s));
                    v = TO.Mul(TO.Fma(TO.Load(sk + s), TO.Load(pa + s), v), TO.Mul(TO.Load(e + s), inv));
                    TO.Store(na + 2 + s, v);
                    sum = TO.Add(sum, v);
                }
                c = TO.Sum(sum);
            }
            double* last = A + (T - 1) * la + 2;
            double pEnd = S > 1 ? last[S - 1] + last[S - 2] : last[0];   // p = α_T(S) + α_T(S−1)
            if (!(c >= Tiny) || !(pEnd >= Tiny * c)) return false;
            logP = Math.Log(pEnd) + logScale + Math.Log(product);
            if (!wantGradient) return true;

            fixed (double* B = beta, Q = q, Wk = w, ev = even, Y = y)
            fixed (int* l = ext)
            {
                // B holds β̃_t(s) = β_t(s) / y^t_{l′_s} (the future after frame t, without frame t's own
                // emission) up to a factor per frame: β̃_T = 1 on the two final states, and a step back is
                // q(s) = e^{t+1}_{l′_s} β̃_{t+1}(s) / Σ_s β̃_{t+1}(s), β̃_t(s) = q(s) + q(s+1) + skip(s+2)·q(s+2).
                new Span<double>(B, Sp + 2 * Pad).Clear();
                new Span<double>(Q, Sp + 2 * Pad).Clear();
                B[S - 1] = 1; if (S > 1) B[S - 2] = 1;
                double cb = S > 1 ? 2 : 1;
                if (!Gamma<TO, TV>(T - 1, A + (T - 1) * la + 2, B, Wk, ev, Y, l, scale * iz[T - 1], scale)) return false;
                for (int t = T - 2; t >= 0; t--)
                {
                    if (!(cb >= Tiny)) return false;
                    double* e = E + (t + 1) * Sp;
                    int lo = Math.Max(0, S - 2 * (T - t)) / W * W;   // β_t(s) = 0 for s < S − 2(T − t): the end is out of reach
                    TV inv = TO.Broadcast(1.0 / cb), sum = TO.Zero;
                    for (int s = lo; s < Sp; s += W) TO.Store(Q + s, TO.Mul(TO.Mul(TO.Load(e + s), inv), TO.Load(B + s)));
                    for (int s = lo; s < Sp; s += W)
                    {
                        // the mirror image of the α step
                        TV v = TO.Add(TO.Load(Q + s), TO.Load(Q + s + 1));
                        v = TO.Fma(TO.Load(sk + s + 2), TO.Load(Q + s + 2), v);
                        TO.Store(B + s, v);
                        sum = TO.Add(sum, v);
                    }
                    cb = TO.Sum(sum);
                    if (!Gamma<TO, TV>(t, A + t * la + 2, B, Wk, ev, Y, l, scale * iz[t], scale)) return false;
                }
            }
        }
        return true;
    }

    /// <summary>
    /// Frame t of the gradient, in place over e^t: scale·(y^t_k − γ_t(k)), with scale·y^t = <paramref name="eScale"/>·e^t and
    /// γ_t(k) = Σ_{s: l′_s = k} α̃_t(s) β̃_t(s) / Σ_s α̃_t(s) β̃_t(s) (the per-frame factors of α̃ and β̃ cancel).
    /// False if the normaliser underflows.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private unsafe bool Gamma<TO, TV>(int t, double* a, double* b, double* wv, double* ev, double* Y, int* l, double eScale, double scale)
        where TO : struct, ISimd<TV>
        where TV : struct
    {
        int W = TO.Width, Sp = stride, Cp = cstride;
        TV z = TO.Zero, zBlank = TO.Zero;
        for (int s = 0; s < Sp; s += W)
        {
            TV v = TO.Mul(TO.Load(a + s), TO.Load(b + s));
            TO.Store(wv + s, v);
            z = TO.Add(z, v);
            zBlank = TO.Fma(TO.Load(ev + s), v, zBlank);   // the blanks (even s) all go to class 0
        }
        double zs = TO.Sum(z);
        if (!(zs >= Tiny)) return false;
        double c = scale / zs;
        double* g = Y + t * Cp;
        TV f = TO.Broadcast(eScale);
        for (int k = 0; k < Cp; k += W) TO.Store(g + k, TO.Mul(TO.Load(g + k), f));   // scale·y^t
        g[0] -= c * TO.Sum(zBlank);
        for (int s = 1; s < states; s += 2) g[l[s]] -= c * wv[s];   // the labels (odd s); a repeated label accumulates
        return true;
    }
}
