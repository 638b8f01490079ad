using System.Runtime.Intrinsics;

namespace SeqCourse.Numerics;

/// <summary>
/// A left operand op(A) (rows × depth) packed once into the layout of the GEMM register kernel and then used for
/// many products: the recurrent weight W_a of a recurrent layer is the same at every time step, so packing it once
/// per sequence instead of once per step saves a full pass over W per step.
/// <para>Layout: depth is cut into panels of ≤ <see cref="GemmKernels{TO,TV}.KC"/>; inside a panel the rows are
/// MR-row slivers (kc × MR each, unit stride for the kernel). Rows come in groups of <c>groupRows</c> (the four
/// gate blocks of an LSTM), each padded with zero rows to a multiple of MR, so that any MR-aligned row range of a
/// group starts at a sliver boundary — a thread can compute rows h0..h1 of every gate block.</para>
/// The buffer grows to the largest size needed and is then reused (no allocation in steady state).
/// </summary>
internal sealed unsafe class PackedLeft
{
    private double[] _data = [];
    private int _paddedRows, _slivers;

    /// <summary>Rows of op(A) per group.</summary>
    public int GroupRows { get; private set; }
    /// <summary>Number of groups.</summary>
    public int Groups { get; private set; }
    /// <summary>The shared dimension k.</summary>
    public int Depth { get; private set; }
    /// <summary>Instruction set the layout was packed for (MR depends on it).</summary>
    public SimdLevel Level { get; private set; }

    /// <summary>Rows of a sliver for <paramref name="level"/> (two vectors).</summary>
    public static int SliverRows(SimdLevel level) => Gemm.Resolve(level) switch
    {
        SimdLevel.Vector512 => GemmKernels<V512, Vector512<double>>.MR,
        SimdLevel.Vector256 => GemmKernels<V256, Vector256<double>>.MR,
        _ => GemmKernels<VScalar, double>.MR,
    };

    /// <summary>
    /// Packs op(A): A stored column-major with leading dimension <paramref name="lda"/>, op(A) = A (stored rows × depth)
    /// or Aᵀ (<paramref name="trans"/>: stored depth × rows). op(A) has groups·groupRows rows.
    /// </summary>
    public void Pack(double* a, int lda, bool trans, int groups, int groupRows, int depth, SimdLevel level)
    {
        level = Gemm.Resolve(level);
        int mr = SliverRows(level);
        Level = level; Groups = groups; GroupRows = groupRows; Depth = depth;
        _slivers = (groupRows + mr - 1) / mr;
        _paddedRows = groups * _slivers * mr;
        long need = (long)_paddedRows * depth;
        if (_data.Length < need) _data = GC.AllocateUninitializedArray<double>((int)need, pinned: true);
        fixed (double* dst0 = _data)
        {
            int kcMax = GemmKernels<V512, Vector512<double>>.KC;
            for (int p0 = 0; p0 < depth; p0 += kcMax)
            {
                int kc = Math.Min(kcMax, depth - p0);
                double* panel = dst0 + (long)p0 * _paddedRows;
                for (int g = 0; g < groups; g++)
                {
                    for (int s = 0; s < _slivers; s++)
                    {
                        double* dst = panel + (long)(g * _slivers + s) * mr * kc;
                        int row0 = g * groupRows + s * mr;
                        int rows = Math.Min(mr, groupRows - s * mr);
                        if (!trans)
                        {
                            // op(A)[i, p] = a[i + p·lda]: MR consecutive rows per p.
                            for (int p = 0; p < kc; p++)
                            {
                                double* src = a + row0 + (long)(p0 + p) * lda;
                                double* d = dst + (long)p * mr;
                                int r = 0;
                                for (; r < rows; r++) d[r] = src[r];
                                for (; r < mr; r++) d[r] = 0.0;
                            }
                        }
                        else
                        {
                            // op(A)[i, p] = a[p + i·lda]: row i of op(A) is column i of a.
                            for (int r = 0; r < mr; r++)
                            {
                                if (r < rows)
                                {
                                    double* src = a + p0 + (long)(row0 + r) * lda;
                                    for (int p = 0; p < kc; p++) dst[(long)p * mr + r] = src[p];
                                }
                                else
                                {
                                    for (int p = 0; p < kc; p++) dst[(long)p * mr + r] = 0.0;
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /// <summary>
    /// C[0..r1−r0, 0..n) += op(A)[group g, rows r0..r1) · op(B), where <paramref name="b"/> holds op(B) packed and
    /// <paramref name="c"/> points at the C entry of row r0 of the group. <paramref name="r0"/> must be a multiple of
    /// <see cref="SliverRows"/>.
    /// </summary>
    public void MultiplyAdd(int g, int r0, int r1, PackedRight b, double* c, int ldc)
    {
        int mr = SliverRows(Level);
        if (r0 % mr != 0) throw new ArgumentException($"r0 must be a multiple of {mr} but is {r0}.", nameof(r0));
        if (b.Depth != Depth) throw new ArgumentException($"b must have depth {Depth} but has {b.Depth}.", nameof(b));
        int kcMax = GemmKernels<V512, Vector512<double>>.KC;
        fixed (double* a0 = _data)
        {
            for (int p0 = 0; p0 < Depth; p0 += kcMax)
            {
                int kc = Math.Min(kcMax, Depth - p0);
                double* ap = a0 + (long)p0 * _paddedRows + (long)(g * _slivers + r0 / mr) * mr * kc;
                double* bp = b.Panel(p0);
                switch (Level)
                {
                    case SimdLevel.Vector512: GemmKernels<V512, Vector512<double>>.Macro(r1 - r0, b.Columns, kc, ap, bp, c, ldc); break;
                    case SimdLevel.Vector256: GemmKernels<V256, Vector256<double>>.Macro(r1 - r0, b.Columns, kc, ap, bp, c, ldc); break;
                    default: GemmKernels<VScalar, double>.Macro(r1 - r0, b.Columns, kc, ap, bp, c, ldc); break;
                }
            }
        }
    }
}

/// <summary>
/// A right operand op(B) (depth × columns) packed for <see cref="PackedLeft.MultiplyAdd"/>: per depth panel, NR-column
/// slivers. Pinned, grown on demand and reused.
/// </summary>
internal sealed unsafe class PackedRight
{
    private double[] _data = [];
    private double* _p;
    private int _paddedCols;

    /// <summary>The shared dimension k.</summary>
    public int Depth { get; private set; }
    /// <summary>Columns n of op(B).</summary>
    public int Columns { get; private set; }

    /// <summary>Packs op(B): B column-major with leading dimension ldb, stored depth × n, or n × depth when <paramref name="trans"/>.</summary>
    public void Pack(double* b, int ldb, bool trans, int depth, int n)
    {
        const int nr = GemmKernels<V512, Vector512<double>>.NR;
        int kcMax = GemmKernels<V512, Vector512<double>>.KC;
        Depth = depth; Columns = n;
        _paddedCols = (n + nr - 1) / nr * nr;
        long need = (long)_paddedCols * depth;
        if (_data.Length < need)
        {
            _data = GC.AllocateUninitializedArray<double>((int)need, pinned: true);
        }
        fixed (double* d = _data) _p = d; // pinned (POH): the address is stable for the array's lifetime
        for (int p0 = 0; p0 < depth; p0 += kcMax)
        {
            int kc = Math.Min(kcMax, depth - p0);
            GemmKernels<V512, Vector512<double>>.PackB(trans, b, ldb, p0, 0, kc, n, _p + (long)p0 * _paddedCols);
        }
    }

    /// <summary>The packed panel that starts at depth <paramref name="p0"/>.</summary>
    public double* Panel(int p0) => _p + (long)p0 * _paddedCols;
}
