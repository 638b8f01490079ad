namespace SeqCourse;

/// <summary>How BLEU treats an n-gram order with no match (otherwise one such order makes the geometric mean 0).</summary>
public enum BleuSmoothing
{
    /// <summary>Papineni et al. 2002: no smoothing; any p_n = 0 (with weight &gt; 0) gives BLEU = 0.</summary>
    None,

    /// <summary>
    /// Chen &amp; Cherry 2014, method 1: an order with 0 matches gets p_n = ε / total_n with ε = 0.1
    /// (total_n taken as at least 1). Orders with matches are unchanged.
    /// </summary>
    Epsilon,

    /// <summary>
    /// Lin &amp; Och 2004 (Chen &amp; Cherry 2014, method 2): add one to the numerator and the denominator
    /// for every order n ≥ 2, i.e. p_n = (matched_n + 1) / (total_n + 1); p_1 is unchanged.
    /// </summary>
    AddOne,
}

/// <summary>
/// Every number that goes into a BLEU score, for step-by-step display: per order n = 1…N the clipped
/// matches, the candidate n-gram total and p_n (after smoothing), the candidate length c, the chosen
/// reference length r, the brevity penalty and the score.
/// </summary>
public sealed record BleuResult(double Score, double[] Precisions, int[] Matched, int[] Totals, double BrevityPenalty,
    int CandidateLength, int ReferenceLength);

/// <summary>
/// BLEU (Papineni et al. 2002; syllabus §3.8). p_n = Σ_g min(count_cand(g), max_ref count_ref(g)) / Σ_g count_cand(g)
/// is the modified (clipped) n-gram precision; BP = 1 if c &gt; r, else exp(1 − r/c), with r the reference
/// length closest to c (the shorter on a tie); BLEU = BP · exp(Σ_n w_n ln p_n), a weighted geometric mean
/// (uniform w_n = 1/N gives BLEU-N; the default is BLEU-4). Tokens are compared as exact strings.
/// </summary>
public static class Bleu
{
    /// <summary>ε of <see cref="BleuSmoothing.Epsilon"/>.</summary>
    public const double SmoothingEpsilon = 0.1;

    /// <summary>Splits on whitespace (no lower-casing, no punctuation rules: do that before if you want it).</summary>
    public static string[] Tokenize(string text)
    {
        Guard.NotNull(text, nameof(text));
        return text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
    }

    /// <summary>w_n = 1/N for n = 1…N: the weights of BLEU-N.</summary>
    public static double[] UniformWeights(int maxN)
    {
        Guard.Positive(maxN, nameof(maxN));
        return Enumerable.Repeat(1.0 / maxN, maxN).ToArray();
    }

    /// <summary>How often each n-gram occurs in <paramref name="tokens"/> (keys join the tokens with U+001F).</summary>
    public static Dictionary<string, int> NGramCounts(IReadOnlyList<string> tokens, int n)
    {
        Guard.NotNull(tokens, nameof(tokens));
        Guard.Positive(n, nameof(n));
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i + n <= tokens.Count; i++)
        {
            var key = n == 1 ? tokens[i] : string.Join('\u001F', Enumerable.Range(i, n).Select(j => tokens[j]));
            counts[key] = counts.GetValueOrDefault(key) + 1;
        }
        return counts;
    }

    /// <summary>The clipped matches Σ_g min(count_cand(g), max_ref count_ref(g)) and the total Σ_g count_cand(g) for order n.</summary>
    public static (int Matched, int Total) ClippedCounts(IReadOnlyList<string> candidate, IReadOnlyList<IReadOnlyList<string>> references, int n)
    {
        CheckInputs(candidate, references);
        Guard.Positive(n, nameof(n));
        var cand = NGramCounts(candidate, n);
        var maxRef = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var r in references)
            foreach (var (g, k) in NGramCounts(r, n))
                if (k > maxRef.GetValueOrDefault(g)) maxRef[g] = k;
        int matched = 0, total = 0;
        foreach (var (g, k) in cand)
        {
            matched += Math.Min(k, maxRef.GetValueOrDefault(g));
            total += k;
        }
        return (matched, total);
    }

    /// <summary>p_n, the modified n-gram precision (0 when the candidate has no n-gram of that order).</summary>
    public static double ModifiedPrecision(IReadOnlyList<string> candidate, IReadOnlyList<IReadOnlyList<string>> references, int n)
    {
        var (m, t) = ClippedCounts(candidate, references, n);
        return t == 0 ? 0.0 : (double)m / t;
    }

    /// <summary>The reference length closest to c; on a tie the shorter one (Papineni et al.).</summary>
    public static int ClosestReferenceLength(int candidateLength, IEnumerable<int> referenceLengths)
    {
        Guard.NotNull(referenceLengths, nameof(referenceLengths));
        int best = -1;
        foreach (var r in referenceLengths)
            if (best < 0 || Math.Abs(r - candidateLength) < Math.Abs(best - candidateLength) ||
                (Math.Abs(r - candidateLength) == Math.Abs(best - candidateLength) && r < best))
                best = r;
        if (best < 0) throw new ArgumentException("referenceLengths must contain at least one length but is empty.", nameof(referenceLengths));
        return best;
    }

    /// <summary>BP = 1 if c &gt; r, else exp(1 − r/c); 0 for an empty candidate.</summary>
    public static double BrevityPenalty(int candidateLength, int referenceLength)
    {
        if (candidateLength < 0) throw new ArgumentException($"candidateLength must be >= 0 but is {candidateLength}.", nameof(candidateLength));
        if (referenceLength < 0) throw new ArgumentException($"referenceLength must be >= 0 but is {referenceLength}.", nameof(referenceLength));
        if (candidateLength > referenceLength) return 1.0;
        if (candidateLength == 0) return 0.0;
        return Math.Exp(1.0 - (double)referenceLength / candidateLength);
    }

    /// <summary>BP with r the reference length closest to the candidate's.</summary>
    public static double BrevityPenalty(IReadOnlyList<string> candidate, IReadOnlyList<IReadOnlyList<string>> references)
    {
        CheckInputs(candidate, references);
        return BrevityPenalty(candidate.Count, ClosestReferenceLength(candidate.Count, references.Select(r => r.Count)));
    }

    /// <summary>Sentence-level BLEU with every intermediate number (default: BLEU-4, no smoothing).</summary>
    public static BleuResult Evaluate(IReadOnlyList<string> candidate, IReadOnlyList<IReadOnlyList<string>> references,
        IReadOnlyList<double>? weights = null, BleuSmoothing smoothing = BleuSmoothing.None)
    {
        CheckInputs(candidate, references);   // report the sentence-level argument names
        return EvaluateCorpus(new[] { candidate }, new[] { references }, weights, smoothing);
    }

    /// <summary>
    /// Corpus-level BLEU (Papineni et al.): the clipped matches and totals are summed over all sentences
    /// before dividing, and c and r are summed too (r per sentence = closest reference length). This is not
    /// the mean of the sentence scores.
    /// </summary>
    public static BleuResult EvaluateCorpus(IReadOnlyList<IReadOnlyList<string>> candidates,
        IReadOnlyList<IReadOnlyList<IReadOnlyList<string>>> references,
        IReadOnlyList<double>? weights = null, BleuSmoothing smoothing = BleuSmoothing.None)
    {
        Guard.NotNull(candidates, nameof(candidates)); Guard.NotNull(references, nameof(references));
        if (candidates.Count == 0) throw new ArgumentException("candidates must contain at least one sentence but is empty.", nameof(candidates));
        if (references.Count != candidates.Count)
            throw new ArgumentException($"references must have {candidates.Count} entries (one list per candidate) but has {references.Count}.", nameof(references));
        var w = CheckWeights(weights ?? UniformWeights(4));
        int N = w.Length;
        var matched = new int[N]; var totals = new int[N];
        int c = 0, r = 0;
        for (int i = 0; i < candidates.Count; i++)
        {
            CheckInputs(candidates[i], references[i], $"candidates[{i}]", $"references[{i}]");
            for (int n = 1; n <= N; n++)
            {
                var (m, t) = ClippedCounts(candidates[i], references[i], n);
                matched[n - 1] += m; totals[n - 1] += t;
            }
            c += candidates[i].Count;
            r += ClosestReferenceLength(candidates[i].Count, references[i].Select(x => x.Count));
        }
        var p = new double[N];
        for (int n = 1; n <= N; n++)
        {
            int m = matched[n - 1], t = totals[n - 1];
            p[n - 1] = smoothing switch
            {
                BleuSmoothing.Epsilon when m == 0 => SmoothingEpsilon / Math.Max(t, 1),
                BleuSmoothing.AddOne when n >= 2 => (m + 1.0) / (t + 1.0),
                _ => t == 0 ? 0.0 : (double)m / t,
            };
        }
        double bp = BrevityPenalty(c, r);
        double logSum = 0;
        bool zero = false;
        for (int n = 0; n < N; n++)
        {
            if (w[n] == 0) continue;               // 0 · ln 0 is taken as 0: an unused order cannot zero the score
            if (p[n] == 0) { zero = true; break; }
            logSum += w[n] * Math.Log(p[n]);
        }
        double score = zero || bp == 0 ? 0.0 : bp * Math.Exp(logSum);
        return new BleuResult(score, p, matched, totals, bp, c, r);
    }

    /// <summary>Sentence-level BLEU score (default BLEU-4, no smoothing).</summary>
    public static double SentenceBleu(IReadOnlyList<string> candidate, IReadOnlyList<IReadOnlyList<string>> references,
        IReadOnlyList<double>? weights = null, BleuSmoothing smoothing = BleuSmoothing.None) =>
        Evaluate(candidate, references, weights, smoothing).Score;

    /// <summary>Sentence-level BLEU on whitespace-tokenised strings.</summary>
    public static double SentenceBleu(string candidate, IEnumerable<string> references,
        IReadOnlyList<double>? weights = null, BleuSmoothing smoothing = BleuSmoothing.None)
    {
        Guard.NotNull(references, nameof(references));
        return SentenceBleu(Tokenize(candidate), references.Select(r => (IReadOnlyList<string>)Tokenize(r)).ToArray(), weights, smoothing);
    }

    /// <summary>Corpus-level BLEU score (see <see cref="EvaluateCorpus"/>).</summary>
    public static double CorpusBleu(IReadOnlyList<IReadOnlyList<string>> candidates,
        IReadOnlyList<IReadOnlyList<IReadOnlyList<string>>> references,
        IReadOnlyList<double>? weights = null, BleuSmoothing smoothing = BleuSmoothing.None) =>
        EvaluateCorpus(candidates, references, weights, smoothing).Score;

    /// <summary>Corpus-level BLEU on whitespace-tokenised strings: one candidate and its references per sentence.</summary>
    public static double CorpusBleu(IReadOnlyList<string> candidates, IReadOnlyList<IReadOnlyList<string>> references,
        IReadOnlyList<double>? weights = null, BleuSmoothing smoothing = BleuSmoothing.None)
    {
        Guard.NotNull(candidates, nameof(candidates)); Guard.NotNull(references, nameof(references));
        var cand = candidates.Select(c => (IReadOnlyList<string>)Tokenize(c)).ToArray();
        var refs = references.Select((rs, i) => (IReadOnlyList<IReadOnlyList<string>>)Guard.NotNull(rs, $"references[{i}]")
            .Select(r => (IReadOnlyList<string>)Tokenize(r)).ToArray()).ToArray();
        return CorpusBleu(cand, refs, weights, smoothing);
    }

    private static double[] CheckWeights(IReadOnlyList<double> weights)
    {
        if (weights.Count == 0) throw new ArgumentException("weights must have at least one entry (w_1 … w_N) but is empty.", nameof(weights));
        for (int i = 0; i < weights.Count; i++)
            if (!(weights[i] >= 0) || double.IsInfinity(weights[i]))
                throw new ArgumentException($"weights[{i}] must be a finite number >= 0 but is {weights[i]}.", nameof(weights));
        double sum = weights.Sum();
        if (Math.Abs(sum - 1) > 1e-9)
            throw new ArgumentException($"weights must sum to 1 (a weighted geometric mean) but sum to {sum}.", nameof(weights));
        return weights.ToArray();
    }

    private static void CheckInputs(IReadOnlyList<string> candidate, IReadOnlyList<IReadOnlyList<string>> references,
        string candidateName = "candidate", string referencesName = "references")
    {
        if (candidate is null) throw new ArgumentNullException(candidateName, $"{candidateName} must not be null.");
        if (references is null) throw new ArgumentNullException(referencesName, $"{referencesName} must not be null.");
        if (references.Count == 0)
            throw new ArgumentException($"{referencesName} must contain at least one reference but is empty.", referencesName);
        for (int i = 0; i < references.Count; i++)
            if (references[i] is null) throw new ArgumentNullException(referencesName, $"{referencesName}[{i}] must not be null.");
    }
}
