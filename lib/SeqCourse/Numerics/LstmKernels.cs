using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace SeqCourse.Numerics;

/// <summary>
/// The element-wise half of an LSTM step (syllabus 1.9, peepholes §3.2), fused into one pass over each column so
/// that every value is loaded once: the forward pass turns the pre-activations z into the gates, c⟨t⟩ and a⟨t⟩;
/// the backward pass turns da, dc into the gate gradients dz and dc⟨t−1⟩. Each call covers hidden units
/// [h0, h1) of all m columns, so threads that own disjoint unit ranges never write the same memory.
/// <para>Gate blocks inside a column of z (leading dimension 4n_a) are [u; f; c̃; o] at row offsets 0, n_a, 2n_a,
/// 3n_a (PyTorch's i, f, g, o).</para>
/// Written once, specialised by the JIT for Vector512, Vector256 and scalar doubles (<see cref="ICellMath{TV}"/>);
/// the scalar version uses exactly the library's scalar σ and tanh and also finishes the vector loops' tails.
/// </summary>
internal static unsafe class LstmKernels
{
    private const int U = 0, F = 1, C = 2, O = 3; // LstmBlocks order

    /// <summary>
    /// From the pre-activations z (column j at z + j·ldg) of one step, hidden units [h0, h1):
    /// Γ_u = σ(z_u + b_u + p_u⊙c⟨t−1⟩), Γ_f = σ(z_f + b_f + p_f⊙c⟨t−1⟩), c̃ = tanh(z_c + b_c),
    /// c⟨t⟩ = Γ_f⊙c⟨t−1⟩ + Γ_u⊙c̃, Γ_o = σ(z_o + b_o + p_o⊙c⟨t⟩), a⟨t⟩ = Γ_o⊙tanh c⟨t⟩.
    /// g (same layout as z; may be z) receives [Γ_u; Γ_f; c̃; Γ_o]; cPrev, c, a are (n_a, m) with leading dimension n_a.
    /// Peephole pointers are null without peepholes.
    /// </summary>
    public static void Forward(SimdLevel level, int h0, int h1, int m, int na, double* z, double* g, int ldg, double* bias,
        double* cPrev, double* c, double* a, double* pf, double* pu, double* po)
    {
        switch (Gemm.Resolve(level))
        {
            case SimdLevel.Vector512: Forward<M512, Vector512<double>>(h0, h1, m, na, z, g, ldg, bias, cPrev, c, a, pf, pu, po); break;
            case SimdLevel.Vector256: Forward<M256, Vector256<double>>(h0, h1, m, na, z, g, ldg, bias, cPrev, c, a, pf, pu, po); break;
            default: Forward<MScalar, double>(h0, h1, m, na, z, g, ldg, bias, cPrev, c, a, pf, pu, po); break;
        }
    }

    /// <summary>
    /// Backward of <see cref="Forward(SimdLevel,int,int,int,int,double*,double*,int,double*,double*,double*,double*,double*,double*,double*)"/>
    /// for hidden units [h0, h1). da is the total gradient into a⟨t⟩; dc holds the gradient into c⟨t⟩ from step t+1
    /// and is overwritten with ∂J/∂c⟨t−1⟩; dcExtra (or null) is added to dc first (a loss on the cell).
    /// Writes dz = [dz_u; dz_f; dz_c; dz_o] into dg (same layout as g) and, with peepholes, adds
    /// Σ_j dz_f⊙c⟨t−1⟩, Σ_j dz_u⊙c⟨t−1⟩, Σ_j dz_o⊙c⟨t⟩ into dpf, dpu, dpo.
    /// </summary>
    public static void Backward(SimdLevel level, int h0, int h1, int m, int na, double* g, double* dg, int ldg,
        double* cPrev, double* c, double* da, double* dc, double* dcExtra,
        double* pf, double* pu, double* po, double* dpf, double* dpu, double* dpo)
    {
        switch (Gemm.Resolve(level))
        {
            case SimdLevel.Vector512: Backward<M512, Vector512<double>>(h0, h1, m, na, g, dg, ldg, cPrev, c, da, dc, dcExtra, pf, pu, po, dpf, dpu, dpo); break;
            case SimdLevel.Vector256: Backward<M256, Vector256<double>>(h0, h1, m, na, g, dg, ldg, cPrev, c, da, dc, dcExtra, pf, pu, po, dpf, dpu, dpo); break;
            default: Backward<MScalar, double>(h0, h1, m, na, g, dg, ldg, cPrev, c, da, dc, dcExtra, pf, pu, po, dpf, dpu, dpo); break;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Forward<TM, TV>(int h0, int h1, int m, int na, double* z, double* g, int ldg, double* bias,
        double* cPrev, double* c, double* a, double* pf, double* pu, double* po)
        where TM : struct, ICellMath<TV> where TV : struct
    {
        int w = TM.Width;
        for (int j = 0; j < m; j++)
        {
            double* zj = z + (long)j * ldg, gj = g + (long)j * ldg;
            long o = (long)j * na;
            int i = h0;
            for (; i + w <= h1; i += w) ForwardAt<TM, TV>(i, na, zj, gj, bias, cPrev + o, c + o, a + o, pf, pu, po);
            for (; i < h1; i++) ForwardAt<MScalar, double>(i, na, zj, gj, bias, cPrev + o, c + o, a + o, pf, pu, po);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void ForwardAt<TM, TV>(int i, int na, double* z, double* g, double* bias, double* cPrev, double* c, double* a,
        double* pf, double* pu, double* po)
        where TM : struct, ICellMath<TV> where TV : struct
    {
        double* gu = g + U * na + i, gf = g + F * na + i, gc = g + C * na + i, go = g + O * na + i;
        TV cp = TM.Load(cPrev + i);
        TV zu = TM.Add(TM.Load(z + U * na + i), TM.Load(bias + U * na + i));
        TV zf = TM.Add(TM.Load(z + F * na + i), TM.Load(bias + F * na + i));
        TV zc = TM.Add(TM.Load(z + C * na + i), TM.Load(bias + C * na + i));
        TV zo = TM.Add(TM.Load(z + O * na + i), TM.Load(bias + O * na + i));
        if (pf != null)
        {
            // The input and forget gates peek at c⟨t−1⟩ (§3.2).
            zf = TM.Fma(TM.Load(pf + i), cp, zf);
            zu = TM.Fma(TM.Load(pu + i), cp, zu);
        }
        TV gammaU = TM.Sigmoid(zu), gammaF = TM.Sigmoid(zf), cTilde = TM.Tanh(zc);
        TV cNew = TM.Fma(gammaF, cp, TM.Mul(gammaU, cTilde));               // c⟨t⟩ = Γ_f⊙c⟨t−1⟩ + Γ_u⊙c̃
        if (po != null) zo = TM.Fma(TM.Load(po + i), cNew, zo);             // the output gate sees c⟨t⟩
        TV gammaO = TM.Sigmoid(zo);
        TM.Store(gu, gammaU); TM.Store(gf, gammaF); TM.Store(gc, cTilde); TM.Store(go, gammaO);
        TM.Store(c + i, cNew);
        TM.Store(a + i, TM.Mul(gammaO, TM.Tanh(cNew)));                      // a⟨t⟩ = Γ_o⊙tanh c⟨t⟩
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Backward<TM, TV>(int h0, int h1, int m, int na, double* g, double* dg, int ldg,
        double* cPrev, double* c, double* da, double* dc, double* dcExtra,
        double* pf, double* pu, double* po, double* dpf, double* dpu, double* dpo)
        where TM : struct, ICellMath<TV> where TV : struct
    {
        int w = TM.Width;
        for (int j = 0; j < m; j++)
        {
            long go = (long)j * ldg, o = (long)j * na;
            double* dcx = dcExtra == null ? null : dcExtra + o;
            int i = h0;
            for (; i + w <= h1; i += w)
                BackwardAt<TM, TV>(i, na, g + go, dg + go, cPrev + o, c + o, da + o, dc + o, dcx, pf, pu, po, dpf, dpu, dpo);
            for (; i < h1; i++)
                BackwardAt<MScalar, double>(i, na, g + go, dg + go, cPrev + o, c + o, da + o, dc + o, dcx, pf, pu, po, dpf, dpu, dpo);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void BackwardAt<TM, TV>(int i, int na, double* g, double* dg, double* cPrev, double* c,
        double* da, double* dc, double* dcExtra, double* pf, double* pu, double* po, double* dpf, double* dpu, double* dpo)
        where TM : struct, ICellMath<TV> where TV : struct
    {
        TV one = TM.Broadcast(1.0);
        TV gammaU = TM.Load(g + U * na + i), gammaF = TM.Load(g + F * na + i);
        TV cTilde = TM.Load(g + C * na + i), gammaO = TM.Load(g + O * na + i);
        TV cp = TM.Load(cPrev + i), cNew = TM.Load(c + i);
        TV tanhC = TM.Tanh(cNew);
        TV daI = TM.Load(da + i);
        TV dcI = TM.Load(dc + i);
        if (dcExtra != null) dcI = TM.Add(dcI, TM.Load(dcExtra + i));
        // dz_o = da ⊙ tanh c⟨t⟩ ⊙ Γ_o(1 − Γ_o)
        TV dzo = TM.Mul(TM.Mul(daI, tanhC), TM.Mul(gammaO, TM.Sub(one, gammaO)));
        // dĉ = dc + da ⊙ Γ_o ⊙ (1 − tanh² c⟨t⟩)  (+ dz_o ⊙ p_o)
        TV dcHat = TM.Fma(TM.Mul(daI, gammaO), TM.Sub(one, TM.Mul(tanhC, tanhC)), dcI);
        if (po != null) dcHat = TM.Fma(dzo, TM.Load(po + i), dcHat);
        // dz_c = dĉ ⊙ Γ_u ⊙ (1 − c̃²), dz_u = dĉ ⊙ c̃ ⊙ Γ_u(1 − Γ_u), dz_f = dĉ ⊙ c⟨t−1⟩ ⊙ Γ_f(1 − Γ_f)
        TV dzc = TM.Mul(TM.Mul(dcHat, gammaU), TM.Sub(one, TM.Mul(cTilde, cTilde)));
        TV dzu = TM.Mul(TM.Mul(dcHat, cTilde), TM.Mul(gammaU, TM.Sub(one, gammaU)));
        TV dzf = TM.Mul(TM.Mul(dcHat, cp), TM.Mul(gammaF, TM.Sub(one, gammaF)));
        // dc⟨t−1⟩ = dĉ ⊙ Γ_f  (+ dz_f ⊙ p_f + dz_u ⊙ p_u)
        TV dcPrev = TM.Mul(dcHat, gammaF);
        if (pf != null)
        {
            dcPrev = TM.Fma(dzf, TM.Load(pf + i), dcPrev);
            dcPrev = TM.Fma(dzu, TM.Load(pu + i), dcPrev);
            TM.Store(dpf + i, TM.Fma(dzf, cp, TM.Load(dpf + i)));
            TM.Store(dpu + i, TM.Fma(dzu, cp, TM.Load(dpu + i)));
            TM.Store(dpo + i, TM.Fma(dzo, cNew, TM.Load(dpo + i)));
        }
        TM.Store(dg + U * na + i, dzu); TM.Store(dg + F * na + i, dzf);
        TM.Store(dg + C * na + i, dzc); TM.Store(dg + O * na + i, dzo);
        TM.Store(dc + i, dcPrev);
    }
}

/// <summary>Vector operations of the LSTM cell kernels, including σ and tanh (static abstract: no virtual calls).</summary>
internal unsafe interface ICellMath<TV> where TV : struct
{
    static abstract int Width { get; }
    static abstract TV Load(double* p);
    static abstract void Store(double* p, TV v);
    static abstract TV Broadcast(double x);
    static abstract TV Fma(TV a, TV b, TV c);
    static abstract TV Mul(TV a, TV b);
    static abstract TV Add(TV a, TV b);
    static abstract TV Sub(TV a, TV b);
    /// <summary>σ(x) = 1 / (1 + e^(−x)).</summary>
    static abstract TV Sigmoid(TV x);
    /// <summary>tanh x.</summary>
    static abstract TV Tanh(TV x);
}

/// <summary>Vector512: σ(x) = 1/(1 + e^(−x)) and tanh x = sign(x)·(1 − e)/(1 + e), e = e^(−2|x|), with <see cref="VectorExp{TV, S}"/>.</summary>
internal unsafe struct M512 : ICellMath<Vector512<double>>
{
    public static int Width => 8;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<double> Load(double* p) => Vector512.Load(p);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(double* p, Vector512<double> v) => v.Store(p);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<double> Broadcast(double x) => Vector512.Create(x);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<double> Fma(Vector512<double> a, Vector512<double> b, Vector512<double> c) => Vector512.FusedMultiplyAdd(a, b, c);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<double> Mul(Vector512<double> a, Vector512<double> b) => a * b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<double> Add(Vector512<double> a, Vector512<double> b) => a + b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<double> Sub(Vector512<double> a, Vector512<double> b) => a - b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<double> Sigmoid(Vector512<double> x) => Vector512<double>.One / (Vector512<double>.One + Exp(-x));
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<double> Tanh(Vector512<double> x)
    {
        var e = Exp(Vector512.Create(-2.0) * Vector512.Abs(x));
        return Vector512.CopySign((Vector512<double>.One - e) / (Vector512<double>.One + e), x);
    }

    /// <summary>e^x, see <see cref="VectorExp{TV, S}"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<double> Exp(Vector512<double> x) => VectorExp<Vector512<double>, V512>.Exp(x);
}

/// <summary>Vector256 (AVX2): as <see cref="M512"/>.</summary>
internal unsafe struct M256 : ICellMath<Vector256<double>>
{
    public static int Width => 4;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<double> Load(double* p) => Vector256.Load(p);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(double* p, Vector256<double> v) => v.Store(p);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<double> Broadcast(double x) => Vector256.Create(x);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<double> Fma(Vector256<double> a, Vector256<double> b, Vector256<double> c) => Vector256.FusedMultiplyAdd(a, b, c);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<double> Mul(Vector256<double> a, Vector256<double> b) => a * b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<double> Add(Vector256<double> a, Vector256<double> b) => a + b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<double> Sub(Vector256<double> a, Vector256<double> b) => a - b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<double> Sigmoid(Vector256<double> x) => Vector256<double>.One / (Vector256<double>.One + Exp(-x));
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<double> Tanh(Vector256<double> x)
    {
        var e = Exp(Vector256.Create(-2.0) * Vector256.Abs(x));
        return Vector256.CopySign((Vector256<double>.One - e) / (Vector256<double>.One + e), x);
    }

    /// <summary>e^x, see <see cref="VectorExp{TV, S}"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<double> Exp(Vector256<double> x) => VectorExp<Vector256<double>, V256>.Exp(x);
}

/// <summary>Scalar: the library's own σ (<see cref="Activations.Sigmoid(double)"/>) and <see cref="Math.Tanh"/>.</summary>
internal unsafe struct MScalar : ICellMath<double>
{
    public static int Width => 1;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static double Load(double* p) => *p;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(double* p, double v) => *p = v;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static double Broadcast(double x) => x;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static double Fma(double a, double b, double c) => Math.FusedMultiplyAdd(a, b, c);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static double Mul(double a, double b) => a * b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static double Add(double a, double b) => a + b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static double Sub(double a, double b) => a - b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static double Sigmoid(double x) => Activations.Sigmoid(x);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static double Tanh(double x) => Math.Tanh(x);
}
