using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace SeqCourse.Numerics;

/// <summary>
/// The two GEMM algorithms, written once and specialised by the JIT for each <see cref="ISimd{TV}"/>:
/// <list type="bullet">
/// <item><see cref="Blocked"/>: the Goto/BLIS scheme. B is packed into KC×NC panels of NR-column slivers, A into
/// MC×KC blocks of MR-row slivers (α folded in), and a register micro-kernel computes an MR×NR tile of C with
/// 12 vector accumulators (MR = 2 vectors, NR = 6) by rank-1 updates over KC.</item>
/// <item><see cref="SmallN"/> / <see cref="SmallT"/>: no packing, for products too small to repay it
/// (matrix–vector, outer products, the 50×50 products of the char LM).</item>
/// </list>
/// All matrices are column-major: element (i, j) of a matrix with leading dimension ld is at i + j·ld.
/// op(A) is m×k, op(B) is k×n, C is m×n. Callers have validated sizes and applied β for the blocked path.
/// </summary>
internal static unsafe class GemmKernels<TO, TV>
    where TO : struct, ISimd<TV>
    where TV : struct
{
    /// <summary>Columns of a micro-tile.</summary>
    public const int NR = 6;
    /// <summary>Depth of a packed panel: a KC×NR sliver of B (18 KB) stays in L1 while A streams from L2.</summary>
    public const int KC = 384;
    /// <summary>Rows of a packed A block: 144×384 doubles = 442 KB, half of a 1 MB L2.</summary>
    public const int MC = 144;
    /// <summary>Columns of a packed B panel (a multiple of NR); the panel lives in L3.</summary>
    public const int NC = 3072;

    /// <summary>Rows of a micro-tile: two vectors.</summary>
    public static int MR
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => 2 * TO.Width;
    }

    // ---------------------------------------------------------------- blocked (packed) path

    /// <summary>C += α·op(A)·op(B) for one thread (β was applied by the caller).</summary>
    public static void Blocked(bool transA, bool transB, int m, int n, int k, double alpha,
        double* a, int lda, double* b, int ldb, double* c, int ldc)
    {
        int mr = MR;
        var buffers = PackBuffers.ForCurrentThread();
        int mcMax = Math.Min(MC, RoundUp(m, mr));
        int ncMax = Math.Min(NC, RoundUp(n, NR));
        int kcMax = Math.Min(KC, k);
        double* ap = buffers.EnsureA((long)mcMax * kcMax);
        double* bp = buffers.EnsureB((long)ncMax * kcMax);
        for (int jc = 0; jc < n; jc += NC)
        {
            int nc = Math.Min(NC, n - jc);
            for (int pc = 0; pc < k; pc += KC)
            {
                int kc = Math.Min(KC, k - pc);
                PackB(transB, b, ldb, pc, jc, kc, nc, bp);
                for (int ic = 0; ic < m; ic += MC)
                {
                    int mc = Math.Min(MC, m - ic);
                    PackA(transA, a, lda, ic, pc, mc, kc, alpha, ap);
                    Macro(mc, nc, kc, ap, bp, c + ic + (long)jc * ldc, ldc);
                }
            }
        }
    }

    /// <summary>
    /// C += α·op(A)·op(B) on <paramref name="threads"/> threads sharing one packed B panel (the BLIS "IC loop"):
    /// for each KC×NC panel, the threads pack B together, then take row blocks of A dynamically, each packing
    /// its block into its own buffer and running the macro-kernel over all columns. A and B are each packed
    /// once in total, and a thread that is descheduled (a loaded machine) does not hold the others up.
    /// </summary>
    public static void BlockedParallel(bool transA, bool transB, int m, int n, int k, double alpha,
        double* a, int lda, double* b, int ldb, double* c, int ldc, int threads)
    {
        int mr = MR;
        // About four row blocks per thread for load balance, no taller than MC (the L2 budget).
        int blocksWanted = threads * 4;
        int mcPar = Math.Clamp(RoundUp((m + blocksWanted - 1) / blocksWanted, mr), mr, MC);
        int icBlocks = (m + mcPar - 1) / mcPar;
        int ncMax = Math.Min(NC, RoundUp(n, NR));
        int kcMax = Math.Min(KC, k);
        double* bp = PackBuffers.ForCurrentThread().EnsureB((long)ncMax * kcMax);
        var options = new ParallelOptions { MaxDegreeOfParallelism = threads };
        nint pa = (nint)a, pb = (nint)b, pc0 = (nint)c, pbp = (nint)bp;
        for (int jc = 0; jc < n; jc += NC)
        {
            int nc = Math.Min(NC, n - jc);
            int slivers = (nc + NR - 1) / NR;
            for (int pc = 0; pc < k; pc += KC)
            {
                int kc = Math.Min(KC, k - pc);
                int jcc = jc, pcc = pc;
                if (slivers >= 2 * threads)
                {
                    // Each thread packs a contiguous run of slivers of the shared panel.
                    Parallel.For(0, threads, options, t =>
                    {
                        int s0 = slivers * t / threads, s1 = slivers * (t + 1) / threads;
                        int cols = Math.Min(nc, s1 * NR) - s0 * NR;
                        if (cols > 0)
                        {
                            PackB(transB, (double*)pb, ldb, pcc, jcc + s0 * NR, kc, cols, (double*)pbp + (long)s0 * NR * kc);
                        }
                    });
                }
                else
                {
                    PackB(transB, b, ldb, pc, jc, kc, nc, bp);
                }
                Parallel.For(0, icBlocks, options, block =>
                {
                    int ic = block * mcPar;
                    int mc = Math.Min(mcPar, m - ic);
                    double* ap = PackBuffers.ForCurrentThread().EnsureA((long)mcPar * kc);
                    PackA(transA, (double*)pa, lda, ic, pcc, mc, kc, alpha, ap);
                    Macro(mc, nc, kc, ap, (double*)pbp, (double*)pc0 + ic + (long)jcc * ldc, ldc);
                });
            }
        }
    }

    /// <summary>All micro-tiles of one packed A block times one packed B panel.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void Macro(int mc, int nc, int kc, double* ap, double* bp, double* c, int ldc)
    {
        int mr = MR;
        double* tile = stackalloc double[16 * NR]; // edge tiles: computed in full here, then the valid part added to C
        for (int jr = 0; jr < nc; jr += NR)
        {
            int nr = Math.Min(NR, nc - jr);
            double* bs = bp + (long)jr * kc;
            for (int ir = 0; ir < mc; ir += mr)
            {
                int rows = Math.Min(mr, mc - ir);
                double* asl = ap + (long)ir * kc;
                double* cij = c + ir + (long)jr * ldc;
                if (rows == mr && nr == NR)
                {
                    Micro(kc, asl, bs, cij, ldc);
                }
                else if (rows == mr && nr == 4)
                {
                    // A 4-column edge (m = 16 or 64 columns: 6 + 6 + 4, 10·6 + 4) without computing 6.
                    Micro4(kc, asl, bs, cij, ldc);
                }
                else
                {
                    new Span<double>(tile, mr * NR).Clear();
                    Micro(kc, asl, bs, tile, mr);
                    for (int j = 0; j < nr; j++)
                    {
                        for (int i = 0; i < rows; i++)
                        {
                            cij[i + (long)j * ldc] += tile[i + j * mr];
                        }
                    }
                }
            }
        }
    }

    /// <summary>
    /// The register kernel: C[0..MR, 0..NR] += Σ_p a[p]·b[p]ᵀ over a packed MR-row sliver of A and NR-column
    /// sliver of B. Twelve accumulators (2 vectors × 6 columns) hide the FMA latency; per step 2 loads of A and
    /// 6 broadcasts of B feed 12 FMAs.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Micro(int kc, double* a, double* b, double* c, int ldc)
    {
        int w = TO.Width;
        TV c00 = TO.Zero, c10 = TO.Zero, c01 = TO.Zero, c11 = TO.Zero, c02 = TO.Zero, c12 = TO.Zero;
        TV c03 = TO.Zero, c13 = TO.Zero, c04 = TO.Zero, c14 = TO.Zero, c05 = TO.Zero, c15 = TO.Zero;
        for (int p = 0; p < kc; p++)
        {
            TV a0 = TO.Load(a);
            TV a1 = TO.Load(a + w);
            TV bv = TO.Broadcast(b[0]);
            c00 = TO.Fma(a0, bv, c00);
            c10 = TO.Fma(a1, bv, c10);
            bv = TO.Broadcast(b[1]);
            c01 = TO.Fma(a0, bv, c01);
            c11 = TO.Fma(a1, bv, c11);
            bv = TO.Broadcast(b[2]);
            c02 = TO.Fma(a0, bv, c02);
            c12 = TO.Fma(a1, bv, c12);
            bv = TO.Broadcast(b[3]);
            c03 = TO.Fma(a0, bv, c03);
            c13 = TO.Fma(a1, bv, c13);
            bv = TO.Broadcast(b[4]);
            c04 = TO.Fma(a0, bv, c04);
            c14 = TO.Fma(a1, bv, c14);
            bv = TO.Broadcast(b[5]);
            c05 = TO.Fma(a0, bv, c05);
            c15 = TO.Fma(a1, bv, c15);
            a += 2 * w;
            b += NR;
        }

        AddTo(c, w, c00, c10);
        AddTo(c + ldc, w, c01, c11);
        AddTo(c + 2L * ldc, w, c02, c12);
        AddTo(c + 3L * ldc, w, c03, c13);
        AddTo(c + 4L * ldc, w, c04, c14);
        AddTo(c + 5L * ldc, w, c05, c15);
    }

    /// <summary>
    /// <see cref="Micro"/> for the first four columns of a packed sliver only (8 accumulators): the right edge of C
    /// when n mod 6 = 4.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Micro4(int kc, double* a, double* b, double* c, int ldc)
    {
        int w = TO.Width;
        TV c00 = TO.Zero, c10 = TO.Zero, c01 = TO.Zero, c11 = TO.Zero, c02 = TO.Zero, c12 = TO.Zero, c03 = TO.Zero, c13 = TO.Zero;
        for (int p = 0; p < kc; p++)
        {
            TV a0 = TO.Load(a);
            TV a1 = TO.Load(a + w);
            TV bv = TO.Broadcast(b[0]);
            c00 = TO.Fma(a0, bv, c00);
            c10 = TO.Fma(a1, bv, c10);
            bv = TO.Broadcast(b[1]);
            c01 = TO.Fma(a0, bv, c01);
            c11 = TO.Fma(a1, bv, c11);
            bv = TO.Broadcast(b[2]);
            c02 = TO.Fma(a0, bv, c02);
            c12 = TO.Fma(a1, bv, c12);
            bv = TO.Broadcast(b[3]);
            c03 = TO.Fma(a0, bv, c03);
            c13 = TO.Fma(a1, bv, c13);
            a += 2 * w;
            b += NR;
        }

        AddTo(c, w, c00, c10);
        AddTo(c + ldc, w, c01, c11);
        AddTo(c + 2L * ldc, w, c02, c12);
        AddTo(c + 3L * ldc, w, c03, c13);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void AddTo(double* c, int w, TV lo, TV hi)
    {
        TO.Store(c, TO.Add(TO.Load(c), lo));
        TO.Store(c + w, TO.Add(TO.Load(c + w), hi));
    }

    /// <summary>
    /// Packs α·op(A)[i0..i0+mc, p0..p0+kc] as MR-row slivers: sliver s holds, for each p, MR consecutive rows
    /// (zero-padded past mc), so the micro-kernel reads A with unit stride.
    /// </summary>
    private static void PackA(bool transA, double* a, int lda, int i0, int p0, int mc, int kc, double alpha, double* ap)
    {
        int mr = MR;
        int w = TO.Width;
        TV av = TO.Broadcast(alpha);
        for (int s = 0; s < mc; s += mr)
        {
            int rows = Math.Min(mr, mc - s);
            double* dst = ap + (long)s * kc;
            if (!transA)
            {
                // op(A)[i, p] = a[i + p·lda]: each p contributes MR contiguous values.
                double* src = a + i0 + s + (long)p0 * lda;
                if (rows == mr)
                {
                    for (int p = 0; p < kc; p++, src += lda, dst += mr)
                    {
                        TO.Store(dst, TO.Mul(TO.Load(src), av));
                        TO.Store(dst + w, TO.Mul(TO.Load(src + w), av));
                    }
                }
                else
                {
                    for (int p = 0; p < kc; p++, src += lda, dst += mr)
                    {
                        int r = 0;
                        for (; r < rows; r++) dst[r] = alpha * src[r];
                        for (; r < mr; r++) dst[r] = 0.0;
                    }
                }
            }
            else
            {
                // op(A)[i, p] = a[p + i·lda]: row i of op(A) is column i of a, contiguous in p.
                for (int r = 0; r < mr; r++)
                {
                    if (r < rows)
                    {
                        double* src = a + p0 + (long)(i0 + s + r) * lda;
                        for (int p = 0; p < kc; p++) dst[(long)p * mr + r] = alpha * src[p];
                    }
                    else
                    {
                        for (int p = 0; p < kc; p++) dst[(long)p * mr + r] = 0.0;
                    }
                }
            }
        }
    }

    /// <summary>
    /// Packs op(B)[p0..p0+kc, j0..j0+nc] as NR-column slivers: sliver s holds, for each p, NR consecutive
    /// columns (zero-padded past nc).
    /// </summary>
    internal static void PackB(bool transB, double* b, int ldb, int p0, int j0, int kc, int nc, double* bp)
    {
        for (int s = 0; s < nc; s += NR)
        {
            int cols = Math.Min(NR, nc - s);
            double* dst = bp + (long)s * kc;
            if (!transB)
            {
                // op(B)[p, j] = b[p + j·ldb]: column j is contiguous in p.
                for (int jr = 0; jr < NR; jr++)
                {
                    if (jr < cols)
                    {
                        double* src = b + p0 + (long)(j0 + s + jr) * ldb;
                        for (int p = 0; p < kc; p++) dst[(long)p * NR + jr] = src[p];
                    }
                    else
                    {
                        for (int p = 0; p < kc; p++) dst[(long)p * NR + jr] = 0.0;
                    }
                }
            }
            else
            {
                // op(B)[p, j] = b[j + p·ldb]: each p contributes NR contiguous values.
                double* src = b + j0 + s + (long)p0 * ldb;
                for (int p = 0; p < kc; p++, src += ldb, dst += NR)
                {
                    int jr = 0;
                    for (; jr < cols; jr++) dst[jr] = src[jr];
                    for (; jr < NR; jr++) dst[jr] = 0.0;
                }
            }
        }
    }

    // ---------------------------------------------------------------- small (unpacked) path

    /// <summary>
    /// C = α·A·op(B) + β·C without packing: each column of C is a combination of the columns of A, computed
    /// in registers four vectors of rows at a time. Zero entries of op(B) are skipped (one-hot inputs).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void SmallN(bool transB, int m, int n, int k, double alpha, double* a, int lda,
        double* b, int ldb, double beta, double* c, int ldc)
    {
        int w = TO.Width;
        long bsp = transB ? ldb : 1; // stride between op(B)[p, j] and op(B)[p + 1, j]
        long bsj = transB ? 1 : ldb; // stride between op(B)[p, j] and op(B)[p, j + 1]
        for (int j = 0; j < n; j++)
        {
            double* bj = b + j * bsj;
            double* cj = c + (long)j * ldc;
            int i = 0;
            for (; i + 4 * w <= m; i += 4 * w)
            {
                TV s0 = TO.Zero, s1 = TO.Zero, s2 = TO.Zero, s3 = TO.Zero;
                double* ai = a + i;
                for (int p = 0; p < k; p++, ai += lda)
                {
                    double bpj = bj[p * bsp];
                    if (bpj == 0.0) continue;
                    TV bv = TO.Broadcast(bpj);
                    s0 = TO.Fma(TO.Load(ai), bv, s0);
                    s1 = TO.Fma(TO.Load(ai + w), bv, s1);
                    s2 = TO.Fma(TO.Load(ai + 2 * w), bv, s2);
                    s3 = TO.Fma(TO.Load(ai + 3 * w), bv, s3);
                }
                Finish(cj + i, s0, alpha, beta);
                Finish(cj + i + w, s1, alpha, beta);
                Finish(cj + i + 2 * w, s2, alpha, beta);
                Finish(cj + i + 3 * w, s3, alpha, beta);
            }
            for (; i + w <= m; i += w)
            {
                TV s0 = TO.Zero;
                double* ai = a + i;
                for (int p = 0; p < k; p++, ai += lda)
                {
                    s0 = TO.Fma(TO.Load(ai), TO.Broadcast(bj[p * bsp]), s0);
                }
                Finish(cj + i, s0, alpha, beta);
            }
            for (; i < m; i++)
            {
                double s0 = 0.0;
                double* ai = a + i;
                for (int p = 0; p < k; p++, ai += lda)
                {
                    s0 = Math.FusedMultiplyAdd(*ai, bj[p * bsp], s0);
                }
                cj[i] = beta == 0.0 ? alpha * s0 : alpha * s0 + beta * cj[i];
            }
        }
    }

    /// <summary>
    /// C = α·Aᵀ·op(B) + β·C without packing: each entry is a dot product of a column of A with a column of
    /// op(B), four columns of A at a time sharing the loads of B. A transposed B is first gathered into a
    /// contiguous per-thread buffer.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void SmallT(bool transB, int m, int n, int k, double alpha, double* a, int lda,
        double* b, int ldb, double beta, double* c, int ldc)
    {
        int w = TO.Width;
        double* gathered = transB ? PackBuffers.ForCurrentThread().EnsureB(k) : null;
        for (int j = 0; j < n; j++)
        {
            double* bj;
            if (transB)
            {
                for (int p = 0; p < k; p++) gathered[p] = b[j + (long)p * ldb];
                bj = gathered;
            }
            else
            {
                bj = b + (long)j * ldb;
            }
            double* cj = c + (long)j * ldc;
            int i = 0;
            for (; i + 4 <= m; i += 4)
            {
                double* a0 = a + (long)i * lda;
                double* a1 = a0 + lda;
                double* a2 = a1 + lda;
                double* a3 = a2 + lda;
                TV s0 = TO.Zero, s1 = TO.Zero, s2 = TO.Zero, s3 = TO.Zero;
                int p = 0;
                for (; p + w <= k; p += w)
                {
                    TV bv = TO.Load(bj + p);
                    s0 = TO.Fma(TO.Load(a0 + p), bv, s0);
                    s1 = TO.Fma(TO.Load(a1 + p), bv, s1);
                    s2 = TO.Fma(TO.Load(a2 + p), bv, s2);
                    s3 = TO.Fma(TO.Load(a3 + p), bv, s3);
                }
                double d0 = TO.Sum(s0), d1 = TO.Sum(s1), d2 = TO.Sum(s2), d3 = TO.Sum(s3);
                for (; p < k; p++)
                {
                    double bpj = bj[p];
                    d0 = Math.FusedMultiplyAdd(a0[p], bpj, d0);
                    d1 = Math.FusedMultiplyAdd(a1[p], bpj, d1);
                    d2 = Math.FusedMultiplyAdd(a2[p], bpj, d2);
                    d3 = Math.FusedMultiplyAdd(a3[p], bpj, d3);
                }
                Finish1(cj + i, d0, alpha, beta);
                Finish1(cj + i + 1, d1, alpha, beta);
                Finish1(cj + i + 2, d2, alpha, beta);
                Finish1(cj + i + 3, d3, alpha, beta);
            }
            for (; i < m; i++)
            {
                double* a0 = a + (long)i * lda;
                TV s0 = TO.Zero;
                int p = 0;
                for (; p + w <= k; p += w) s0 = TO.Fma(TO.Load(a0 + p), TO.Load(bj + p), s0);
                double d0 = TO.Sum(s0);
                for (; p < k; p++) d0 = Math.FusedMultiplyAdd(a0[p], bj[p], d0);
                Finish1(cj + i, d0, alpha, beta);
            }
        }
    }

    /// <summary>c = α·s + β·c, reading c only when β ≠ 0 (BLAS convention: C may hold NaN when β = 0).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Finish(double* c, TV s, double alpha, double beta)
    {
        TV r = TO.Mul(s, TO.Broadcast(alpha));
        if (beta != 0.0) r = TO.Fma(TO.Load(c), TO.Broadcast(beta), r);
        TO.Store(c, r);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Finish1(double* c, double s, double alpha, double beta)
    {
        *c = beta == 0.0 ? alpha * s : alpha * s + beta * *c;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int RoundUp(int x, int multiple) => (x + multiple - 1) / multiple * multiple;
}

/// <summary>
/// Per-thread packing buffers, 64-byte aligned native memory that grows to the largest size needed and is
/// then reused: the steady state allocates nothing. Freed when the thread's instance is collected.
/// </summary>
internal sealed unsafe class PackBuffers
{
    [ThreadStatic] private static PackBuffers? t_current;

    private double* _a;
    private long _capA;
    private double* _b;
    private long _capB;

    public static PackBuffers ForCurrentThread() => t_current ??= new PackBuffers();

    public double* EnsureA(long count) => Ensure(ref _a, ref _capA, count);

    public double* EnsureB(long count) => Ensure(ref _b, ref _capB, count);

    private static double* Ensure(ref double* p, ref long capacity, long count)
    {
        if (count > capacity)
        {
            NativeMemory.AlignedFree(p);
            long size = Math.Max(count, 1024);
            p = (double*)NativeMemory.AlignedAlloc((nuint)(size * sizeof(double)), 64);
            capacity = size;
        }
        return p;
    }

    ~PackBuffers()
    {
        NativeMemory.AlignedFree(_a);
        NativeMemory.AlignedFree(_b);
    }
}
