using MathNet.Numerics.LinearAlgebra;

namespace SeqCourse.Tests.Seq2Seq;

/// <summary>The encoder–decoder with lecture GRU cells (Seq2SeqCell.Gru): the state is c only (a = c).</summary>
public class GruEncoderDecoderTests
{
    // Source vocabulary 0…4; target vocabulary 0…3 plus <start> = 4 and <EOS> = 5.
    private const int Nvx = 5, Nvy = 6, Start = 4, Eos = 5;

    private static readonly int[][] Sources = Seq2SeqChecks.Sources;
    private static readonly int[][] Targets = Seq2SeqChecks.Targets;

    private static EncoderDecoder Model(bool bidirectional, int seed = 3, double std = 0.5) =>
        new(EncoderDecoderParameters.Normal(Nvx, Nvy, 3, 3, std, new Random(seed), bidirectional, Seq2SeqCell.Gru), Start, Eos);

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void GradientCheckWithPadding(bool bidirectional)
    {
        var model = Model(bidirectional);
        Assert.Equal(Seq2SeqCell.Gru, model.Parameters.Cell);
        Assert.Equal(GruVariant.Lecture, model.Parameters.GruEncoder!.Variant);
        var (_, grads) = model.LossAndGradients(Sources, Targets);
        var report = GradientCheck.Run(() => model.Loss(Sources, Targets), model.Parameters, grads);
        Assert.True(report.Passed, report.ToString());
        // Ex, Ey, 6 lecture-GRU matrices per GRU (Wu, bu, Wr, br, Wc, bc), Wy, by: every parameter was checked.
        Assert.Equal(bidirectional ? 2 + 6 + 6 + 6 + 2 : 2 + 6 + 6 + 2, report.Entries.Count);
        Assert.Contains(grads.Items, i => i.Name == "enc.fwd.dWr");
        Assert.Equal(bidirectional, grads.Items.Any(i => i.Name == "enc.bwd.dWc"));
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
        // Independent computation with the plain GRU: c→⟨T_x⟩ from the sequence, c←⟨1⟩ from the reversed sequence; a = c.
        var model = Model(bidirectional: true, seed: 7);
        var p = model.Parameters;
        var enc = model.EncoderForward(Sources);
        Assert.Same(enc.A, enc.C);
        for (int i = 0; i < Sources.Length; i++)
        {
            var x = Sources[i].Select(j => p.SourceEmbedding.Lookup(j)).ToArray();
            var (cF, _) = Gru.Forward(x, p.GruEncoder!);
            var (cB, _) = Gru.Forward(x.Reverse().ToArray(), p.GruEncoderBackward!);
            var expected = cF[^1].Stack(cB[^1]);
            for (int k = 0; k < 6; k++) Assert.Equal(expected[k, 0], enc.A[k, i], 14);
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void StepFunctionScoresMatchTheTeacherForcedLoss(bool bidirectional)
    {
        var model = Model(bidirectional, seed: 11);
        for (int i = 0; i < Sources.Length; i++)
            Assert.Equal(-model.Loss([Sources[i]], [Targets[i]]), model.LogProbability(Sources[i], Targets[i]), 12);
    }

    [Fact]
    public void DecoderStepIsTheGruCellAndSoftmax()
    {
        // s⟨1⟩ = GRU(s⟨0⟩, E_y o_start), ŷ = softmax(W_y s⟨1⟩ + b_y), computed here from GruCell directly.
        var model = Model(bidirectional: false, seed: 13);
        var p = model.Parameters;
        var enc = model.EncoderForward(Sources);
        var r = model.DecoderStep([Start, Start, Start], enc.A, enc.C);
        var (s1, _) = GruCell.Forward(p.TargetEmbedding.Forward([Start, Start, Start]), enc.A, p.GruDecoder!);
        Assert.Null(r.Cache);
        Assert.NotNull(r.GruCache);
        Assert.Same(r.S, r.C);
        for (int i = 0; i < Sources.Length; i++)
        {
            var z = (p.Wy * s1.Column(i).ToColumnMatrix() + p.by).Column(0);
            double logZ = Math.Log(z.Sum(Math.Exp));
            for (int v = 0; v < Nvy; v++) Assert.Equal(z[v] - logZ, r.LogProbs[v, i], 12);
            for (int k = 0; k < 3; k++) Assert.Equal(s1[k, i], r.S[k, i], 14);
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
    public void TrainsToReverseShortSequences()
    {
        // Sanity: with Adam the GRU model learns to reverse 3-token sequences over a 4-symbol alphabet (64 pairs).
        var rng = new Random(23);
        var p = EncoderDecoderParameters.Create(4, 6, 8, 16, rng, cell: Seq2SeqCell.Gru);
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
    public void LstmPropertiesOfAGruModelThrowAndBadCellIsNamed()
    {
        var p = Model(bidirectional: true).Parameters;
        Assert.True(p.Bidirectional);
        Assert.Equal(3, p.EncoderSize); Assert.Equal(6, p.DecoderSize);
        Assert.Null(p.EncoderBackward);
        var ex = Assert.Throws<InvalidOperationException>(() => p.Encoder);
        Assert.Contains("GruEncoder", ex.Message);
        Assert.Throws<InvalidOperationException>(() => p.Decoder);

        var e = Assert.Throws<ArgumentException>(() => EncoderDecoderParameters.Create(4, 6, 8, 16, new Random(1), cell: (Seq2SeqCell)7));
        Assert.Equal("cell", e.ParamName); Assert.Contains("is 7", e.Message);

        var rng = new Random(2);
        e = Assert.Throws<ArgumentException>(() => new EncoderDecoderParameters(new Embedding(Init.Normal(3, Nvx, 1, rng)),
            new Embedding(Init.Normal(3, Nvy, 1, rng)), GruParameters.Normal(3, 4, 1, rng), null, GruParameters.Normal(3, 5, 1, rng),
            Init.Normal(Nvy, 5, 1, rng), Init.Normal(Nvy, 1, 1, rng)));
        Assert.Equal("decoder", e.ParamName); Assert.Contains("n_s = 4", e.Message); Assert.Contains("has 5", e.Message);
    }
}
