using System.Buffers;
using System.Runtime.CompilerServices;
using MathNet.Numerics.LinearAlgebra;
using SeqCourse.Numerics;

namespace SeqCourse;

/// <summary>ln α (S × T, row s is the extended label l′_s, column t the frame) and ln p(l|x).</summary>
public sealed record CtcLattice(Matrix<double> LogAlpha, double LogP);

/// <summary>
/// The result of a batched CTC evaluation. <see cref="Loss"/> is the batch loss J = (1/m) Σ_i L^(i);
/// <see cref="Losses"/>[i] = −ln p(l^(i)|x^(i)) (+∞ when infeasible); <see cref="Gradients"/> are
/// ∂J/∂u, so they already include the 1/m (library contract §1.3).
/// </summary>
public sealed record CtcBatchResult(double Loss, double[] Losses, Matrix<double>[] Gradients, int InfeasibleCount);

/// <summary>One labelling found by prefix beam search, with ln of its total probability over the paths the beam kept.</summary>
public sealed record CtcBeam(int[] Labels, double LogProbability);

/// <summary>
/// The most likely single path π* through the CTC lattice for a given target (Viterbi):
/// <see cref="Path"/>[t] is the class emitted at frame t, <see cref="States"/>[t] the 0-based index s
/// into the extended labels l′, <see cref="LogProbability"/> = ln Π_t y^t_{π*_t}.
/// For an infeasible target both arrays are empty and the log-probability is −∞.
/// </summary>
public sealed record CtcAlignment(int[] Path, int[] States, double LogProbability);

/// <summary>
/// Connectionist temporal classification (Graves et al. 2006; syllabus §3.7). Class 0 is the blank ∅,
/// the labels are 1…C−1. Inputs are the unnormalised logits u (C × T, one column per frame);
/// y^t = softmax(u^t) is taken inside, in log space (ln y from a log-softmax).
/// <para>
/// The α and β recursions are run on ln α and ln β with log-sum-exp in place of +, −∞ acting as the
/// identity, so nothing underflows even for T in the thousands (<see cref="CtcForward"/>,
/// <see cref="CtcBackward"/>, <see cref="CtcLossAndGradientLogSpace"/>: the equations as written, on flat
/// column-major arrays with lattice cell (s, t) at index t·S + s).
/// </para>
/// <para>
/// The loss and gradient entry points (<see cref="CtcLoss"/>, <see cref="CtcLossAndGradient"/>, the batches)
/// compute the same numbers through the fast path of the numerics layer, <see cref="CtcWorkspace"/>: the
/// recursions on per-frame rescaled probabilities, vectorised over s, on reusable per-thread buffers
/// (no allocation per example), with the log-space route as the fallback when a scale would underflow.
/// Batches are spread over the cores with <see cref="ParallelBatch"/>.
/// </para>
/// <para>
/// Argument rules: a target longer than the input (L &gt; T) or with a label outside 1…C−1 is an
/// <see cref="ArgumentException"/>. A target that fits (L ≤ T) but cannot be aligned because equal
/// neighbours need a blank between them (T &lt; L + R) is <i>infeasible</i>: its loss is +∞ and its
/// gradient zero, as in the syllabus.
/// </para>
/// </summary>
public static class Ctc
{
    /// <summary>The blank class ∅ (PyTorch convention).</summary>
    public const int Blank = 0;

    // ------------------------------------------------------------------ labels

    /// <summary>l′ = (∅, l_1, ∅, l_2, …, l_L, ∅): S = 2L + 1 entries, blanks at the even 0-based indices.</summary>
    public static int[] ExtendedLabels(IReadOnlyList<int> target)
    {
        Guard.NotNull(target, nameof(target));
        var ext = new int[2 * target.Count + 1];
        for (int i = 0; i < target.Count; i++) ext[2 * i + 1] = target[i];
        return ext;
    }

    /// <summary>L + R, the fewest frames that can emit <paramref name="target"/> (R = number of adjacent equal pairs).</summary>
    public static int RequiredFrames(IReadOnlyList<int> target)
    {
        Guard.NotNull(target, nameof(target));
        int r = 0;
        for (int i = 1; i < target.Count; i++) if (target[i] == target[i - 1]) r++;
        return target.Count + r;
    }

    /// <summary>True when some path of length <paramref name="inputLength"/> collapses to <paramref name="target"/> (T ≥ L + R).</summary>
    public static bool IsFeasible(IReadOnlyList<int> target, int inputLength) => inputLength >= RequiredFrames(target);

    /// <summary>The collapse map B: merge repeated symbols, then delete blanks (B(aa∅abb) = aab).</summary>
    public static int[] Collapse(IEnumerable<int> path)
    {
        Guard.NotNull(path, nameof(path));
        var result = new List<int>();
        int prev = -1;
        foreach (var k in path)
        {
            if (k != prev && k != Blank) result.Add(k);
            prev = k;
        }
        return result.ToArray();
    }

    // ------------------------------------------------------------------ single example

    /// <summary>
    /// The forward recursion in log space: ln α_t(s) for every extended label s and frame t (S × T) and
    /// ln p(l|x) = LSE(ln α_T(S), ln α_T(S−1)) (L = 0: ln α_T(1)). Infeasible targets give ln p = −∞.
    /// </summary>
    public static CtcLattice CtcForward(Matrix<double> logits, IReadOnlyList<int> target)
    {
        var (u, C, T) = Columns(logits, nameof(logits));
        ValidateTarget(target, C, T, nameof(target));
        var ext = ExtendedLabels(target);
        int S = ext.Length;
        var lp = new double[C * T];
        LogSoftmax(u, C, T, lp);
        var la = new double[S * T];
        double logP = Forward(lp, C, T, ext, la);
        return new CtcLattice(Matrix<double>.Build.Dense(S, T, la), logP);
    }

    /// <summary>
    /// The backward recursion in log space: ln β_t(s) (S × T), with β_t(s) including y^t_{l′_s} as in
    /// the syllabus, so p = Σ_s α_t(s) β_t(s) / y^t_{l′_s} for every t.
    /// </summary>
    public static Matrix<double> CtcBackward(Matrix<double> logits, IReadOnlyList<int> target)
    {
        var (u, C, T) = Columns(logits, nameof(logits));
        ValidateTarget(target, C, T, nameof(target));
        var ext = ExtendedLabels(target);
        int S = ext.Length;
        var lp = new double[C * T];
        LogSoftmax(u, C, T, lp);
        var lb = new double[S * T];
        Backward(lp, C, T, ext, lb);
        return Matrix<double>.Build.Dense(S, T, lb);
    }

    /// <summary>L = −ln p(l|x); +∞ when the target is infeasible (T &lt; L + R).</summary>
    public static double CtcLoss(Matrix<double> logits, IReadOnlyList<int> target)
    {
        var (u, C, T) = Columns(logits, nameof(logits));
        ValidateTarget(target, C, T, nameof(target));
        return LossAndGradient(new FrameView(u, null, 0, C), C, T, target, default, wantGrad: false, 1.0);
    }

    /// <summary>∂L/∂u^t_k = y^t_k − γ_t(k) (C × T); all zeros when the target is infeasible.</summary>
    public static Matrix<double> CtcGradient(Matrix<double> logits, IReadOnlyList<int> target) =>
        CtcLossAndGradient(logits, target).Gradient;

    /// <summary>The loss and its gradient with respect to the logits in one pass (α, β and γ computed once).</summary>
    public static (double Loss, Matrix<double> Gradient) CtcLossAndGradient(Matrix<double> logits, IReadOnlyList<int> target)
    {
        var (u, C, T) = Columns(logits, nameof(logits));
        ValidateTarget(target, C, T, nameof(target));
        var grad = new double[C * T];
        double loss = LossAndGradient(new FrameView(u, null, 0, C), C, T, target, new FrameView(grad, null, 0, C), wantGrad: true, 1.0);
        return (loss, Matrix<double>.Build.Dense(C, T, grad));
    }

    // ------------------------------------------------------------------ batches

    /// <summary>
    /// A batch of examples of different lengths: <paramref name="logits"/>[i] is (C, T_i) — or (C, T_max)
    /// with only the first <paramref name="inputLengths"/>[i] columns used. Returns the mean loss, the
    /// per-example losses and ∂J/∂u^(i) (same shapes as the inputs, zero in the padding, 1/m included).
    /// With <paramref name="zeroInfinity"/> an infeasible example counts as 0 in the mean (PyTorch's
    /// <c>zero_infinity=True</c>); otherwise the mean is +∞. Its gradient is zero either way.
    /// </summary>
    public static CtcBatchResult CtcBatch(IReadOnlyList<Matrix<double>> logits, IReadOnlyList<int[]> targets,
        IReadOnlyList<int>? inputLengths = null, bool zeroInfinity = false)
    {
        Guard.NotNull(logits, nameof(logits)); Guard.NotNull(targets, nameof(targets));
        int m = logits.Count;
        if (m == 0) throw new ArgumentException("logits must contain at least one example but is empty.", nameof(logits));
        CheckCount(targets.Count, m, nameof(targets));
        if (inputLengths is not null) CheckCount(inputLengths.Count, m, nameof(inputLengths));
        int C = Guard.NotNull(logits[0], "logits[0]").RowCount;
        var lengths = new int[m];
        for (int i = 0; i < m; i++)
        {
            var x = Guard.NotNull(logits[i], $"logits[{i}]");
            if (x.RowCount != C)
                throw new ArgumentException($"logits[{i}] must have {C} rows (classes) like logits[0] but has shape ({x.RowCount}, {x.ColumnCount}).", nameof(logits));
            int Ti = inputLengths is null ? x.ColumnCount : inputLengths[i];
            if (Ti < 1 || Ti > x.ColumnCount)
                throw new ArgumentException($"inputLengths[{i}] must be in [1, {x.ColumnCount}] (columns of logits[{i}]) but is {Ti}.", nameof(inputLengths));
            lengths[i] = Ti;
            ValidateTarget(Guard.NotNull(targets[i], $"targets[{i}]"), C, Ti, $"targets[{i}]", nameof(targets));
        }
        var losses = new double[m];
        var grads = new Matrix<double>[m];
        double scale = 1.0 / m;
        RunBatch(m, lengths, targets, (i, Ti) =>
        {
            var x = logits[i];
            var u = x.AsColumnMajorArray() ?? x.ToColumnMajorArray();
            var g = new double[C * x.ColumnCount];   // padding columns stay zero
            losses[i] = LossAndGradient(new FrameView(u, null, 0, C), C, Ti, targets[i], new FrameView(g, null, 0, C), wantGrad: true, scale);
            grads[i] = Matrix<double>.Build.Dense(C, x.ColumnCount, g);
        });
        return Summarise(losses, grads, zeroInfinity);
    }

    /// <summary>
    /// The same for a sequence batch in the library's layout (C, m, T_max): <paramref name="zy"/>[t] is
    /// C × m, example i uses frames 0…<paramref name="inputLengths"/>[i]−1. The gradients come back in
    /// the same layout (T_max matrices of C × m, zero in the padding, 1/m included), ready for a BRNN's
    /// output layer.
    /// </summary>
    public static CtcBatchResult CtcSequenceBatch(IReadOnlyList<Matrix<double>> zy, IReadOnlyList<int> inputLengths,
        IReadOnlyList<int[]> targets, bool zeroInfinity = false)
    {
        Guard.Sequence(zy, nameof(zy));
        Guard.NotNull(inputLengths, nameof(inputLengths)); Guard.NotNull(targets, nameof(targets));
        int C = zy[0].RowCount, m = zy[0].ColumnCount, Tmax = zy.Count;
        CheckCount(inputLengths.Count, m, nameof(inputLengths));
        CheckCount(targets.Count, m, nameof(targets));
        var lengths = new int[m];
        for (int i = 0; i < m; i++)
        {
            int Ti = inputLengths[i];
            if (Ti < 1 || Ti > Tmax)
                throw new ArgumentException($"inputLengths[{i}] must be in [1, {Tmax}] (time steps of zy) but is {Ti}.", nameof(inputLengths));
            lengths[i] = Ti;
            ValidateTarget(Guard.NotNull(targets[i], $"targets[{i}]"), C, Ti, $"targets[{i}]", nameof(targets));
        }
        // Column-major views of every frame: zy[t][k, i] is at cols[t][i·C + k].
        var cols = new double[Tmax][];
        for (int t = 0; t < Tmax; t++) cols[t] = zy[t].AsColumnMajorArray() ?? zy[t].ToColumnMajorArray();
        var gcols = new double[Tmax][];
        // Not zeroed here: every entry is written below (frames t < T_i by the example, the padding cleared).
        for (int t = 0; t < Tmax; t++) gcols[t] = GC.AllocateUninitializedArray<double>(C * m);
        var losses = new double[m];
        double scale = 1.0 / m;
        // Example i reads and writes column i of every frame in place (no gather into a per-example copy);
        // different examples touch different columns, so the workers never overlap.
        RunBatch(m, lengths, targets, (i, Ti) =>
        {
            losses[i] = LossAndGradient(new FrameView(null, cols, i * C, C), C, Ti, targets[i], new FrameView(null, gcols, i * C, C), wantGrad: true, scale);
            for (int t = Ti; t < Tmax; t++) gcols[t].AsSpan(i * C, C).Clear();   // padding frames get no gradient
        });
        var grads = new Matrix<double>[Tmax];
        for (int t = 0; t < Tmax; t++) grads[t] = Matrix<double>.Build.Dense(C, m, gcols[t]);
        return Summarise(losses, grads, zeroInfinity);
    }

    /// <summary>Example i of a sequence batch as a C × T_i matrix (frames 0…<paramref name="length"/>−1).</summary>
    public static Matrix<double> ExampleLogits(IReadOnlyList<Matrix<double>> zy, int i, int? length = null)
    {
        Guard.Sequence(zy, nameof(zy));
        Guard.Index(i, zy[0].ColumnCount, nameof(i));
        int T = length ?? zy.Count;
        if (T < 1 || T > zy.Count) throw new ArgumentException($"length must be in [1, {zy.Count}] but is {T}.", nameof(length));
        return Matrix<double>.Build.Dense(zy[0].RowCount, T, (k, t) => zy[t][k, i]);
    }

    // ------------------------------------------------------------------ decoding

    /// <summary>Best-path decoding: the argmax class of every frame, then the collapse map B.</summary>
    public static int[] CtcGreedyDecode(Matrix<double> logits)
    {
        var (u, C, T) = Columns(logits, nameof(logits));
        var path = new int[T];
        for (int t = 0; t < T; t++)
        {
            int best = 0; double bv = u[t * C];
            for (int k = 1; k < C; k++) if (u[t * C + k] > bv) { bv = u[t * C + k]; best = k; }
            path[t] = best;
        }
        return Collapse(path);
    }

    /// <summary>Greedy decoding of every example of a sequence batch (C, m, T_max) with its length.</summary>
    public static int[][] CtcGreedyDecode(IReadOnlyList<Matrix<double>> zy, IReadOnlyList<int> inputLengths)
    {
        Guard.Sequence(zy, nameof(zy)); Guard.NotNull(inputLengths, nameof(inputLengths));
        CheckCount(inputLengths.Count, zy[0].ColumnCount, nameof(inputLengths));
        return Enumerable.Range(0, inputLengths.Count).Select(i => CtcGreedyDecode(ExampleLogits(zy, i, inputLengths[i]))).ToArray();
    }

    /// <summary>
    /// Prefix beam search (Hannun et al. 2014; §3.7). Each prefix ℓ keeps p_b (paths ending in blank)
    /// and p_nb (paths ending in a label), here as logarithms so long inputs do not underflow. Per frame:
    /// blank → p_b′(ℓ) += (p_b + p_nb)(ℓ)·y_∅; k = last(ℓ) → p_nb′(ℓ) += p_nb(ℓ)·y_k and p_nb′(ℓk) += p_b(ℓ)·y_k;
    /// other k → p_nb′(ℓk) += (p_b + p_nb)(ℓ)·y_k; then the best <paramref name="beamWidth"/> prefixes by
    /// p_b + p_nb survive. Returns the surviving labellings, most probable first.
    /// </summary>
    public static IReadOnlyList<CtcBeam> CtcPrefixBeamSearch(Matrix<double> logits, int beamWidth)
    {
        var (u, C, T) = Columns(logits, nameof(logits));
        if (beamWidth < 1) throw new ArgumentException($"beamWidth must be >= 1 but is {beamWidth}.", nameof(beamWidth));
        var lp = new double[C * T];
        LogSoftmax(u, C, T, lp);

        // Prefixes live in a trie, so "ℓ extended by k" is a child lookup and a prefix is one reference.
        var root = new PrefixNode(null, -1);
        var beam = new List<BeamEntry> { new(root, 0.0, double.NegativeInfinity) };
        var next = new Dictionary<PrefixNode, int>(ReferenceEqualityComparer.Instance);
        var nextList = new List<BeamEntry>();
        for (int t = 0; t < T; t++)
        {
            next.Clear(); nextList.Clear();
            int o = t * C;
            foreach (var e in beam)
            {
                double lTotal = LogAdd(e.LogPb, e.LogPnb);
                // blank: the prefix is unchanged and now ends in a blank
                Add(e.Node, lTotal + lp[o + Blank], double.NegativeInfinity);
                for (int k = 1; k < C; k++)
                {
                    double ly = lp[o + k];
                    var child = e.Node.Child(k);
                    if (k == e.Node.Label)
                    {
                        Add(e.Node, double.NegativeInfinity, e.LogPnb + ly);   // repeat collapses into ℓ
                        Add(child, double.NegativeInfinity, e.LogPb + ly);      // ℓ∅k: a new k after a blank
                    }
                    else Add(child, double.NegativeInfinity, lTotal + ly);
                }
            }
            // keep the best W by p_b + p_nb (stable: earlier-created entries win ties)
            var order = Enumerable.Range(0, nextList.Count)
                .OrderByDescending(j => LogAdd(nextList[j].LogPb, nextList[j].LogPnb)).ThenBy(j => j)
                .Take(beamWidth).ToArray();
            beam = order.Select(j => nextList[j]).ToList();
        }
        return beam.Select(e => new CtcBeam(e.Node.Labels(), LogAdd(e.LogPb, e.LogPnb)))
            .OrderByDescending(b => b.LogProbability).ToArray();

        void Add(PrefixNode node, double lpb, double lpnb)
        {
            if (double.IsNegativeInfinity(lpb) && double.IsNegativeInfinity(lpnb)) return;   // no path reaches it
            if (next.TryGetValue(node, out int j))
                nextList[j] = nextList[j] with { LogPb = LogAdd(nextList[j].LogPb, lpb), LogPnb = LogAdd(nextList[j].LogPnb, lpnb) };
            else
            {
                next[node] = nextList.Count;
                nextList.Add(new BeamEntry(node, lpb, lpnb));
            }
        }
    }

    /// <summary>
    /// The most likely alignment of <paramref name="target"/> (Viterbi: the α recursion with max in place
    /// of +, then backtracking). Used to plot which frame emits which label.
    /// </summary>
    public static CtcAlignment CtcViterbi(Matrix<double> logits, IReadOnlyList<int> target)
    {
        var (u, C, T) = Columns(logits, nameof(logits));
        ValidateTarget(target, C, T, nameof(target));
        if (!IsFeasible(target, T)) return new CtcAlignment(Array.Empty<int>(), Array.Empty<int>(), double.NegativeInfinity);
        var ext = ExtendedLabels(target);
        int S = ext.Length;
        var lp = new double[C * T];
        LogSoftmax(u, C, T, lp);
        var d = new double[S * T];
        var from = new int[S * T];
        Array.Fill(d, double.NegativeInfinity);
        d[0] = lp[ext[0]];
        if (S > 1) d[1] = lp[ext[1]];
        for (int t = 1; t < T; t++)
        {
            int o = t * S, po = o - S, hi = Math.Min(S, 2 * t + 2);
            for (int s = 0; s < hi; s++)
            {
                double best = d[po + s]; int arg = s;
                if (s >= 1 && d[po + s - 1] > best) { best = d[po + s - 1]; arg = s - 1; }
                if (s >= 2 && ext[s] != ext[s - 2] && d[po + s - 2] > best) { best = d[po + s - 2]; arg = s - 2; }
                d[o + s] = best + lp[t * C + ext[s]];
                from[o + s] = arg;
            }
        }
        int last = (T - 1) * S;
        int sEnd = S == 1 || d[last + S - 1] >= d[last + S - 2] ? S - 1 : S - 2;
        var states = new int[T];
        var path = new int[T];
        states[T - 1] = sEnd;
        for (int t = T - 1; t > 0; t--) states[t - 1] = from[t * S + states[t]];
        for (int t = 0; t < T; t++) path[t] = ext[states[t]];
        return new CtcAlignment(path, states, d[last + sEnd]);
    }

    /// <summary>Levenshtein distance: the fewest insertions, deletions and substitutions turning <paramref name="hypothesis"/> into <paramref name="reference"/>.</summary>
    public static int EditDistance<T>(IReadOnlyList<T> hypothesis, IReadOnlyList<T> reference)
    {
        Guard.NotNull(hypothesis, nameof(hypothesis)); Guard.NotNull(reference, nameof(reference));
        var cmp = EqualityComparer<T>.Default;
        int n = hypothesis.Count, mLen = reference.Count;
        var prev = new int[mLen + 1];
        var cur = new int[mLen + 1];
        for (int j = 0; j <= mLen; j++) prev[j] = j;
        for (int i = 1; i <= n; i++)
        {
            cur[0] = i;
            for (int j = 1; j <= mLen; j++)
            {
                int sub = prev[j - 1] + (cmp.Equals(hypothesis[i - 1], reference[j - 1]) ? 0 : 1);
                cur[j] = Math.Min(sub, Math.Min(prev[j] + 1, cur[j - 1] + 1));
            }
            (prev, cur) = (cur, prev);
        }
        return prev[mLen];
    }

    /// <summary>Label error rate: Σ_i EditDistance(hyp_i, ref_i) / Σ_i |ref_i| (Graves et al. 2006).</summary>
    public static double LabelErrorRate(IReadOnlyList<int[]> hypotheses, IReadOnlyList<int[]> references)
    {
        Guard.NotNull(hypotheses, nameof(hypotheses)); Guard.NotNull(references, nameof(references));
        CheckCount(hypotheses.Count, references.Count, nameof(hypotheses));
        long errors = 0, total = 0;
        for (int i = 0; i < references.Count; i++)
        {
            errors += EditDistance(Guard.NotNull(hypotheses[i], $"hypotheses[{i}]"), Guard.NotNull(references[i], $"references[{i}]"));
            total += references[i].Length;
        }
        if (total == 0) throw new ArgumentException("references must contain at least one label in total but are all empty.", nameof(references));
        return (double)errors / total;
    }

    // ------------------------------------------------------------------ kernels (flat arrays)

    /// <summary>ln(e^a + e^b) with −∞ as the identity.</summary>
    internal static double LogAdd(double a, double b)
    {
        if (a < b) (a, b) = (b, a);
        if (double.IsNegativeInfinity(b)) return a;
        return a + Math.Log(1.0 + Math.Exp(b - a));
    }

    /// <summary>ln(e^a + e^b + e^c) with −∞ as the identity; never computes −∞ − (−∞).</summary>
    private static double LogAdd3(double a, double b, double c)
    {
        double m = a > b ? a : b;
        if (c > m) m = c;
        if (double.IsNegativeInfinity(m)) return double.NegativeInfinity;
        double sum = 0;
        if (a != m) sum += Math.Exp(a - m); else sum += 1.0;
        if (b != m) sum += Math.Exp(b - m); else sum += 1.0;
        if (c != m) sum += Math.Exp(c - m); else sum += 1.0;
        return m + Math.Log(sum);
    }

    private static void LogSoftmax(ReadOnlySpan<double> u, int C, int T, Span<double> lp)
    {
        for (int t = 0; t < T; t++)
        {
            var col = u.Slice(t * C, C);
            double max = double.NegativeInfinity;
            for (int k = 0; k < C; k++) if (col[k] > max) max = col[k];
            double sum = 0;
            for (int k = 0; k < C; k++) sum += Math.Exp(col[k] - max);
            double lse = max + Math.Log(sum);
            var dst = lp.Slice(t * C, C);
            for (int k = 0; k < C; k++) dst[k] = col[k] - lse;
        }
    }

    /// <summary>ln α into <paramref name="la"/> (S·T, column-major); returns ln p.</summary>
    private static double Forward(ReadOnlySpan<double> lp, int C, int T, ReadOnlySpan<int> ext, Span<double> la)
    {
        int S = ext.Length;
        la.Fill(double.NegativeInfinity);
        la[0] = lp[ext[0]];                    // α_1(1) = y^1_∅
        if (S > 1) la[1] = lp[ext[1]];         // α_1(2) = y^1_{l_1}
        for (int t = 1; t < T; t++)
        {
            int o = t * S, po = o - S, yo = t * C;
            int hi = Math.Min(S, 2 * t + 2);   // α_t(s) = 0 for s > 2t (1-based): nothing reaches it yet
            double prev2 = double.NegativeInfinity, prev1 = double.NegativeInfinity;   // ln α_{t−1}(s−2), ln α_{t−1}(s−1)
            for (int s = 0; s < hi; s++)
            {
                double cur = la[po + s];
                // the skip from s−2 is allowed only onto a label different from l′_{s−2} (never onto a blank)
                double skip = s >= 2 && ext[s] != ext[s - 2] ? prev2 : double.NegativeInfinity;
                double sum = LogAdd3(cur, prev1, skip);
                la[o + s] = double.IsNegativeInfinity(sum) ? double.NegativeInfinity : sum + lp[yo + ext[s]];
                prev2 = prev1; prev1 = cur;
            }
        }
        int last = (T - 1) * S;
        return S == 1 ? la[last] : LogAdd(la[last + S - 1], la[last + S - 2]);
    }

    /// <summary>ln β into <paramref name="lb"/> (S·T, column-major), β including y^t_{l′_s}.</summary>
    private static void Backward(ReadOnlySpan<double> lp, int C, int T, ReadOnlySpan<int> ext, Span<double> lb)
    {
        int S = ext.Length;
        lb.Fill(double.NegativeInfinity);
        int last = (T - 1) * S, ylast = (T - 1) * C;
        lb[last + S - 1] = lp[ylast + ext[S - 1]];          // β_T(S) = y^T_∅
        if (S > 1) lb[last + S - 2] = lp[ylast + ext[S - 2]]; // β_T(S−1) = y^T_{l_L}
        for (int t = T - 2; t >= 0; t--)
        {
            int o = t * S, no = o + S, yo = t * C;
            int lo = Math.Max(0, S - 2 * (T - t));   // cells that cannot reach the end in time stay −∞
            double next1 = double.NegativeInfinity, next2 = double.NegativeInfinity;  // ln β_{t+1}(s+1), (s+2)
            for (int s = S - 1; s >= lo; s--)
            {
                double cur = lb[no + s];
                double skip = s + 2 < S && ext[s] != ext[s + 2] ? next2 : double.NegativeInfinity;
                double sum = LogAdd3(cur, next1, skip);
                lb[o + s] = double.IsNegativeInfinity(sum) ? double.NegativeInfinity : sum + lp[yo + ext[s]];
                next2 = next1; next1 = cur;
            }
        }
    }

    /// <summary>This thread's reusable scratch memory for the fast path (batch workers each use their own thread's).</summary>
    [ThreadStatic] private static CtcWorkspace? threadWorkspace;

    /// <summary>
    /// Where one example's frames live: frame t is C contiguous values, either at t·C in one column-major
    /// (C, T) array (<paramref name="flat"/>) or at <paramref name="offset"/> in the t-th (C, m) array of a
    /// sequence batch (<paramref name="perFrame"/>: column i of every frame).
    /// </summary>
    private readonly struct FrameView(double[]? flat, double[][]? perFrame, int offset, int C)
    {
        public Span<double> Frame(int t) => perFrame is null ? flat.AsSpan(offset + t * C, C) : perFrame[t].AsSpan(offset, C);
    }

    /// <summary>
    /// −ln p for one example; with <paramref name="wantGrad"/>, <paramref name="grad"/> receives scale·(y − γ)
    /// frame by frame (zeros if infeasible).
    /// <para>
    /// Fast path: <see cref="CtcWorkspace"/> (Numerics) runs the same recursions on probabilities rescaled
    /// after every frame (Graves et al. 2006, §4.1), vectorised, on this thread's reusable buffers. It gives
    /// the log-space results to ~1e-14 relative; when a rescaling factor underflows (extremely peaky
    /// inputs) it declines and the example is recomputed in log space (<see cref="LossAndGradientLogSpace"/>),
    /// which never underflows.
    /// </para>
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]   // optimised from the first call: a bench or a short training run never sees the slow first JIT tier
    private static double LossAndGradient(FrameView u, int C, int T, IReadOnlyList<int> target, FrameView grad, bool wantGrad, double scale)
    {
        if (!IsFeasible(target, T))
        {
            if (wantGrad) for (int t = 0; t < T; t++) grad.Frame(t).Clear();
            return double.PositiveInfinity;
        }
        var ws = threadWorkspace ??= new CtcWorkspace();
        ws.Begin(C, T, TargetSpan(target));
        for (int t = 0; t < T; t++) ws.SetFrame(t, u.Frame(t));
        if (ws.TryLossAndGradient(wantGrad, scale, out double logP))
        {
            if (wantGrad) for (int t = 0; t < T; t++) ws.GradientFrame(t).CopyTo(grad.Frame(t));
            return -logP;
        }
        // Rare: log space on contiguous copies.
        var pool = ArrayPool<double>.Shared;
        var uc = pool.Rent(C * T);
        var gc = wantGrad ? pool.Rent(C * T) : null;
        try
        {
            for (int t = 0; t < T; t++) u.Frame(t).CopyTo(uc.AsSpan(t * C, C));
            double loss = LossAndGradientLogSpace(uc.AsSpan(0, C * T), C, T, ExtendedLabels(target),
                gc is null ? Span<double>.Empty : gc.AsSpan(0, C * T), scale);
            if (gc is not null) for (int t = 0; t < T; t++) gc.AsSpan(t * C, C).CopyTo(grad.Frame(t));
            return loss;
        }
        finally
        {
            pool.Return(uc);
            if (gc is not null) pool.Return(gc);
        }
    }

    private static ReadOnlySpan<int> TargetSpan(IReadOnlyList<int> target) => target switch
    {
        int[] a => a,
        List<int> l => System.Runtime.InteropServices.CollectionsMarshal.AsSpan(l),
        _ => target.ToArray(),
    };

    /// <summary>The log-space loss and gradient (also the fallback of the fast path).</summary>
    private static double LossAndGradientLogSpace(ReadOnlySpan<double> u, int C, int T, ReadOnlySpan<int> e, Span<double> grad, double scale)
    {
        bool wantGrad = !grad.IsEmpty;
        int S = e.Length;
        var pool = ArrayPool<double>.Shared;
        var lp = pool.Rent(C * T);
        var la = pool.Rent(S * T);
        var lb = wantGrad ? pool.Rent(S * T) : null;
        try
        {
            var lpS = lp.AsSpan(0, C * T);
            LogSoftmax(u, C, T, lpS);
            double logP = Forward(lpS, C, T, e, la.AsSpan(0, S * T));
            if (!wantGrad) return -logP;
            var lbS = lb!.AsSpan(0, S * T);
            Backward(lpS, C, T, e, lbS);
            // ∂L/∂u^t_k = y^t_k − γ_t(k),  ln γ_t(k) = LSE_{s: l′_s = k}(ln α_t(s) + ln β_t(s)) − ln y^t_k − ln p
            for (int t = 0; t < T; t++)
            {
                int o = t * S, yo = t * C;
                var g = grad.Slice(yo, C);
                for (int k = 0; k < C; k++) g[k] = Math.Exp(lpS[yo + k]);
                for (int s = 0; s < S; s++)
                {
                    double v = la[o + s] + lbS[o + s];
                    if (double.IsNegativeInfinity(v)) continue;
                    int k = e[s];
                    g[k] -= Math.Exp(v - lpS[yo + k] - logP);
                }
                if (scale != 1.0) for (int k = 0; k < C; k++) g[k] *= scale;
            }
            return -logP;
        }
        finally
        {
            pool.Return(lp); pool.Return(la);
            if (lb is not null) pool.Return(lb);
        }
    }

    /// <summary>
    /// The loss and gradient computed purely in log space (ln α, ln β, ln γ as in §3.7), without the
    /// rescaled fast path that <see cref="CtcLossAndGradient"/> tries first. Slower; kept public so
    /// notebooks and tests can compare the two routes.
    /// </summary>
    public static (double Loss, Matrix<double> Gradient) CtcLossAndGradientLogSpace(Matrix<double> logits, IReadOnlyList<int> target)
    {
        var (u, C, T) = Columns(logits, nameof(logits));
        ValidateTarget(target, C, T, nameof(target));
        var grad = new double[C * T];
        if (!IsFeasible(target, T)) return (double.PositiveInfinity, Matrix<double>.Build.Dense(C, T));
        double loss = LossAndGradientLogSpace(u, C, T, ExtendedLabels(target), grad, 1.0);
        return (loss, Matrix<double>.Build.Dense(C, T, grad));
    }

    private static void RunBatch(int m, int[] lengths, IReadOnlyList<int[]> targets, Action<int, int> one)
    {
        // Parallel only pays when there is enough lattice work to share between cores.
        long work = 0;
        for (int i = 0; i < m; i++) work += (long)lengths[i] * (2 * targets[i].Length + 1);
        if (m < 4 || work < 20_000)
        {
            for (int i = 0; i < m; i++) one(i, lengths[i]);
            return;
        }
        // The caller and one helper per other core take the next example from a shared counter; a helper
        // that a busy machine has not scheduled yet is not waited for (see ParallelBatch).
        ParallelBatch.Run(m, i => one(i, lengths[i]));
    }

    private static CtcBatchResult Summarise(double[] losses, Matrix<double>[] grads, bool zeroInfinity)
    {
        double sum = 0; int infeasible = 0;
        foreach (var l in losses)
        {
            if (double.IsPositiveInfinity(l)) { infeasible++; if (zeroInfinity) continue; }
            sum += l;
        }
        return new CtcBatchResult(sum / losses.Length, losses, grads, infeasible);
    }

    // ------------------------------------------------------------------ checks

    private static (double[] U, int C, int T) Columns(Matrix<double> logits, string name)
    {
        Guard.NotNull(logits, name);
        if (logits.RowCount < 2 || logits.ColumnCount < 1)
            throw new ArgumentException($"{name} must be (C, T) with C >= 2 classes (blank + labels) and T >= 1 frames but has shape ({logits.RowCount}, {logits.ColumnCount}).", name);
        return (logits.AsColumnMajorArray() ?? logits.ToColumnMajorArray(), logits.RowCount, logits.ColumnCount);
    }

    private static void ValidateTarget(IReadOnlyList<int> target, int C, int T, string name, string? paramName = null)
    {
        paramName ??= name;
        if (target is null) throw new ArgumentNullException(paramName, $"{name} must not be null.");
        for (int i = 0; i < target.Count; i++)
            if (target[i] < 1 || target[i] >= C)
                throw new ArgumentException(
                    $"{name}[{i}] must be a label in [1, {C - 1}] (class 0 is the blank) but is {target[i]}.", paramName);
        if (target.Count > T)
            throw new ArgumentException(
                $"{name} is longer than the input: it has L = {target.Count} labels but the input has only T = {T} frames (need L <= T).", paramName);
    }

    private static void CheckCount(int actual, int expected, string name)
    {
        if (actual != expected)
            throw new ArgumentException($"{name} must have {expected} entries (one per example) but has {actual}.", name);
    }

    private readonly record struct BeamEntry(PrefixNode Node, double LogPb, double LogPnb);

    private sealed class PrefixNode(PrefixNode? parent, int label)
    {
        private Dictionary<int, PrefixNode>? children;
        public int Label { get; } = label;

        public PrefixNode Child(int k)
        {
            children ??= new Dictionary<int, PrefixNode>();
            if (!children.TryGetValue(k, out var c)) children[k] = c = new PrefixNode(this, k);
            return c;
        }

        public int[] Labels()
        {
            var l = new List<int>();
            for (PrefixNode? n = this; n?.Parent is not null; n = n.Parent) l.Add(n.Label);
            l.Reverse();
            return l.ToArray();
        }

        public PrefixNode? Parent { get; } = parent;
    }
}
