using MathNet.Numerics.LinearAlgebra;

namespace SeqCourse.Tests.Embeddings;

public class LstmClassifierTests
{
    [Fact]
    public void GradientCheckWithMixedLengthsAndRepeatedWords()
    {
        var rng = new Random(19);
        var clf = LstmClassifier.Create(7, 3, 4, 3, rng);
        foreach (var (_, p) in clf.Items) p.MapInplace(_ => 0.8 * Init.StandardNormal(rng));
        var s = new[] { new[] { 1, 2, 2 }, new[] { 5 }, new[] { 0, 0, 3, 4 }, new[] { 6, 2, 1 } };
        var y = new[] { 2, 0, 1, 1 };
        var (_, grads) = clf.Loss(s, y);
        Assert.Equal(clf.Items.Select(i => "d" + i.Name), grads.Items.Select(i => i.Name));
        var report = GradientCheck.Run(() => clf.Loss(s, y).J, clf, grads);
        Assert.True(report.Passed, report.ToString());
    }

    [Fact]
    public void LastStepMatchesARunOverOneSentence()
    {
        // an independent forward: embed by hand, run the week-1 LSTM, read a⟨T⟩
        var rng = new Random(20);
        var clf = LstmClassifier.Create(5, 3, 4, 2, rng);
        var sentence = new[] { 4, 0, 4 };
        var xs = sentence.Select(j => clf.Embedding.E.SubMatrix(0, 3, j, 1)).ToArray();
        var (A, _, _) = Lstm.Forward(xs, clf.Lstm);
        var z = clf.Wy * A[^1] + clf.By;
        var expected = Activations.Softmax(z);
        var got = clf.Forward(new[] { new[] { 1, 2 }, sentence });   // batched with a shorter sentence
        Assert.True((got.SubMatrix(0, 2, 1, 1) - expected).FrobeniusNorm() < 1e-14);
    }

    [Fact]
    public void ReadsNegationsThatAveragingCannot()
    {
        var data = SentimentSet.Generate();
        var toks = data.Select(d => WordVocabulary.Tokenize(d.Sentence)).ToList();
        var vocab = WordVocabulary.Build(toks);
        var x = toks.Select(t => vocab.Encode(t)).ToArray();
        var train = Enumerable.Range(0, data.Count).Where(i => data[i].Split == "train").ToArray();
        var test = Enumerable.Range(0, data.Count).Where(i => data[i].Split == "test").ToArray();
        var clf = LstmClassifier.Create(vocab.Count, 8, 16, 3, new Random(1));
        clf.Train(train.Select(i => x[i]).ToArray(), train.Select(i => data[i].Label).ToArray(), new ClassifierOptions { Epochs = 15 }, new Random(2));
        Assert.True(clf.Accuracy(test.Select(i => x[i]).ToArray(), test.Select(i => data[i].Label).ToArray()) >= 0.9);
        var quartet = new[] { "the soup was good", "the soup was not good", "the soup was bad", "the soup was not bad" }
            .Select(s => vocab.Encode(WordVocabulary.Tokenize(s))).ToArray();
        Assert.Equal(new[] { 2, 0, 0, 2 }, clf.Predict(quartet));
    }

    [Fact]
    public void BadInput()
    {
        var rng = new Random(1);
        var ex = Assert.Throws<ArgumentException>(() =>
            new LstmClassifier(Embedding.Create(5, 3, rng), LstmParameters.Create(4, 2, rng), Init.Zeros(2, 2), Init.Zeros(2, 1)));
        Assert.Equal("lstm", ex.ParamName);
        Assert.Contains("3", ex.Message); Assert.Contains("4", ex.Message);
        var clf = LstmClassifier.Create(5, 3, 2, 2, rng);
        Assert.Equal("sentences", Assert.Throws<ArgumentException>(() => clf.Forward(new[] { new[] { 9 } })).ParamName);
    }
}
