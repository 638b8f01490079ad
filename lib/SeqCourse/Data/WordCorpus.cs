using System.Text;

namespace SeqCourse;

/// <summary>One analogy quadruple "A is to B as C is to D", with its category (gender, capital, language, plural).</summary>
public sealed record AnalogyQuad(string Category, string A, string B, string C, string D);

/// <summary>
/// The course corpus for word vectors (syllabus §5.5), generated from templates written for the course
/// over authored tables: gender pairs, country–capital–language facts, singular/plural nouns and
/// occupations. Nothing is downloaded; <see cref="Generate"/> is deterministic for a given seed.
/// <para>
/// The templates are written for a context window of 2: every word that carries a property (a pronoun
/// for gender, "capital"/"city" for capitals, "is"/"are" and numerals for number, a pair-specific verb
/// for identity) sits within two positions of the word it describes. Each pair of words (king/queen,
/// dog/dogs, paris/france) is put in the same templates with only the property word changed, so the
/// difference of their contexts, and hence of their vectors, is the same for every pair — which is what
/// makes e_b − e_a + e_c land near e_d.
/// </para>
/// <para>
/// The occupation sentences are deliberately biased (e.g. "the engineer said he …" in 85% of them)
/// so that the debiasing notebook has a learned bias to find and remove.
/// </para>
/// </summary>
public static class WordCorpus
{
    /// <summary>The seed of the committed corpus (datasets/wordvectors/corpus.txt).</summary>
    public const int DefaultSeed = 2024;

    /// <summary>The number of sentences of the committed corpus.</summary>
    public const int DefaultSize = 20000;

    /// <summary>(male, female, an identity phrase that follows the word).</summary>
    public static readonly IReadOnlyList<(string Male, string Female, string Phrase)> GenderPairs =
    [
        ("man", "woman", "works hard"),
        ("king", "queen", "rules the kingdom"),
        ("prince", "princess", "lives in the castle"),
        ("boy", "girl", "goes to school"),
        ("father", "mother", "cooked dinner"),
        ("brother", "sister", "shares a room"),
        ("son", "daughter", "was born"),
        ("husband", "wife", "got married"),
        ("uncle", "aunt", "brought gifts"),
        ("actor", "actress", "starred in the film"),
    ];

    /// <summary>(country, capital, language) facts.</summary>
    public static readonly IReadOnlyList<(string Country, string Capital, string Language)> Countries =
    [
        ("france", "paris", "french"),
        ("germany", "berlin", "german"),
        ("italy", "rome", "italian"),
        ("spain", "madrid", "spanish"),
        ("japan", "tokyo", "japanese"),
        ("china", "beijing", "chinese"),
        ("russia", "moscow", "russian"),
        ("portugal", "lisbon", "portuguese"),
        ("greece", "athens", "greek"),
        ("poland", "warsaw", "polish"),
        ("sweden", "stockholm", "swedish"),
        ("turkey", "ankara", "turkish"),
    ];

    /// <summary>(singular, plural, the verb that only this noun does).</summary>
    public static readonly IReadOnlyList<(string Singular, string Plural, string Verb)> Nouns =
    [
        ("dog", "dogs", "barked"),
        ("cat", "cats", "purred"),
        ("horse", "horses", "galloped"),
        ("bird", "birds", "flew"),
        ("car", "cars", "honked"),
        ("tree", "trees", "grew"),
        ("apple", "apples", "ripened"),
        ("ship", "ships", "sailed"),
        ("book", "books", "fell"),
        ("house", "houses", "collapsed"),
    ];

    /// <summary>(occupation, probability that a sentence about it uses "he").</summary>
    public static readonly IReadOnlyList<(string Occupation, double PMale)> Occupations =
    [
        ("doctor", 0.75), ("nurse", 0.15), ("engineer", 0.85), ("teacher", 0.35), ("lawyer", 0.65),
        ("farmer", 0.8), ("chef", 0.6), ("pilot", 0.85), ("scientist", 0.7), ("writer", 0.5),
        ("dancer", 0.2), ("programmer", 0.8), ("receptionist", 0.1), ("homemaker", 0.1), ("mechanic", 0.9),
    ];

    /// <summary>
    /// <paramref name="count"/> sentences (lowercase, words separated by single spaces), drawn with
    /// <c>new Random(seed)</c>: 45% about people, 30% about countries, 20% about nouns, 5% about occupations.
    /// </summary>
    public static IReadOnlyList<string> Generate(int count = DefaultSize, int seed = DefaultSeed)
    {
        Guard.Positive(count, nameof(count));
        var rng = new Random(seed);
        var list = new List<string>(count);
        for (int n = 0; n < count; n++)
        {
            double u = rng.NextDouble();
            list.Add(u < 0.45 ? Person(rng) : u < 0.75 ? Country(rng) : u < 0.95 ? Noun(rng) : Occupation(rng));
        }
        return list;
    }

    /// <summary>The corpus as word arrays.</summary>
    public static List<string[]> Tokenized(int count = DefaultSize, int seed = DefaultSeed) =>
        Generate(count, seed).Select(WordVocabulary.Tokenize).ToList();

    private static T Pick<T>(IReadOnlyList<T> xs, Random rng) => xs[rng.Next(xs.Count)];

    private static string Person(Random rng)
    {
        var (male, female, phrase) = Pick(GenderPairs, rng);
        bool isMale = rng.Next(2) == 0;
        string p = isMale ? male : female, pr = isMale ? "he" : "she", pos = isMale ? "his" : "her";
        return rng.Next(5) switch
        {
            0 => $"the {p} said {pr} was happy",
            1 => $"the {p} and {pos} friend",
            2 => $"the {p} said {pr} was tired",
            _ => $"the {p} {phrase}",
        };
    }

    private static string Country(Random rng)
    {
        var (country, capital, lang) = Pick(Countries, rng);
        return rng.Next(11) switch
        {
            10 => $"the {lang} capital {capital}",
            0 => $"{capital} is the capital of {country}",
            1 => $"the capital of {country} is {capital}",
            2 => $"people in {country} speak {lang}",
            3 => $"people in {capital} speak {lang}",
            4 => $"{lang} is spoken in {country}",
            5 => $"we flew to {capital} in {country}",
            6 => $"the city of {capital} is big",
            7 => $"the country of {country} is big",
            8 => $"the {lang} language",
            _ => $"{Pick(["she", "he", "i"], rng)} speaks {lang}",
        };
    }

    private static readonly string[] Numbers = ["two", "three", "many", "some"];
    private static readonly string[] Adjectives = ["big", "small", "old", "new"];

    private static string Noun(Random rng)
    {
        var (sg, pl, verb) = Pick(Nouns, rng);
        bool plural = rng.Next(2) == 0;
        string n = plural ? pl : sg;
        string det = plural ? Pick(Numbers, rng) : Pick(["one", "a"], rng);
        return rng.Next(4) switch
        {
            0 => $"the {n} {verb}",
            1 => $"i saw {det} {n} today",
            2 => plural ? $"the {n} are {Pick(Adjectives, rng)}" : $"the {n} is {Pick(Adjectives, rng)}",
            _ => plural ? $"these {n} {verb}" : $"this {n} {verb}",
        };
    }

    private static string Occupation(Random rng)
    {
        var (occ, pMale) = Pick(Occupations, rng);
        bool isMale = rng.NextDouble() < pMale;
        string pr = isMale ? "he" : "she", pos = isMale ? "his" : "her";
        return rng.Next(3) switch
        {
            0 => $"the {occ} said {pr} was busy",
            1 => $"the {occ} and {pos} friend",
            _ => $"the {occ} said {pr} was tired",
        };
    }

    /// <summary>
    /// The analogy quadruples of datasets/wordvectors/analogies.tsv: 12 gender, 10 capital, 8 language
    /// and 10 plural, built from the tables above (so they are facts of the corpus, never seen as
    /// quadruples during training).
    /// </summary>
    public static IReadOnlyList<AnalogyQuad> Analogies()
    {
        var list = new List<AnalogyQuad>();
        var g = GenderPairs;
        int[][] gi = [[0, 1], [0, 2], [1, 2], [3, 4], [4, 5], [5, 6], [6, 7], [7, 8], [8, 9], [3, 9], [1, 0], [2, 4]];
        foreach (var ij in gi)
            list.Add(new("gender", g[ij[0]].Male, g[ij[0]].Female, g[ij[1]].Male, g[ij[1]].Female));
        var c = Countries;
        for (int i = 0; i < 10; i++)
        {
            var (a, b) = (c[i], c[(i + 5) % c.Count]);
            list.Add(new("capital", a.Country, a.Capital, b.Country, b.Capital));
        }
        for (int i = 0; i < 8; i++)
        {
            var (a, b) = (c[i + 2], c[(i + 7) % c.Count]);
            list.Add(new("language", a.Country, a.Language, b.Country, b.Language));
        }
        var n = Nouns;
        for (int i = 0; i < 10; i++)
        {
            var (a, b) = (n[i], n[(i + 3) % n.Count]);
            list.Add(new("plural", a.Singular, a.Plural, b.Singular, b.Plural));
        }
        return list;
    }

    /// <summary>analogies.tsv: a header line, then category, a, b, c, d separated by tabs.</summary>
    public static string AnalogiesTsv()
    {
        var sb = new StringBuilder("category\ta\tb\tc\td\n");
        foreach (var q in Analogies()) sb.Append($"{q.Category}\t{q.A}\t{q.B}\t{q.C}\t{q.D}\n");
        return sb.ToString();
    }

    /// <summary>corpus.txt: one sentence per line, "\n" line ends.</summary>
    public static string CorpusText(int count = DefaultSize, int seed = DefaultSeed) => string.Join("\n", Generate(count, seed)) + "\n";

    /// <summary>Reads analogies.tsv back.</summary>
    public static List<AnalogyQuad> ParseAnalogies(string tsv)
    {
        Guard.NotNull(tsv, nameof(tsv));
        return tsv.Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1)
            .Select(l => l.Split('\t')).Select(f => new AnalogyQuad(f[0], f[1], f[2], f[3], f[4])).ToList();
    }
}
