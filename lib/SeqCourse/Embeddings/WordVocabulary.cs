namespace SeqCourse;

/// <summary>
/// A word vocabulary: word ↔ index j (the position of the 1 in o_j) and how often each word occurred.
/// Words are ordered by decreasing count, ties alphabetically, so the same corpus always gives the
/// same indices.
/// </summary>
public sealed class WordVocabulary
{
    private readonly Dictionary<string, int> _index;

    private WordVocabulary(string[] words, long[] counts)
    {
        Words = words;
        Counts = counts;
        _index = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int j = 0; j < words.Length; j++) _index[words[j]] = j;
    }

    /// <summary>The words, index j at position j.</summary>
    public IReadOnlyList<string> Words { get; }

    /// <summary>How often word j occurred in the corpus the vocabulary was built from.</summary>
    public IReadOnlyList<long> Counts { get; }

    /// <summary>n_v.</summary>
    public int Count => Words.Count;

    /// <summary>The word at index j.</summary>
    public string this[int j] => Words[j];

    /// <summary>Builds the vocabulary of a tokenised corpus (one string array per sentence).</summary>
    public static WordVocabulary Build(IEnumerable<IReadOnlyList<string>> sentences)
    {
        Guard.NotNull(sentences, nameof(sentences));
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var s in sentences)
            foreach (var w in s)
                counts[w] = counts.GetValueOrDefault(w) + 1;
        if (counts.Count == 0)
            throw new ArgumentException("sentences must contain at least one word but the corpus is empty.", nameof(sentences));
        var ordered = counts.OrderByDescending(kv => kv.Value).ThenBy(kv => kv.Key, StringComparer.Ordinal).ToArray();
        return new WordVocabulary(ordered.Select(kv => kv.Key).ToArray(), ordered.Select(kv => kv.Value).ToArray());
    }

    /// <summary>A vocabulary with the given words in the given order (all counts 1), e.g. for hand examples.</summary>
    public static WordVocabulary FromWords(IEnumerable<string> words)
    {
        Guard.NotNull(words, nameof(words));
        var w = words.ToArray();
        if (w.Length == 0) throw new ArgumentException("words must contain at least one word but is empty.", nameof(words));
        var dup = w.GroupBy(x => x).FirstOrDefault(g => g.Count() > 1);
        if (dup is not null) throw new ArgumentException($"words must be distinct but '{dup.Key}' occurs {dup.Count()} times.", nameof(words));
        return new WordVocabulary(w, w.Select(_ => 1L).ToArray());
    }

    /// <summary>True when the word is in the vocabulary.</summary>
    public bool Contains(string word) => _index.ContainsKey(word);

    /// <summary>The index of <paramref name="word"/>, or −1.</summary>
    public int TryIndexOf(string word) => _index.TryGetValue(word, out int j) ? j : -1;

    /// <summary>The index of <paramref name="word"/>; an unknown word throws an exception that names it.</summary>
    public int IndexOf(string word, string argumentName = "word")
    {
        Guard.NotNull(word, argumentName);
        if (_index.TryGetValue(word, out int j)) return j;
        throw new ArgumentException($"{argumentName} '{word}' is not in the vocabulary ({Count} words).", argumentName);
    }

    /// <summary>Maps a tokenised sentence to indices; an unknown word throws an exception that names it.</summary>
    public int[] Encode(IReadOnlyList<string> tokens)
    {
        Guard.NotNull(tokens, nameof(tokens));
        var ids = new int[tokens.Count];
        for (int i = 0; i < ids.Length; i++) ids[i] = IndexOf(tokens[i], nameof(tokens));
        return ids;
    }

    /// <summary>Maps indices back to words.</summary>
    public string[] Decode(IEnumerable<int> ids) => ids.Select(j => Words[j]).ToArray();

    /// <summary>Relative frequencies count_j / Σ count (the unigram distribution).</summary>
    public double[] Frequencies()
    {
        double total = Counts.Sum();
        return Counts.Select(c => c / total).ToArray();
    }

    /// <summary>Splits a sentence on spaces (the course corpora are lowercase and pre-tokenised).</summary>
    public static string[] Tokenize(string sentence)
    {
        Guard.NotNull(sentence, nameof(sentence));
        return sentence.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
    }
}
