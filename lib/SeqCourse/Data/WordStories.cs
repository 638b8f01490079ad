using System.Text;

namespace SeqCourse;

/// <summary>
/// A small word-level text for the week 1 word-level language model: short stories about invented animals,
/// written from templates and word tables authored by the SeqCourse team. The common words repeat a lot
/// (a small vocabulary the model can learn); about half of the stories also mention one creature from
/// <see cref="RareWords"/>, and each of those appears at most once in the whole text, so a vocabulary with a
/// minimum count of 2 maps them to &lt;UNK&gt;.
/// Layout: one sentence per line, lowercase words separated by single spaces, no punctuation (the line end is
/// the sentence end, i.e. &lt;EOS&gt;), a blank line between stories.
/// </summary>
public static class WordStories
{
    /// <summary>The seed of the committed <c>datasets/wordtext/stories.txt</c>.</summary>
    public const int DefaultSeed = 510;

    /// <summary>Number of stories in the committed file.</summary>
    public const int DefaultStories = 64;

    /// <summary>The invented animals the stories are about.</summary>
    public static IReadOnlyList<string> Animals { get; } = ["florp", "zibble", "mungo", "trisk", "wobbit", "glim", "pell", "snood"];

    /// <summary>Creatures met only once in the whole text (they become &lt;UNK&gt;).</summary>
    public static IReadOnlyList<string> RareWords { get; } =
    [
        "quorble", "fenwhistle", "dapplemoth", "grizzleback", "moonwisp", "thistlebug", "bramblewick", "snorkeltoad",
        "puddlefin", "crumblehorn", "velvetsnout", "sprocketail", "lanternfly", "mossgobbler", "pebbleclaw", "rustwing",
        "nettlepaw", "cindersnail", "fogstrider", "marrowfen", "quillback", "driftmouse", "ashgrouse", "tumblewort",
        "glowmuncher", "hollowbeak", "saltstalker", "frostnibbler", "reedpiper", "cobblehog", "dusksniffer", "wickerling",
        "spindlecrab", "larkmole", "bogwallow", "thimblewasp", "plumfinch", "mirefox", "sootcricket", "dewlurker",
    ];

    private static readonly string[] Adjectives = ["small", "big", "old", "young", "brave", "shy", "quick", "sleepy", "curious", "gentle"];
    private static readonly string[] Places = ["forest", "river", "hill", "meadow", "cave", "marsh", "garden", "valley"];
    private static readonly string[] Foods = ["berries", "seeds", "roots", "apples", "mushrooms", "nuts", "plums", "leaves"];
    private static readonly string[] Tastes = ["sweet", "fresh", "ripe", "good"];
    private static readonly string[] Feelings = ["happy", "tired", "proud", "full", "glad"];
    private static readonly string[] Times = ["every morning", "every evening", "each day", "in the spring"];
    private static readonly string[] Weather = ["the sun was warm", "the rain was cold", "the wind was strong", "the sky was grey"];

    /// <summary>
    /// Writes <paramref name="stories"/> stories. A rare creature is mentioned in about half of them, each rare word
    /// at most once (so at most <see cref="RareWords"/>.Count of them).
    /// </summary>
    public static string Generate(int seed = DefaultSeed, int stories = DefaultStories)
    {
        Guard.Positive(stories, nameof(stories));
        if (stories > 10_000) throw new ArgumentException($"stories must be <= 10000 but is {stories}.", nameof(stories));
        var rng = new Random(seed);
        var rare = RareWords.ToArray();
        DataRandom.Shuffle(rare, rng);
        int nextRare = 0;
        var sb = new StringBuilder();
        for (int s = 0; s < stories; s++)
        {
            if (s > 0) sb.Append('\n'); // blank line between stories
            string? rareWord = nextRare < rare.Length && rng.Next(2) == 0 ? rare[nextRare++] : null;
            foreach (var sentence in Story(rng, rareWord)) sb.Append(sentence).Append('\n');
        }
        return sb.ToString();
    }

    private static IEnumerable<string> Story(Random rng, string? rareWord)
    {
        string a = Pick(Animals, rng), b = Pick(Animals, rng);
        while (b == a) b = Pick(Animals, rng);
        string home = Pick(Places, rng), there = Pick(Places, rng);
        while (there == home) there = Pick(Places, rng);
        string food = Pick(Foods, rng);

        yield return $"once there was a {Pick(Adjectives, rng)} {a} who lived in the {home}";
        yield return rng.Next(2) == 0
            ? $"{Pick(Times, rng)} the {a} looked for {Pick(Foods, rng)} near the {home}"
            : $"{Pick(Times, rng)} the {a} sang a song by the {home}";
        if (rng.Next(2) == 0) yield return $"one day {Pick(Weather, rng)} and the {a} was {Pick(Feelings, rng)}";
        yield return $"then the {a} met a {Pick(Adjectives, rng)} {b}";
        yield return $"the {b} said that the {food} in the {there} were {Pick(Tastes, rng)}";
        yield return $"so the {a} and the {b} walked to the {there} together";
        if (rareWord is not null) yield return $"on the way they saw a {rareWord} and the {a} was afraid";
        yield return rng.Next(2) == 0
            ? $"there they ate the {food} and the {a} was {Pick(Feelings, rng)}"
            : $"there they found the {food} but the {b} ate them all";
        yield return rng.Next(2) == 0
            ? $"in the evening the {a} went back to the {home}"
            : $"the {a} and the {b} stayed in the {there}";
    }

    private static string Pick(IReadOnlyList<string> list, Random rng) => list[rng.Next(list.Count)];
}
