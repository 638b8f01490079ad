using System.Diagnostics;
using MathNet.Numerics.LinearAlgebra;

namespace SeqCourse.Tests.Hred;

public class HredTests
{
    // Two dialogues of three turns with different utterance lengths, so padding and per-column last steps are exercised.
    private static readonly string[][] Tiny =
    [
        ["hi , anna !", "hi ! how are you ?", "i am fine ."],
        ["hello !", "hello ! where is my key ?", "your key is on the bed ."],
    ];

    private static (SeqCourse.Hred Model, DialogueBatch Batch) TinyModel(int latent, int seed, HredCell cell = HredCell.Gru)
    {
        var vocab = DialogueVocabulary.Build(Tiny);
        var batch = DialogueBatch.Create(Tiny, vocab, maxLength: 10);
        var cfg = new HredConfig(vocab.Count, EmbeddingSize: 3, EncoderSize: 4, ContextSize: 3, DecoderSize: 4, LatentSize: latent, MaxUtteranceLength: 10, Cell: cell);
        // LSTM weights at std 0.5 give encoder gradients of ~1e-4, where the centred difference's rounding error
        // (~1e-16·J/ε, J ≈ 50) alone reaches 1e-7 (it grows tenfold per tenfold smaller ε); std 1 gives larger gradients.
        return (SeqCourse.Hred.Normal(cfg, cell == HredCell.Lstm ? 1.0 : 0.5, new Random(seed)), batch);
    }

    [Theory]
    [InlineData(HredCell.Gru)]
    [InlineData(HredCell.Lstm)]
    public void HredGradientCheck(HredCell cell)
    {
        var (model, batch) = TinyModel(latent: 0, seed: 1, cell);
        var (terms, grads) = model.Backward(model.Forward(batch));
        Assert.Equal(0.0, terms.Kl);
        Assert.Equal(terms.J, model.Loss(batch).J, 12);
        var report = GradientCheck.Run(() => model.Loss(batch).J, model.Parameters, grads);
        Assert.True(report.Passed, report.ToString());
    }

    [Theory]
    [InlineData(HredCell.Gru)]
    [InlineData(HredCell.Lstm)]
    public void VhredGradientCheckWithFixedEpsilonAndKlWeight(HredCell cell)
    {
        var (model, batch) = TinyModel(latent: 2, seed: 2, cell);
        var rng = new Random(3);
        var eps = new[] { Init.Normal(2, 2, 1, rng), Init.Normal(2, 2, 1, rng) };
        foreach (double beta in new[] { 1.0, 0.4 })
        {
            var (terms, grads) = model.Backward(model.Forward(batch, beta, eps: eps));
            Assert.True(terms.Kl > 0);
            Assert.Equal(terms.Nll + beta * terms.Kl, terms.J, 12);
            var report = GradientCheck.Run(() => model.Loss(batch, beta, eps: eps).J, model.Parameters, grads);
            Assert.True(report.Passed, report.ToString());
        }
    }

    [Fact]
    public void LossIsTheHandSumOfTokenCrossEntropies()
    {
        // With W_y = 0 and b_y = 0 every word has probability 1/n_v, so J = (tokens / m) ln n_v.
        var (model, batch) = TinyModel(latent: 0, seed: 4);
        model.Wy.Clear(); model.by.Clear();
        var t = model.Loss(batch);
        // Turn 2: 6 + 7 words, turn 3: 4 + 7 words, plus one </s> per utterance: 28 predicted tokens.
        Assert.Equal(28, t.Tokens);
        Assert.Equal(28.0 / 2 * Math.Log(model.Config.VocabularySize), t.J, 10);
        Assert.Equal(Math.Log(model.Config.VocabularySize), t.TokenNll, 12);
    }

    [Fact]
    public void BatchLayoutTeacherForcingAndDistinctN()
    {
        var vocab = DialogueVocabulary.Build(Tiny);
        var b = DialogueBatch.Create(Tiny, vocab, 10);
        Assert.Equal(3, b.TurnCount); Assert.Equal(2, b.BatchSize);
        Assert.Equal([4, 2], b.Lengths[0]);
        var inputs = b.DecoderInputs(2); var targets = b.DecoderTargets(2);
        Assert.Equal(8, inputs.Length);
        Assert.Equal(DialogueVocabulary.StartIndex, inputs[0][0]);
        Assert.Equal(vocab.Encode("i")[0], targets[0][0]);
        Assert.Equal(DialogueVocabulary.EndIndex, targets[4][0]);
        Assert.Equal(-1, targets[5][0]); Assert.Equal(-1, inputs[5][0]);
        Assert.Equal(vocab.Encode(".")[0], inputs[4][0]);
        Assert.Equal(DialogueVocabulary.EndIndex, targets[7][1]);
        Assert.Equal("i am fine .", vocab.Decode(vocab.Encode("i am fine .").Append(0).Append(5)));
        // distinct-n: "a b a b" has bigrams ab, ba, ab → 2/3; unigrams 2/4.
        string[][] r = [["a", "b", "a", "b"]];
        Assert.Equal(2.0 / 3, Diversity.DistinctN(r, 2), 14);
        Assert.Equal(0.5, Diversity.DistinctN(r, 1), 14);
        Assert.Equal(1.0, Diversity.DistinctN([["a", "b"], ["c", "d"]], 2), 14);
    }

    [Fact]
    public void BadDialoguesAreRejectedWithClearMessages()
    {
        var vocab = DialogueVocabulary.Build(Tiny);
        var e = Assert.Throws<ArgumentException>(() => DialogueBatch.Create([], vocab, 10));
        Assert.Equal("dialogues", e.ParamName); Assert.Contains("empty", e.Message);
        e = Assert.Throws<ArgumentException>(() => DialogueBatch.Create([Array.Empty<string>()], vocab, 10));
        Assert.Contains("dialogues[0] must have at least 2 turns but is empty", e.Message);
        e = Assert.Throws<ArgumentException>(() => DialogueBatch.Create([["hi !"]], vocab, 10));
        Assert.Contains("but has 1", e.Message);
        e = Assert.Throws<ArgumentException>(() => DialogueBatch.Create([["hi !", ""]], vocab, 10));
        Assert.Contains("dialogues[0][1] must contain at least one word", e.Message);
        e = Assert.Throws<ArgumentException>(() => DialogueBatch.Create(Tiny, vocab, maxLength: 6));
        Assert.Equal("dialogues", e.ParamName);
        Assert.Contains("dialogues[1][1] must have at most 6 words (maxLength) but has 7", e.Message);
        e = Assert.Throws<ArgumentException>(() => DialogueBatch.Create([["hi !", "bonjour !"]], vocab, 10));
        Assert.Contains("'bonjour' is unknown", e.Message);
        e = Assert.Throws<ArgumentException>(() => DialogueBatch.Create([Tiny[0], Tiny[1][..2]], vocab, 10));
        Assert.Contains("must have 3 turns like dialogues[0] but has 2", e.Message);
        var (model, _) = TinyModel(0, 5);
        e = Assert.Throws<ArgumentException>(() => model.Respond([], vocab, new Random(0)));
        Assert.Equal("turns", e.ParamName);
        e = Assert.Throws<ArgumentException>(() => model.Respond(["hi ! hi ! hi ! hi ! hi ! hi !"], vocab, new Random(0)));
        Assert.Contains("at most 10 words", e.Message);
        var (vmodel, batch) = TinyModel(2, 6);
        e = Assert.Throws<ArgumentException>(() => vmodel.Forward(batch, eps: [Init.Zeros(2, 2)]));
        Assert.Equal("eps", e.ParamName); Assert.Contains("2 matrices", e.Message);
        Assert.Equal("warmupSteps", Assert.Throws<ArgumentException>(() => KlAnnealing.Linear(1, -1)).ParamName);
        Assert.Equal(0.5, KlAnnealing.Linear(50, 100)); Assert.Equal(1.0, KlAnnealing.Linear(500, 100));
    }

    [Fact]
    public void HredTrainingOnTheDialogueSetLowersTheLoss()
    {
        var sw = Stopwatch.StartNew();
        var data = Datasets.LoadDialogues();
        var vocab = DialogueVocabulary.Build(data);
        var cfg = new HredConfig(vocab.Count, EmbeddingSize: 16, EncoderSize: 24, ContextSize: 24, DecoderSize: 32, MaxUtteranceLength: 12);
        var model = new SeqCourse.Hred(cfg, new Random(1));
        var history = HredTraining.Train(model, data, vocab, epochs: Epochs, batchSize: 20, new Random(2), learningRate: 0.01);
        double first = history[0].TokenNll, last = history[^1].TokenNll;
        Assert.True(last < TokenNllAfterTraining, $"token NLL {first:F3} → {last:F3} ({sw.Elapsed.TotalSeconds:F1} s); history " +
            string.Join(", ", history.Select(h => h.TokenNll.ToString("F3"))));
        Assert.True(sw.Elapsed.TotalSeconds < 15, $"took {sw.Elapsed.TotalSeconds:F1} s");
    }

    [Fact]
    public void VhredTrainingWithKlAnnealingLowersTheNll()
    {
        var sw = Stopwatch.StartNew();
        var data = Datasets.LoadDialogues();
        var vocab = DialogueVocabulary.Build(data);
        var cfg = new HredConfig(vocab.Count, EmbeddingSize: 16, EncoderSize: 24, ContextSize: 24, DecoderSize: 32, LatentSize: 8, MaxUtteranceLength: 12);
        var model = new SeqCourse.Hred(cfg, new Random(1));
        var history = HredTraining.Train(model, data, vocab, epochs: 4, batchSize: 20, new Random(2), learningRate: 0.02, klWarmupSteps: 60);
        // Measured (seeds 1, 2): token NLL 3.144, 1.486, 0.761, 0.551; β = 1/3, 2/3, 1, 1 at the epochs' ends; KL > 0.
        Assert.True(history[^1].TokenNll < 0.8, $"token NLL {string.Join(", ", history.Select(h => h.TokenNll.ToString("F3")))}");
        Assert.Equal(1.0, history[^1].Beta);
        Assert.True(history.All(h => h.Kl > 0 && double.IsFinite(h.Kl)));
        Assert.True(sw.Elapsed.TotalSeconds < 15, $"took {sw.Elapsed.TotalSeconds:F1} s");
    }

    private const int Epochs = 4;
    // Measured (seeds 1, 2): 3.588, 2.061, 1.181, 0.772 nats per token; ln n_v ≈ 4.5 is the untrained level.
    private const double TokenNllAfterTraining = 1.0;
}
