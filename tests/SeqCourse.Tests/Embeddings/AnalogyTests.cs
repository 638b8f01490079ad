using MathNet.Numerics.LinearAlgebra;

namespace SeqCourse.Tests.Embeddings;

public class AnalogyTests
{
    // §3.10: man (1,0), woman (1,1), king (3,0), queen (3,1), prince (2,0.5)
    private static WordVectors Hand() => WordVectors.FromTable(new[]
    {
        ("man", new[] { 1.0, 0 }), ("woman", new[] { 1.0, 1 }), ("king", new[] { 3.0, 0 }),
        ("queen", new[] { 3.0, 1 }), ("prince", new[] { 2.0, 0.5 }),
    });

    private static Vector<double> V(params double[] x) => Vector<double>.Build.DenseOfArray(x);

    [Fact]
    public void CosineSimilarityHandValues()
    {
        Assert.Equal(1.0, WordVectors.CosineSimilarity(V(3, 1), V(6, 2)), 15);
        Assert.Equal(0.0, WordVectors.CosineSimilarity(V(1, 0), V(0, 5)), 15);
        Assert.Equal(-1.0, WordVectors.CosineSimilarity(V(1, 2), V(-2, -4)), 15);
        // (2, 0.5)·(3, 1) / (√4.25 √10) = 6.5 / 6.5192024
        Assert.Equal(0.9970545, WordVectors.CosineSimilarity(V(2, 0.5), V(3, 1)), 7);
        var ex = Assert.Throws<ArgumentException>(() => WordVectors.CosineSimilarity(V(0, 0), V(1, 1)));
        Assert.Equal("u", ex.ParamName);
    }

    [Fact]
    public void ManWomanKingGivesQueenAndExcludesTheQueryWords()
    {
        var r = Hand().CompleteAnalogy("man", "woman", "king");
        Assert.Equal("queen", r.Answer);
        Assert.Equal(1.0, r.Similarity, 12);
        Assert.Equal(V(3, 1), r.Target);
        Assert.Equal(["queen", "prince"], r.Ranking.Select(x => x.Word));   // man, woman, king excluded
        Assert.Equal(0.9970545, r.Ranking[1].Similarity, 7);
        // king would score 0.9486833 if it were not excluded
        Assert.Equal(0.9486833, WordVectors.CosineSimilarity(Hand()["king"], r.Target), 7);
    }

    [Fact]
    public void UnknownWordIsNamed()
    {
        var ex = Assert.Throws<ArgumentException>(() => Hand().CompleteAnalogy("man", "woman", "emperor"));
        Assert.Contains("'emperor'", ex.Message);
        Assert.Equal("c", ex.ParamName);
        var ex2 = Assert.Throws<ArgumentException>(() => Hand().CompleteAnalogy("duke", "woman", "king"));
        Assert.Contains("'duke'", ex2.Message);
        Assert.Equal("a", ex2.ParamName);
    }

    [Fact]
    public void NearestNeighboursSkipTheWordItself()
    {
        var n = Hand().Nearest("king", 2);
        Assert.Equal(["man", "prince"], n.Select(x => x.Word));   // man is parallel to king: similarity 1
        Assert.Equal(1.0, n[0].Similarity, 12);
    }

    [Fact]
    public void AccuracyCountsCorrectAnswers()
    {
        var acc = Hand().AnalogyAccuracy(new[] { ("man", "woman", "king", "queen"), ("man", "woman", "king", "prince") });
        Assert.Equal(0.5, acc);
    }
}
