using MathNet.Numerics.LinearAlgebra;

namespace SeqCourse.Tests.Seq2Seq;

public class EncoderDecoderTests
{
    // Source vocabulary 0…4; target vocabulary 0…3 plus <start> = 4 and <EOS> = 5.
    private const int Nvx = 5, Nvy = 6, Start = 4, Eos = 5;

    private static readonly int[][] Sources = Seq2SeqChecks.Sources;
    private static readonly int[][] Targets = Seq2SeqChecks.Targets;

    private static EncoderDecoder Model(bool bidirectional, int seed = 3, double std = 0.5) =>
        new(EncoderDecoderParameters.Normal(Nvx, Nvy, 3, 3, std, new Random(seed), bidirectional), Start, Eos);

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void GradientCheckWithPadding(bool bidirectional)
    {
        var model = Model(bidirectional);
        var (_, grads) = model.LossAndGradients(Sources, Targets);
        var report = GradientCheck.Run(() => model.Loss(Sources, Targets), model.Parameters, grads);
        Assert.True(report.Passed, report.ToString());
        Assert.Equal(bidirectional ? 2 + 8 + 8 + 8 + 2 : 2 + 8 + 8 + 2, report.Entries.Count);   // every parameter was checked
        // The padded rows of E_x would be untouched by a correct mask; here every source token occurs, so instead
        // check that no gradient is identically zero (each part of the model is reached).
        foreach (var (name, g) in grads.Items) Assert.True(g.FrobeniusNorm() > 0, $"{name} is all zero");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void PaddedBatchEqualsTheMeanOfSingleExamples(bool bidirectional)
    {
        Seq2SeqChecks.PaddedBatchEqualsTheMeanOfSingleExamples(Model(bidirectional, seed: 5));
    }

    [Fact]
    public void BidirectionalFinalStateIsForwardLastAndBackwardFirst()
    {
        // Independent computation with the plain LSTM: a→⟨T_x⟩ from the sequence, a←⟨1⟩ from the reversed sequence.
        var model = Model(bidirectional: true, seed: 7);
        var p = model.Parameters;
        var enc = model.EncoderForward(Sources);
        for (int i = 0; i < Sources.Length; i++)
        {
            var x = Sources[i].Select(j => p.SourceEmbedding.Lookup(j)).ToArray();
            var (aF, cF, _) = Lstm.Forward(x, p.Encoder);
            var (aB, cB, _) = Lstm.Forward(x.Reverse().ToArray(), p.EncoderBackward!);
            var expectedA = aF[^1].Stack(aB[^1]);
            var expectedC = cF[^1].Stack(cB[^1]);
            for (int k = 0; k < 6; k++)
            {
                Assert.Equal(expectedA[k, 0], enc.A[k, i], 14);
                Assert.Equal(expectedC[k, 0], enc.C[k, i], 14);
            }
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void StepFunctionScoresMatchTheTeacherForcedLoss(bool bidirectional)
    {
        // For one example J = −ln P(y, <EOS> | x); the step-by-step decoder used by the search must give the same number.
        var model = Model(bidirectional, seed: 11);
        for (int i = 0; i < Sources.Length; i++)
            Assert.Equal(-model.Loss([Sources[i]], [Targets[i]]), model.LogProbability(Sources[i], Targets[i]), 12);
    }

    [Fact]
    public void DecoderStepMatchesTheStepFunction()
    {
        var model = Model(bidirectional: false, seed: 13);
        var enc = model.EncoderForward(Sources);
        var r = model.DecoderStep([Start, Start, Start], enc.A, enc.C);
        for (int i = 0; i < Sources.Length; i++)
        {
            var (step, s0) = model.StepFunction(Sources[i]);
            var (lp, next) = step(s0, Start);
            for (int v = 0; v < Nvy; v++) Assert.Equal(r.LogProbs[v, i], lp[v], 13);
            Assert.Equal(1.0, lp.Sum(Math.Exp), 12);
            Assert.Equal(r.S[0, i], next.S[0, 0], 14);
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void BeamWidthOneEqualsGreedy(bool bidirectional)
    {
        var model = Model(bidirectional, seed: 17, std: 1.0);
        foreach (var src in Sources.Append([3, 3, 3, 0, 1, 2]))
        {
            var greedy = model.Greedy(src, maxLength: 8);
            var beam = model.Beam(src, beamWidth: 1, maxLength: 8);
            Assert.Single(beam);
            Assert.Equal(greedy.Tokens, beam[0].Tokens);
            Assert.Equal(greedy.LogProbability, beam[0].LogProbability, 12);
        }
    }

    [Fact]
    public void BeamSearchFindsTheBestSequenceOfLengthTwoByExhaustiveSearch()
    {
        // With maxLength 2 and α = 0, every possible output is y1 <EOS>, or y1 y2 (unfinished) — enumerate them.
        var model = Model(bidirectional: true, seed: 19, std: 1.0);
        var src = Sources[0];
        var (step, s0) = model.StepFunction(src);
        double best = double.NegativeInfinity;
        var (lp1, s1) = step(s0, Start);
        for (int y1 = 0; y1 < Nvy; y1++)
        {
            if (y1 == Eos) { best = Math.Max(best, lp1[y1]); continue; }
            var (lp2, _) = step(s1, y1);
            for (int y2 = 0; y2 < Nvy; y2++) best = Math.Max(best, lp1[y1] + lp2[y2]);
        }
        var beam = model.Beam(src, beamWidth: Nvy * Nvy, maxLength: 2, alpha: 0);
        Assert.Equal(best, beam[0].LogProbability, 12);
    }

    [Fact]
    public void TrainsToCopyShortSequences()
    {
        // Sanity: with Adam the model learns to reverse 3-token sequences over a 4-symbol alphabet (64 pairs).
        var rng = new Random(23);
        var p = EncoderDecoderParameters.Create(4, 6, 8, 16, rng);
        var model = new EncoderDecoder(p, 4, 5);
        var src = new List<int[]>();
        for (int a = 0; a < 4; a++) for (int b = 0; b < 4; b++) for (int c = 0; c < 4; c++) src.Add([a, b, c]);
        var tgt = src.Select(s => s.Reverse().ToArray()).ToList();
        var trainer = new Trainer(p, new Adam(0.02)) { ClipNorm = 5 };
        double first = model.Loss(src, tgt);
        trainer.Run(_ => { var (J, g) = model.LossAndGradients(src, tgt); return (J, g); }, 300);
        double last = model.Loss(src, tgt);
        int correct = src.Count(s => model.Greedy(s, 6).Content(5).SequenceEqual(s.Reverse()));
        Assert.True(last < 0.05 * first, $"loss {first} → {last}");
        Assert.True(correct == src.Count, $"{correct}/{src.Count} reversed correctly");
    }

    [Fact]
    public void BadInputNamesTheArgument()
    {
        var model = Model(bidirectional: false);
        var e = Assert.Throws<ArgumentException>(() => model.Loss(Sources, Targets[..2]));
        Assert.Equal("targets", e.ParamName);
        Assert.Contains("3 examples", e.Message); Assert.Contains("has 2", e.Message);

        e = Assert.Throws<ArgumentException>(() => model.Loss([[0, 5]], [[1]]));
        Assert.Equal("sources", e.ParamName);
        Assert.Contains("sources[0][1]", e.Message); Assert.Contains("[0, 4]", e.Message); Assert.Contains("is 5", e.Message);

        e = Assert.Throws<ArgumentException>(() => model.Loss([[0]], [[-2]]));
        Assert.Equal("targets", e.ParamName);
        Assert.Contains("targets[0][0]", e.Message); Assert.Contains("is -2", e.Message);

        e = Assert.Throws<ArgumentException>(() => model.Loss([[0], []], [[1], [2]]));
        Assert.Equal("sources", e.ParamName); Assert.Contains("sources[1]", e.Message); Assert.Contains("empty", e.Message);

        e = Assert.Throws<ArgumentException>(() => model.Loss([], []));
        Assert.Equal("sources", e.ParamName); Assert.Contains("empty", e.Message);

        e = Assert.Throws<ArgumentException>(() => model.Loss([[0]], [[Eos]]));
        Assert.Equal("targets", e.ParamName); Assert.Contains("end", e.Message);

        e = Assert.Throws<ArgumentException>(() => model.DecoderStep([0, 1], Matrix<double>.Build.Dense(3, 3), Matrix<double>.Build.Dense(3, 2)));
        Assert.Equal("sPrev", e.ParamName); Assert.Contains("(3, 2)", e.Message); Assert.Contains("(3, 3)", e.Message);

        e = Assert.Throws<ArgumentException>(() => new EncoderDecoder(model.Parameters, Start, Nvy));
        Assert.Equal("eosToken", e.ParamName);
    }
}
