using MathNet.Numerics.LinearAlgebra;

namespace SeqCourse.Tests.Embeddings;

public class GloveTests
{
    [Fact]
    public void WeightingHandValues()
    {
        Assert.Equal(0.0, Glove.Weight(0));
        Assert.Equal(0.0316228, Glove.Weight(1), 7);
        Assert.Equal(0.1778279, Glove.Weight(10), 7);
        Assert.Equal(0.5946036, Glove.Weight(50), 7);
        Assert.Equal(1.0, Glove.Weight(100));
        Assert.Equal(1.0, Glove.Weight(500));
        Assert.Throws<ArgumentException>(() => Glove.Weight(-1));
    }

    [Fact]
    public void CooccurrenceCountsByHand()
    {
        // sentence 0 1 2 0, window 2: distance 1: (0,1) (1,2) (2,0); distance 2: (0,2) (1,0); the two 0s are 3 apart
        var s = new[] { new[] { 0, 1, 2, 0 } };
        var X = Glove.Cooccurrence(s, 3, 2);
        Assert.Equal(Matrix<double>.Build.DenseOfArray(new double[,] { { 0, 2, 2 }, { 2, 0, 1 }, { 2, 1, 0 } }), X);
        var Xw = Glove.Cooccurrence(s, 3, 2, CooccurrenceWeighting.InverseDistance);
        Assert.Equal(Matrix<double>.Build.DenseOfArray(new double[,] { { 0, 1.5, 1.5 }, { 1.5, 0, 1 }, { 1.5, 1, 0 } }), Xw);
        var ex = Assert.Throws<ArgumentException>(() => Glove.Cooccurrence(s, 3, 0));
        Assert.Equal("window", ex.ParamName);
        var ex2 = Assert.Throws<ArgumentException>(() => Glove.Cooccurrence(new[] { Array.Empty<int>() }, 3, 2));
        Assert.Equal("sentences", ex2.ParamName);
    }

    private static Matrix<double> RandomCounts(int nv, Random rng) =>
        Matrix<double>.Build.Dense(nv, nv, (_, _) => rng.NextDouble() < 0.3 ? 0 : Math.Floor(Math.Exp(rng.NextDouble() * 6)));

    [Fact]
    public void GradientCheck()
    {
        var rng = new Random(10);
        var model = GloveModel.Create(6, 4, rng);
        foreach (var (_, p) in model.Items) p.MapInplace(_ => rng.NextDouble() - 0.5);
        var X = RandomCounts(6, rng);                   // zeros and counts above x_max = 100 included
        Assert.Contains(X.Enumerate(), x => x == 0); Assert.Contains(X.Enumerate(), x => x > 100);
        var (_, grads) = Glove.Loss(model, X);
        var report = SeqCourse.GradientCheck.Run(() => Glove.Loss(model, X).J, model, grads);
        Assert.True(report.Passed, report.ToString());
    }

    [Fact]
    public void LossByHandForOneEntry()
    {
        // n_v = 1, n_e = 1: J = f(X)(θe + b + b′ − ln X)²
        var m = new GloveModel(M(0.5), M(2.0), M(0.1), M(-0.3));
        var (J, g) = Glove.Loss(m, M(10));
        double d = 0.5 * 2 + 0.1 - 0.3 - Math.Log(10);
        Assert.Equal(Math.Pow(10.0 / 100, 0.75) * d * d, J, 12);
        Assert.Equal(2 * Glove.Weight(10) * d * 2.0, g.Items[0].Value[0, 0], 12);   // ∂J/∂θ = 2 f d e
    }

    private static Matrix<double> M(double x) => Matrix<double>.Build.Dense(1, 1, x);

    [Fact]
    public void FinalVectorsAreTheMeanOfBothSets()
    {
        var model = GloveModel.Create(5, 3, new Random(11));
        var v = model.FinalVectors();
        Assert.Equal((model.E[1, 4] + model.Theta[4, 1]) / 2, v[1, 4], 15);
    }

    [Fact]
    public void TrainingLowersTheLoss()
    {
        var toks = WordCorpus.Tokenized(2000);
        var vocab = WordVocabulary.Build(toks);
        var X = Glove.Cooccurrence(toks.Select(t => vocab.Encode(t)).ToList(), vocab.Count, 2);
        var model = GloveModel.Create(vocab.Count, 8, new Random(12));
        double J0 = Glove.Loss(model, X).J;
        var h = Glove.Train(model, X, new GloveOptions { Epochs = 10 }, new Random(13));
        Assert.Equal(10, h.Loss.Count);
        Assert.True(h.Loss[^1] < 0.2 * J0, $"J went from {J0} to {h.Loss[^1]}");
        Assert.True(h.Loss[^1] < h.Loss[0]);
    }
}
