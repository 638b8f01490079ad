using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace SeqCourse;

/// <summary>Settings of the skip-gram trainers. The defaults are the syllabus' (§5.5): window 2, k = 5, 5 epochs.</summary>
public sealed record Word2VecOptions
{
    /// <summary>Targets are the words at distance 1…Window from the context word.</summary>
    public int Window { get; init; } = 2;

    /// <summary>k, negatives per pair (negative sampling only).</summary>
    public int Negatives { get; init; } = 5;

    /// <summary>Passes over the corpus.</summary>
    public int Epochs { get; init; } = 5;

    /// <summary>
    /// Initial SGD step α₀; it decays linearly to α₀·10⁻⁴ over training, as in word2vec. The default 0.05 is
    /// twice word2vec's skip-gram default: on the small course corpus it reaches good analogies in fewer epochs.
    /// </summary>
    public double LearningRate { get; init; } = 0.05;

    /// <summary>
    /// Sub-sampling threshold s of frequent words (Mikolov et al. 2013): each occurrence of a word
    /// with relative frequency f is dropped with probability 1 − √(s/f). 0 turns it off.
    /// </summary>
    public double Subsample { get; init; }

    internal void Check(bool negativeSampling)
    {
        SkipGram.CheckWindow(Window);
        if (negativeSampling && Negatives <= 0)
            throw new ArgumentException($"k (Negatives) must be >= 1 but is {Negatives}.", "k");
        Guard.Positive(Epochs, nameof(Epochs));
        Guard.Positive(LearningRate, nameof(LearningRate));
        if (!(Subsample >= 0)) throw new ArgumentException($"Subsample must be >= 0 but is {Subsample}.", nameof(Subsample));
    }
}

/// <summary>What a trainer reports: one mean loss and one wall-clock time per epoch.</summary>
/// <param name="Loss">Loss per epoch (the trainer's documentation says which loss).</param>
/// <param name="EpochSeconds">Seconds spent in each epoch.</param>
public sealed record TrainingHistory(IReadOnlyList<double> Loss, IReadOnlyList<double> EpochSeconds);

/// <summary>
/// Trainers for skip-gram: plain SGD over the (context, target) pairs of the corpus, one pair at a
/// time, sentences shuffled each epoch with the given <see cref="Random"/>. The model is updated in place.
/// </summary>
public static class Word2Vec
{
    /// <summary>
    /// Skip-gram with negative sampling. For each pair, k negatives are drawn from P_n ∝ count^¾ of the
    /// training corpus (never the target itself). The history's loss is the mean per-pair loss
    /// L = −ln σ(θ_tᵀe_c) − Σ ln σ(−θ_nᵀe_c) seen during each epoch.
    /// </summary>
    public static TrainingHistory TrainNegativeSampling(SkipGramModel model, IReadOnlyList<int[]> sentences, Word2VecOptions options,
        Random rng)
    {
        Guard.NotNull(model, nameof(model)); Guard.NotNull(options, nameof(options)); Guard.NotNull(rng, nameof(rng));
        options.Check(negativeSampling: true);
        SkipGram.CheckCorpus(sentences, model.VocabularySize, nameof(sentences));
        var counts = Counts(sentences, model.VocabularySize);
        var sampler = new NoiseSampler(NegativeSampling.NoiseDistribution(counts));
        var negatives = new int[options.Negatives];
        return Run(sentences, counts, options, rng, (c, t, lr) =>
        {
            sampler.Sample(negatives, t, rng);
            return model.NegativeSamplingStep(c, t, negatives, lr);
        });
    }

    /// <summary>
    /// Skip-gram with the full softmax: every step touches all n_v output vectors, which is what
    /// negative sampling avoids. The history's loss is the mean −ln P(t|c) seen during each epoch.
    /// </summary>
    public static TrainingHistory TrainSoftmax(SkipGramModel model, IReadOnlyList<int[]> sentences, Word2VecOptions options, Random rng)
    {
        Guard.NotNull(model, nameof(model)); Guard.NotNull(options, nameof(options)); Guard.NotNull(rng, nameof(rng));
        options.Check(negativeSampling: false);
        SkipGram.CheckCorpus(sentences, model.VocabularySize, nameof(sentences));
        var counts = Counts(sentences, model.VocabularySize);
        var scratch = new double[model.VocabularySize];
        return Run(sentences, counts, options, rng, (c, t, lr) => model.SoftmaxStep(c, t, lr, scratch));
    }

    /// <summary>How often each index occurs in the corpus.</summary>
    public static double[] Counts(IReadOnlyList<int[]> sentences, int vocabularySize)
    {
        SkipGram.CheckCorpus(sentences, vocabularySize, nameof(sentences));
        var counts = new double[vocabularySize];
        foreach (var s in sentences) foreach (var w in s) counts[w]++;
        return counts;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static TrainingHistory Run(IReadOnlyList<int[]> sentences, double[] counts, Word2VecOptions o, Random rng,
        Func<int, int, double, double> step)
    {
        double total = counts.Sum();
        // keep probability √(s/f) (capped at 1) of each word, if sub-sampling is on
        var keep = counts.Select(n => o.Subsample > 0 && n > 0 ? Math.Min(1.0, Math.Sqrt(o.Subsample / (n / total))) : 1.0).ToArray();
        var order = Enumerable.Range(0, sentences.Count).ToArray();
        var losses = new List<double>(); var seconds = new List<double>();
        var kept = new List<int>();
        long done = 0, all = (long)o.Epochs * sentences.Count;
        for (int epoch = 0; epoch < o.Epochs; epoch++)
        {
            var sw = Stopwatch.StartNew();
            rng.Shuffle(order);
            double sum = 0; long n = 0;
            foreach (int si in order)
            {
                double lr = o.LearningRate * Math.Max(1e-4, 1.0 - (double)done++ / all);
                var s = sentences[si];
                kept.Clear();
                foreach (var w in s) if (keep[w] >= 1.0 || rng.NextDouble() < keep[w]) kept.Add(w);
                for (int i = 0; i < kept.Count; i++)
                    for (int j = Math.Max(0, i - o.Window); j <= Math.Min(kept.Count - 1, i + o.Window); j++)
                    {
                        if (j == i) continue;
                        sum += step(kept[i], kept[j], lr);
                        n++;
                    }
            }
            losses.Add(n == 0 ? double.NaN : sum / n);
            seconds.Add(sw.Elapsed.TotalSeconds);
        }
        return new TrainingHistory(losses, seconds);
    }
}
