namespace SeqCourse;

/// <summary>
/// A tiny translation set for the beam-search and BLEU notebook: simple English sentences and their translation
/// into Tikan, a small language invented by the SeqCourse team. Tikan has a one-to-one word mapping
/// (<see cref="Lexicon"/>) but a different word order, so the model must learn to reorder:
/// <list type="bullet">
/// <item>noun phrase: noun, then adjective, then article ("the big cat" → "miru gora ta"; the → ta, a → u);</item>
/// <item>clause: subject, object, verb (SOV): "the cat sees a dog" → "miru ta vopa u nata";</item>
/// <item>a time word comes first: "the cat sleeps today" → "neli miru ta suno".</item>
/// </list>
/// The translation is a function of the English sentence (<see cref="Translate"/>), so every pair is consistent.
/// </summary>
public static class ToyTranslation
{
    /// <summary>The seed of the committed <c>datasets/toytranslation/pairs.tsv</c>.</summary>
    public const int DefaultSeed = 511;

    /// <summary>Number of pairs in the committed file.</summary>
    public const int DefaultCount = 200;

    /// <summary>English word → Tikan word.</summary>
    public static IReadOnlyDictionary<string, string> Lexicon { get; } = new Dictionary<string, string>
    {
        // nouns
        ["cat"] = "miru",
        ["dog"] = "vopa",
        ["bird"] = "tiko",
        ["fish"] = "salu",
        ["horse"] = "hepa",
        ["child"] = "nilo",
        ["woman"] = "sena",
        ["man"] = "doru",
        ["farmer"] = "gaben",
        ["teacher"] = "lusan",
        // adjectives
        ["big"] = "gora",
        ["small"] = "pim",
        ["red"] = "roka",
        ["old"] = "vesi",
        ["happy"] = "luma",
        ["black"] = "nuro",
        ["young"] = "tavi",
        // transitive verbs
        ["sees"] = "nata",
        ["eats"] = "moka",
        ["likes"] = "lavi",
        ["follows"] = "sura",
        ["finds"] = "feno",
        ["helps"] = "hapi",
        ["calls"] = "kolo",
        // intransitive verbs
        ["sleeps"] = "suno",
        ["runs"] = "kapa",
        ["sings"] = "lilo",
        // articles and time words
        ["the"] = "ta",
        ["a"] = "u",
        ["today"] = "neli",
        ["now"] = "kesa",
    };

    private static readonly string[] Nouns = ["cat", "dog", "bird", "fish", "horse", "child", "woman", "man", "farmer", "teacher"];
    private static readonly string[] Adjectives = ["big", "small", "red", "old", "happy", "black", "young"];
    private static readonly string[] Transitive = ["sees", "eats", "likes", "follows", "finds", "helps", "calls"];
    private static readonly string[] Intransitive = ["sleeps", "runs", "sings"];
    private static readonly string[] TimeWords = ["today", "now"];

    /// <summary>
    /// Draws <paramref name="count"/> distinct English sentences (about a quarter intransitive; adjectives and a
    /// time word sometimes) and pairs each with <see cref="Translate"/>.
    /// </summary>
    public static TranslationPair[] Generate(int seed = DefaultSeed, int count = DefaultCount)
    {
        Guard.Positive(count, nameof(count));
        if (count > 5000) throw new ArgumentException($"count must be <= 5000 but is {count}.", nameof(count));
        var rng = new Random(seed);
        var seen = new HashSet<string>();
        var pairs = new List<TranslationPair>(count);
        while (pairs.Count < count)
        {
            var words = new List<string>();
            words.AddRange(NounPhrase(rng));
            if (rng.Next(4) == 0) words.Add(Pick(Intransitive, rng));
            else
            {
                words.Add(Pick(Transitive, rng));
                words.AddRange(NounPhrase(rng));
            }
            if (rng.Next(4) == 0) words.Add(Pick(TimeWords, rng));
            var english = string.Join(' ', words);
            if (seen.Add(english)) pairs.Add(new TranslationPair(english, Translate(english)));
        }
        return pairs.ToArray();
    }

    /// <summary>
    /// Translates an English sentence of the set's grammar — NP V [NP] [time], NP = article [adjective] noun — into Tikan.
    /// </summary>
    public static string Translate(string english)
    {
        Guard.NotNull(english, nameof(english));
        var w = english.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        foreach (var word in w)
            if (!Lexicon.ContainsKey(word))
                throw new ArgumentException($"english must use only lexicon words but contains '{word}'.", nameof(english));
        int i = 0;
        var subject = ReadNounPhrase(w, ref i, english);
        if (i >= w.Length || !(Transitive.Contains(w[i]) || Intransitive.Contains(w[i])))
            throw new ArgumentException($"english must have a verb after the subject: \"{english}\".", nameof(english));
        string verb = w[i++];
        List<string>? obj = null;
        if (Transitive.Contains(verb)) obj = ReadNounPhrase(w, ref i, english);
        string? time = i < w.Length && TimeWords.Contains(w[i]) ? w[i++] : null;
        if (i != w.Length)
            throw new ArgumentException($"english must end after the object or time word but continues with '{w[i]}': \"{english}\".", nameof(english));

        var t = new List<string>();
        if (time is not null) t.Add(Lexicon[time]);      // time word first
        t.AddRange(subject);                               // S
        if (obj is not null) t.AddRange(obj);              // O
        t.Add(Lexicon[verb]);                              // V last
        return string.Join(' ', t);
    }

    /// <summary>The file contents: "english&lt;TAB&gt;tikan" per line, LF line ends.</summary>
    public static string Render(IEnumerable<TranslationPair> pairs) =>
        Datasets.JoinLines(pairs.Select(p => $"{p.English}\t{p.Tikan}"));

    private static IEnumerable<string> NounPhrase(Random rng)
    {
        yield return rng.Next(2) == 0 ? "the" : "a";
        if (rng.Next(2) == 0) yield return Pick(Adjectives, rng);
        yield return Pick(Nouns, rng);
    }

    /// <summary>English article [adjective] noun → Tikan noun [adjective] article.</summary>
    private static List<string> ReadNounPhrase(string[] w, ref int i, string english)
    {
        if (i >= w.Length || w[i] is not ("the" or "a"))
            throw new ArgumentException($"english must have a noun phrase starting with 'the' or 'a' at word {i}: \"{english}\".", nameof(english));
        string article = w[i++];
        string? adjective = i < w.Length && Adjectives.Contains(w[i]) ? w[i++] : null;
        if (i >= w.Length || !Nouns.Contains(w[i]))
            throw new ArgumentException($"english must have a noun at word {i}: \"{english}\".", nameof(english));
        string noun = w[i++];
        var np = new List<string> { Lexicon[noun] };
        if (adjective is not null) np.Add(Lexicon[adjective]);
        np.Add(Lexicon[article]);
        return np;
    }

    private static string Pick(string[] list, Random rng) => list[rng.Next(list.Length)];
}
