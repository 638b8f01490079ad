using System.Text;

namespace SeqCourse;

/// <summary>
/// Syllabus §5.1: invented dinosaur-like names for the character-level language model.
/// A name is one to three syllables (onset + nucleus + optional coda) followed by a Greek- or
/// Latin-style ending from a list the team wrote. Nothing is copied from a list of real names;
/// a real name may still come out by chance, as it would from a learner's model.
/// </summary>
public static class DinoNames
{
    /// <summary>The seed of the committed <c>datasets/names/</c> files.</summary>
    public const int DefaultSeed = 501;

    /// <summary>Shortest and longest name kept (characters).</summary>
    public const int MinLength = 6, MaxLength = 20;

    /// <summary>Syllable onsets (consonant clusters that start a syllable).</summary>
    public static IReadOnlyList<string> Onsets { get; } =
        ["b", "br", "ch", "d", "dr", "g", "gr", "k", "kr", "l", "m", "n", "p", "ph", "pr", "s", "sk", "st", "t", "th", "tr", "v", "z"];

    /// <summary>Syllable nuclei; the plain vowels are listed twice so they are drawn twice as often.</summary>
    public static IReadOnlyList<string> Nuclei { get; } =
        ["a", "a", "e", "e", "i", "i", "o", "o", "u", "u", "ae", "io", "au", "y"];

    /// <summary>Syllable codas; "" (open syllable) is listed three times.</summary>
    public static IReadOnlyList<string> Codas { get; } = ["", "", "", "n", "r", "s", "x", "l", "m"];

    /// <summary>The codas allowed inside a stem (before another syllable).</summary>
    public static IReadOnlyList<string> InnerCodas { get; } = ["n", "r", "l", "s"];

    /// <summary>The authored endings.</summary>
    public static IReadOnlyList<string> Endings { get; } =
    [
        "saurus", "raptor", "don", "ceratops", "mimus", "venator", "titan", "odon", "nyx", "lophus", "pteryx",
        "ops", "dromeus", "gnathus", "suchus", "pelta", "onyx", "cephale", "rhinus", "tholus",
    ];

    /// <summary>
    /// Generates <paramref name="trainCount"/> + <paramref name="testCount"/> distinct names, shuffles them
    /// and splits them, so the two parts are disjoint. Same seed, same names, on every machine
    /// (<see cref="System.Random"/> with a seed uses a fixed algorithm).
    /// </summary>
    public static (string[] Train, string[] Test) Generate(int seed = DefaultSeed, int trainCount = 800, int testCount = 100)
    {
        Guard.Positive(trainCount, nameof(trainCount));
        if (testCount < 0) throw new ArgumentException($"testCount must be >= 0 but is {testCount}.", nameof(testCount));
        const int maxNames = 20000; // far below the grammar's capacity, far above what the course needs
        if (trainCount + testCount > maxNames)
            throw new ArgumentException($"trainCount + testCount must be <= {maxNames} but is {trainCount + testCount}.", nameof(trainCount));

        var rng = new Random(seed);
        var seen = new HashSet<string>();
        var names = new List<string>();
        while (names.Count < trainCount + testCount)
        {
            var name = One(rng);
            if (name.Length < MinLength || name.Length > MaxLength) continue;
            if (seen.Add(name)) names.Add(name);
        }
        var all = names.ToArray();
        DataRandom.Shuffle(all, rng);
        return (all[..trainCount], all[trainCount..]);
    }

    /// <summary>Draws one name (any length) from the grammar.</summary>
    public static string One(Random rng)
    {
        Guard.NotNull(rng, nameof(rng));
        // 1, 2 or 3 syllables with probabilities 1/3, 1/2, 1/6.
        int r = rng.Next(6);
        int syllables = r < 2 ? 1 : r < 5 ? 2 : 3;
        var stem = new StringBuilder();
        bool closed = false; // did the previous syllable end in a coda?
        for (int s = 0; s < syllables; s++)
        {
            // After a coda only a single consonant may follow, so clusters stay pronounceable ("kal-do", not "kal-stro").
            var onset = Pick(Onsets, rng);
            while (closed && onset.Length > 1) onset = Pick(Onsets, rng);
            stem.Append(onset).Append(Pick(Nuclei, rng));
            // Inner syllables are mostly open; the last one takes any coda (or none).
            string coda = s == syllables - 1 ? Pick(Codas, rng) : rng.Next(4) == 0 ? Pick(InnerCodas, rng) : "";
            stem.Append(coda);
            closed = coda.Length > 0;
        }
        return Join(stem.ToString(), Pick(Endings, rng), rng);
    }

    /// <summary>
    /// Joins a stem and an ending the way the classical compounds do: vowel + vowel drops the stem's final
    /// vowels ("kra" + "odon" → "krodon"); consonant + consonant usually takes the link vowel "o"
    /// ("stag" + "saurus" → "stagosaurus"), sometimes "i".
    /// </summary>
    public static string Join(string stem, string ending, Random rng)
    {
        bool stemVowel = IsVowel(stem[^1]), endVowel = IsVowel(ending[0]);
        if (stemVowel && endVowel)
        {
            var trimmed = stem.TrimEnd('a', 'e', 'i', 'o', 'u', 'y');
            return trimmed + ending;
        }
        if (!stemVowel && !endVowel)
            return stem + (rng.Next(5) == 0 ? "i" : "o") + ending;
        return stem + ending;
    }

    /// <summary>The file contents: one name per line, LF line ends.</summary>
    public static string Render(IEnumerable<string> names) => Datasets.JoinLines(names);

    private static bool IsVowel(char c) => c is 'a' or 'e' or 'i' or 'o' or 'u' or 'y';

    private static string Pick(IReadOnlyList<string> list, Random rng) => list[rng.Next(list.Count)];
}
