using SeqCourse.Tests.Rnn;

namespace SeqCourse.Tests.Text;

public class VocabularyTests
{
    private static readonly string[] Sentences =
    [
        "The cat sat on the mat.", "A dog ran in the park.", "The cat ate the fish.", "Cats and dogs play.",
        "The mat was red.", "A bird sang at dawn.", "The dog sat down.", "Fish swim in the lake.",
        "The park was quiet.", "A cat sang?",
    ];

    [Fact]
    public void WordTokenisationLowercasesAndSplitsPunctuation()
    {
        Assert.Equal(["the", "cat", ",", "sat", "."], Tokenizer.Words("The cat, sat."));
        Assert.Equal(["don't", "stop", "!"], Tokenizer.Words("Don't  stop!"));
        Assert.Equal(["a", "b", "\n"], Tokenizer.Characters("ab\n"));
    }

    [Fact]
    public void BuildWithMinCountAndUnknownTokens()
    {
        var tokens = Sentences.SelectMany(Tokenizer.Words).ToArray();
        var vocab = Vocabulary.Build(tokens, minCount: 2);
        Assert.Equal(Vocabulary.Eos, vocab[0]);
        Assert.Equal(Vocabulary.Unk, vocab[1]);
        Assert.Equal(1, vocab.UnkIndex); Assert.Equal(0, vocab.EosIndex);
        Assert.True(vocab.Contains("the")); Assert.True(vocab.Contains("cat"));
        Assert.False(vocab.Contains("bird"));                           // seen once
        Assert.Equal(vocab.UnkIndex, vocab.IndexOf("bird"));
        Assert.Equal(vocab.UnkIndex, vocab.IndexOf("zebra"));
        var enc = vocab.Encode(["the", "zebra", "sat"], appendEos: true);
        Assert.Equal(["the", Vocabulary.Unk, "sat", Vocabulary.Eos], vocab.Decode(enc));
        // every token with count ≥ 2 is in, in ordinal order after the specials
        var expected = tokens.GroupBy(t => t).Where(gr => gr.Count() >= 2).Select(gr => gr.Key).OrderBy(k => k, StringComparer.Ordinal);
        Assert.Equal(expected, vocab.Tokens.Skip(2));
    }

    [Fact]
    public void UnknownTokenWithoutUnkThrowsNamingTheToken()
    {
        var chars = Vocabulary.Characters(["abba", "cab"]);
        Assert.Equal(["\n", "a", "b", "c"], chars.Tokens);
        Assert.Null(chars.UnkIndex);
        Assert.Equal(0, chars.EosIndex);
        var ex = Assert.Throws<ArgumentException>(() => chars.Encode(Tokenizer.Characters("abz")));
        Assert.Equal("token", ex.ParamName);
        Assert.Contains("'z'", ex.Message); Assert.Contains("<UNK>", ex.Message);
        ex = Assert.Throws<ArgumentException>(() => chars.Decode([0, 7]));
        Assert.Contains("[0, 3]", ex.Message); Assert.Contains("7", ex.Message);
        Assert.Throws<ArgumentException>(() => Vocabulary.FromTokens(["a", "a"]));
    }

    [Fact]
    public void OneHotEncodesTenSentencesWithAMask()
    {
        // §1.1 notebook: ten sentences as (n_v, m, T_x) with a mask.
        var tokenised = Sentences.Select(Tokenizer.Words).ToArray();
        var vocab = Vocabulary.Build(tokenised.SelectMany(s => s));
        var batch = OneHot.Encode(tokenised, vocab, appendEos: true);
        int Tmax = tokenised.Max(s => s.Length) + 1;
        Assert.Equal(Tmax, batch.T);
        Assert.Equal(10, batch.M);
        Assert.All(batch.X, x => Assert.Equal((vocab.Count, 10), (x.RowCount, x.ColumnCount)));
        for (int i = 0; i < 10; i++)
        {
            int len = tokenised[i].Length + 1;
            Assert.Equal(len, batch.Lengths[i]);
            for (int t = 0; t < Tmax; t++)
            {
                double colSum = batch.X[t].Column(i).Sum();
                Assert.Equal(t < len ? 1.0 : 0.0, colSum);
                Assert.Equal(t < len ? 1.0 : 0.0, batch.Mask[t][0, i]);
            }
            Assert.Equal(1.0, batch.X[0][vocab.IndexOf(tokenised[i][0]), i]);
            Assert.Equal(1.0, batch.X[len - 1][vocab.EosIndex!.Value, i]);
        }
        var targets = batch.Targets();
        Assert.Equal(-1, targets[Tmax - 1].Min());   // some sentence is shorter than the longest
    }

    [Fact]
    public void OneHotRejectsEmptyAndOutOfRange()
    {
        var ex = Assert.Throws<ArgumentException>(() => OneHot.Encode([[1, 2], []], 5));
        Assert.Equal("sequences", ex.ParamName); Assert.Contains("sequences[1]", ex.Message); Assert.Contains("empty", ex.Message);
        ex = Assert.Throws<ArgumentException>(() => OneHot.Encode([[1, 9]], 5));
        Assert.Contains("[0, 4]", ex.Message); Assert.Contains("9", ex.Message);
        ex = Assert.Throws<ArgumentException>(() => OneHot.Encode(Array.Empty<int[]>(), 5));
        Assert.Equal("sequences", ex.ParamName);
    }
}

public class SamplingTests
{
    [Theory]
    [InlineData(0.5, 0.8668133, 0.1173104, 0.01587624)]
    [InlineData(1.0, 0.6652410, 0.2447285, 0.09003057)]
    [InlineData(2.0, 0.5064804, 0.3071959, 0.1863237)]
    public void TemperatureTableAndChiSquareOnDraws(double tau, double p1, double p2, double p3)
    {
        // §3.6, z = (2, 1, 0)
        double[] z = [2, 1, 0];
        var p = Sampling.Probabilities(z, tau);
        Assert.Equal(p1, p[0], 7); Assert.Equal(p2, p[1], 7); Assert.Equal(p3, p[2], 7);

        const int N = 100_000;
        var rng = new Random(1234);
        var counts = new int[3];
        for (int n = 0; n < N; n++) counts[Sampling.Sample(z, tau, rng)]++;
        double chi2 = 0;
        double[] expected = [p1, p2, p3];
        for (int i = 0; i < 3; i++) chi2 += Math.Pow(counts[i] - N * expected[i], 2) / (N * expected[i]);
        // 2 degrees of freedom: P(χ² > 13.82) = 0.001
        Assert.True(chi2 < 13.82, $"χ² = {chi2:F2}, counts {string.Join(", ", counts)}");
    }

    [Fact]
    public void SmallestIndexWhoseCumulativeProbabilityExceedsU()
    {
        double[] p = [0.2, 0.5, 0.3];
        Assert.Equal(0, Sampling.SampleFromProbabilities(p, new FixedRandom(0.0)));
        Assert.Equal(0, Sampling.SampleFromProbabilities(p, new FixedRandom(0.19)));
        Assert.Equal(1, Sampling.SampleFromProbabilities(p, new FixedRandom(0.2)));   // 0.2 does not exceed 0.2
        Assert.Equal(1, Sampling.SampleFromProbabilities(p, new FixedRandom(0.69)));
        Assert.Equal(2, Sampling.SampleFromProbabilities(p, new FixedRandom(0.7)));
        Assert.Equal(2, Sampling.SampleFromProbabilities(p, new FixedRandom(0.999999)));
        Assert.Equal(1, Sampling.SampleFromProbabilities([0.0, 1.0, 0.0], new FixedRandom(0.0)));
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(-1.0)]
    [InlineData(double.NaN)]
    public void TemperatureMustBePositive(double tau)
    {
        var ex = Assert.Throws<ArgumentException>(() => Sampling.Sample([1.0, 2.0], tau, new Random(1)));
        Assert.Equal("temperature", ex.ParamName);
        Assert.Contains("> 0", ex.Message);
        Assert.Contains(tau.ToString(System.Globalization.CultureInfo.InvariantCulture), ex.Message);
    }

    [Fact]
    public void BadDistributionsAreRejected()
    {
        var ex = Assert.Throws<ArgumentException>(() => Sampling.SampleFromProbabilities([0.5, 0.6], new Random(1)));
        Assert.Contains("sum to 1", ex.Message); Assert.Contains("1.1", ex.Message);
        ex = Assert.Throws<ArgumentException>(() => Sampling.Sample([1.0, double.NaN], 1.0, new Random(1)));
        Assert.Equal("logits", ex.ParamName); Assert.Contains("logits[1]", ex.Message);
    }

    [Fact]
    public void PerplexityOfUniformModelIsVocabularySize()
    {
        Assert.Equal(27.0, Sampling.Perplexity(10 * Math.Log(27), 10), 10);
        Assert.Throws<ArgumentException>(() => Sampling.Perplexity(1.0, 0));
    }
}

public class CharLanguageModelTests
{
    /// <summary>~50 invented names from a syllable grammar (§5.1 style), fixed seed; no real list is copied.</summary>
    internal static string[] InventedNames(int count = 50, int seed = 7)
    {
        string[] onsets = ["b", "br", "d", "k", "kr", "m", "p", "s", "st", "t", "tr", "v", "z"];
        string[] nuclei = ["a", "e", "i", "o", "u", "ae", "io"];
        string[] codas = ["n", "r", "s", "x", ""];
        string[] endings = ["saurus", "raptor", "don", "ceratops", "mimus", "venator", "titan", "odon", "nyx", "lophus", "pteryx"];
        var rng = new Random(seed);
        var names = new List<string>();
        var seen = new HashSet<string>();
        while (names.Count < count)
        {
            var s = string.Concat(Enumerable.Range(0, 1 + rng.Next(2)).Select(_ =>
                onsets[rng.Next(onsets.Length)] + nuclei[rng.Next(nuclei.Length)] + codas[rng.Next(codas.Length)]));
            var name = s + endings[rng.Next(endings.Length)];
            if (name.Length is >= 6 and <= 20 && seen.Add(name)) names.Add(name);
        }
        return names.ToArray();
    }

    [Fact]
    public void LossAndGradientsPassGradientCheck()
    {
        var names = InventedNames(10);
        var vocab = Vocabulary.Characters(names);
        var lm = new CharLanguageModel(vocab, 6, new Random(3), initStd: 0.3);
        var y = lm.Encode(names[0]);
        Assert.Equal(names[0].Length + 1, y.Length);
        Assert.Equal(lm.EosIndex, y[^1]);
        var (J, grads) = lm.LossAndGradients(y);
        Assert.Equal(J, lm.Loss(y), 14);
        H.AssertGradients(() => lm.Loss(y), lm.Parameters, grads);
        // reused input buffers must not leak between sequences of different lengths
        var y2 = lm.Encode(names[1]);
        var fresh = new CharLanguageModel(vocab, lm.Parameters);
        Assert.Equal(fresh.Loss(y2), lm.Loss(y2), 14);
        Assert.Equal(J, lm.Loss(y), 14);
    }

    [Fact]
    public void TeacherForcingInputsAreZeroThenPreviousTarget()
    {
        // With W_aa = 0 the state at t depends only on x⟨t⟩, so the loss can be recomputed step by step by hand.
        var vocab = Vocabulary.Characters(["ab"]);   // \n, a, b
        var rng = new Random(4);
        var p = RnnParameters.Create(3, 4, 3, rng, 0.7);
        p.Waa.Clear();
        var lm = new CharLanguageModel(vocab, p);
        var y = lm.Encode("ab");   // a, b, \n
        double expected = 0; int prev = -1;
        foreach (var k in y)
        {
            var x = prev < 0 ? Init.Zeros(3, 1) : OneHot.Vector(prev, 3);
            var (a, _) = RnnCell.Forward(x, Init.Zeros(4, 1), p);
            expected -= Math.Log(Activations.Softmax(RnnCell.Output(a, p))[k, 0]);
            prev = k;
        }
        Assert.Equal(expected, lm.Loss(y), 13);
    }

    [Fact]
    public void TrainsOnInventedNamesBelowStatedLoss()
    {
        // Fixed seed, Adam(0.01), clip 5, one name per step: the mean loss per name over the 50 names starts at
        // ≈ 34 (≈ 11 characters per name, a bit under ln 27 each) and must fall below 10 within 1500 steps (≈ 30
        // passes over the names; it reaches ≈ 6.3), with perplexity below 2.5.
        var names = InventedNames();
        var vocab = Vocabulary.Characters(names);
        var lm = new CharLanguageModel(vocab, 32, new Random(1));
        var data = names.Select(lm.Encode).ToArray();
        double MeanLoss() => data.Average(lm.Loss);
        double before = MeanLoss();
        var opt = new Adam(0.01);
        var order = new Random(2);
        for (int step = 0; step < 1500; step++) lm.TrainStep(data[order.Next(data.Length)], opt, 5.0);
        double after = MeanLoss();
        Assert.True(before > 30, $"initial loss {before}");
        Assert.True(after < 10, $"loss {before:F2} → {after:F2}");
        Assert.True(lm.Perplexity(data) < 2.5, $"perplexity {lm.Perplexity(data)}");
        var rng = new Random(9);
        var samples = Enumerable.Range(0, 10).Select(_ => lm.SampleText(rng, 0.5)).ToArray();
        Assert.All(samples, s => Assert.True(s.Length <= 50 && s.All(c => vocab.Contains(c.ToString()))));
        // at τ = 0.5 the model has learnt the grammar's Greek/Latin endings
        string[] endings = ["saurus", "raptor", "don", "ceratops", "mimus", "venator", "titan", "odon", "nyx", "lophus", "pteryx"];
        Assert.True(samples.Count(s => endings.Any(s.EndsWith)) >= 7, string.Join(", ", samples));
    }

    [Fact]
    public void GenerateSequenceFeedsEachSampleBack()
    {
        // Reference: the §1.5 loop written out with the cell, x⟨1⟩ = 0 and x⟨t+1⟩ = o_{y⟨t⟩}, same generator seed.
        var p = RnnParameters.Create(5, 7, 5, new Random(6), 1.0);
        p.by[0, 0] = -30;   // the end token (0) is never drawn: all 30 steps feed back
        var got = Sampling.GenerateSequence(p, 0, new Random(11), 1.0, 30);
        var r = new Random(11);
        var a = Init.Zeros(7, 1); var x = Init.Zeros(5, 1);
        var expected = new List<int>();
        while (expected.Count < 30)
        {
            (a, _) = RnnCell.Forward(x, a, p);
            int k = Sampling.Sample(RnnCell.Output(a, p).Column(0).ToArray(), 1.0, r);
            expected.Add(k);
            if (k == 0) break;
            x = OneHot.Vector(k, 5);
        }
        Assert.Equal(expected, got);
        Assert.Equal(30, got.Length);
    }

    [Fact]
    public void GenerationStopsAtEosOrFiftyTokens()
    {
        var vocab = Vocabulary.Characters(["ab"]);   // \n = 0
        var rng = new Random(5);
        var p = RnnParameters.Create(3, 4, 3, rng, 0.1);
        p.by[0, 0] = 50;   // the model is sure the next symbol is the newline
        Assert.Equal([0], Sampling.GenerateSequence(p, 0, rng));
        p.by[0, 0] = -50;  // ... never the newline
        var never = Sampling.GenerateSequence(p, 0, rng);
        Assert.Equal(50, never.Length);
        Assert.DoesNotContain(0, never);
        var lm = new CharLanguageModel(vocab, p);
        Assert.Equal(50, lm.SampleText(rng).Length);
        var ex = Assert.Throws<ArgumentException>(() => lm.SampleText(rng, 0));
        Assert.Equal("temperature", ex.ParamName);
    }

    [Fact]
    public void BadInputIsReported()
    {
        var vocab = Vocabulary.Characters(["ab"]);
        var lm = new CharLanguageModel(vocab, 4, new Random(1));
        var ex = Assert.Throws<ArgumentException>(() => lm.Encode("abc"));
        Assert.Contains("'c'", ex.Message);
        ex = Assert.Throws<ArgumentException>(() => lm.Loss([]));
        Assert.Equal("y", ex.ParamName); Assert.Contains("empty", ex.Message);
        ex = Assert.Throws<ArgumentException>(() => lm.Loss([1, 3]));
        Assert.Contains("y[1]", ex.Message); Assert.Contains("[0, 2]", ex.Message);
        ex = Assert.Throws<ArgumentException>(() => new CharLanguageModel(vocab, RnnParameters.Create(4, 4, 4, new Random(1))));
        Assert.Equal("parameters", ex.ParamName); Assert.Contains("3", ex.Message); Assert.Contains("4", ex.Message);
    }
}

public class WordLanguageModelTests
{
    [Fact]
    public void WordLevelModelUsesUnkAndEos()
    {
        string[] corpus = ["the cat sat on the mat", "the dog sat on the log", "a cat ate the fish", "the dog ate a bone"];
        var sentences = corpus.Select(Tokenizer.Words).ToArray();
        var vocab = Vocabulary.Build(sentences.SelectMany(s => s), minCount: 2);
        var lm = new CharLanguageModel(vocab, 8, new Random(3), initStd: 0.3) { TokenSeparator = " " };
        Assert.Equal(vocab.EosIndex, lm.EosIndex);
        var y = lm.Encode(Tokenizer.Words("the zebra sat"));
        Assert.Equal([vocab.IndexOf("the"), vocab.UnkIndex!.Value, vocab.IndexOf("sat"), vocab.EosIndex!.Value], y);
        var (_, grads) = lm.LossAndGradients(y);
        H.AssertGradients(() => lm.Loss(y), lm.Parameters, grads);
        var text = lm.SampleText(new Random(1), 1.0, 6);
        Assert.All(text.Split(' '), w => Assert.True(vocab.Contains(w), w));
    }
}
