namespace SeqCourse;

/// <summary>
/// The word vocabulary of a dialogue corpus with the two special tokens of the decoder:
/// index 0 is <c>&lt;/s&gt;</c> (end of utterance, a target), index 1 is <c>&lt;s&gt;</c> (start, a decoder input) and
/// index 2 is <c>&lt;unk&gt;</c>, the token that word dropout puts in place of a decoder input (never a target of the corpus).
/// Padding is −1, as everywhere in the library.
/// </summary>
public sealed class DialogueVocabulary
{
    /// <summary>The end-of-utterance token.</summary>
    public const string End = "</s>";
    /// <summary>The start-of-utterance token.</summary>
    public const string Start = "<s>";
    /// <summary>The unknown-word token used by word dropout (<see cref="DialogueBatch.WithWordDropout"/>).</summary>
    public const string Unknown = "<unk>";
    /// <summary>Index of <see cref="End"/>.</summary>
    public const int EndIndex = 0;
    /// <summary>Index of <see cref="Start"/>.</summary>
    public const int StartIndex = 1;
    /// <summary>Index of <see cref="Unknown"/>.</summary>
    public const int UnknownIndex = 2;

    private readonly Dictionary<string, int> _index;

    private DialogueVocabulary(string[] words)
    {
        Words = words;
        _index = words.Select((w, i) => (w, i)).ToDictionary(p => p.w, p => p.i, StringComparer.Ordinal);
    }

    /// <summary>The words; <c>Words[j]</c> is the word of index j.</summary>
    public IReadOnlyList<string> Words { get; }

    /// <summary>n_v, including the three special tokens.</summary>
    public int Count => Words.Count;

    /// <summary>The three special tokens followed by every word of the corpus in ordinal order.</summary>
    public static DialogueVocabulary Build(IEnumerable<IReadOnlyList<string>> dialogues)
    {
        Guard.NotNull(dialogues, nameof(dialogues));
        var words = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var d in dialogues)
            foreach (var turn in Guard.NotNull(d, nameof(dialogues)))
                foreach (var w in Tokenize(turn)) words.Add(w);
        if (words.Count == 0) throw new ArgumentException("dialogues must contain at least one word but is empty.", nameof(dialogues));
        foreach (var special in new[] { End, Start, Unknown })
            if (words.Contains(special)) throw new ArgumentException($"dialogues must not contain the special token '{special}'.", nameof(dialogues));
        return new DialogueVocabulary([End, Start, Unknown, .. words]);
    }

    /// <summary>Splits an utterance on spaces (the corpus separates words and punctuation by spaces).</summary>
    public static string[] Tokenize(string utterance) =>
        Guard.NotNull(utterance, nameof(utterance)).Split(' ', StringSplitOptions.RemoveEmptyEntries);

    /// <summary>The indices of an utterance's words; an unknown word is an error naming it.</summary>
    public int[] Encode(string utterance)
    {
        var tokens = Tokenize(utterance);
        var ids = new int[tokens.Length];
        for (int i = 0; i < tokens.Length; i++)
            ids[i] = _index.TryGetValue(tokens[i], out int j) ? j
                : throw new ArgumentException($"utterance must use words of the vocabulary but '{tokens[i]}' is unknown.", nameof(utterance));
        return ids;
    }

    /// <summary>The words of <paramref name="ids"/>, stopping at <see cref="End"/>.</summary>
    public string Decode(IEnumerable<int> ids) => string.Join(' ', ids.TakeWhile(i => i != EndIndex).Select(i => Words[i]));
}

/// <summary>
/// A batch of m dialogues with the same number of turns N ≥ 2, as padded index matrices (columns = dialogues).
/// <c>Turns[n][t][i]</c> is word t of turn n in dialogue i (−1 after its end); <c>Lengths[n][i]</c> its length.
/// </summary>
public sealed class DialogueBatch
{
    // Decoder inputs per turn after word dropout (null: the gold words, computed by DecoderInputs).
    private readonly int[][]?[]? _droppedInputs;

    private DialogueBatch(IReadOnlyList<int[][]> turns, IReadOnlyList<int[]> lengths, int m, int[][]?[]? droppedInputs = null)
    {
        Turns = turns; Lengths = lengths; BatchSize = m; _droppedInputs = droppedInputs;
    }

    /// <summary>Per turn: T_n steps of m indices (−1 = padding).</summary>
    public IReadOnlyList<int[][]> Turns { get; }
    /// <summary>Per turn: the m utterance lengths (≥ 1).</summary>
    public IReadOnlyList<int[]> Lengths { get; }
    /// <summary>m, the number of dialogues.</summary>
    public int BatchSize { get; }
    /// <summary>N, the number of turns.</summary>
    public int TurnCount => Turns.Count;

    /// <summary>
    /// Encodes dialogues (each a list of utterances). Errors: no dialogues, a dialogue with fewer than two turns
    /// (nothing to predict) or a different number of turns than the first, an empty utterance, an utterance longer
    /// than <paramref name="maxLength"/> words, an unknown word.
    /// </summary>
    public static DialogueBatch Create(IReadOnlyList<IReadOnlyList<string>> dialogues, DialogueVocabulary vocabulary, int maxLength)
    {
        Guard.NotNull(dialogues, nameof(dialogues)); Guard.NotNull(vocabulary, nameof(vocabulary)); Guard.Positive(maxLength, nameof(maxLength));
        if (dialogues.Count == 0) throw new ArgumentException("dialogues must contain at least one dialogue but is empty.", nameof(dialogues));
        int m = dialogues.Count;
        int N = Guard.NotNull(dialogues[0], "dialogues[0]").Count;
        var ids = new int[m][][];
        for (int i = 0; i < m; i++)
        {
            var d = Guard.NotNull(dialogues[i], $"dialogues[{i}]");
            if (d.Count == 0) throw new ArgumentException($"dialogues[{i}] must have at least 2 turns but is empty.", nameof(dialogues));
            if (d.Count < 2) throw new ArgumentException($"dialogues[{i}] must have at least 2 turns but has {d.Count}.", nameof(dialogues));
            if (d.Count != N) throw new ArgumentException($"dialogues[{i}] must have {N} turns like dialogues[0] but has {d.Count}.", nameof(dialogues));
            ids[i] = new int[N][];
            for (int n = 0; n < N; n++)
            {
                var w = vocabulary.Encode(d[n]);
                if (w.Length == 0) throw new ArgumentException($"dialogues[{i}][{n}] must contain at least one word but is empty.", nameof(dialogues));
                if (w.Length > maxLength)
                    throw new ArgumentException($"dialogues[{i}][{n}] must have at most {maxLength} words (maxLength) but has {w.Length}.", nameof(dialogues));
                ids[i][n] = w;
            }
        }
        var turns = new int[N][][]; var lengths = new int[N][];
        for (int n = 0; n < N; n++)
        {
            lengths[n] = ids.Select(d => d[n].Length).ToArray();
            int T = lengths[n].Max();
            turns[n] = new int[T][];
            for (int t = 0; t < T; t++) { turns[n][t] = new int[m]; for (int i = 0; i < m; i++) turns[n][t][i] = t < ids[i][n].Length ? ids[i][n][t] : -1; }
        }
        return new DialogueBatch(turns, lengths, m);
    }

    /// <summary>
    /// Decoder inputs for turn n: &lt;s&gt; w_1 … w_L, then −1 (T_n + 1 steps); after <see cref="WithWordDropout"/>
    /// some w_t are &lt;unk&gt;.
    /// </summary>
    public int[][] DecoderInputs(int n) => _droppedInputs?[n] is { } d ? d.Select(r => r.ToArray()).ToArray() : Shifted(n, input: true);

    /// <summary>Fraction of the words w_1 … w_L (not &lt;s&gt;, not padding) replaced by &lt;unk&gt; in the decoder inputs of turns 2 … N.</summary>
    public double DroppedFraction
    {
        get
        {
            int words = 0, dropped = 0;
            for (int n = 1; n < TurnCount; n++)
                foreach (var step in DecoderInputs(n).Skip(1))
                    foreach (var j in step)
                        if (j >= 0) { words++; if (j == DialogueVocabulary.UnknownIndex) dropped++; }
            return words == 0 ? 0 : (double)dropped / words;
        }
    }

    /// <summary>
    /// Word dropout (Bowman et al. 2016, §3.2; used for VHRED by Serban et al. 2017): a copy of the batch whose decoder
    /// inputs w_1 … w_L of every predicted turn are each replaced by &lt;unk&gt; with probability <paramref name="p"/>,
    /// independently (one draw of <paramref name="rng"/> per word, in turn/step/column order). The start token, the
    /// targets and the encoder's view of every turn stay gold — in particular VHRED's posterior still sees the true reply.
    /// A decoder that cannot rely on the previous words must take more of the reply from its conditioning [h; z],
    /// which is what keeps VHRED's latent in use. p = 0 returns the batch unchanged (and draws nothing).
    /// </summary>
    public DialogueBatch WithWordDropout(double p, Random rng)
    {
        Guard.NotNull(rng, nameof(rng));
        if (!(p >= 0 && p <= 1)) throw new ArgumentException($"p must be a probability in [0, 1] but is {p}.", nameof(p));
        if (p == 0) return this;
        var dropped = new int[][]?[TurnCount];
        for (int n = 1; n < TurnCount; n++)
        {
            var inputs = DecoderInputs(n);
            for (int t = 1; t < inputs.Length; t++)                       // t = 0 is <s>: always kept
                for (int i = 0; i < BatchSize; i++)
                    if (inputs[t][i] >= 0 && rng.NextDouble() < p) inputs[t][i] = DialogueVocabulary.UnknownIndex;
            dropped[n] = inputs;
        }
        return new DialogueBatch(Turns, Lengths, BatchSize, dropped);
    }

    /// <summary>Decoder targets for turn n: w_1 … w_L &lt;/s&gt;, then −1 (T_n + 1 steps).</summary>
    public int[][] DecoderTargets(int n) => Shifted(n, input: false);

    private int[][] Shifted(int n, bool input)
    {
        var turn = Turns[n]; var len = Lengths[n];
        var r = new int[turn.Length + 1][];
        for (int t = 0; t <= turn.Length; t++)
        {
            r[t] = new int[BatchSize];
            for (int i = 0; i < BatchSize; i++)
                r[t][i] = input
                    ? (t == 0 ? DialogueVocabulary.StartIndex : t <= len[i] ? turn[t - 1][i] : -1)
                    : (t < len[i] ? turn[t][i] : t == len[i] ? DialogueVocabulary.EndIndex : -1);
        }
        return r;
    }
}

/// <summary>Diversity of generated text: distinct-n (Li et al. 2016) = number of distinct n-grams / number of n-grams.</summary>
public static class Diversity
{
    /// <summary>distinct-n over all <paramref name="responses"/> (token arrays); 0 when there are no n-grams.</summary>
    public static double DistinctN(IEnumerable<IReadOnlyList<string>> responses, int n)
    {
        Guard.NotNull(responses, nameof(responses)); Guard.Positive(n, nameof(n));
        var seen = new HashSet<string>(StringComparer.Ordinal);
        int total = 0;
        foreach (var r in responses)
            for (int s = 0; s + n <= r.Count; s++) { seen.Add(string.Join('\u0001', r.Skip(s).Take(n))); total++; }
        return total == 0 ? 0 : (double)seen.Count / total;
    }
}
