using System.Runtime.CompilerServices;
using MathNet.Numerics.LinearAlgebra;

namespace SeqCourse;

/// <summary>One skip-gram training example: the context word c (the input) and a target t within ±window of it.</summary>
public readonly record struct SkipGramPair(int Context, int Target);

/// <summary>
/// The parameters of skip-gram (syllabus §3.10): the embedding matrix E (n_e, n_v), whose column c is
/// the input vector e_c, and Θ (n_v, n_e), whose row j is the output vector θ_jᵀ, so that the scores
/// of every word for context c are Θ e_c. Both matrices must be dense: the trainers update their
/// storage in place.
/// </summary>
public sealed class SkipGramModel : IParameterSet
{
    /// <summary>Wraps E (n_e, n_v) and Θ (n_v, n_e); they are used as given, not copied.</summary>
    public SkipGramModel(Matrix<double> e, Matrix<double> theta)
    {
        Guard.NotNull(e, nameof(e));
        Guard.Shape(theta, e.ColumnCount, e.RowCount, nameof(theta));
        if (e.AsColumnMajorArray() is null) throw new ArgumentException("e must be a dense matrix but is sparse.", nameof(e));
        if (theta.AsColumnMajorArray() is null) throw new ArgumentException("theta must be a dense matrix but is sparse.", nameof(theta));
        E = e; Theta = theta;
    }

    /// <summary>
    /// word2vec's initialisation: E ~ U(−0.5/n_e, 0.5/n_e), Θ = 0. Θ can start at zero because E is
    /// random, so the first gradients already differ between words.
    /// </summary>
    public static SkipGramModel Create(int vocabularySize, int embeddingSize, Random rng)
    {
        Guard.Positive(vocabularySize, nameof(vocabularySize));
        Guard.Positive(embeddingSize, nameof(embeddingSize));
        Guard.NotNull(rng, nameof(rng));
        var e = Matrix<double>.Build.Dense(embeddingSize, vocabularySize, (_, _) => (rng.NextDouble() - 0.5) / embeddingSize);
        return new SkipGramModel(e, Matrix<double>.Build.Dense(vocabularySize, embeddingSize));
    }

    /// <summary>E (n_e, n_v): input vectors e_j as columns.</summary>
    public Matrix<double> E { get; }

    /// <summary>Θ (n_v, n_e): output vectors θ_j as rows.</summary>
    public Matrix<double> Theta { get; }

    /// <summary>n_v.</summary>
    public int VocabularySize => E.ColumnCount;

    /// <summary>n_e.</summary>
    public int EmbeddingSize => E.RowCount;

    /// <inheritdoc />
    public IReadOnlyList<NamedMatrix> Items => [new NamedMatrix("E", E), new NamedMatrix("Theta", Theta)];

    /// <summary>The learned word vectors: E itself (its columns), as usual for word2vec.</summary>
    public WordVectors WordVectors(WordVocabulary vocabulary) => new(vocabulary, E.Clone());

    /// <summary>
    /// One SGD step on the negative-sampling loss of a single pair (exact gradient of
    /// <see cref="NegativeSampling.Loss(Matrix{double}, Matrix{double}, int, int, IReadOnlyList{int})"/>):
    /// every score is computed from the old parameters, then E and Θ move by −lr·gradient.
    /// Returns the loss before the step.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]   // hot loop: skip the slow first JIT tier
    public double NegativeSamplingStep(int c, int t, ReadOnlySpan<int> negatives, double learningRate)
    {
        int ne = EmbeddingSize, nv = VocabularySize;
        var e = E.AsColumnMajorArray(); var th = Theta.AsColumnMajorArray();
        Span<double> dec = stackalloc double[ne]; dec.Clear();
        Span<double> g = stackalloc double[negatives.Length + 1];
        int ec = c * ne;
        double loss = 0;
        for (int d = 0; d <= negatives.Length; d++)
        {
            int w = d == 0 ? t : negatives[d - 1];
            double s = 0;
            for (int k = 0; k < ne; k++) s += th[k * nv + w] * e[ec + k];   // θ_wᵀ e_c
            double label = d == 0 ? 1 : 0;
            // −ln σ(s) for the target, −ln σ(−s) for a negative; ∂/∂s = σ(s) − label
            loss += d == 0 ? Losses.Softplus(-s) : Losses.Softplus(s);
            g[d] = Activations.Sigmoid(s) - label;
            for (int k = 0; k < ne; k++) dec[k] += g[d] * th[k * nv + w];   // ∂L/∂e_c, old θ
        }
        for (int d = 0; d <= negatives.Length; d++)
        {
            int w = d == 0 ? t : negatives[d - 1];
            for (int k = 0; k < ne; k++) th[k * nv + w] -= learningRate * g[d] * e[ec + k];   // ∂L/∂θ_w = g e_c
        }
        for (int k = 0; k < ne; k++) e[ec + k] -= learningRate * dec[k];
        return loss;
    }

    /// <summary>
    /// One SGD step on the full-softmax loss −ln P(t|c) of a single pair (exact gradient of
    /// <see cref="SkipGram.SoftmaxLoss(Matrix{double}, Matrix{double}, int, int)"/>). Costs O(n_v n_e).
    /// Returns the loss before the step.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public double SoftmaxStep(int c, int t, double learningRate, double[]? scratch = null)
    {
        int ne = EmbeddingSize, nv = VocabularySize;
        var e = E.AsColumnMajorArray(); var th = Theta.AsColumnMajorArray();
        var p = scratch is { Length: var len } && len >= nv ? scratch : new double[nv];
        int ec = c * ne;
        var ps = p.AsSpan(0, nv);
        ps.Clear();
        // Θ is column-major (n_v, n_e): column k of Θ is contiguous, so Θ e_c = Σ_k e_c[k] Θ[:, k]
        for (int k = 0; k < ne; k++) Axpy(e[ec + k], th.AsSpan(k * nv, nv), ps);        // scores Θ e_c
        double max = double.NegativeInfinity;
        for (int j = 0; j < nv; j++) max = Math.Max(max, ps[j]);
        double sum = 0;
        for (int j = 0; j < nv; j++) { ps[j] = Math.Exp(ps[j] - max); sum += ps[j]; }
        double loss = -(Math.Log(ps[t]) - Math.Log(sum));
        for (int j = 0; j < nv; j++) ps[j] /= sum;
        ps[t] -= 1;                                                                      // p − o_t
        Span<double> dec = stackalloc double[ne]; dec.Clear();
        for (int k = 0; k < ne; k++)
        {
            var col = th.AsSpan(k * nv, nv);
            dec[k] = Dot(col, ps);                                       // Θᵀ(p − o_t), with the old Θ
            Axpy(-learningRate * e[ec + k], ps, col);                    // θ_j −= lr (p_j − 1[j=t]) e_c
        }
        for (int k = 0; k < ne; k++) e[ec + k] -= learningRate * dec[k];
        return loss;
    }

    // y += a x, with System.Numerics.Vector so the loop is SIMD as soon as the caller is optimised
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Axpy(double a, ReadOnlySpan<double> x, Span<double> y)
    {
        int i = 0, w = System.Numerics.Vector<double>.Count;
        var va = new System.Numerics.Vector<double>(a);
        for (; i <= x.Length - w; i += w)
            (new System.Numerics.Vector<double>(y[i..]) + va * new System.Numerics.Vector<double>(x[i..])).CopyTo(y[i..]);
        for (; i < x.Length; i++) y[i] += a * x[i];
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static double Dot(ReadOnlySpan<double> x, ReadOnlySpan<double> y)
    {
        int i = 0, w = System.Numerics.Vector<double>.Count;
        var acc = System.Numerics.Vector<double>.Zero;
        for (; i <= x.Length - w; i += w) acc += new System.Numerics.Vector<double>(x[i..]) * new System.Numerics.Vector<double>(y[i..]);
        double s = System.Numerics.Vector.Sum(acc);
        for (; i < x.Length; i++) s += x[i] * y[i];
        return s;
    }
}

/// <summary>
/// Skip-gram (Mikolov et al. 2013; syllabus §2.3, §3.10): training pairs and the full-softmax model
/// P(t|c) = exp(θ_tᵀe_c) / Σ_j exp(θ_jᵀe_c), L = −ln P(t|c).
/// </summary>
public static class SkipGram
{
    /// <summary>
    /// Every (context, target) pair of one sentence: each word in turn is the context c, and every
    /// word at distance 1…window from it (inside the sentence) is a target t.
    /// </summary>
    public static List<SkipGramPair> Pairs(IReadOnlyList<int> sentence, int window)
    {
        Guard.NotNull(sentence, nameof(sentence));
        CheckWindow(window);
        var pairs = new List<SkipGramPair>();
        AddPairs(sentence, window, pairs);
        return pairs;
    }

    /// <summary>The pairs of a corpus; windows never cross sentence boundaries.</summary>
    public static List<SkipGramPair> Pairs(IReadOnlyList<int[]> sentences, int window)
    {
        CheckCorpus(sentences, nameof(sentences));
        CheckWindow(window);
        var pairs = new List<SkipGramPair>();
        foreach (var s in sentences) AddPairs(s, window, pairs);
        return pairs;
    }

    /// <summary>p = softmax(Θ e_c), one probability per vocabulary word (n_v, 1).</summary>
    public static Matrix<double> Probabilities(Matrix<double> E, Matrix<double> Theta, int c)
    {
        CheckParameters(E, Theta);
        Guard.Index(c, E.ColumnCount, nameof(c));
        return Activations.Softmax(Theta * E.SubMatrix(0, E.RowCount, c, 1));
    }

    /// <summary>
    /// L = −ln P(t|c) and its gradients, as full matrices shaped like E and Θ:
    /// ∂L/∂e_c = Θᵀ(p − o_t) (only column c of dE is non-zero) and ∂L/∂θ_j = (p_j − 1[j = t]) e_c.
    /// </summary>
    public static (double L, Matrix<double> dE, Matrix<double> dTheta) SoftmaxLoss(Matrix<double> E, Matrix<double> Theta, int c, int t)
    {
        CheckParameters(E, Theta);
        Guard.Index(c, E.ColumnCount, nameof(c));
        Guard.Index(t, E.ColumnCount, nameof(t));
        var ec = E.SubMatrix(0, E.RowCount, c, 1);
        var z = Theta * ec;                                   // scores θ_jᵀ e_c
        double L = -Activations.LogSoftmax(z)[t, 0];
        var d = Activations.Softmax(z);
        d[t, 0] -= 1;                                         // p − o_t
        var dE = Matrix<double>.Build.Dense(E.RowCount, E.ColumnCount);
        dE.SetSubMatrix(0, c, Theta.TransposeThisAndMultiply(d));   // Θᵀ(p − o_t)
        var dTheta = d * ec.Transpose();                      // row j: (p_j − 1[j=t]) e_cᵀ
        return (L, dE, dTheta);
    }

    /// <summary>
    /// J = (1/m) Σ_i L(c_i, t_i) over m pairs, with gradients summed the same way (a word used as
    /// context by several pairs accumulates in its column of dE).
    /// </summary>
    public static (double J, Matrix<double> dE, Matrix<double> dTheta) SoftmaxLoss(Matrix<double> E, Matrix<double> Theta,
        IReadOnlyList<SkipGramPair> pairs)
    {
        CheckParameters(E, Theta);
        CheckPairs(pairs, E.ColumnCount);
        double J = 0;
        var dE = Matrix<double>.Build.Dense(E.RowCount, E.ColumnCount);
        var dTheta = Matrix<double>.Build.Dense(Theta.RowCount, Theta.ColumnCount);
        foreach (var (c, t) in pairs)
        {
            var (L, de, dth) = SoftmaxLoss(E, Theta, c, t);
            J += L; dE.Add(de, dE); dTheta.Add(dth, dTheta);
        }
        int m = pairs.Count;
        return (J / m, dE / m, dTheta / m);
    }

    internal static void AddPairs(IReadOnlyList<int> s, int window, List<SkipGramPair> pairs)
    {
        for (int i = 0; i < s.Count; i++)
            for (int o = -window; o <= window; o++)
            {
                int j = i + o;
                if (o == 0 || j < 0 || j >= s.Count) continue;
                pairs.Add(new SkipGramPair(s[i], s[j]));
            }
    }

    internal static void CheckWindow(int window)
    {
        if (window <= 0) throw new ArgumentException($"window must be >= 1 (words on each side) but is {window}.", nameof(window));
    }

    internal static void CheckCorpus(IReadOnlyList<int[]> sentences, string name)
    {
        Guard.NotNull(sentences, name);
        if (sentences.Count == 0 || sentences.All(s => s is null || s.Length == 0))
            throw new ArgumentException($"{name} must contain at least one non-empty sentence but the corpus is empty ({sentences.Count} sentences).", name);
        for (int i = 0; i < sentences.Count; i++) Guard.NotNull(sentences[i], $"{name}[{i}]");
    }

    internal static void CheckCorpus(IReadOnlyList<int[]> sentences, int vocabularySize, string name)
    {
        CheckCorpus(sentences, name);
        for (int i = 0; i < sentences.Count; i++)
            foreach (var w in sentences[i])
                if (w < 0 || w >= vocabularySize)
                    throw new ArgumentException($"{name}[{i}] must hold word indices in [0, {vocabularySize - 1}] but contains {w}.", name);
    }

    internal static void CheckParameters(Matrix<double> E, Matrix<double> Theta)
    {
        Guard.NotNull(E, nameof(E));
        Guard.Shape(Theta, E.ColumnCount, E.RowCount, nameof(Theta));
    }

    internal static void CheckPairs(IReadOnlyList<SkipGramPair> pairs, int nv)
    {
        Guard.NotNull(pairs, nameof(pairs));
        if (pairs.Count == 0) throw new ArgumentException("pairs must contain at least one (context, target) pair but is empty.", nameof(pairs));
        for (int i = 0; i < pairs.Count; i++)
        {
            Guard.Index(pairs[i].Context, nv, $"pairs[{i}].Context");
            Guard.Index(pairs[i].Target, nv, $"pairs[{i}].Target");
        }
    }
}
