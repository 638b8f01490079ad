using System.Diagnostics;

namespace SeqCourse.Tests.Embeddings;

public class TrainingTests
{
    [Fact]
    public void SkipGramWithNegativeSamplingSolvesTheHeldOutAnalogies()
    {
        // §5.5 settings: n_e = 16, window 2, k = 5 on the committed corpus, fixed seeds; 3 epochs instead
        // of 5 to keep the test short (with these seeds 3 epochs solve 39/40, 5 epochs 40/40).
        var toks = WordCorpus.Tokenized();
        var vocab = WordVocabulary.Build(toks);
        var ids = toks.Select(t => vocab.Encode(t)).ToList();
        var model = SkipGramModel.Create(vocab.Count, 16, new Random(1));
        var h = Word2Vec.TrainNegativeSampling(model, ids, new Word2VecOptions { Window = 2, Negatives = 5, Epochs = 3, LearningRate = 0.05 }, new Random(1));
        Assert.True(h.Loss[^1] < h.Loss[0]);
        // the analogy quadruples are never seen as such in training: they are held out
        var quads = WordCorpus.Analogies();
        Assert.True(quads.Count >= 40);
        var wv = model.WordVectors(vocab);
        var misses = quads.Where(q => wv.CompleteAnalogy(q.A, q.B, q.C).Answer != q.D).ToList();
        double accuracy = 1 - misses.Count / (double)quads.Count;
        Assert.True(accuracy >= 0.8,
            $"accuracy {accuracy:P0}; missed: {string.Join(", ", misses.Select(q => $"{q.A}:{q.B}::{q.C}:{q.D}"))}");
    }

    [Fact]
    public void SoftmaxSkipGramLowersItsLoss()
    {
        var toks = WordCorpus.Tokenized(400);
        var vocab = WordVocabulary.Build(toks);
        var ids = toks.Select(t => vocab.Encode(t)).ToList();
        var model = SkipGramModel.Create(vocab.Count, 8, new Random(2));
        var h = Word2Vec.TrainSoftmax(model, ids, new Word2VecOptions { Epochs = 3 }, new Random(3));
        // a uniform guess costs ln n_v; after training the model must do much better
        Assert.True(h.Loss[0] < Math.Log(vocab.Count));
        Assert.True(h.Loss[^1] < h.Loss[0]);
        Assert.Equal(3, h.EpochSeconds.Count);
    }

    [Fact]
    public void TrainingIsReproducibleFromTheSeed()
    {
        var ids = WordCorpus.Tokenized(300);
        var vocab = WordVocabulary.Build(ids);
        var x = ids.Select(t => vocab.Encode(t)).ToList();
        SkipGramModel Train()
        {
            var m = SkipGramModel.Create(vocab.Count, 4, new Random(5));
            Word2Vec.TrainNegativeSampling(m, x, new Word2VecOptions { Epochs = 1 }, new Random(6));
            return m;
        }
        Assert.Equal(Train().E, Train().E);
    }
}
