namespace SeqCourse;

/// <summary>
/// One decoder step of a conditional language model: given the decoder state and the last emitted
/// token y⟨t−1⟩, return ln P(y⟨t⟩ = v | x, y⟨1…t−1⟩) for every vocabulary index v, and the next state.
/// The state is whatever the model needs (an LSTM's (s, c), an attention cache…); it is treated as immutable.
/// </summary>
public delegate (double[] LogProbs, TState Next) DecoderStep<TState>(TState state, int lastToken);

/// <summary>
/// A decoded output. <see cref="Tokens"/> exclude the start token and include the final end token when
/// <see cref="Finished"/> (that token's probability is part of the score and T_y counts it).
/// <see cref="LogProbability"/> = Σ_t ln P(y⟨t⟩ | x, y⟨1…t−1⟩); <see cref="NormalizedScore"/> = that sum / T_y^α.
/// </summary>
public sealed record Hypothesis(int[] Tokens, double LogProbability, double NormalizedScore, bool Finished)
{
    /// <summary>The tokens without a trailing end token.</summary>
    public int[] Content(int eosToken) => Finished && Tokens.Length > 0 && Tokens[^1] == eosToken ? Tokens[..^1] : Tokens;
}

/// <summary>
/// Decoding for sequence-to-sequence models (syllabus §3.8) over an abstract <see cref="DecoderStep{TState}"/>:
/// greedy search, beam search with length normalisation and an n-best list, and sampling.
/// </summary>
public static class Search
{
    /// <summary>The default length-normalisation exponent α (Wu et al. 2016; the course uses 0.7).</summary>
    public const double DefaultAlpha = 0.7;

    /// <summary>(1/T_y^α) Σ_t ln P: α = 0 is the raw sum, α = 1 the mean per token. T_y = 0 gives 0.</summary>
    public static double NormalizedScore(double logProbability, int length, double alpha = DefaultAlpha)
    {
        if (length < 0) throw new ArgumentException($"length must be >= 0 but is {length}.", nameof(length));
        CheckAlpha(alpha);
        return length == 0 ? 0.0 : logProbability / Math.Pow(length, alpha);
    }

    /// <summary>The same from the per-token probabilities ln P(y⟨t⟩ | …) (T_y = their count).</summary>
    public static double NormalizedScore(IReadOnlyList<double> tokenLogProbs, double alpha = DefaultAlpha)
    {
        Guard.NotNull(tokenLogProbs, nameof(tokenLogProbs));
        return NormalizedScore(tokenLogProbs.Sum(), tokenLogProbs.Count, alpha);
    }

    /// <summary>
    /// Greedy search: take the argmax token at every step (lowest index on a tie) until <paramref name="eosToken"/>
    /// or <paramref name="maxLength"/> tokens.
    /// </summary>
    public static Hypothesis GreedyDecode<TState>(DecoderStep<TState> step, TState initial, int startToken, int eosToken,
        int maxLength, double alpha = DefaultAlpha)
    {
        Guard.NotNull(step, nameof(step));
        Guard.Positive(maxLength, nameof(maxLength));
        CheckAlpha(alpha);
        var tokens = new List<int>();
        double logP = 0;
        var state = initial;
        int last = startToken;
        bool finished = false;
        while (tokens.Count < maxLength)
        {
            var (lp, next) = CallStep(step, state, last);
            int best = ArgMax(lp);
            tokens.Add(best);
            logP += lp[best];
            state = next; last = best;
            if (best == eosToken) { finished = true; break; }
        }
        return new Hypothesis(tokens.ToArray(), logP, NormalizedScore(logP, tokens.Count, alpha), finished);
    }

    /// <summary>
    /// Beam search of width B (§3.8). At every step each live hypothesis is expanded over the whole
    /// vocabulary and the best B expansions of all of them are kept (ties: earlier hypothesis, then lower
    /// token index). An expansion ending in <paramref name="eosToken"/> is set aside as finished and
    /// takes one of the B places, so the live beam shrinks (B = 1 is exactly greedy search). The search
    /// stops when no live hypothesis is left or after <paramref name="maxLength"/> tokens; the hypotheses
    /// still live then are returned as unfinished. The result is the n-best list over all finished and
    /// unfinished hypotheses, ordered by the length-normalised score with exponent <paramref name="alpha"/>
    /// (α = 0: raw log-probability), best first, at most <paramref name="nBest"/> (default B) entries.
    /// </summary>
    public static IReadOnlyList<Hypothesis> BeamSearch<TState>(DecoderStep<TState> step, TState initial, int startToken,
        int eosToken, int beamWidth, int maxLength, double alpha = DefaultAlpha, int? nBest = null)
    {
        Guard.NotNull(step, nameof(step));
        if (beamWidth < 1) throw new ArgumentException($"beamWidth must be >= 1 but is {beamWidth}.", nameof(beamWidth));
        Guard.Positive(maxLength, nameof(maxLength));
        CheckAlpha(alpha);
        int keep = nBest ?? beamWidth;
        if (keep < 1) throw new ArgumentException($"nBest must be >= 1 but is {keep}.", nameof(nBest));

        var live = new List<(int[] Tokens, double LogP, TState State)> { (Array.Empty<int>(), 0.0, initial) };
        var done = new List<Hypothesis>();
        for (int t = 0; t < maxLength && live.Count > 0; t++)
        {
            // All expansions are ranked; keep a running top-B so a large vocabulary does not mean a large sort.
            var top = new List<(int Beam, int Token, double Score)>(beamWidth + 1);
            var nexts = new TState[live.Count];
            for (int b = 0; b < live.Count; b++)
            {
                var h = live[b];
                var (lp, next) = CallStep(step, h.State, h.Tokens.Length == 0 ? startToken : h.Tokens[^1]);
                nexts[b] = next;
                for (int v = 0; v < lp.Length; v++)
                {
                    double score = h.LogP + lp[v];
                    if (double.IsNaN(score)) throw new ArgumentException($"step returned NaN for token {v}.", nameof(step));
                    if (top.Count == beamWidth && !(score > top[^1].Score)) continue;   // ties: earlier entries win
                    int pos = top.Count;
                    while (pos > 0 && score > top[pos - 1].Score) pos--;
                    top.Insert(pos, (b, v, score));
                    if (top.Count > beamWidth) top.RemoveAt(top.Count - 1);
                }
            }
            var newLive = new List<(int[] Tokens, double LogP, TState State)>(top.Count);
            foreach (var (b, v, score) in top)
            {
                if (double.IsNegativeInfinity(score)) continue;   // probability 0: not a hypothesis
                var tokens = new int[live[b].Tokens.Length + 1];
                live[b].Tokens.CopyTo(tokens, 0);
                tokens[^1] = v;
                if (v == eosToken) done.Add(new Hypothesis(tokens, score, NormalizedScore(score, tokens.Length, alpha), true));
                else newLive.Add((tokens, score, nexts[b]));
            }
            live = newLive;
        }
        foreach (var h in live) done.Add(new Hypothesis(h.Tokens, h.LogP, NormalizedScore(h.LogP, h.Tokens.Length, alpha), false));
        // Stable order: by normalised score, then by the order in which hypotheses were produced.
        return done.Select((h, i) => (h, i)).OrderByDescending(x => x.h.NormalizedScore).ThenBy(x => x.i)
            .Take(keep).Select(x => x.h).ToArray();
    }

    /// <summary>
    /// Samples y⟨t⟩ ~ softmax(ln P / τ) at every step with the given generator, until the end token or
    /// <paramref name="maxLength"/>. The returned log-probability is under the model itself (τ = 1).
    /// </summary>
    public static Hypothesis Sample<TState>(DecoderStep<TState> step, TState initial, int startToken, int eosToken,
        int maxLength, Random rng, double temperature = 1.0, double alpha = DefaultAlpha)
    {
        Guard.NotNull(step, nameof(step)); Guard.NotNull(rng, nameof(rng));
        Guard.Positive(maxLength, nameof(maxLength));
        Guard.Positive(temperature, nameof(temperature));
        CheckAlpha(alpha);
        var tokens = new List<int>();
        double logP = 0;
        var state = initial;
        int last = startToken;
        bool finished = false;
        while (tokens.Count < maxLength)
        {
            var (lp, next) = CallStep(step, state, last);
            var scaled = new double[lp.Length];
            for (int v = 0; v < lp.Length; v++) scaled[v] = lp[v] / temperature;
            var p = Activations.Softmax(scaled);
            double r = rng.NextDouble(), acc = 0;
            int k = p.Length - 1;
            for (int v = 0; v < p.Length; v++) { acc += p[v]; if (r < acc) { k = v; break; } }
            while (p[k] == 0 && k > 0) k--;   // rounding at the top end must not pick an impossible token
            tokens.Add(k); logP += lp[k];
            state = next; last = k;
            if (k == eosToken) { finished = true; break; }
        }
        return new Hypothesis(tokens.ToArray(), logP, NormalizedScore(logP, tokens.Count, alpha), finished);
    }

    /// <summary>
    /// ln P(y | x) of a given output (e.g. the human reference y*) under the model: for error analysis,
    /// compare it with the log-probability of the search result ŷ — if P(y*|x) &gt; P(ŷ|x) the search is at fault.
    /// </summary>
    public static double SequenceLogProbability<TState>(DecoderStep<TState> step, TState initial, int startToken, IReadOnlyList<int> tokens)
    {
        Guard.NotNull(step, nameof(step)); Guard.NotNull(tokens, nameof(tokens));
        double logP = 0;
        var state = initial;
        int last = startToken;
        for (int t = 0; t < tokens.Count; t++)
        {
            var (lp, next) = CallStep(step, state, last);
            Guard.Index(tokens[t], lp.Length, $"tokens[{t}]");
            logP += lp[tokens[t]];
            state = next; last = tokens[t];
        }
        return logP;
    }

    private static (double[] Lp, TState Next) CallStep<TState>(DecoderStep<TState> step, TState state, int last)
    {
        var (lp, next) = step(state, last);
        if (lp is null || lp.Length == 0)
            throw new ArgumentException("step must return log-probabilities over a non-empty vocabulary.", nameof(step));
        return (lp, next);
    }

    private static int ArgMax(double[] v)
    {
        int best = 0;
        for (int i = 1; i < v.Length; i++) if (v[i] > v[best]) best = i;
        return best;
    }

    private static void CheckAlpha(double alpha)
    {
        if (!(alpha >= 0 && alpha <= 1))
            throw new ArgumentException($"alpha must be in [0, 1] (0: no normalisation, 1: per token) but is {alpha}.", nameof(alpha));
    }
}
