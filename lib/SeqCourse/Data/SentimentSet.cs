using System.Text;

namespace SeqCourse;

/// <summary>One labelled sentence of the sentiment set.</summary>
/// <param name="Sentence">Lowercase words separated by single spaces.</param>
/// <param name="Label">0 negative, 1 neutral, 2 positive (see <see cref="SentimentSet.ClassNames"/>).</param>
/// <param name="Split">"train" or "test".</param>
public sealed record SentimentExample(string Sentence, int Label, string Split);

/// <summary>
/// The authored sentiment set of syllabus §5.5: about 300 short template sentences in three classes,
/// with negations. The labelling rule: a positive word gives positive, a negative word negative, a
/// neutral word neutral, and "not" flips the polarity: "the soup was not good" is negative and "the soup
/// was not bad" positive (neutral words are never negated). A model that averages word vectors gives
/// every word one fixed vote, so "not" would have to push towards negative after "good" and towards
/// positive after "bad" at once: it cannot label all four of "x was good / not good / bad / not bad"
/// correctly, while a model that reads the words in order can.
/// </summary>
public static class SentimentSet
{
    /// <summary>The seed of the committed file datasets/sentiment/sentences.tsv.</summary>
    public const int DefaultSeed = 7;

    /// <summary>Class names by label.</summary>
    public static readonly IReadOnlyList<string> ClassNames = ["negative", "neutral", "positive"];

    /// <summary>The things the sentences are about.</summary>
    public static readonly IReadOnlyList<string> Things =
        ["soup", "movie", "service", "food", "hotel", "concert", "game", "coffee", "pizza", "room", "show", "trip"];

    /// <summary>Words of each polarity (index = label).</summary>
    public static readonly IReadOnlyList<string[]> Adjectives =
    [
        ["bad", "terrible", "awful", "boring", "horrible", "poor"],
        ["okay", "average", "ordinary", "acceptable"],
        ["good", "great", "excellent", "wonderful", "lovely", "amazing"],
    ];

    /// <summary>Verbs of each polarity for "i … the thing" (index = label).</summary>
    public static readonly IReadOnlyList<string[]> Verbs =
    [
        ["hated", "disliked"],
        ["tried", "saw"],
        ["loved", "enjoyed"],
    ];

    /// <summary>
    /// About 300 distinct sentences drawn from the templates with <c>new Random(seed)</c>, shuffled, the
    /// first 80% marked "train" and the rest "test".
    /// </summary>
    public static IReadOnlyList<SentimentExample> Generate(int seed = DefaultSeed, int count = 300)
    {
        Guard.Positive(count, nameof(count));
        var rng = new Random(seed);
        var seen = new HashSet<string>();
        var items = new List<(string, int)>();
        int guard = 0;
        while (items.Count < count)
        {
            if (++guard > 100 * count) throw new ArgumentException($"count must be at most the number of distinct template sentences but is {count}.", nameof(count));
            var (s, y) = One(rng);
            if (seen.Add(s)) items.Add((s, y));
        }
        int nTrain = (int)Math.Round(0.8 * count);
        return items.Select((it, i) => new SentimentExample(it.Item1, it.Item2, i < nTrain ? "train" : "test")).ToList();
    }

    private static (string, int) One(Random rng)
    {
        string thing = Things[rng.Next(Things.Count)];
        int polarity = rng.Next(3);
        string adj = Adjectives[polarity][rng.Next(Adjectives[polarity].Length)];
        string verb = Verbs[polarity][rng.Next(Verbs[polarity].Length)];
        // "not" flips positive (2) and negative (0); neutral words are not negated
        int negated = 2 - polarity;
        return rng.Next(7) switch
        {
            0 => ($"the {thing} was {adj}", polarity),
            1 => ($"the {thing} was really {adj}", polarity),
            2 => ($"i {verb} the {thing}", polarity),
            3 or 4 when polarity != 1 => ($"the {thing} was not {adj}", negated),
            5 when polarity != 1 => ($"i did not {Base(verb)} the {thing}", negated),
            6 when polarity != 1 => ($"the {thing} was not really {adj}", negated),
            _ => ($"the {thing} was {adj} today", polarity),
        };
    }

    // "did not love", "did not hate": the verbs' base forms
    private static string Base(string pastTense) => pastTense switch
    {
        "hated" => "hate", "disliked" => "dislike", "loved" => "love", "enjoyed" => "enjoy",
        _ => throw new ArgumentException($"pastTense '{pastTense}' has no base form in the table.", nameof(pastTense)),
    };

    /// <summary>sentences.tsv: header "label\tsplit\tsentence", then one example per line.</summary>
    public static string Tsv(int seed = DefaultSeed)
    {
        var sb = new StringBuilder("label\tsplit\tsentence\n");
        foreach (var e in Generate(seed)) sb.Append($"{ClassNames[e.Label]}\t{e.Split}\t{e.Sentence}\n");
        return sb.ToString();
    }

    /// <summary>Reads sentences.tsv back.</summary>
    public static List<SentimentExample> Parse(string tsv)
    {
        Guard.NotNull(tsv, nameof(tsv));
        var names = ClassNames.ToList();
        return tsv.Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(l => l.Split('\t'))
            .Select(f => new SentimentExample(f[2], names.IndexOf(f[0]), f[1])).ToList();
    }
}
