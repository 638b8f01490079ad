using System.Globalization;

namespace SeqCourse.Tests.Data;

public class DateDataTests
{
    [Fact]
    public void CommittedFilesMatchTheGenerator()
    {
        DataFiles.AssertPinned("dates/train.tsv", "f8aa028ec532fcb16e460d118631b7c9e48f02a269efc2e1317cf8fe9ac0129b");
        DataFiles.AssertPinned("dates/dev.tsv", "aa888d3bae91c76801772db6079c74d8c3c2527373481bcd4f95b8f521fb0799");
        DataFiles.AssertPinned("dates/test.tsv", "3d4b9568f70596908173b620cfbdbf999a7f09425b6875e859b62faf515a5733");
    }

    [Fact]
    public void TheTenFormatsOnTheSyllabusDate()
    {
        // 3 May 1979 was a Thursday (syllabus §5.3).
        var d = new DateTime(1979, 5, 3);
        for (int f = 0; f < DateData.FormatCount; f++)
            Assert.Equal(DateData.FormatExamples[f], DateData.Render(d, f));
        Assert.Equal("1979-05-03", DateData.Target(d));
    }

    [Fact]
    public void WeekdaysMatchKnownDates()
    {
        // Independent facts: the Moon landing (Sunday 20 July 1969), the ends of the range, a leap day.
        Assert.Equal("sunday, july 20, 1969", DateData.Render(new DateTime(1969, 7, 20), 3));
        Assert.Equal("sunday, january 1, 1950", DateData.Render(new DateTime(1950, 1, 1), 3));
        Assert.Equal("fri, 31 dec 2049", DateData.Render(new DateTime(2049, 12, 31), 8));
        Assert.Equal("tue, 29 feb 2000", DateData.Render(new DateTime(2000, 2, 29), 8));
    }

    [Fact]
    public void OrdinalsAreCorrectForEveryDay()
    {
        string[] expected =
        [
            "1st", "2nd", "3rd", "4th", "5th", "6th", "7th", "8th", "9th", "10th",
            "11th", "12th", "13th", "14th", "15th", "16th", "17th", "18th", "19th", "20th",
            "21st", "22nd", "23rd", "24th", "25th", "26th", "27th", "28th", "29th", "30th", "31st",
        ];
        for (int day = 1; day <= 31; day++)
        {
            Assert.Equal(expected[day - 1], day + DateData.OrdinalSuffix(day));
            var date = new DateTime(2001, 1, day);
            Assert.Equal($"{expected[day - 1]} of january 2001", DateData.Render(date, 4));
            Assert.Equal($"january {expected[day - 1]}, 2001", DateData.Render(date, 7));
        }
    }

    /// <summary>
    /// .NET's own parser, with format strings written independently of the generator, must read every input
    /// back to the target date. For the weekday formats ParseExact also rejects a wrong weekday.
    /// Ordinal suffixes are checked against the hand table and then removed before parsing.
    /// </summary>
    [Fact]
    public void EveryCommittedExampleRoundTripsThroughDateTime()
    {
        var culture = Culture;
        var formats = NetFormats;
        var ordinal = new System.Text.RegularExpressions.Regex(@"\b(\d{1,2})(st|nd|rd|th)\b");
        int n = 0;
        var formatsSeen = new HashSet<int>();
        foreach (var split in new[] { "train", "dev", "test" })
        {
            foreach (var e in DataFiles.Dates(split))
            {
                Assert.True(e.Input.Length <= DateData.Tx, e.Input);
                Assert.Equal(e.Input.ToLowerInvariant(), e.Input);
                var target = DateTime.ParseExact(e.Target, "yyyy-MM-dd", CultureInfo.InvariantCulture);
                Assert.InRange(target, new DateTime(1950, 1, 1), new DateTime(2049, 12, 31));
                var input = e.Input;
                var m = ordinal.Match(input);
                if (m.Success)
                {
                    int day = int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
                    string suffix = m.Groups[2].Value;
                    string want = day % 100 is 11 or 12 or 13 ? "th" : (day % 10) switch { 1 => "st", 2 => "nd", 3 => "rd", _ => "th" };
                    Assert.Equal(want, suffix);
                    input = ordinal.Replace(input, "$1");
                }
                int matched = -1;
                for (int f = 0; f < formats.Length && matched < 0; f++)
                    if (DateTime.TryParseExact(input, formats[f], culture, DateTimeStyles.None, out var parsed))
                    {
                        Assert.Equal(target, parsed);
                        matched = f;
                    }
                Assert.True(matched >= 0, $"'{e.Input}' matches none of the formats");
                formatsSeen.Add(matched);
                n++;
            }
        }
        Assert.Equal(12_000, n);
        // "d" also reads "03", so format 1 parses with format 0's string; 7 parses with 2's once the ordinal is gone.
        Assert.Equal(new[] { 0, 2, 3, 4, 5, 6, 8, 9 }, formatsSeen.Order().ToArray());
    }

    [Fact]
    public void EachFormatParsesWithItsOwnDotNetFormatString()
    {
        var rng = new Random(3);
        for (int i = 0; i < 300; i++)
        {
            var date = DateData.First.AddDays(rng.Next(36524));
            for (int f = 0; f < DateData.FormatCount; f++)
            {
                var input = System.Text.RegularExpressions.Regex.Replace(DateData.Render(date, f), @"(\d)(st|nd|rd|th)\b", "$1");
                Assert.Equal(date, DateTime.ParseExact(input, NetFormats[f], Culture));
            }
        }
        // The checker is strict about weekdays: 3 May 1979 was not a Friday.
        Assert.False(DateTime.TryParseExact("friday, may 3, 1979", NetFormats[3], Culture, DateTimeStyles.None, out _));
        Assert.Equal(36524, (DateData.Last - DateData.First).Days); // 100 years with 24 leap days (2000 is one)
    }

    /// <summary>The formats of <see cref="DateData.FormatExamples"/> in .NET's notation (ordinal suffix removed).</summary>
    private static readonly string[] NetFormats =
    [
        "d MMMM yyyy", "dd MMMM yyyy", "MMMM d, yyyy", "dddd, MMMM d, yyyy", "d 'of' MMMM yyyy",
        "yyyy MMMM d", "dd.MM.yyyy", "MMMM d, yyyy", "ddd, dd MMM yyyy", "dd/MM/yy",
    ];

    private static readonly CultureInfo Culture = MakeCulture();

    private static CultureInfo MakeCulture()
    {
        var culture = (CultureInfo)CultureInfo.InvariantCulture.Clone();
        culture.DateTimeFormat.Calendar.TwoDigitYearMax = 2049; // yy ≥ 50 → 19yy, as documented
        return culture;
    }

    [Fact]
    public void SplitsHaveTheSyllabusSizesAndNoRepeatedInput()
    {
        var train = DataFiles.Dates("train");
        var dev = DataFiles.Dates("dev");
        var test = DataFiles.Dates("test");
        Assert.Equal(10_000, train.Length);
        Assert.Equal(1_000, dev.Length);
        Assert.Equal(1_000, test.Length);
        var inputs = train.Concat(dev).Concat(test).Select(e => e.Input).ToArray();
        Assert.Equal(inputs.Length, inputs.Distinct().Count());
        Assert.Contains(train, e => e.Target.StartsWith("19", StringComparison.Ordinal));
        Assert.Contains(train, e => e.Target.StartsWith("20", StringComparison.Ordinal));
    }

    [Fact]
    public void EncodingRoundTripsAndPads()
    {
        var x = DateData.EncodeInput("3rd of May 1979");
        Assert.Equal(30, x.Length);
        Assert.Equal("3rd of may 1979", DateData.DecodeInput(x)); // lowercased
        Assert.All(x[15..], i => Assert.Equal(DateData.PadIndex, i));
        Assert.Equal(DateData.UnkIndex, DateData.EncodeInput("3 mai 1979!")[10]);
        Assert.Equal(43, DateData.InputVocab.Count);
        Assert.Equal("<pad>", DateData.InputVocab[0]);
        Assert.Equal("<unk>", DateData.InputVocab[1]);

        var y = DateData.EncodeTarget("1979-05-03");
        Assert.Equal(new[] { 1, 9, 7, 9, 10, 0, 5, 10, 0, 3 }, y);
        Assert.Equal("1979-05-03", DateData.DecodeTarget(y));
        Assert.Equal(11, DateData.OutputVocab.Count);
    }

    [Fact]
    public void OneHotBatchesHaveTheLectureShapes()
    {
        var batch = new[] { new DateExample("3 may 1979", "1979-05-03"), new DateExample("03/05/79", "1979-05-03") };
        var X = DateData.OneHotInputs(batch);
        var Y = DateData.OneHotTargets(batch);
        Assert.Equal(30, X.Length);
        Assert.Equal(10, Y.Length);
        Assert.All(X, x => { Assert.Equal(43, x.RowCount); Assert.Equal(2, x.ColumnCount); });
        Assert.All(Y, y => { Assert.Equal(11, y.RowCount); Assert.Equal(2, y.ColumnCount); });
        for (int t = 0; t < 30; t++)
            for (int j = 0; j < 2; j++)
                Assert.Equal(1.0, X[t].Column(j).Sum());
        Assert.Equal(1.0, X[0][DateData.InputVocab.ToList().IndexOf("3"), 0]);
        Assert.Equal(1.0, X[29][DateData.PadIndex, 1]);
        Assert.Equal(1.0, Y[4][10, 0]); // "-"
        Assert.Equal(1.0, Y[9][3, 1]);  // the last "3"
        Assert.Equal(DateData.EncodeInput("03/05/79"), DateData.InputIndices(batch)[1]);
        Assert.Equal(DateData.EncodeTarget("1979-05-03"), DateData.TargetIndices(batch)[0]);
    }

    [Fact]
    public void BadInputNamesTheArgument()
    {
        var ex = Assert.Throws<ArgumentException>(() => DateData.EncodeInput(new string('a', 31)));
        Assert.Equal("input", ex.ParamName);
        Assert.Contains("31", ex.Message);
        Assert.Equal("target", Assert.Throws<ArgumentException>(() => DateData.EncodeTarget("1979-5-3")).ParamName);
        Assert.Equal("target", Assert.Throws<ArgumentException>(() => DateData.EncodeTarget("1979/05/03")).ParamName);
        Assert.Equal("day", Assert.Throws<ArgumentException>(() => DateData.OrdinalSuffix(32)).ParamName);
        Assert.Equal("format", Assert.Throws<ArgumentException>(() => DateData.Render(new DateTime(1979, 5, 3), 10)).ParamName);
        Assert.Equal("date", Assert.Throws<ArgumentException>(() => DateData.Render(new DateTime(1949, 12, 31), 0)).ParamName);
        Assert.Equal("indices", Assert.Throws<ArgumentException>(() => DateData.DecodeTarget([11])).ParamName);
        Assert.Equal("sequences", Assert.Throws<ArgumentException>(() => DataEncoding.OneHot([[0, 1], [0]], 3)).ParamName);
        Assert.Equal("sequences", Assert.Throws<ArgumentException>(() => DataEncoding.OneHot([[0, 3]], 3)).ParamName);
        Assert.Equal("examples", Assert.Throws<ArgumentException>(() => DateData.OneHotInputs([])).ParamName);
    }
}
