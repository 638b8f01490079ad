using MathNet.Numerics.LinearAlgebra;
using SeqCourse.Numerics;

namespace SeqCourse;

/// <summary>
/// What one LSTM step keeps for its backward pass (all (n_a, m) except X and the fused W).
/// A step of <see cref="Lstm.Forward"/> is a view of the whole sequence's storage (the gates of all steps sit in
/// one block there); its gate matrices are copied out the first time they are read.
/// </summary>
public sealed class LstmCache
{
    private readonly LstmSequence? _seq;
    private Matrix<double>? _gammaF, _gammaU, _cTilde, _gammaO, _tanhC;

    /// <summary>A cache holding the given matrices (one step of <see cref="LstmCell"/>).</summary>
    public LstmCache(LstmParameters P, Matrix<double> W, Matrix<double> X, Matrix<double> APrev, Matrix<double> CPrev,
        Matrix<double> GammaF, Matrix<double> GammaU, Matrix<double> CTilde, Matrix<double> GammaO,
        Matrix<double> C, Matrix<double> TanhC, Matrix<double> A)
    {
        this.P = P; this.W = W; this.X = X; this.APrev = APrev; this.CPrev = CPrev;
        _gammaF = GammaF; _gammaU = GammaU; _cTilde = CTilde; _gammaO = GammaO;
        this.C = C; _tanhC = TanhC; this.A = A;
    }

    /// <summary>Step <paramref name="t"/> of a sequence run by <see cref="Lstm.Forward"/>.</summary>
    internal LstmCache(LstmSequence seq, int t)
    {
        _seq = seq; Step = t;
        P = seq.P; W = seq.W; X = seq.Xs[t];
        APrev = seq.A[t]; CPrev = seq.C[t]; C = seq.C[t + 1]; A = seq.A[t + 1];
    }

    /// <summary>The parameters of the step.</summary>
    public LstmParameters P { get; }
    /// <summary>The fused gate matrix (4n_a, n_a + n_x) used for this step.</summary>
    public Matrix<double> W { get; }
    /// <summary>x⟨t⟩.</summary>
    public Matrix<double> X { get; }
    /// <summary>a⟨t−1⟩.</summary>
    public Matrix<double> APrev { get; }
    /// <summary>c⟨t−1⟩.</summary>
    public Matrix<double> CPrev { get; }
    /// <summary>Γ_f.</summary>
    public Matrix<double> GammaF => _gammaF ??= _seq!.Gate(Step, LstmBlocks.F);
    /// <summary>Γ_u.</summary>
    public Matrix<double> GammaU => _gammaU ??= _seq!.Gate(Step, LstmBlocks.U);
    /// <summary>c̃⟨t⟩.</summary>
    public Matrix<double> CTilde => _cTilde ??= _seq!.Gate(Step, LstmBlocks.C);
    /// <summary>Γ_o.</summary>
    public Matrix<double> GammaO => _gammaO ??= _seq!.Gate(Step, LstmBlocks.O);
    /// <summary>c⟨t⟩.</summary>
    public Matrix<double> C { get; }
    /// <summary>tanh(c⟨t⟩).</summary>
    public Matrix<double> TanhC => _tanhC ??= Activations.Tanh(C);
    /// <summary>a⟨t⟩.</summary>
    public Matrix<double> A { get; }

    /// <summary>The whole-sequence storage this step belongs to, or null for a stand-alone step.</summary>
    internal LstmSequence? Sequence => _seq;
    /// <summary>The step's index in <see cref="Sequence"/>.</summary>
    internal int Step { get; }
}

/// <summary>
/// One LSTM step (syllabus 1.9, peepholes §3.2). Shapes: x (n_x, m); a, c (n_a, m).
/// The four gate products W_k[a⟨t−1⟩; x⟨t⟩] are computed as one product of the fused (4n_a, n_a + n_x) matrix
/// (<see cref="LstmParameters.Stacked"/>), then split into the named gates.
/// </summary>
public static class LstmCell
{
    /// <summary>
    /// Γ_f = σ(W_f[a⟨t−1⟩; x] + p_f ⊙ c⟨t−1⟩ + b_f), Γ_u = σ(W_u[·] + p_u ⊙ c⟨t−1⟩ + b_u), c̃ = tanh(W_c[·] + b_c),
    /// c⟨t⟩ = Γ_f ⊙ c⟨t−1⟩ + Γ_u ⊙ c̃, Γ_o = σ(W_o[·] + p_o ⊙ c⟨t⟩ + b_o), a⟨t⟩ = Γ_o ⊙ tanh(c⟨t⟩)
    /// (peephole terms only when the parameters have them).
    /// </summary>
    public static (Matrix<double> A, Matrix<double> C, LstmCache Cache) Forward(Matrix<double> x, Matrix<double> aPrev, Matrix<double> cPrev, LstmParameters p)
    {
        Guard.NotNull(p, nameof(p));
        Guard.NotNull(x, nameof(x));
        Guard.Rows(x, p.InputSize, nameof(x));
        Guard.Shape(aPrev, p.HiddenSize, x.ColumnCount, nameof(aPrev));
        Guard.Shape(cPrev, p.HiddenSize, x.ColumnCount, nameof(cPrev));
        Guard.Finite(x, nameof(x)); Guard.Finite(aPrev, nameof(aPrev)); Guard.Finite(cPrev, nameof(cPrev));
        var (W, b) = p.Stacked();
        return ForwardUnchecked(x, aPrev, cPrev, p, W, b);
    }

    internal static (Matrix<double> A, Matrix<double> C, LstmCache Cache) ForwardUnchecked(Matrix<double> x, Matrix<double> aPrev,
        Matrix<double> cPrev, LstmParameters p, Matrix<double> W, Matrix<double> b)
    {
        int na = p.HiddenSize;
        var ax = GatedMath.Stack(aPrev, x);                        // [a⟨t−1⟩; x⟨t⟩]
        var Z = GatedMath.AddBias(W * ax, b);                      // all four pre-activations in one product
        var zu = GatedMath.Rows(Z, LstmBlocks.U * na, na);
        var zf = GatedMath.Rows(Z, LstmBlocks.F * na, na);
        var zc = GatedMath.Rows(Z, LstmBlocks.C * na, na);
        var zo = GatedMath.Rows(Z, LstmBlocks.O * na, na);
        if (p.HasPeepholes)
        {
            // The input and forget gates peek at the previous cell (§3.2).
            zf += GatedMath.DiagTimes(p.pf!, cPrev);
            zu += GatedMath.DiagTimes(p.pu!, cPrev);
        }
        var GammaF = Activations.Sigmoid(zf);
        var GammaU = Activations.Sigmoid(zu);
        var CTilde = Activations.Tanh(zc);
        var C = GammaF.PointwiseMultiply(cPrev) + GammaU.PointwiseMultiply(CTilde);   // c⟨t⟩ = Γ_f ⊙ c⟨t−1⟩ + Γ_u ⊙ c̃
        if (p.HasPeepholes) zo += GatedMath.DiagTimes(p.po!, C);                      // the output gate sees c⟨t⟩, not c⟨t−1⟩
        var GammaO = Activations.Sigmoid(zo);
        var TanhC = Activations.Tanh(C);
        var A = GammaO.PointwiseMultiply(TanhC);                                      // a⟨t⟩ = Γ_o ⊙ tanh(c⟨t⟩)
        return (A, C, new LstmCache(p, W, x, aPrev, cPrev, GammaF, GammaU, CTilde, GammaO, C, TanhC, A));
    }

    /// <summary>
    /// Back-propagates one step. <paramref name="da"/> is the total gradient into a⟨t⟩ (from above plus da_next),
    /// <paramref name="dc"/> the gradient into c⟨t⟩ from step t+1 (zero at T). Returns ∂J/∂x⟨t⟩, ∂J/∂a⟨t−1⟩,
    /// ∂J/∂c⟨t−1⟩ and this step's parameter gradients.
    /// </summary>
    public static (Matrix<double> dx, Matrix<double> daPrev, Matrix<double> dcPrev, LstmGradients Grads) Backward(
        Matrix<double> da, Matrix<double> dc, LstmCache cache)
    {
        Guard.NotNull(cache, nameof(cache));
        Guard.Shape(da, cache.A.RowCount, cache.A.ColumnCount, nameof(da));
        Guard.Shape(dc, cache.C.RowCount, cache.C.ColumnCount, nameof(dc));
        Guard.Finite(da, nameof(da)); Guard.Finite(dc, nameof(dc));
        var acc = new LstmAccumulator(cache.P);
        var (dx, daPrev, dcPrev) = BackwardInto(da, dc, cache, acc);
        return (dx, daPrev, dcPrev, acc.ToGradients());
    }

    /// <summary>The syllabus 1.9 backward equations, line by line, adding into the fused accumulator.</summary>
    internal static (Matrix<double> dx, Matrix<double> daPrev, Matrix<double> dcPrev) BackwardInto(
        Matrix<double> da, Matrix<double> dc, LstmCache k, LstmAccumulator acc)
    {
        var p = k.P; int na = p.HiddenSize, nx = p.InputSize;
        var dGammaO = da.PointwiseMultiply(k.TanhC);                                           // dΓ_o = da ⊙ tanh(c⟨t⟩)
        var dzo = dGammaO.PointwiseMultiply(Activations.SigmoidGradFromOutput(k.GammaO));      // dz_o = dΓ_o ⊙ Γ_o(1 − Γ_o)
        var dcHat = dc + da.PointwiseMultiply(k.GammaO).PointwiseMultiply(Activations.TanhGradFromOutput(k.TanhC));
        if (p.HasPeepholes) dcHat += GatedMath.DiagTimes(p.po!, dzo);                          // + dz_o ⊙ p_o
        var dCTilde = dcHat.PointwiseMultiply(k.GammaU);                                       // dc̃ = dĉ ⊙ Γ_u
        var dGammaU = dcHat.PointwiseMultiply(k.CTilde);                                       // dΓ_u = dĉ ⊙ c̃
        var dGammaF = dcHat.PointwiseMultiply(k.CPrev);                                        // dΓ_f = dĉ ⊙ c⟨t−1⟩
        var dcPrev = dcHat.PointwiseMultiply(k.GammaF);                                        // dc_prev = dĉ ⊙ Γ_f
        var dzu = dGammaU.PointwiseMultiply(Activations.SigmoidGradFromOutput(k.GammaU));
        var dzf = dGammaF.PointwiseMultiply(Activations.SigmoidGradFromOutput(k.GammaF));
        var dzc = dCTilde.PointwiseMultiply(Activations.TanhGradFromOutput(k.CTilde));

        // Fused: dZ = [dz_u; dz_f; dz_c; dz_o], dW_k = dz_k [a⟨t−1⟩; x]ᵀ is one product, and
        // [da_prev; dx] = Σ_k W_kᵀ dz_k = Wᵀ dZ is another.
        var dZ = Matrix<double>.Build.Dense(4 * na, dzu.ColumnCount);
        dZ.SetSubMatrix(LstmBlocks.U * na, 0, dzu); dZ.SetSubMatrix(LstmBlocks.F * na, 0, dzf);
        dZ.SetSubMatrix(LstmBlocks.C * na, 0, dzc); dZ.SetSubMatrix(LstmBlocks.O * na, 0, dzo);
        var ax = GatedMath.Stack(k.APrev, k.X);
        acc.dW.Add(dZ.TransposeAndMultiply(ax), acc.dW);
        acc.db.Add(GatedMath.SumColumns(dZ), acc.db);
        var dax = k.W.TransposeThisAndMultiply(dZ);
        var daPrev = GatedMath.Rows(dax, 0, na);
        var dx = GatedMath.Rows(dax, na, nx);

        if (p.HasPeepholes)
        {
            acc.dpf!.Add(GatedMath.SumColumns(dzf.PointwiseMultiply(k.CPrev)), acc.dpf);     // dp_f = Σ dz_f ⊙ c⟨t−1⟩
            acc.dpu!.Add(GatedMath.SumColumns(dzu.PointwiseMultiply(k.CPrev)), acc.dpu);     // dp_u = Σ dz_u ⊙ c⟨t−1⟩
            acc.dpo!.Add(GatedMath.SumColumns(dzo.PointwiseMultiply(k.C)), acc.dpo);         // dp_o = Σ dz_o ⊙ c⟨t⟩
            dcPrev += GatedMath.DiagTimes(p.pf!, dzf) + GatedMath.DiagTimes(p.pu!, dzu);      // dc_prev += dz_f ⊙ p_f + dz_u ⊙ p_u
        }
        return (dx, daPrev, dcPrev);
    }
}

/// <summary>Sums the fused gradients over time steps; split into named gates once at the end.</summary>
internal sealed class LstmAccumulator
{
    public readonly Matrix<double> dW, db;
    public readonly Matrix<double>? dpf, dpu, dpo;
    private readonly int na;

    public LstmAccumulator(LstmParameters p)
    {
        na = p.HiddenSize;
        dW = Matrix<double>.Build.Dense(4 * na, na + p.InputSize);
        db = Matrix<double>.Build.Dense(4 * na, 1);
        if (p.HasPeepholes) { dpf = Init.Zeros(na, 1); dpu = Init.Zeros(na, 1); dpo = Init.Zeros(na, 1); }
    }

    public LstmGradients ToGradients() => new(na, dW, db, dpf, dpu, dpo);
}
