namespace SeqCourse;

/// <summary>
/// Syllabus §5.6: three-turn dialogues for HRED and VHRED, from templates and word tables written by the SeqCourse
/// team (about 100 words). Turn 1 is a greeting to a named person, turn 2 mirrors the greeting and asks a question,
/// turn 3 answers it. The answer depends on the question and, for "what are you doing now ?", on the greeting of
/// turn 1 (good morning → breakfast, good afternoon → lunch, good evening → dinner), so the context of earlier
/// turns matters — the point of a hierarchical model. Some answers have free choices (colours, numbers, yes/no),
/// which is where VHRED's latent variable gives diversity.
/// Layout: one dialogue per line, the three turns separated by a TAB; words and punctuation separated by spaces.
/// </summary>
public static class DialogueData
{
    /// <summary>The seed of the committed <c>datasets/dialogues/dialogues.txt</c>.</summary>
    public const int DefaultSeed = 506;

    /// <summary>Number of dialogues in the committed file.</summary>
    public const int DefaultCount = 400;

    /// <summary>The question kinds, in the order used by the generator.</summary>
    public static IReadOnlyList<string> QuestionKinds { get; } = ["where", "color", "like", "howmany", "doing", "howareyou"];

    /// <summary>The greetings of turn 1.</summary>
    public static IReadOnlyList<string> Greetings { get; } = ["hello", "hi", "good morning", "good afternoon", "good evening"];

    private static readonly string[] Names = ["anna", "ben", "carla", "david", "emma", "felix", "grace", "henry", "iris", "jack"];
    private static readonly string[] Objects = ["key", "book", "cup", "hat", "phone", "bag", "ball", "pen"];
    private static readonly string[] Preps = ["on", "under", "near", "behind"];
    private static readonly string[] Furniture = ["table", "bed", "chair", "box", "door"];
    private static readonly string[] Colors = ["red", "blue", "green", "yellow", "white", "black"];
    private static readonly string[] Foods = ["apples", "bread", "rice", "soup", "cheese", "fish", "tea", "coffee"];
    private static readonly string[] Animals = ["cats", "dogs", "birds", "horses", "rabbits", "goats"];
    private static readonly string[] Numbers = ["two", "three", "four", "five", "six", "seven", "eight", "nine"];
    private static readonly string[] Activities = ["reading", "cooking", "walking", "working"];
    private static readonly string[] Feelings = ["fine", "well", "tired", "happy"];

    /// <summary>Draws <paramref name="count"/> dialogues, each a string[3] of turns (greeting, question, answer).</summary>
    public static string[][] Generate(int seed = DefaultSeed, int count = DefaultCount)
    {
        Guard.Positive(count, nameof(count));
        if (count > 100_000) throw new ArgumentException($"count must be <= 100000 but is {count}.", nameof(count));
        var rng = new Random(seed);
        var dialogues = new string[count][];
        for (int d = 0; d < count; d++)
        {
            string greeting = Pick(Greetings, rng);
            string turn1 = $"{greeting} , {Pick(Names, rng)} !";
            var (question, answer) = QuestionAndAnswer(QuestionKinds[rng.Next(QuestionKinds.Count)], greeting, rng);
            dialogues[d] = [turn1, $"{greeting} ! {question}", answer];
        }
        return dialogues;
    }

    /// <summary>
    /// The expected answer pattern for a question (used by the tests and handy for scoring samples):
    /// true if <paramref name="answer"/> is a correct reply to <paramref name="question"/> after <paramref name="greeting"/>.
    /// </summary>
    public static bool IsValidAnswer(string greeting, string question, string answer)
    {
        Guard.NotNull(greeting, nameof(greeting)); Guard.NotNull(question, nameof(question)); Guard.NotNull(answer, nameof(answer));
        var q = question.Split(' ');
        var a = answer.Split(' ');
        if (question.StartsWith("where is my ", StringComparison.Ordinal) && q.Length == 5)
            return a.Length == 7 && a[0] == "your" && a[1] == q[3] && a[2] == "is" && Preps.Contains(a[3]) && a[4] == "the"
                && Furniture.Contains(a[5]) && a[6] == ".";
        if (question.StartsWith("what color is the ", StringComparison.Ordinal) && q.Length == 6)
            return a.Length == 5 && a[0] == "the" && a[1] == q[4] && a[2] == "is" && Colors.Contains(a[3]) && a[4] == ".";
        if (question.StartsWith("do you like ", StringComparison.Ordinal) && q.Length == 5)
            return answer == $"yes , i like {q[3]} very much ." || answer == $"no , i do not like {q[3]} .";
        if (question.StartsWith("how many ", StringComparison.Ordinal) && q.Length == 7)
            return a.Length == 5 && a[0] == "i" && a[1] == "have" && Numbers.Contains(a[2]) && a[3] == q[2] && a[4] == ".";
        if (question == "what are you doing now ?")
            return greeting switch
            {
                "good morning" => answer == "i am eating breakfast .",
                "good afternoon" => answer == "i am eating lunch .",
                "good evening" => answer == "i am eating dinner .",
                _ => a.Length == 4 && a[0] == "i" && a[1] == "am" && Activities.Contains(a[2]) && a[3] == ".",
            };
        if (question == "how are you ?")
            return a.Length == 7 && a[0] == "i" && a[1] == "am" && Feelings.Contains(a[2]) && a[3] == "," && a[4] == "thank"
                && a[5] == "you" && a[6] == ".";
        return false;
    }

    /// <summary>
    /// True if <paramref name="reply"/> is a valid turn 2 after a turn 1 that used <paramref name="greeting"/>: the greeting
    /// mirrored, " ! ", then one of the generator's questions (any kind, any object). Turn 2 is the most one-to-many reply of
    /// the corpus: six kinds of question, most with a free object, so a whole-sentence choice — what a latent variable can carry.
    /// </summary>
    public static bool IsValidQuestion(string greeting, string reply)
    {
        Guard.NotNull(greeting, nameof(greeting)); Guard.NotNull(reply, nameof(reply));
        string prefix = greeting + " ! ";
        if (!Greetings.Contains(greeting) || !reply.StartsWith(prefix, StringComparison.Ordinal)) return false;
        var q = reply[prefix.Length..].Split(' ');
        string s = string.Join(' ', q);
        return (q.Length == 5 && s == $"where is my {q[3]} ?" && Objects.Contains(q[3]))
            || (q.Length == 6 && s == $"what color is the {q[4]} ?" && Objects.Contains(q[4]))
            || (q.Length == 5 && s == $"do you like {q[3]} ?" && Foods.Contains(q[3]))
            || (q.Length == 7 && s == $"how many {q[2]} do you have ?" && Animals.Contains(q[2]))
            || s == "what are you doing now ?" || s == "how are you ?";
    }

    /// <summary>The file contents: the three turns TAB-separated, one dialogue per line, LF line ends.</summary>
    public static string Render(IEnumerable<string[]> dialogues) => Datasets.JoinLines(dialogues.Select(d => string.Join('\t', d)));

    private static (string Question, string Answer) QuestionAndAnswer(string kind, string greeting, Random rng)
    {
        switch (kind)
        {
            case "where":
                {
                    string o = Pick(Objects, rng);
                    return ($"where is my {o} ?", $"your {o} is {Pick(Preps, rng)} the {Pick(Furniture, rng)} .");
                }
            case "color":
                {
                    string o = Pick(Objects, rng);
                    return ($"what color is the {o} ?", $"the {o} is {Pick(Colors, rng)} .");
                }
            case "like":
                {
                    string f = Pick(Foods, rng);
                    return ($"do you like {f} ?", rng.Next(2) == 0 ? $"yes , i like {f} very much ." : $"no , i do not like {f} .");
                }
            case "howmany":
                {
                    string an = Pick(Animals, rng);
                    return ($"how many {an} do you have ?", $"i have {Pick(Numbers, rng)} {an} .");
                }
            case "doing":
                {
                    string ans = greeting switch
                    {
                        "good morning" => "i am eating breakfast .",
                        "good afternoon" => "i am eating lunch .",
                        "good evening" => "i am eating dinner .",
                        _ => $"i am {Pick(Activities, rng)} .",
                    };
                    return ("what are you doing now ?", ans);
                }
            default:
                return ("how are you ?", $"i am {Pick(Feelings, rng)} , thank you .");
        }
    }

    private static string Pick(IReadOnlyList<string> list, Random rng) => list[rng.Next(list.Count)];
}
