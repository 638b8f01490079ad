using MathNet.Numerics.LinearAlgebra;

namespace SeqCourse;

/// <summary>
/// Syllabus §5.3: human-written dates → ISO dates, for the attention notebook.
/// Dates are uniform over 1950-01-01 … 2049-12-31 and rendered in one of ten authored formats;
/// weekdays come from the calendar, ordinals follow English (1st, 2nd, 3rd, 4th … 11th, 12th, 13th … 21st,
/// 22nd, 23rd … 31st). Numeric formats are always day first ("03.05.1979" and "03/05/79" are 3 May 1979;
/// a two-digit year yy means 19yy for yy ≥ 50 and 20yy otherwise, which is unambiguous in this range).
/// The input is lowercased characters padded with <c>&lt;pad&gt;</c> to T_x = 30; the output is the ten
/// characters of "YYYY-MM-DD" over 11 symbols (0–9 and "-"), T_y = 10.
/// </summary>
public static class DateData
{
    /// <summary>The seed of the committed <c>datasets/dates/</c> files.</summary>
    public const int DefaultSeed = 503;

    /// <summary>Input length T_x (inputs are padded to it; longer inputs are rejected).</summary>
    public const int Tx = 30;

    /// <summary>Output length T_y ("YYYY-MM-DD").</summary>
    public const int Ty = 10;

    /// <summary>First and last date of the range.</summary>
    public static readonly DateTime First = new(1950, 1, 1), Last = new(2049, 12, 31);

    /// <summary>Month names, index 0 = January.</summary>
    public static IReadOnlyList<string> Months { get; } =
        ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november", "december"];

    /// <summary>Weekday names, index 0 = Sunday (as <see cref="DayOfWeek"/>).</summary>
    public static IReadOnlyList<string> Weekdays { get; } =
        ["sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"];

    /// <summary>
    /// The ten formats, shown on 3 May 1979 (a Thursday). Index = the <c>format</c> argument of <see cref="Render(DateTime, int)"/>.
    /// </summary>
    public static IReadOnlyList<string> FormatExamples { get; } =
    [
        "3 may 1979", "03 may 1979", "may 3, 1979", "thursday, may 3, 1979", "3rd of may 1979",
        "1979 may 3", "03.05.1979", "may 3rd, 1979", "thu, 03 may 1979", "03/05/79",
    ];

    /// <summary>Number of formats (10).</summary>
    public static int FormatCount => FormatExamples.Count;

    /// <summary>The input symbols: index 0 = <c>&lt;pad&gt;</c>, 1 = <c>&lt;unk&gt;</c>, then space , . / - 0–9 a–z (43 in all).</summary>
    public static IReadOnlyList<string> InputVocab { get; } = BuildInputVocab();

    /// <summary>Index of <c>&lt;pad&gt;</c> in <see cref="InputVocab"/>.</summary>
    public const int PadIndex = 0;

    /// <summary>Index of <c>&lt;unk&gt;</c> in <see cref="InputVocab"/>.</summary>
    public const int UnkIndex = 1;

    /// <summary>The 11 output symbols: "0"…"9" (indices 0–9) and "-" (index 10).</summary>
    public static IReadOnlyList<string> OutputVocab { get; } = ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "-"];

    /// <summary>English ordinal suffix: "st", "nd", "rd" or "th" (11, 12, 13 take "th").</summary>
    public static string OrdinalSuffix(int day)
    {
        if (day < 1 || day > 31) throw new ArgumentException($"day must be in [1, 31] but is {day}.", nameof(day));
        if (day % 100 is 11 or 12 or 13) return "th";
        return (day % 10) switch { 1 => "st", 2 => "nd", 3 => "rd", _ => "th" };
    }

    /// <summary>Writes <paramref name="date"/> in format <paramref name="format"/> (see <see cref="FormatExamples"/>), lowercase.</summary>
    public static string Render(DateTime date, int format)
    {
        Guard.Index(format, FormatCount, nameof(format));
        if (date.Date < First || date.Date > Last)
            throw new ArgumentException($"date must be in [{First:yyyy-MM-dd}, {Last:yyyy-MM-dd}] but is {date:yyyy-MM-dd}.", nameof(date));
        int d = date.Day, y = date.Year;
        string month = Months[date.Month - 1], mon = month[..3];
        string weekday = Weekdays[(int)date.DayOfWeek], wk = weekday[..3];
        string dd = d.ToString("00"), mm = date.Month.ToString("00"), ord = d + OrdinalSuffix(d);
        return format switch
        {
            0 => $"{d} {month} {y}",
            1 => $"{dd} {month} {y}",
            2 => $"{month} {d}, {y}",
            3 => $"{weekday}, {month} {d}, {y}",
            4 => $"{ord} of {month} {y}",
            5 => $"{y} {month} {d}",
            6 => $"{dd}.{mm}.{y}",
            7 => $"{month} {ord}, {y}",
            8 => $"{wk}, {dd} {mon} {y}",
            _ => $"{dd}/{mm}/{(y % 100):00}",
        };
    }

    /// <summary>The target string "YYYY-MM-DD".</summary>
    public static string Target(DateTime date) =>
        $"{date.Year:0000}-{date.Month:00}-{date.Day:00}";

    /// <summary>
    /// Draws <paramref name="train"/> + <paramref name="dev"/> + <paramref name="test"/> examples: a uniform day of
    /// the range and a uniform format each; an input string is never repeated, so the splits are disjoint.
    /// </summary>
    public static (DateExample[] Train, DateExample[] Dev, DateExample[] Test) Generate(
        int seed = DefaultSeed, int train = 10_000, int dev = 1_000, int test = 1_000)
    {
        Guard.Positive(train, nameof(train));
        if (dev < 0) throw new ArgumentException($"dev must be >= 0 but is {dev}.", nameof(dev));
        if (test < 0) throw new ArgumentException($"test must be >= 0 but is {test}.", nameof(test));
        int days = (Last - First).Days + 1;
        if (train + dev + test > days * FormatCount / 2)
            throw new ArgumentException(
                $"train + dev + test must be <= {days * FormatCount / 2} (half the distinct inputs) but is {train + dev + test}.", nameof(train));

        var rng = new Random(seed);
        var seen = new HashSet<string>();
        var all = new List<DateExample>(train + dev + test);
        while (all.Count < train + dev + test)
        {
            var date = First.AddDays(rng.Next(days));
            var input = Render(date, rng.Next(FormatCount));
            if (seen.Add(input)) all.Add(new DateExample(input, Target(date)));
        }
        return (all.GetRange(0, train).ToArray(), all.GetRange(train, dev).ToArray(), all.GetRange(train + dev, test).ToArray());
    }

    /// <summary>The file contents: "input&lt;TAB&gt;target" per line, LF line ends.</summary>
    public static string Render(IEnumerable<DateExample> examples) =>
        Datasets.JoinLines(examples.Select(e => $"{e.Input}\t{e.Target}"));

    // ---------------------------------------------------------------- encoding

    /// <summary>
    /// Input indices of length T_x: the lowercased characters of <paramref name="input"/> looked up in
    /// <see cref="InputVocab"/> (unknown → <see cref="UnkIndex"/>), then <see cref="PadIndex"/> up to 30.
    /// </summary>
    public static int[] EncodeInput(string input)
    {
        Guard.NotNull(input, nameof(input));
        if (input.Length > Tx)
            throw new ArgumentException($"input must have at most {Tx} characters but has {input.Length} (\"{input}\").", nameof(input));
        var idx = new int[Tx];
        var lower = input.ToLowerInvariant();
        for (int t = 0; t < lower.Length; t++)
            idx[t] = InputIndex.TryGetValue(lower[t], out int k) ? k : UnkIndex;
        return idx; // the rest stays 0 = <pad>
    }

    /// <summary>Output indices of length T_y for a target "YYYY-MM-DD" (digit d → d, "-" → 10).</summary>
    public static int[] EncodeTarget(string target)
    {
        Guard.NotNull(target, nameof(target));
        if (target.Length != Ty)
            throw new ArgumentException($"target must have {Ty} characters (YYYY-MM-DD) but has {target.Length} (\"{target}\").", nameof(target));
        var idx = new int[Ty];
        for (int t = 0; t < Ty; t++)
        {
            char c = target[t];
            idx[t] = c is >= '0' and <= '9' ? c - '0'
                : c == '-' ? 10
                : throw new ArgumentException($"target must contain only 0-9 and '-' but target[{t}] = '{c}'.", nameof(target));
        }
        return idx;
    }

    /// <summary>The string of output indices (inverse of <see cref="EncodeTarget"/>); any length.</summary>
    public static string DecodeTarget(IReadOnlyList<int> indices)
    {
        Guard.NotNull(indices, nameof(indices));
        var chars = new char[indices.Count];
        for (int t = 0; t < chars.Length; t++)
        {
            if (indices[t] < 0 || indices[t] >= OutputVocab.Count)
                throw new ArgumentException($"indices[{t}] must be in [0, {OutputVocab.Count - 1}] but is {indices[t]}.", nameof(indices));
            chars[t] = OutputVocab[indices[t]][0];
        }
        return new string(chars);
    }

    /// <summary>The input text of indices, stopping at the first <c>&lt;pad&gt;</c>; <c>&lt;unk&gt;</c> shows as '?'.</summary>
    public static string DecodeInput(IReadOnlyList<int> indices)
    {
        Guard.NotNull(indices, nameof(indices));
        var sb = new System.Text.StringBuilder();
        for (int t = 0; t < indices.Count && indices[t] != PadIndex; t++)
        {
            if (indices[t] < 0 || indices[t] >= InputVocab.Count)
                throw new ArgumentException($"indices[{t}] must be in [0, {InputVocab.Count - 1}] but is {indices[t]}.", nameof(indices));
            sb.Append(indices[t] == UnkIndex ? "?" : InputVocab[indices[t]]);
        }
        return sb.ToString();
    }

    /// <summary>Input index arrays of a batch (m arrays of length T_x), e.g. for an embedding layer.</summary>
    public static int[][] InputIndices(IReadOnlyList<DateExample> examples)
    {
        NotEmpty(examples, nameof(examples));
        return examples.Select(e => EncodeInput(e.Input)).ToArray();
    }

    /// <summary>Target index arrays of a batch (m arrays of length T_y).</summary>
    public static int[][] TargetIndices(IReadOnlyList<DateExample> examples)
    {
        NotEmpty(examples, nameof(examples));
        return examples.Select(e => EncodeTarget(e.Target)).ToArray();
    }

    /// <summary>One-hot inputs of a batch: T_x = 30 matrices of shape (43, m); padding steps are one-hot on &lt;pad&gt;.</summary>
    public static Matrix<double>[] OneHotInputs(IReadOnlyList<DateExample> examples)
    {
        NotEmpty(examples, nameof(examples));
        return DataEncoding.OneHot(InputIndices(examples), InputVocab.Count);
    }

    /// <summary>One-hot targets of a batch: T_y = 10 matrices of shape (11, m).</summary>
    public static Matrix<double>[] OneHotTargets(IReadOnlyList<DateExample> examples)
    {
        NotEmpty(examples, nameof(examples));
        return DataEncoding.OneHot(TargetIndices(examples), OutputVocab.Count);
    }

    private static void NotEmpty<T>(IReadOnlyList<T> list, string name)
    {
        Guard.NotNull(list, name);
        if (list.Count == 0) throw new ArgumentException($"{name} must contain at least one example but is empty.", name);
    }

    private static readonly Dictionary<char, int> InputIndex =
        InputVocab.Select((s, i) => (s, i)).Where(p => p.s.Length == 1).ToDictionary(p => p.s[0], p => p.i);

    private static string[] BuildInputVocab()
    {
        var v = new List<string> { "<pad>", "<unk>", " ", ",", ".", "/", "-" };
        for (char c = '0'; c <= '9'; c++) v.Add(c.ToString());
        for (char c = 'a'; c <= 'z'; c++) v.Add(c.ToString());
        return v.ToArray();
    }
}
