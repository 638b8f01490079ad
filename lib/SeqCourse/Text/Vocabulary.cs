using System.Text.RegularExpressions;

namespace SeqCourse;

/// <summary>
/// A vocabulary: token ↔ index (syllabus §1.1, §1.5). Word-level vocabularies usually contain <c>&lt;UNK&gt;</c>
/// (unknown words map to it) and <c>&lt;EOS&gt;</c> (end of sentence); a character-level one (a–z plus
/// newline) needs no <c>&lt;UNK&gt;</c> and uses the newline as end of sequence.
/// </summary>
public sealed class Vocabulary
{
    /// <summary>The unknown-token symbol.</summary>
    public const string Unk = "<UNK>";

    /// <summary>The end-of-sequence symbol.</summary>
    public const string Eos = "<EOS>";

    private readonly string[] _tokens;
    private readonly Dictionary<string, int> _index;

    private Vocabulary(IEnumerable<string> tokens)
    {
        _tokens = tokens.ToArray();
        _index = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < _tokens.Length; i++)
        {
            if (_tokens[i] is null) throw new ArgumentException($"tokens[{i}] must not be null.", nameof(tokens));
            if (!_index.TryAdd(_tokens[i], i))
                throw new ArgumentException($"tokens must be distinct but '{Show(_tokens[i])}' appears twice.", nameof(tokens));
        }
        if (_tokens.Length == 0) throw new ArgumentException("tokens must contain at least one token but is empty.", nameof(tokens));
        UnkIndex = _index.TryGetValue(Unk, out int u) ? u : null;
        EosIndex = _index.TryGetValue(Eos, out int e) ? e : _index.TryGetValue("\n", out int nl) ? nl : null;
    }

    /// <summary>
    /// Builds a vocabulary from a token stream: every token seen at least <paramref name="minCount"/> times, in
    /// ordinal order, after the special tokens (<c>&lt;EOS&gt;</c> = 0, then <c>&lt;UNK&gt;</c>) if requested.
    /// Rarer tokens are left out and will map to <c>&lt;UNK&gt;</c>.
    /// </summary>
    public static Vocabulary Build(IEnumerable<string> tokens, int minCount = 1, bool addUnk = true, bool addEos = true)
    {
        Guard.NotNull(tokens, nameof(tokens));
        Guard.Positive(minCount, nameof(minCount));
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var t in tokens)
        {
            if (t is null) throw new ArgumentException("tokens must not contain null.", nameof(tokens));
            counts[t] = counts.GetValueOrDefault(t) + 1;
        }
        var list = new List<string>();
        if (addEos) list.Add(Eos);
        if (addUnk) list.Add(Unk);
        list.AddRange(counts.Where(kv => kv.Value >= minCount && kv.Key is not (Unk or Eos))
            .Select(kv => kv.Key).OrderBy(k => k, StringComparer.Ordinal));
        return new Vocabulary(list);
    }

    /// <summary>A vocabulary with exactly these tokens in this order (index i = tokens[i]).</summary>
    public static Vocabulary FromTokens(IEnumerable<string> tokens) => new(Guard.NotNull(tokens, nameof(tokens)));

    /// <summary>
    /// The character vocabulary of some lines (e.g. names): every character that occurs, plus the newline that ends
    /// each line, sorted (so "\n" = 0, then a, b, …), without <c>&lt;UNK&gt;</c>. For the names set: 27 symbols.
    /// </summary>
    public static Vocabulary Characters(IEnumerable<string> lines)
    {
        Guard.NotNull(lines, nameof(lines));
        var chars = new SortedSet<string>(StringComparer.Ordinal) { "\n" };
        foreach (var line in lines)
            foreach (var c in Tokenizer.Characters(line))
                chars.Add(c);
        return new Vocabulary(chars);
    }

    /// <summary>n_v, the number of tokens.</summary>
    public int Count => _tokens.Length;

    /// <summary>All tokens in index order.</summary>
    public IReadOnlyList<string> Tokens => _tokens;

    /// <summary>Index of <c>&lt;UNK&gt;</c>, or null when the vocabulary has none (then unknown tokens throw).</summary>
    public int? UnkIndex { get; }

    /// <summary>Index of <c>&lt;EOS&gt;</c>, else of "\n", else null.</summary>
    public int? EosIndex { get; }

    /// <summary>The token with index <paramref name="index"/>.</summary>
    public string this[int index]
    {
        get { Guard.Index(index, Count, nameof(index)); return _tokens[index]; }
    }

    /// <summary>True if <paramref name="token"/> has its own index.</summary>
    public bool Contains(string token) => _index.ContainsKey(token);

    /// <summary>
    /// The index of <paramref name="token"/>; an unknown token gives the <c>&lt;UNK&gt;</c> index, or an
    /// <see cref="ArgumentException"/> naming the token when there is no <c>&lt;UNK&gt;</c>.
    /// </summary>
    public int IndexOf(string token)
    {
        Guard.NotNull(token, nameof(token));
        if (_index.TryGetValue(token, out int i)) return i;
        return UnkIndex ?? throw new ArgumentException(
            $"token '{Show(token)}' is not in the vocabulary ({Count} tokens) and the vocabulary has no {Unk}.", nameof(token));
    }

    /// <summary>Indices of <paramref name="tokens"/>, optionally followed by the end-of-sequence index.</summary>
    public int[] Encode(IEnumerable<string> tokens, bool appendEos = false)
    {
        Guard.NotNull(tokens, nameof(tokens));
        var r = tokens.Select(IndexOf).ToList();
        if (appendEos)
            r.Add(EosIndex ?? throw new ArgumentException($"appendEos needs an {Eos} or newline token but the vocabulary has neither.", nameof(appendEos)));
        return r.ToArray();
    }

    /// <summary>The tokens of <paramref name="indices"/>.</summary>
    public string[] Decode(IEnumerable<int> indices)
    {
        Guard.NotNull(indices, nameof(indices));
        return indices.Select(i =>
        {
            if (i < 0 || i >= Count) throw new ArgumentException($"indices must be in [0, {Count - 1}] but one is {i}.", nameof(indices));
            return _tokens[i];
        }).ToArray();
    }

    private static string Show(string token) => token.Replace("\n", "\\n");
}

/// <summary>Splitting text into tokens.</summary>
public static partial class Tokenizer
{
    /// <summary>
    /// Word-level: lower-cases, keeps runs of letters, digits and apostrophes as words and every other
    /// non-space character as its own token: "The cat, sat." → the, cat, ",", sat, ".".
    /// </summary>
    public static string[] Words(string text)
    {
        Guard.NotNull(text, nameof(text));
        return WordRegex().Matches(text.ToLowerInvariant()).Select(m => m.Value).ToArray();
    }

    /// <summary>Character-level: one token per character (each a one-character string).</summary>
    public static string[] Characters(string text)
    {
        Guard.NotNull(text, nameof(text));
        var r = new string[text.Length];
        for (int i = 0; i < text.Length; i++) r[i] = text[i].ToString();
        return r;
    }

    [GeneratedRegex(@"[\p{L}\p{N}']+|[^\s\p{L}\p{N}']")]
    private static partial Regex WordRegex();
}
