using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using MathNet.Numerics.LinearAlgebra;
using MathNet.Numerics.LinearAlgebra.Double;

namespace SeqCourse.Numerics;

/// <summary>
/// The fused training step behind <see cref="CharLanguageModel.TrainStep"/>: forward with teacher forcing, softmax
/// cross-entropy and BPTT for a tanh RNN whose inputs are one-hot (so W_ax x⟨t⟩ is a column of W_ax and
/// dW_ax += dz x⟨t⟩ᵀ adds dz into one column), batch 1, in preallocated buffers, with no allocation once the buffers
/// fit the longest sequence seen. Same numbers as <see cref="Rnn.Forward"/> + <see cref="Losses.SoftmaxCrossEntropy"/> +
/// <see cref="Rnn.Backward"/> up to rounding (tested to 1e−12).
/// <para>Layout: A = [a⟨0⟩ … a⟨T⟩] (n_a × (T+1), a⟨0⟩ = 0), Dy = [ŷ⟨t⟩ − y⟨t⟩] (n_y × T), Dz = [dz⟨t⟩] (n_a × T).
/// The recurrence is sequential; everything that is not (dW_aa = Σ_t dz⟨t⟩ a⟨t−1⟩ᵀ, dW_ya = Σ_t dy⟨t⟩ a⟨t⟩ᵀ, db_a, db_y)
/// is summed after BPTT, one gradient column at a time in registers, so each gradient is written once.</para>
/// </summary>
internal sealed unsafe class FusedRnnLm
{
    private int _na, _ny, _capacity;
    private double[] _a = [], _dy = [], _dz = [], _da = [], _daNext = [];
    private readonly double[] _maskA = new double[8], _maskY = new double[8];
    private bool[] _touched = [];
    private RnnGradients? _grads;

    /// <summary>Which kernels run (tests force each one); sizes below the vector width fall back to a narrower one.</summary>
    public SimdLevel Level { get; set; } = SimdLevel.Auto;

    /// <summary>The gradients of the last successful <see cref="TryLossAndGradients"/> (owned and reused by this object).</summary>
    public RnnGradients Gradients => _grads ?? throw new InvalidOperationException("No gradients computed yet.");

    /// <summary>The kernel width used for hidden size <paramref name="na"/> and output size <paramref name="ny"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public SimdLevel Resolve(int na, int ny)
    {
        int n = Math.Min(na, ny);
        bool v512 = Level == SimdLevel.Vector512 || (Level == SimdLevel.Auto && Vector512.IsHardwareAccelerated && System.Runtime.Intrinsics.X86.Avx512F.IsSupported);
        bool v256 = Level is SimdLevel.Vector512 or SimdLevel.Vector256 || (Level == SimdLevel.Auto && Vector256.IsHardwareAccelerated);
        return v512 && n >= 8 ? SimdLevel.Vector512 : v256 && n >= 4 ? SimdLevel.Vector256 : SimdLevel.Scalar;
    }

    /// <summary>
    /// J = Σ_t −ln ŷ⟨t⟩[y⟨t⟩] and the gradients into <see cref="Gradients"/> for targets <paramref name="y"/> (validated by the
    /// caller), x⟨1⟩ = 0 and x⟨t⟩ = o_{y⟨t−1⟩}. Returns false, leaving the caller to run the straightforward path (which
    /// reports the problem), when a parameter is not a dense matrix or something is not finite.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public bool TryLossAndGradients(RnnParameters p, int[] y, out double loss)
    {
        loss = double.NaN;
        if (p.Waa is not DenseMatrix { Values: var waa } || p.Wax is not DenseMatrix { Values: var wax } ||
            p.ba is not DenseMatrix { Values: var ba } || p.Wya is not DenseMatrix { Values: var wya } ||
            p.by is not DenseMatrix { Values: var by })
            return false;
        Ensure(p.Na, p.Ny, y.Length);
        return Resolve(_na, _ny) switch
        {
            SimdLevel.Vector512 => Run<Vector512<double>, V512>(waa, wax, ba, wya, by, y, out loss),
            SimdLevel.Vector256 => Run<Vector256<double>, V256>(waa, wax, ba, wya, by, y, out loss),
            _ => Run<double, VScalar>(waa, wax, ba, wya, by, y, out loss),
        };
    }

    /// <summary>
    /// Clipping by value to [−<paramref name="clip"/>, <paramref name="clip"/>] and θ ← θ − α g in one pass over each
    /// parameter (§3.5), after a successful <see cref="TryLossAndGradients"/> with the same parameters. Only the columns
    /// of W_ax that the sequence read have a gradient; the others stay as they are (θ − α·0 = θ).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void ClipAndSgd(RnnParameters p, double clip, double learningRate)
    {
        var g = Gradients;
        switch (Resolve(_na, _ny))
        {
            case SimdLevel.Vector512: ClipSgd<Vector512<double>, V512>(p, g, clip, learningRate); break;
            case SimdLevel.Vector256: ClipSgd<Vector256<double>, V256>(p, g, clip, learningRate); break;
            default: ClipSgd<double, VScalar>(p, g, clip, learningRate); break;
        }
    }

    /// <summary>y = tanh x with the kernels' tanh at <paramref name="level"/> (Scalar, Vector256 or Vector512; x.Length ≥ width).</summary>
    public static void Tanh(double[] x, double[] y, SimdLevel level) => Apply(x, y, level, tanh: true);

    /// <summary>y = e^x for x ≤ 0 with the kernels' exp (the softmax exponents).</summary>
    public static void ExpNonPositive(double[] x, double[] y, SimdLevel level) => Apply(x, y, level, tanh: false);

    private static void Apply(double[] x, double[] y, SimdLevel level, bool tanh)
    {
        if (y.Length != x.Length) throw new ArgumentException($"y must have {x.Length} entries like x but has {y.Length}.", nameof(y));
        fixed (double* px = x, py = y)
        {
            switch (level)
            {
                case SimdLevel.Vector512 when x.Length >= 8:
                    if (tanh) RnnKernels<Vector512<double>, V512>.TanhSpan(px, py, x.Length);
                    else RnnKernels<Vector512<double>, V512>.ExpSpan(px, py, x.Length);
                    break;
                case SimdLevel.Vector256 when x.Length >= 4:
                    if (tanh) RnnKernels<Vector256<double>, V256>.TanhSpan(px, py, x.Length);
                    else RnnKernels<Vector256<double>, V256>.ExpSpan(px, py, x.Length);
                    break;
                default:
                    if (tanh) RnnKernels<double, VScalar>.TanhSpan(px, py, x.Length);
                    else RnnKernels<double, VScalar>.ExpSpan(px, py, x.Length);
                    break;
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Ensure(int na, int ny, int T)
    {
        if (na != _na || ny != _ny || _grads is null)
        {
            _na = na; _ny = ny; _capacity = 0;
            _da = new double[na]; _daNext = new double[na];
            _touched = new bool[ny];
            _grads = new RnnGradients(Init.Zeros(na, na), Init.Zeros(na, ny), Init.Zeros(na, 1), Init.Zeros(ny, na), Init.Zeros(ny, 1));
        }
        if (T > _capacity)
        {
            _capacity = Math.Max(T, 2 * _capacity);
            _a = new double[na * (_capacity + 1)];
            _dy = new double[ny * _capacity];
            _dz = new double[na * _capacity];
        }
    }

    // mask[l] = 1 where lane l of the block at n − W is a row not covered by the full blocks.
    private static void FillMask(double[] mask, int n, int W)
    {
        int full = n / W * W;
        for (int l = 0; l < W; l++) mask[l] = n - W + l >= full ? 1.0 : 0.0;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private bool Run<TV, S>(double[] waaV, double[] waxV, double[] baV, double[] wyaV, double[] byV, int[] y, out double loss)
        where TV : struct where S : struct, ISimd<TV>
    {
        int H = _na, V = _ny, T = y.Length;
        FillMask(_maskA, H, S.Width); FillMask(_maskY, V, S.Width);
        var g = _grads!;
        double[] gWaaV = Optimizer.ValuesOf(g.dWaa, "dWaa"), gWaxV = Optimizer.ValuesOf(g.dWax, "dWax"),
            gbaV = Optimizer.ValuesOf(g.dba, "dba"), gWyaV = Optimizer.ValuesOf(g.dWya, "dWya"), gbyV = Optimizer.ValuesOf(g.dby, "dby");
        fixed (double* waa = waaV, wax = waxV, ba = baV, wya = wyaV, by = byV, A = _a, Dy = _dy, Dz = _dz,
               da = _da, daNext = _daNext, maskA = _maskA, maskY = _maskY,
               gWaa = gWaaV, gWax = gWaxV, gba = gbaV, gWya = gWyaV, gby = gbyV)
        {
            TV bad = S.Zero;
            double J = 0;
            // Forward (§1.2): a⟨t⟩ = tanh(W_aa a⟨t−1⟩ + W_ax x⟨t⟩ + b_a). Column 0 of A is a⟨0⟩ = 0 and is never written.
            for (int t = 0; t < T; t++)
                RnnKernels<TV, S>.HiddenStep(waa, wax, ba, H, t == 0 ? null : A + (long)t * H, t == 0 ? -1 : y[t - 1],
                    A + (long)(t + 1) * H, ref bad);
            // Output (§1.4) for all t at once: Z_y = W_ya [a⟨1⟩ … a⟨T⟩] + b_y, then ŷ⟨t⟩ − y⟨t⟩ and J in place.
            RnnKernels<TV, S>.GemmCols2(wya, V, H, A + H, H, 1, T, by, Dy, ref bad);
            for (int t = 0; t < T; t++)
                J += RnnKernels<TV, S>.SoftmaxCrossEntropy(Dy + (long)t * V, V, y[t], maskY);
            loss = J;
            if (!double.IsFinite(S.Sum(bad)) || !double.IsFinite(J)) return false;

            // BPTT (§1.3), t = T…1: da = W_yaᵀ dy⟨t⟩ + da_next, dz⟨t⟩ = (1 − a⟨t⟩²) ⊙ da, da_next = W_aaᵀ dz⟨t⟩.
            for (int t = T - 1; t >= 0; t--)
            {
                RnnKernels<TV, S>.TransposedMatVec(wya, V, H, Dy + (long)t * V, maskY, t == T - 1 ? null : daNext, da);
                RnnKernels<TV, S>.TanhBackward(A + (long)(t + 1) * H, da, Dz + (long)t * H, H, ref bad);
                if (t > 0) RnnKernels<TV, S>.TransposedMatVec(waa, H, H, Dz + (long)t * H, maskA, null, daNext);
            }

            // dW_aa = Σ_t dz⟨t⟩ a⟨t−1⟩ᵀ (a⟨0⟩ = 0 adds nothing), dW_ya = Σ_t dy⟨t⟩ a⟨t⟩ᵀ: G[:, j] = Σ_t D[:, t] A[j, t].
            RnnKernels<TV, S>.GemmCols2(Dz + H, H, T - 1, A + H, 1, H, H, null, gWaa, ref bad);
            RnnKernels<TV, S>.GemmCols2(Dy, V, T, A + H, 1, H, H, null, gWya, ref bad);
            // db_a = Σ_t dz⟨t⟩, db_y = Σ_t dy⟨t⟩ (a stride-0 "matrix" of ones).
            double one = 1.0;
            RnnKernels<TV, S>.GemmCols2(Dz, H, T, &one, 0, 0, 1, null, gba, ref bad);
            RnnKernels<TV, S>.GemmCols2(Dy, V, T, &one, 0, 0, 1, null, gby, ref bad);
            // dW_ax += dz⟨t⟩ x⟨t⟩ᵀ adds dz⟨t⟩ into column y⟨t−1⟩ (x⟨1⟩ = 0 adds nothing); clear last call's columns first.
            for (int c = 0; c < V; c++)
                if (_touched[c]) { new Span<double>(gWax + (long)c * H, H).Clear(); _touched[c] = false; }
            for (int t = T - 1; t >= 1; t--)
            {
                int c = y[t - 1];
                _touched[c] = true;
                RnnKernels<TV, S>.AddInPlace(gWax + (long)c * H, Dz + (long)t * H, H);
            }
            for (int c = 0; c < V; c++)
                if (_touched[c] && !RnnKernels<TV, S>.AllFinite(gWax + (long)c * H, H)) return false;
            return double.IsFinite(S.Sum(bad));
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void ClipSgd<TV, S>(RnnParameters p, RnnGradients g, double clip, double lr)
        where TV : struct where S : struct, ISimd<TV>
    {
        int H = _na, V = _ny;
        fixed (double* waa = Optimizer.ValuesOf(p.Waa, "Waa"), wax = Optimizer.ValuesOf(p.Wax, "Wax"), ba = Optimizer.ValuesOf(p.ba, "ba"),
               wya = Optimizer.ValuesOf(p.Wya, "Wya"), by = Optimizer.ValuesOf(p.by, "by"),
               gWaa = Optimizer.ValuesOf(g.dWaa, "dWaa"), gWax = Optimizer.ValuesOf(g.dWax, "dWax"), gba = Optimizer.ValuesOf(g.dba, "dba"),
               gWya = Optimizer.ValuesOf(g.dWya, "dWya"), gby = Optimizer.ValuesOf(g.dby, "dby"))
        {
            RnnKernels<TV, S>.ClipSgd(waa, gWaa, H * H, clip, lr);
            for (int c = 0; c < V; c++)
                if (_touched[c]) RnnKernels<TV, S>.ClipSgd(wax + (long)c * H, gWax + (long)c * H, H, clip, lr);
            RnnKernels<TV, S>.ClipSgd(ba, gba, H, clip, lr);
            RnnKernels<TV, S>.ClipSgd(wya, gWya, V * H, clip, lr);
            RnnKernels<TV, S>.ClipSgd(by, gby, V, clip, lr);
        }
    }
}
