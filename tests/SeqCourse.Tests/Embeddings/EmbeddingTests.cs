using MathNet.Numerics.LinearAlgebra;

namespace SeqCourse.Tests.Embeddings;

public class EmbeddingTests
{
    private static Matrix<double> M(double[,] a) => Matrix<double>.Build.DenseOfArray(a);

    [Fact]
    public void LookupIsTheColumnPickedByTheOneHot()
    {
        var emb = Embedding.Create(7, 4, new Random(1));
        for (int j = 0; j < 7; j++)
        {
            var oneHot = Matrix<double>.Build.Dense(7, 1); oneHot[j, 0] = 1;
            var product = emb.E * oneHot;                      // E o_j, the slow way
            Assert.Equal(0.0, (emb.Lookup(j) - product).FrobeniusNorm(), 15);
        }
    }

    [Fact]
    public void ForwardBuildsOneMatrixPerStepAndPaddingIsZero()
    {
        var emb = new Embedding(M(new double[,] { { 1, 2, 3 }, { 4, 5, 6 } }));
        var xs = emb.Forward(new[] { new[] { 2, 0 }, new[] { 1, -1 } });
        Assert.Equal(2, xs.Length);
        Assert.Equal(M(new double[,] { { 3, 1 }, { 6, 4 } }), xs[0]);
        Assert.Equal(M(new double[,] { { 2, 0 }, { 5, 0 } }), xs[1]);
    }

    [Fact]
    public void BackwardScatterAddsAndRepeatedWordsAccumulate()
    {
        var emb = new Embedding(Matrix<double>.Build.Dense(2, 4));
        // word 1 appears three times (twice in step 0, once in step 1)
        var idx = new[] { new[] { 1, 3, 1 }, new[] { 1, -1, 0 } };
        var de = new Matrix<double>?[] { M(new double[,] { { 1, 10, 100 }, { 2, 20, 200 } }), M(new double[,] { { 1000, 7, 5 }, { 2000, 7, 6 } }) };
        var dE = emb.Backward(de, idx);
        Assert.Equal(M(new double[,] { { 5, 1101, 0, 10 }, { 6, 2202, 0, 20 } }), dE);
    }

    [Fact]
    public void GradientCheckWithRepeatedWords()
    {
        var rng = new Random(2);
        var emb = Embedding.Create(6, 3, rng, std: 1.0);
        var idx = new[] { new[] { 0, 2, 2, 5 }, new[] { 2, 2, -1, 0 }, new[] { 4, 1, 2, 2 } };
        var R = idx.Select(_ => Init.Normal(3, 4, 1.0, rng)).ToArray();   // J = Σ_t Σ R_t ⊙ x_t
        double J() => emb.Forward(idx).Zip(R, (x, r) => x.PointwiseMultiply(r).Enumerate().Sum()).Sum();
        var dE = emb.Backward(R.Cast<Matrix<double>?>().ToArray(), idx);
        var report = GradientCheck.Run(J, emb, Embedding.Gradients(dE));
        Assert.True(report.Passed, report.ToString());
        Assert.Equal(0.0, dE.Column(3).AbsoluteMaximum());   // word 3 is never used
    }

    [Fact]
    public void BadIndicesNameTheArgument()
    {
        var emb = Embedding.Create(5, 2, new Random(3));
        var ex = Assert.Throws<ArgumentException>(() => emb.Forward(new[] { 0, 5 }));
        Assert.Equal("indices", ex.ParamName);
        Assert.Contains("[0, 4]", ex.Message); Assert.Contains("5", ex.Message);
        var ex2 = Assert.Throws<ArgumentException>(() => emb.Backward(Matrix<double>.Build.Dense(2, 3), new[] { 0, 1 }));
        Assert.Equal("de", ex2.ParamName);
        Assert.Contains("(2, 2)", ex2.Message); Assert.Contains("(2, 3)", ex2.Message);
        Assert.Throws<ArgumentException>(() => emb.Lookup(-1));
    }
}
