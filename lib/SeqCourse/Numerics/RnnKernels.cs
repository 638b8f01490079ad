using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace SeqCourse.Numerics;

/// <summary>
/// Fused, allocation-free kernels for training the character-level language model (a vanilla tanh RNN with one-hot
/// inputs, batch 1; syllabus §1.2–1.5). <see cref="FusedRnnLm"/> holds the workspace and calls them.
/// All matrices are Math.NET's column-major storage: element (i, j) of an n-row matrix is at i + j·n.
/// <para>Vector loops over n rows use blocks of W lanes; the last block is moved back to start at n − W so that it
/// overlaps the one before instead of reading past the end (needs n ≥ W; an overlapped lane computes exactly the
/// same number as before, so storing it twice is harmless, and sums mask the overlap out).</para>
/// <para>tanh and exp are computed here to a few ulp (checked against <see cref="Math.Tanh"/> and <see cref="Math.Exp"/>
/// in the tests), because the scalar library calls cost 10–20 ns each: more than all the multiply-adds of a step.</para>
/// </summary>
internal static unsafe class RnnKernels<TV, S>
    where TV : struct
    where S : struct, ISimd<TV>
{
    // ---------------------------------------------------------------- exp, tanh (VectorExp)

    /// <summary>e^x for x ≤ 0 (the softmax exponents z − max).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TV ExpNonPositive(TV x)
    {
        return VectorExp<TV, S>.Exp(x);
    }

    /// <summary>
    /// tanh z = −m / (2 + m) with m = e^(−2|z|) − 1 = 2ⁿq + (2ⁿ − 1), sign restored; m is computed without
    /// cancellation, so tanh stays accurate to a few ulp near 0 as well.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TV Tanh(TV z)
    {
        TV minus2Abs = S.Mul(S.Abs(z), S.Broadcast(-2.0));
        VectorExp<TV, S>.ExpParts(minus2Abs, out var pow2, out var q);
        TV m = S.Fma(pow2, q, S.Sub(pow2, S.Broadcast(1.0)));
        TV t = S.Div(S.Sub(S.Zero, m), S.Add(S.Broadcast(2.0), m));
        return S.CopySign(t, z);
    }

    /// <summary>y[i] = tanh x[i] (for the tests; n ≥ W).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void TanhSpan(double* x, double* y, int n)
    {
        for (int i = 0; i < n; i += S.Width)
        {
            int o = Math.Min(i, n - S.Width);
            S.Store(y + o, Tanh(S.Load(x + o)));
        }
    }

    /// <summary>y[i] = e^x[i] for x[i] ≤ 0 (for the tests; n ≥ W).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void ExpSpan(double* x, double* y, int n)
    {
        for (int i = 0; i < n; i += S.Width)
        {
            int o = Math.Min(i, n - S.Width);
            S.Store(y + o, ExpNonPositive(S.Load(x + o)));
        }
    }

    // ---------------------------------------------------------------- products

    /// <summary>
    /// Four blocks of r = Σ_j w[:, j]·x[j·xStride] over <paramref name="ncols"/> columns (leading dimension ld), at row
    /// offsets o0…o3; even and odd columns go to separate accumulators so that two FMA chains run in parallel.
    /// xStride = 0 with x → 1.0 sums the columns.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Columns4(double* w, int ld, double* x, int xStride, int ncols, int o0, int o1, int o2, int o3,
        out TV r0, out TV r1, out TV r2, out TV r3)
    {
        TV a0 = S.Zero, a1 = S.Zero, a2 = S.Zero, a3 = S.Zero;
        TV b0 = S.Zero, b1 = S.Zero, b2 = S.Zero, b3 = S.Zero;
        // Pointer bumps and native-int offsets keep index arithmetic out of the loop.
        nint step = ld, xs = xStride, p1 = o1 - o0, p2 = o2 - o0, p3 = o3 - o0;
        double* c = w + o0;
        for (int k = ncols >> 1; k > 0; k--)
        {
            TV x0 = S.Broadcast(*x), x1 = S.Broadcast(x[xs]);
            double* d = c + step;
            a0 = S.Fma(S.Load(c), x0, a0); a1 = S.Fma(S.Load(c + p1), x0, a1);
            a2 = S.Fma(S.Load(c + p2), x0, a2); a3 = S.Fma(S.Load(c + p3), x0, a3);
            b0 = S.Fma(S.Load(d), x1, b0); b1 = S.Fma(S.Load(d + p1), x1, b1);
            b2 = S.Fma(S.Load(d + p2), x1, b2); b3 = S.Fma(S.Load(d + p3), x1, b3);
            c = d + step;
            x += 2 * xs;
        }
        if ((ncols & 1) != 0)
        {
            TV x0 = S.Broadcast(*x);
            a0 = S.Fma(S.Load(c), x0, a0); a1 = S.Fma(S.Load(c + p1), x0, a1);
            a2 = S.Fma(S.Load(c + p2), x0, a2); a3 = S.Fma(S.Load(c + p3), x0, a3);
        }
        r0 = S.Add(a0, b0); r1 = S.Add(a1, b1); r2 = S.Add(a2, b2); r3 = S.Add(a3, b3);
    }

    /// <summary>
    /// G[:, c] = Σ_k X[:, k]·y[c·ys + k·ks] (+ bias) for c &lt; nOut: a small product whose inner dimension k runs over
    /// time steps or hidden units, two output columns at a time so that each load of X feeds two FMAs (8 accumulators).
    /// X is n × K with leading dimension n, G has leading dimension n. Used for Z_y = W_ya A + b_y (all t at once),
    /// dW_aa = Dz A_prevᵀ, dW_ya = Dy Aᵀ and (ys = ks = 0, y → 1) the bias sums. <paramref name="bad"/> collects G·0.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void GemmCols2(double* X, int n, int K, double* y, nint ys, nint ks, int nOut, double* bias, double* G, ref TV bad)
    {
        int W = S.Width;
        nint ld = n;
        for (int c = 0; c < n; c += 4 * W)
        {
            int o0 = Math.Min(c, n - W);
            nint p1 = Math.Min(c + W, n - W) - o0, p2 = Math.Min(c + 2 * W, n - W) - o0, p3 = Math.Min(c + 3 * W, n - W) - o0;
            TV bias0 = S.Zero, bias1 = S.Zero, bias2 = S.Zero, bias3 = S.Zero;
            if (bias != null)
            {
                bias0 = S.Load(bias + o0); bias1 = S.Load(bias + o0 + p1); bias2 = S.Load(bias + o0 + p2); bias3 = S.Load(bias + o0 + p3);
            }
            int j = 0;
            for (; j + 1 < nOut; j += 2)
            {
                TV a0 = S.Zero, a1 = S.Zero, a2 = S.Zero, a3 = S.Zero, b0 = S.Zero, b1 = S.Zero, b2 = S.Zero, b3 = S.Zero;
                double* xc = X + o0;
                double* yj = y + j * ys;
                for (int k = 0; k < K; k++)
                {
                    TV v0 = S.Load(xc), v1 = S.Load(xc + p1), v2 = S.Load(xc + p2), v3 = S.Load(xc + p3);
                    TV y0 = S.Broadcast(*yj), y1 = S.Broadcast(yj[ys]);
                    a0 = S.Fma(v0, y0, a0); a1 = S.Fma(v1, y0, a1); a2 = S.Fma(v2, y0, a2); a3 = S.Fma(v3, y0, a3);
                    b0 = S.Fma(v0, y1, b0); b1 = S.Fma(v1, y1, b1); b2 = S.Fma(v2, y1, b2); b3 = S.Fma(v3, y1, b3);
                    xc += ld; yj += ks;
                }
                a0 = S.Add(a0, bias0); a1 = S.Add(a1, bias1); a2 = S.Add(a2, bias2); a3 = S.Add(a3, bias3);
                b0 = S.Add(b0, bias0); b1 = S.Add(b1, bias1); b2 = S.Add(b2, bias2); b3 = S.Add(b3, bias3);
                double* g0 = G + j * ld + o0, g1 = g0 + ld;
                S.Store(g0, a0); S.Store(g0 + p1, a1); S.Store(g0 + p2, a2); S.Store(g0 + p3, a3);
                S.Store(g1, b0); S.Store(g1 + p1, b1); S.Store(g1 + p2, b2); S.Store(g1 + p3, b3);
                bad = S.Add(bad, S.Mul(S.Add(S.Add(S.Add(a0, a1), S.Add(a2, a3)), S.Add(S.Add(b0, b1), S.Add(b2, b3))), S.Zero));
            }
            if (j < nOut)
            {
                TV a0 = S.Zero, a1 = S.Zero, a2 = S.Zero, a3 = S.Zero;
                double* xc = X + o0;
                double* yj = y + j * ys;
                for (int k = 0; k < K; k++)
                {
                    TV y0 = S.Broadcast(*yj);
                    a0 = S.Fma(S.Load(xc), y0, a0); a1 = S.Fma(S.Load(xc + p1), y0, a1);
                    a2 = S.Fma(S.Load(xc + p2), y0, a2); a3 = S.Fma(S.Load(xc + p3), y0, a3);
                    xc += ld; yj += ks;
                }
                a0 = S.Add(a0, bias0); a1 = S.Add(a1, bias1); a2 = S.Add(a2, bias2); a3 = S.Add(a3, bias3);
                double* g0 = G + j * ld + o0;
                S.Store(g0, a0); S.Store(g0 + p1, a1); S.Store(g0 + p2, a2); S.Store(g0 + p3, a3);
                bad = S.Add(bad, S.Mul(S.Add(S.Add(a0, a1), S.Add(a2, a3)), S.Zero));
            }
        }
    }

    /// <summary>
    /// a⟨t⟩ = tanh(W_aa a⟨t−1⟩ + W_ax[:, hot] + b_a) (§1.2): x⟨t⟩ is one-hot, so W_ax x⟨t⟩ is the column <paramref name="hot"/>
    /// (no column when hot &lt; 0, the all-zero x⟨1⟩); <paramref name="aPrev"/> null means a⟨0⟩ = 0.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void HiddenStep(double* waa, double* wax, double* ba, int na, double* aPrev, int hot, double* a, ref TV bad)
    {
        int W = S.Width;
        double* waxCol = hot >= 0 ? wax + (long)hot * na : null;
        for (int c = 0; c < na; c += 4 * W)
        {
            int o0 = Math.Min(c, na - W), o1 = Math.Min(c + W, na - W), o2 = Math.Min(c + 2 * W, na - W), o3 = Math.Min(c + 3 * W, na - W);
            TV z0 = S.Zero, z1 = S.Zero, z2 = S.Zero, z3 = S.Zero;
            if (aPrev != null) Columns4(waa, na, aPrev, 1, na, o0, o1, o2, o3, out z0, out z1, out z2, out z3);
            if (waxCol != null)
            {
                z0 = S.Add(z0, S.Load(waxCol + o0)); z1 = S.Add(z1, S.Load(waxCol + o1));
                z2 = S.Add(z2, S.Load(waxCol + o2)); z3 = S.Add(z3, S.Load(waxCol + o3));
            }
            z0 = S.Add(z0, S.Load(ba + o0)); z1 = S.Add(z1, S.Load(ba + o1));
            z2 = S.Add(z2, S.Load(ba + o2)); z3 = S.Add(z3, S.Load(ba + o3));
            bad = S.Add(bad, S.Mul(S.Add(S.Add(z0, z1), S.Add(z2, z3)), S.Zero));
            S.Store(a + o0, Tanh(z0)); S.Store(a + o1, Tanh(z1)); S.Store(a + o2, Tanh(z2)); S.Store(a + o3, Tanh(z3));
        }
    }

    /// <summary>
    /// In place, z_y → ŷ − y⟨t⟩ with ŷ = softmax(z_y) (§1.4); returns this step's cross-entropy
    /// −ln ŷ[target] = ln Σ e^(z_y − max) + max − z_y[target]. <paramref name="mask"/> holds W lanes that are 1 where the
    /// last (overlapped) block is new and 0 where it repeats rows already summed.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static double SoftmaxCrossEntropy(double* dy, int ny, int target, double* mask)
    {
        int W = S.Width;
        // Stable softmax: subtract the max before exponentiating.
        int full = ny / W * W;
        TV mx = S.Load(dy + ny - W);
        for (int i = 0; i < full; i += W) mx = S.Max(mx, S.Load(dy + i));
        double max = S.MaxAcross(mx);
        TV vmax = S.Broadcast(max);
        double zTarget = dy[target];
        TV sum = S.Zero;
        TV tail = full < ny ? ExpNonPositive(S.Sub(S.Load(dy + ny - W), vmax)) : S.Zero;
        for (int i = 0; i < full; i += W)
        {
            TV e = ExpNonPositive(S.Sub(S.Load(dy + i), vmax));
            S.Store(dy + i, e);
            sum = S.Add(sum, e);
        }
        if (full < ny)
        {
            S.Store(dy + ny - W, tail);
            sum = S.Fma(tail, S.Load(mask), sum);
        }
        double total = S.Sum(sum);
        TV inv = S.Broadcast(1.0 / total);
        for (int i = 0; i < full; i += W) S.Store(dy + i, S.Mul(S.Load(dy + i), inv));
        // The overlapped lanes of the tail hold the same e as the block before, so they scale to the same ŷ.
        if (full < ny) S.Store(dy + ny - W, S.Mul(tail, inv));
        dy[target] -= 1.0;                                            // ŷ − y
        return Math.Log(total) + max - zTarget;
    }

    /// <summary>
    /// output[j] = init[j] + Σ_i w[i, j] v[i] for j &lt; ncols: W_aaᵀ dz and W_yaᵀ dy as dot products with the columns of
    /// the column-major W, so no transposed copy is needed. Four columns share each load of v; the overlapped last
    /// block of v is multiplied by <paramref name="mask"/> so that no row counts twice. <paramref name="init"/> may be null.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void TransposedMatVec(double* w, int n, int ncols, double* v, double* mask, double* init, double* output)
    {
        int W = S.Width, full = n / W * W;
        bool hasTail = full < n;
        TV vTail = hasTail ? S.Mul(S.Load(v + n - W), S.Load(mask)) : S.Zero;
        int j = 0;
        if (typeof(TV) == typeof(Vector512<double>) && System.Runtime.Intrinsics.X86.Avx512F.IsSupported)
            j = TransposedMatVec8(w, n, ncols, v, Unsafe.As<TV, Vector512<double>>(ref vTail), hasTail, init, output);
        for (; j + 3 < ncols; j += 4)
        {
            double* c0 = w + (long)j * n, c1 = c0 + n, c2 = c1 + n, c3 = c2 + n;
            TV s0 = S.Zero, s1 = S.Zero, s2 = S.Zero, s3 = S.Zero;
            for (int i = 0; i < full; i += W)
            {
                TV vi = S.Load(v + i);
                s0 = S.Fma(S.Load(c0 + i), vi, s0); s1 = S.Fma(S.Load(c1 + i), vi, s1);
                s2 = S.Fma(S.Load(c2 + i), vi, s2); s3 = S.Fma(S.Load(c3 + i), vi, s3);
            }
            if (hasTail)
            {
                int o = n - W;
                s0 = S.Fma(S.Load(c0 + o), vTail, s0); s1 = S.Fma(S.Load(c1 + o), vTail, s1);
                s2 = S.Fma(S.Load(c2 + o), vTail, s2); s3 = S.Fma(S.Load(c3 + o), vTail, s3);
            }
            double d0 = S.Sum(s0), d1 = S.Sum(s1), d2 = S.Sum(s2), d3 = S.Sum(s3);
            if (init != null) { d0 = init[j] + d0; d1 = init[j + 1] + d1; d2 = init[j + 2] + d2; d3 = init[j + 3] + d3; }
            output[j] = d0; output[j + 1] = d1; output[j + 2] = d2; output[j + 3] = d3;
        }
        for (; j < ncols; j++)
        {
            double* c0 = w + (long)j * n;
            TV s0 = S.Zero;
            for (int i = 0; i < full; i += W) s0 = S.Fma(S.Load(c0 + i), S.Load(v + i), s0);
            if (hasTail) s0 = S.Fma(S.Load(c0 + n - W), vTail, s0);
            double d0 = S.Sum(s0);
            output[j] = init != null ? init[j] + d0 : d0;
        }
    }

    /// <summary>dz = (1 − a⊙a) ⊙ da, the tanh backward (§1.3: tanh′(z) = 1 − tanh²z = 1 − a²).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void TanhBackward(double* a, double* da, double* dz, int n, ref TV bad)
    {
        int W = S.Width;
        TV one = S.Broadcast(1.0);
        for (int i = 0; i < n; i += W)
        {
            int o = Math.Min(i, n - W);
            TV ai = S.Load(a + o);
            TV d = S.Mul(S.Sub(one, S.Mul(ai, ai)), S.Load(da + o));
            bad = S.Add(bad, S.Mul(d, S.Zero));
            S.Store(dz + o, d);
        }
    }

    /// <summary>θ ← θ − α·clip(g, −c, c) over n entries (the clip of §3.5 and the SGD step, in one pass).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void ClipSgd(double* theta, double* g, int n, double clip, double lr)
    {
        int W = S.Width, i = 0;
        TV hi = S.Broadcast(clip), lo = S.Broadcast(-clip), alpha = S.Broadcast(lr);
        for (; i + W <= n; i += W)
            S.Store(theta + i, S.Sub(S.Load(theta + i), S.Mul(alpha, S.Min(S.Max(S.Load(g + i), lo), hi))));
        for (; i < n; i++)
            theta[i] -= lr * Math.Min(Math.Max(g[i], -clip), clip);
    }

    /// <summary>True when every one of the n entries is finite (NaN and ±∞ survive ·0 as NaN).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static bool AllFinite(double* v, int n)
    {
        int W = S.Width;
        TV acc = S.Zero;
        for (int i = 0; i < n; i += W) acc = S.Add(acc, S.Mul(S.Load(v + Math.Min(i, n - W)), S.Zero));
        return double.IsFinite(S.Sum(acc));
    }

    /// <summary>dst[i] += src[i] for i &lt; n (in place, so no overlapped block: the remainder is scalar).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void AddInPlace(double* dst, double* src, int n)
    {
        int W = S.Width, i = 0;
        for (; i + W <= n; i += W) S.Store(dst + i, S.Add(S.Load(dst + i), S.Load(src + i)));
        for (; i < n; i++) dst[i] += src[i];
    }

    /// <summary>
    /// The Vector512 case of <see cref="TransposedMatVec"/> for blocks of eight columns: eight dot-product accumulators,
    /// then one transpose-and-add (unpack, then two 128-bit block shuffles) turns them into the eight sums in one vector,
    /// instead of eight horizontal sums. Returns the number of columns done.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int TransposedMatVec8(double* w, int n, int ncols, double* v, Vector512<double> vTail, bool hasTail, double* init, double* output)
    {
        int full = n / 8 * 8, j = 0;
        for (; j + 7 < ncols; j += 8)
        {
            double* c0 = w + (long)j * n;
            long n1 = n, n2 = 2L * n, n3 = 3L * n, n4 = 4L * n, n5 = 5L * n, n6 = 6L * n, n7 = 7L * n;
            Vector512<double> s0 = default, s1 = default, s2 = default, s3 = default, s4 = default, s5 = default, s6 = default, s7 = default;
            for (int i = 0; i < full; i += 8)
            {
                var vi = Vector512.Load(v + i);
                double* c = c0 + i;
                s0 = Vector512.FusedMultiplyAdd(Vector512.Load(c), vi, s0);
                s1 = Vector512.FusedMultiplyAdd(Vector512.Load(c + n1), vi, s1);
                s2 = Vector512.FusedMultiplyAdd(Vector512.Load(c + n2), vi, s2);
                s3 = Vector512.FusedMultiplyAdd(Vector512.Load(c + n3), vi, s3);
                s4 = Vector512.FusedMultiplyAdd(Vector512.Load(c + n4), vi, s4);
                s5 = Vector512.FusedMultiplyAdd(Vector512.Load(c + n5), vi, s5);
                s6 = Vector512.FusedMultiplyAdd(Vector512.Load(c + n6), vi, s6);
                s7 = Vector512.FusedMultiplyAdd(Vector512.Load(c + n7), vi, s7);
            }
            if (hasTail)
            {
                double* c = c0 + n - 8;
                s0 = Vector512.FusedMultiplyAdd(Vector512.Load(c), vTail, s0);
                s1 = Vector512.FusedMultiplyAdd(Vector512.Load(c + n1), vTail, s1);
                s2 = Vector512.FusedMultiplyAdd(Vector512.Load(c + n2), vTail, s2);
                s3 = Vector512.FusedMultiplyAdd(Vector512.Load(c + n3), vTail, s3);
                s4 = Vector512.FusedMultiplyAdd(Vector512.Load(c + n4), vTail, s4);
                s5 = Vector512.FusedMultiplyAdd(Vector512.Load(c + n5), vTail, s5);
                s6 = Vector512.FusedMultiplyAdd(Vector512.Load(c + n6), vTail, s6);
                s7 = Vector512.FusedMultiplyAdd(Vector512.Load(c + n7), vTail, s7);
            }
            var r = Reduce8(s0, s1, s2, s3, s4, s5, s6, s7);
            if (init != null) r += Vector512.Load(init + j);
            r.Store(output + j);
        }
        return j;
    }

    /// <summary>[Σ s0, Σ s1, …, Σ s7]: the lane sums of eight vectors, as one vector.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<double> Reduce8(Vector512<double> s0, Vector512<double> s1, Vector512<double> s2, Vector512<double> s3,
        Vector512<double> s4, Vector512<double> s5, Vector512<double> s6, Vector512<double> s7)
    {
        // Per 128-bit block k: (s0[2k] + s0[2k+1], s1[2k] + s1[2k+1]), …
        var t01 = System.Runtime.Intrinsics.X86.Avx512F.UnpackLow(s0, s1) + System.Runtime.Intrinsics.X86.Avx512F.UnpackHigh(s0, s1);
        var t23 = System.Runtime.Intrinsics.X86.Avx512F.UnpackLow(s2, s3) + System.Runtime.Intrinsics.X86.Avx512F.UnpackHigh(s2, s3);
        var t45 = System.Runtime.Intrinsics.X86.Avx512F.UnpackLow(s4, s5) + System.Runtime.Intrinsics.X86.Avx512F.UnpackHigh(s4, s5);
        var t67 = System.Runtime.Intrinsics.X86.Avx512F.UnpackLow(s6, s7) + System.Runtime.Intrinsics.X86.Avx512F.UnpackHigh(s6, s7);
        // Blocks (0, 2 | 0, 2) + (1, 3 | 1, 3): [(s0,s1) (s0,s1) (s2,s3) (s2,s3)] halves summed pairwise.
        var u = System.Runtime.Intrinsics.X86.Avx512F.Shuffle4x128(t01, t23, 0x88) + System.Runtime.Intrinsics.X86.Avx512F.Shuffle4x128(t01, t23, 0xDD);
        var x = System.Runtime.Intrinsics.X86.Avx512F.Shuffle4x128(t45, t67, 0x88) + System.Runtime.Intrinsics.X86.Avx512F.Shuffle4x128(t45, t67, 0xDD);
        return System.Runtime.Intrinsics.X86.Avx512F.Shuffle4x128(u, x, 0x88) + System.Runtime.Intrinsics.X86.Avx512F.Shuffle4x128(u, x, 0xDD);
    }
}
