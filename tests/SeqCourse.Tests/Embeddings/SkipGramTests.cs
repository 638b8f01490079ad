using MathNet.Numerics.LinearAlgebra;

namespace SeqCourse.Tests.Embeddings;

public class SkipGramTests
{
    private static Matrix<double> M(double[,] a) => Matrix<double>.Build.DenseOfArray(a);

    // §3.10: θ₁ = (1,0), θ₂ = (0,1), θ₃ = (1,1) as rows of Θ; e_c = (1, 0.5) is column 0 of E.
    private static (Matrix<double> E, Matrix<double> Theta) Hand() =>
        (M(new double[,] { { 1, 0.3, -2 }, { 0.5, 0.7, 1 } }), M(new double[,] { { 1, 0 }, { 0, 1 }, { 1, 1 } }));

    [Fact]
    public void PairsWithinTheWindowAndNotAcrossSentences()
    {
        var pairs = SkipGram.Pairs(new[] { 10, 11, 12, 13 }, 2);
        var expected = new (int, int)[]
        {
            (10, 11), (10, 12), (11, 10), (11, 12), (11, 13), (12, 10), (12, 11), (12, 13), (13, 11), (13, 12),
        };
        Assert.Equal(expected, pairs.Select(p => (p.Context, p.Target)));
        var corpus = SkipGram.Pairs(new[] { new[] { 0, 1 }, new[] { 2, 3 } }, 5);
        Assert.Equal(new (int, int)[] { (0, 1), (1, 0), (2, 3), (3, 2) }, corpus.Select(p => (p.Context, p.Target)));
    }

    [Fact]
    public void SoftmaxHandExample()
    {
        var (E, Theta) = Hand();
        var p = SkipGram.Probabilities(E, Theta, 0);
        Assert.Equal(0.3071959, p[0, 0], 7);
        Assert.Equal(0.1863237, p[1, 0], 7);
        Assert.Equal(0.5064804, p[2, 0], 7);
        var (L, dE, dTheta) = SkipGram.SoftmaxLoss(E, Theta, 0, 2);
        Assert.Equal(0.6802697, L, 7);
        // ∂L/∂e_c = Θᵀ(p − o_t) = (p₁ + p₃ − 1, p₂ + p₃ − 1)
        Assert.Equal(0.3071959 + 0.5064804 - 1, dE[0, 0], 7);
        Assert.Equal(0.1863237 + 0.5064804 - 1, dE[1, 0], 7);
        Assert.Equal(0.0, dE.RemoveColumn(0).FrobeniusNorm());
        // ∂L/∂θ₃ = (p₃ − 1) e_c
        Assert.Equal((0.5064804 - 1) * 0.5, dTheta[2, 1], 7);
    }

    [Fact]
    public void SoftmaxGradientCheckOverAPairBatch()
    {
        var rng = new Random(4);
        var model = new SkipGramModel(Init.Normal(5, 7, 0.5, rng), Init.Normal(7, 5, 0.5, rng));
        var pairs = new[] { new SkipGramPair(1, 2), new SkipGramPair(1, 6), new SkipGramPair(3, 1), new SkipGramPair(0, 0), new SkipGramPair(3, 4) };
        var (_, dE, dTheta) = SkipGram.SoftmaxLoss(model.E, model.Theta, pairs);
        var report = GradientCheck.Run(() => SkipGram.SoftmaxLoss(model.E, model.Theta, pairs).J, model,
            ParameterSet.Of(new NamedMatrix("dE", dE), new NamedMatrix("dTheta", dTheta)));
        Assert.True(report.Passed, report.ToString());
    }

    [Fact]
    public void SoftmaxStepIsOneExactGradientStep()
    {
        var rng = new Random(5);
        var model = new SkipGramModel(Init.Normal(4, 6, 0.5, rng), Init.Normal(6, 4, 0.5, rng));
        var (L, dE, dTheta) = SkipGram.SoftmaxLoss(model.E, model.Theta, 2, 5);
        var expectE = model.E - 0.1 * dE; var expectTheta = model.Theta - 0.1 * dTheta;
        double stepLoss = model.SoftmaxStep(2, 5, 0.1);
        Assert.Equal(L, stepLoss, 12);
        Assert.True((model.E - expectE).FrobeniusNorm() < 1e-12);
        Assert.True((model.Theta - expectTheta).FrobeniusNorm() < 1e-12);
    }

    [Fact]
    public void BadInputNamesTheArgument()
    {
        var ex = Assert.Throws<ArgumentException>(() => SkipGram.Pairs(new[] { 1, 2 }, 0));
        Assert.Equal("window", ex.ParamName);
        Assert.Contains(">= 1", ex.Message); Assert.Contains("is 0", ex.Message);
        var ex2 = Assert.Throws<ArgumentException>(() => SkipGram.Pairs(new int[][] { }, 2));
        Assert.Equal("sentences", ex2.ParamName);
        Assert.Contains("empty", ex2.Message);
        var (E, Theta) = Hand();
        var ex3 = Assert.Throws<ArgumentException>(() => SkipGram.SoftmaxLoss(E, Theta.Transpose(), 0, 1));
        Assert.Equal("Theta", ex3.ParamName);
        Assert.Contains("(3, 2)", ex3.Message); Assert.Contains("(2, 3)", ex3.Message);
    }
}

public class NegativeSamplingTests
{
    [Fact]
    public void NoiseDistributionHandExample()
    {
        var p = NegativeSampling.NoiseDistribution(new[] { 0.5, 0.3, 0.2 });
        Assert.Equal(0.4577277, p[0], 7);
        Assert.Equal(0.3120474, p[1], 7);
        Assert.Equal(0.2302248, p[2], 7);
        // counts give the same distribution as frequencies
        var q = NegativeSampling.NoiseDistribution(new[] { 50.0, 30, 20 });
        for (int i = 0; i < 3; i++) Assert.Equal(p[i], q[i], 14);
    }

    [Fact]
    public void LossHandExample()
    {
        // target score 2, negative scores 1 and −1: e_c = (1, 0), θ_t = (2, 0), θ_n = (1, 0) and (−1, 0)
        var E = Matrix<double>.Build.DenseOfArray(new double[,] { { 1, 0, 0 }, { 0, 0, 0 } });
        var Theta = Matrix<double>.Build.DenseOfArray(new double[,] { { 2, 0 }, { 1, 0 }, { -1, 0 } });
        var (L, dE, _) = NegativeSampling.Loss(E, Theta, 0, 0, new[] { 1, 2 });
        // worked by hand: −ln σ(2) − ln σ(−1) − ln σ(1)
        double byHand = -Math.Log(1 / (1 + Math.Exp(-2))) - Math.Log(1 / (1 + Math.Exp(1))) - Math.Log(1 / (1 + Math.Exp(-1)));
        Assert.Equal(byHand, L, 14);
        Assert.Equal(1.7534514, L, 7);
        Assert.Equal(0.1269280, -Math.Log(Activations.Sigmoid(2.0)), 7);
        // ∂L/∂e_c = (σ(2) − 1)·2 + σ(1)·1 + σ(−1)·(−1)
        double s2 = Activations.Sigmoid(2.0), s1 = Activations.Sigmoid(1.0), sm1 = Activations.Sigmoid(-1.0);
        Assert.Equal((s2 - 1) * 2 + s1 - sm1, dE[0, 0], 14);
    }

    [Fact]
    public void GradientCheckWithFixedNegatives()
    {
        var rng = new Random(6);
        var model = new SkipGramModel(Init.Normal(5, 8, 0.5, rng), Init.Normal(8, 5, 0.5, rng));
        var pairs = new[] { new SkipGramPair(1, 2), new SkipGramPair(1, 7), new SkipGramPair(4, 1) };
        var negs = new[] { new[] { 3, 3, 5 }, new[] { 0, 6, 2 }, new[] { 1, 7, 7 } };   // repeats on purpose
        var (_, dE, dTheta) = NegativeSampling.Loss(model.E, model.Theta, pairs, negs);
        var report = GradientCheck.Run(() => NegativeSampling.Loss(model.E, model.Theta, pairs, negs).J, model,
            ParameterSet.Of(new NamedMatrix("dE", dE), new NamedMatrix("dTheta", dTheta)));
        Assert.True(report.Passed, report.ToString());
    }

    [Fact]
    public void StepIsOneExactGradientStepEvenWithARepeatedNegative()
    {
        var rng = new Random(7);
        var model = new SkipGramModel(Init.Normal(4, 6, 0.5, rng), Init.Normal(6, 4, 0.5, rng));
        var negatives = new[] { 3, 1, 3 };
        var (L, dE, dTheta) = NegativeSampling.Loss(model.E, model.Theta, 2, 5, negatives);
        var expectE = model.E - 0.05 * dE; var expectTheta = model.Theta - 0.05 * dTheta;
        Assert.Equal(L, model.NegativeSamplingStep(2, 5, negatives, 0.05), 12);
        Assert.True((model.E - expectE).FrobeniusNorm() < 1e-12);
        Assert.True((model.Theta - expectTheta).FrobeniusNorm() < 1e-12);
    }

    [Fact]
    public void SamplerFollowsTheDistributionAndSkipsTheTarget()
    {
        var sampler = new NoiseSampler(new[] { 0.4577277, 0.3120474, 0.2302248 });
        var rng = new Random(8);
        var counts = new int[3];
        const int n = 200_000;
        for (int i = 0; i < n; i++) counts[sampler.Sample(rng)]++;
        Assert.Equal(0.4577277, counts[0] / (double)n, 2);
        Assert.Equal(0.3120474, counts[1] / (double)n, 2);
        var draws = sampler.Sample(1000, exclude: 0, rng);
        Assert.DoesNotContain(0, draws);
        // reproducible from the seed
        Assert.Equal(sampler.Sample(20, 1, new Random(9)), sampler.Sample(20, 1, new Random(9)));
    }

    [Fact]
    public void BadInputNamesTheArgument()
    {
        var model = SkipGramModel.Create(4, 2, new Random(1));
        var corpus = new[] { new[] { 0, 1, 2, 3 } };
        var ex = Assert.Throws<ArgumentException>(() =>
            Word2Vec.TrainNegativeSampling(model, corpus, new Word2VecOptions { Negatives = 0 }, new Random(1)));
        Assert.Equal("k", ex.ParamName);
        Assert.Contains(">= 1", ex.Message); Assert.Contains("is 0", ex.Message);
        var ex2 = Assert.Throws<ArgumentException>(() =>
            Word2Vec.TrainNegativeSampling(model, corpus, new Word2VecOptions { Window = -1 }, new Random(1)));
        Assert.Equal("window", ex2.ParamName);
        Assert.Contains("is -1", ex2.Message);
        var ex3 = Assert.Throws<ArgumentException>(() =>
            Word2Vec.TrainNegativeSampling(model, Array.Empty<int[]>(), new Word2VecOptions(), new Random(1)));
        Assert.Equal("sentences", ex3.ParamName);
        Assert.Contains("empty", ex3.Message);
        var ex4 = Assert.Throws<ArgumentException>(() =>
            Word2Vec.TrainSoftmax(model, new[] { new[] { 0, 9 } }, new Word2VecOptions(), new Random(1)));
        Assert.Contains("[0, 3]", ex4.Message); Assert.Contains("9", ex4.Message);
        var ex5 = Assert.Throws<ArgumentException>(() => NegativeSampling.Loss(model.E, model.Theta, 0, 1, Array.Empty<int>()));
        Assert.Equal("negatives", ex5.ParamName);
    }
}
