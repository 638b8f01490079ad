using MathNet.Numerics.LinearAlgebra;

namespace SeqCourse;

/// <summary>
/// Draws words from a fixed distribution (the noise distribution P_n of negative sampling) with an
/// explicit generator: inverse-CDF sampling by binary search over the cumulative probabilities.
/// </summary>
public sealed class NoiseSampler
{
    private readonly double[] _cdf;

    /// <summary>Uses <paramref name="probabilities"/> (non-negative, normalised here).</summary>
    public NoiseSampler(IReadOnlyList<double> probabilities)
    {
        Guard.NotNull(probabilities, nameof(probabilities));
        if (probabilities.Count == 0) throw new ArgumentException("probabilities must not be empty.", nameof(probabilities));
        double total = 0;
        for (int i = 0; i < probabilities.Count; i++)
        {
            if (!(probabilities[i] >= 0) || double.IsInfinity(probabilities[i]))
                throw new ArgumentException($"probabilities[{i}] must be finite and >= 0 but is {probabilities[i]}.", nameof(probabilities));
            total += probabilities[i];
        }
        Guard.Positive(total, "sum of probabilities");
        Probabilities = probabilities.Select(p => p / total).ToArray();
        _cdf = new double[probabilities.Count];
        double acc = 0;
        for (int i = 0; i < _cdf.Length; i++) { acc += Probabilities[i]; _cdf[i] = acc; }
        _cdf[^1] = 1.0;
    }

    /// <summary>The normalised probabilities.</summary>
    public IReadOnlyList<double> Probabilities { get; }

    /// <summary>One draw.</summary>
    public int Sample(Random rng)
    {
        double u = rng.NextDouble();
        int lo = 0, hi = _cdf.Length - 1;
        while (lo < hi)   // smallest i with cdf[i] > u
        {
            int mid = (lo + hi) >> 1;
            if (_cdf[mid] > u) hi = mid; else lo = mid + 1;
        }
        return lo;
    }

    /// <summary>
    /// Fills <paramref name="result"/> with draws different from <paramref name="exclude"/> (a draw equal
    /// to the true target would teach the model that the observed pair is noise; word2vec skips it,
    /// here it is redrawn so that there are always exactly k negatives).
    /// </summary>
    public void Sample(Span<int> result, int exclude, Random rng)
    {
        if (exclude >= 0 && exclude < Probabilities.Count && Probabilities[exclude] >= 1.0 - 1e-12)
            throw new ArgumentException($"exclude: word {exclude} carries all the noise probability, so no negative can be drawn.", nameof(exclude));
        for (int i = 0; i < result.Length; i++)
        {
            int w;
            do w = Sample(rng); while (w == exclude);
            result[i] = w;
        }
    }

    /// <summary>k draws different from <paramref name="exclude"/>.</summary>
    public int[] Sample(int k, int exclude, Random rng)
    {
        Guard.Positive(k, nameof(k));
        Guard.NotNull(rng, nameof(rng));
        var r = new int[k];
        Sample(r, exclude, rng);
        return r;
    }
}

/// <summary>
/// Skip-gram with negative sampling (Mikolov et al. 2013; syllabus §2.4, §3.10). Instead of a softmax
/// over the vocabulary, each observed pair (c, t) is a positive example of P(y = 1 | c, t) = σ(θ_tᵀe_c)
/// and k words drawn from P_n(w) ∝ freq(w)^¾ are negatives:
/// L = −ln σ(θ_tᵀe_c) − Σ_{i=1…k} ln σ(−θ_{n_i}ᵀe_c).
/// </summary>
public static class NegativeSampling
{
    /// <summary>
    /// P_n(w) = freq(w)^power / Σ_v freq(v)^power (power ¾ by default). Raising to ¾ flattens the unigram
    /// distribution: rare words are drawn more often than their frequency, "the" less often.
    /// Counts or relative frequencies both work (only ratios matter).
    /// </summary>
    public static double[] NoiseDistribution(IReadOnlyList<double> frequencies, double power = 0.75)
    {
        Guard.NotNull(frequencies, nameof(frequencies));
        if (frequencies.Count == 0) throw new ArgumentException("frequencies must not be empty.", nameof(frequencies));
        var p = new double[frequencies.Count];
        double total = 0;
        for (int i = 0; i < p.Length; i++)
        {
            if (!(frequencies[i] >= 0) || double.IsInfinity(frequencies[i]))
                throw new ArgumentException($"frequencies[{i}] must be finite and >= 0 but is {frequencies[i]}.", nameof(frequencies));
            p[i] = Math.Pow(frequencies[i], power);
            total += p[i];
        }
        Guard.Positive(total, "sum of frequencies");
        for (int i = 0; i < p.Length; i++) p[i] /= total;
        return p;
    }

    /// <summary>The noise distribution of a vocabulary's counts.</summary>
    public static double[] NoiseDistribution(WordVocabulary vocabulary, double power = 0.75) =>
        NoiseDistribution(Guard.NotNull(vocabulary, nameof(vocabulary)).Counts.Select(c => (double)c).ToArray(), power);

    /// <summary>
    /// The loss of one pair with the given negatives, and its gradients as full matrices shaped like E and Θ:
    /// ∂L/∂e_c = (σ(θ_tᵀe_c) − 1)θ_t + Σ_i σ(θ_{n_i}ᵀe_c)θ_{n_i}, ∂L/∂θ_t = (σ(θ_tᵀe_c) − 1)e_c,
    /// ∂L/∂θ_{n_i} = σ(θ_{n_i}ᵀe_c)e_c (a negative drawn twice counts twice).
    /// </summary>
    public static (double L, Matrix<double> dE, Matrix<double> dTheta) Loss(Matrix<double> E, Matrix<double> Theta, int c, int t,
        IReadOnlyList<int> negatives)
    {
        SkipGram.CheckParameters(E, Theta);
        int nv = E.ColumnCount, ne = E.RowCount;
        Guard.Index(c, nv, nameof(c));
        Guard.Index(t, nv, nameof(t));
        Guard.NotNull(negatives, nameof(negatives));
        if (negatives.Count == 0) throw new ArgumentException("negatives must hold k >= 1 words but is empty.", nameof(negatives));
        for (int i = 0; i < negatives.Count; i++) Guard.Index(negatives[i], nv, $"negatives[{i}]");

        var ec = E.Column(c);
        var dE = Matrix<double>.Build.Dense(ne, nv);
        var dTheta = Matrix<double>.Build.Dense(nv, ne);
        double L = 0;
        for (int d = 0; d <= negatives.Count; d++)
        {
            bool positive = d == 0;
            int w = positive ? t : negatives[d - 1];
            var thetaW = Theta.Row(w);
            double s = thetaW.DotProduct(ec);
            L += positive ? Losses.Softplus(-s) : Losses.Softplus(s);       // −ln σ(s) or −ln σ(−s)
            double g = Activations.Sigmoid(s) - (positive ? 1 : 0);          // ∂L/∂s
            for (int k = 0; k < ne; k++)
            {
                dE[k, c] += g * thetaW[k];
                dTheta[w, k] += g * ec[k];
            }
        }
        return (L, dE, dTheta);
    }

    /// <summary>J = (1/m) Σ_i L(c_i, t_i, negatives[i]) with the gradients averaged the same way.</summary>
    public static (double J, Matrix<double> dE, Matrix<double> dTheta) Loss(Matrix<double> E, Matrix<double> Theta,
        IReadOnlyList<SkipGramPair> pairs, IReadOnlyList<int[]> negatives)
    {
        SkipGram.CheckParameters(E, Theta);
        SkipGram.CheckPairs(pairs, E.ColumnCount);
        Guard.NotNull(negatives, nameof(negatives));
        if (negatives.Count != pairs.Count)
            throw new ArgumentException($"negatives must have one array per pair ({pairs.Count}) but has {negatives.Count}.", nameof(negatives));
        double J = 0;
        var dE = Matrix<double>.Build.Dense(E.RowCount, E.ColumnCount);
        var dTheta = Matrix<double>.Build.Dense(Theta.RowCount, Theta.ColumnCount);
        for (int i = 0; i < pairs.Count; i++)
        {
            var (L, de, dth) = Loss(E, Theta, pairs[i].Context, pairs[i].Target, negatives[i]);
            J += L; dE.Add(de, dE); dTheta.Add(dth, dTheta);
        }
        int m = pairs.Count;
        return (J / m, dE / m, dTheta / m);
    }
}
