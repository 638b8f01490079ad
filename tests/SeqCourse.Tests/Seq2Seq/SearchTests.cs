namespace SeqCourse.Tests.Seq2Seq;

public class SearchTests
{
    private const int Eos = 0, Start = -1;

    /// <summary>A deterministic random conditional LM: the next-token distribution depends on the whole prefix (the state).</summary>
    private static DecoderStep<int[]> Model(int vocab, int seed, double peak = 1.5)
    {
        return (prefix, last) =>
        {
            var state = last == Start ? prefix : prefix.Append(last).ToArray();
            int h = seed;
            foreach (var k in state) h = unchecked(h * 31 + k + 7);
            var rng = new Random(h);
            var z = Enumerable.Range(0, vocab).Select(_ => peak * Init.StandardNormal(rng)).ToArray();
            return (Activations.Softmax(z).Select(v => Math.Log(v)).ToArray(), state);
        };
    }

    /// <summary>The §3.8 example: vocabulary (EOS, A, B, C); after two tokens EOS is certain.</summary>
    private static (double[], int[]) LectureStep(int[] prefix, int last)
    {
        var state = last == Start ? prefix : prefix.Append(last).ToArray();
        double[] p = state.Length switch
        {
            0 => new[] { 0.1, 0.5, 0.4, 0.0 },                                   // P(A) = 0.5, P(B) = 0.4, P(EOS) = 0.1
            1 when state[0] == 1 => new[] { 0.3, 0.2, 0.1, 0.4 },                 // after A the best is C, 0.4
            1 when state[0] == 2 => new[] { 0.05, 0.03, 0.02, 0.9 },              // after B the best is C, 0.9
            _ => new[] { 1.0, 0.0, 0.0, 0.0 },
        };
        return (p.Select(v => Math.Log(v)).ToArray(), state);
    }

    [Fact]
    public void GreedyVsBeamOnTheLectureExample()
    {
        var g = Search.GreedyDecode<int[]>(LectureStep, Array.Empty<int>(), Start, Eos, maxLength: 5);
        Assert.Equal(new[] { 1, 3, Eos }, g.Tokens);
        Assert.Equal(0.20, Math.Exp(g.LogProbability), 14);
        Assert.True(g.Finished);
        var beams = Search.BeamSearch<int[]>(LectureStep, Array.Empty<int>(), Start, Eos, beamWidth: 2, maxLength: 5);
        Assert.Equal(new[] { 2, 3, Eos }, beams[0].Tokens);
        Assert.Equal(0.36, Math.Exp(beams[0].LogProbability), 14);
        Assert.Equal(new[] { 2, 3 }, beams[0].Content(Eos));
        Assert.Equal(new[] { 1, 3, Eos }, beams[1].Tokens);   // the n-best list keeps the runner-up
        var one = Search.BeamSearch<int[]>(LectureStep, Array.Empty<int>(), Start, Eos, beamWidth: 1, maxLength: 5);
        Assert.Equal(g.Tokens, one[0].Tokens);
    }

    [Fact]
    public void NormalizedScoreExampleFromSyllabus()
    {
        double a = Math.Log(0.5) + Math.Log(0.4);
        double b = 4 * Math.Log(0.6);
        Assert.Equal(-1.6094379, a, 7);
        Assert.Equal(-2.0433025, b, 7);
        Assert.Equal(-0.9907252, Search.NormalizedScore(a, 2), 7);
        Assert.Equal(-0.7742669, Search.NormalizedScore(b, 4), 7);
        Assert.Equal(-0.7742669, Search.NormalizedScore(new[] { Math.Log(0.6), Math.Log(0.6), Math.Log(0.6), Math.Log(0.6) }), 7);
        Assert.Equal(a, Search.NormalizedScore(a, 2, alpha: 0), 15);
        Assert.Equal(a / 2, Search.NormalizedScore(a, 2, alpha: 1), 15);
    }

    [Fact]
    public void LengthNormalisationChangesTheWinnerInBeamSearch()
    {
        // First token: EOS 0.45 (a one-token output), X 0.55; then X continues with 0.6 three times and ends.
        (double[], int[]) Step(int[] prefix, int last)
        {
            var s = last == Start ? prefix : prefix.Append(last).ToArray();
            double[] p = s.Length == 0 ? new[] { 0.45, 0.55 } : s.Length < 4 ? new[] { 0.4, 0.6 } : new[] { 1.0, 0.0 };
            return (p.Select(v => Math.Log(v)).ToArray(), s);
        }
        var raw = Search.BeamSearch<int[]>(Step, Array.Empty<int>(), Start, Eos, 3, 6, alpha: 0);
        Assert.Equal(new[] { Eos }, raw[0].Tokens);              // the short output wins the raw score
        var norm = Search.BeamSearch<int[]>(Step, Array.Empty<int>(), Start, Eos, 3, 6, alpha: 1);
        Assert.True(norm[0].Tokens.Length > 1);
        Assert.True(norm[0].NormalizedScore > Search.NormalizedScore(Math.Log(0.45), 1, 1));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    public void BeamWidthOneEqualsGreedy(int seed)
    {
        var step = Model(6, seed);
        var g = Search.GreedyDecode(step, Array.Empty<int>(), Start, Eos, maxLength: 8);
        var b = Search.BeamSearch(step, Array.Empty<int>(), Start, Eos, beamWidth: 1, maxLength: 8);
        Assert.Single(b);
        Assert.Equal(g.Tokens, b[0].Tokens);
        Assert.Equal(g.LogProbability, b[0].LogProbability, 14);
        Assert.Equal(g.Finished, b[0].Finished);
        Assert.Equal(g.LogProbability, Search.SequenceLogProbability(step, Array.Empty<int>(), Start, g.Tokens), 14);
    }

    /// <summary>Every output: sequences that end at the first EOS within maxLength, or reach maxLength without one.</summary>
    private static List<Hypothesis> Exhaustive(DecoderStep<int[]> step, int vocab, int maxLength, double alpha)
    {
        var all = new List<Hypothesis>();
        void Go(int[] tokens, double logP, int[] state)
        {
            if (tokens.Length == maxLength) { all.Add(new Hypothesis(tokens, logP, Search.NormalizedScore(logP, tokens.Length, alpha), false)); return; }
            var (lp, next) = step(state, tokens.Length == 0 ? Start : tokens[^1]);
            for (int v = 0; v < vocab; v++)
            {
                var t = tokens.Append(v).ToArray();
                if (v == Eos) all.Add(new Hypothesis(t, logP + lp[v], Search.NormalizedScore(logP + lp[v], t.Length, alpha), true));
                else Go(t, logP + lp[v], next);
            }
        }
        Go(Array.Empty<int>(), 0, Array.Empty<int>());
        return all;
    }

    [Theory]
    [InlineData(4, 4, 0.0, 11)]
    [InlineData(4, 4, 0.7, 12)]
    [InlineData(3, 6, 0.7, 13)]
    [InlineData(5, 3, 1.0, 14)]
    public void WideBeamFindsTheExhaustiveBestAndNBestList(int vocab, int maxLength, double alpha, int seed)
    {
        var step = Model(vocab, seed);
        var all = Exhaustive(step, vocab, maxLength, alpha).OrderByDescending(h => h.NormalizedScore).ToList();
        // a width larger than any number of live hypotheses never prunes, so the search is exhaustive
        int width = (int)Math.Pow(vocab, maxLength);
        var beams = Search.BeamSearch(step, Array.Empty<int>(), Start, Eos, width, maxLength, alpha, nBest: 5);
        Assert.Equal(5, beams.Count);
        for (int i = 0; i < 5; i++)
        {
            Assert.Equal(all[i].NormalizedScore, beams[i].NormalizedScore, 12);
            Assert.Equal(all[i].Finished, beams[i].Finished);
        }
        Assert.Equal(all[0].Tokens, beams[0].Tokens);
    }

    [Fact]
    public void NarrowBeamFindsTheBestWhenTheModelIsPeaky()
    {
        int found = 0;
        for (int seed = 0; seed < 20; seed++)
        {
            var step = Model(4, 100 + seed, peak: 3.0);
            var best = Exhaustive(step, 4, 5, 0.7).MaxBy(h => h.NormalizedScore)!;
            var b = Search.BeamSearch(step, Array.Empty<int>(), Start, Eos, 3, 5)[0];
            Assert.True(b.NormalizedScore <= best.NormalizedScore + 1e-12);   // never better than the optimum
            if (b.Tokens.SequenceEqual(best.Tokens)) found++;
        }
        Assert.True(found >= 15, $"B = 3 found the optimum in {found}/20 cases");
    }

    [Fact]
    public void SamplingFollowsTheDistributionAndIsReproducible()
    {
        (double[], int[]) Step(int[] prefix, int last)
        {
            var s = last == Start ? prefix : prefix.Append(last).ToArray();
            double[] p = s.Length == 0 ? new[] { 0.2, 0.5, 0.3 } : new[] { 1.0, 0.0, 0.0 };
            return (p.Select(v => Math.Log(v)).ToArray(), s);
        }
        var rng = new Random(42);
        var counts = new int[3];
        for (int n = 0; n < 20000; n++) counts[Search.Sample<int[]>(Step, Array.Empty<int>(), Start, Eos, 5, rng).Tokens[0]]++;
        Assert.InRange(counts[0] / 20000.0, 0.19, 0.21);
        Assert.InRange(counts[1] / 20000.0, 0.49, 0.51);
        Assert.InRange(counts[2] / 20000.0, 0.29, 0.31);
        var a = Search.Sample(Model(5, 3), Array.Empty<int>(), Start, Eos, 10, new Random(7));
        var b = Search.Sample(Model(5, 3), Array.Empty<int>(), Start, Eos, 10, new Random(7));
        Assert.Equal(a.Tokens, b.Tokens);
        // a very low temperature is greedy
        var cold = Search.Sample(Model(5, 3), Array.Empty<int>(), Start, Eos, 10, new Random(1), temperature: 1e-3);
        Assert.Equal(Search.GreedyDecode(Model(5, 3), Array.Empty<int>(), Start, Eos, 10).Tokens, cold.Tokens);
    }

    [Fact]
    public void BadInput()
    {
        var step = Model(4, 1);
        var ex = Assert.Throws<ArgumentException>(() => Search.BeamSearch(step, Array.Empty<int>(), Start, Eos, 0, 5));
        Assert.Equal("beamWidth", ex.ParamName);
        Assert.Contains("but is 0", ex.Message);
        ex = Assert.Throws<ArgumentException>(() => Search.GreedyDecode(step, Array.Empty<int>(), Start, Eos, 0));
        Assert.Equal("maxLength", ex.ParamName);
        ex = Assert.Throws<ArgumentException>(() => Search.NormalizedScore(-1, 2, alpha: 1.5));
        Assert.Equal("alpha", ex.ParamName);
        ex = Assert.Throws<ArgumentException>(() => Search.Sample(step, Array.Empty<int>(), Start, Eos, 5, new Random(1), temperature: 0));
        Assert.Equal("temperature", ex.ParamName);
    }
}
