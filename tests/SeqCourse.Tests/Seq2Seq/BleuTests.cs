namespace SeqCourse.Tests.Seq2Seq;

public class BleuTests
{
    private static IReadOnlyList<string> T(string s) => Bleu.Tokenize(s);
    private static IReadOnlyList<IReadOnlyList<string>> Refs(params string[] r) => r.Select(T).ToArray();

    [Fact]
    public void FullLectureExampleFromSyllabus()
    {
        // reference "the small dog sat on the red mat" (r = 8), candidate "the dog sat on the mat" (c = 6)
        var r = Bleu.Evaluate(T("the dog sat on the mat"), Refs("the small dog sat on the red mat"));
        Assert.Equal(new[] { 6, 3, 2, 1 }, r.Matched);
        Assert.Equal(new[] { 6, 5, 4, 3 }, r.Totals);
        Assert.Equal(1.0, r.Precisions[0], 15);
        Assert.Equal(0.6, r.Precisions[1], 15);
        Assert.Equal(0.5, r.Precisions[2], 15);
        Assert.Equal(0.3333333, r.Precisions[3], 7);
        Assert.Equal(6, r.CandidateLength); Assert.Equal(8, r.ReferenceLength);
        Assert.Equal(0.7165313, r.BrevityPenalty, 7);
        Assert.Equal(0.4029352, r.Score, 7);
        Assert.Equal(0.4029352, Bleu.SentenceBleu("the dog sat on the mat", new[] { "the small dog sat on the red mat" }), 7);
        // geometric mean of the p_n is 0.1^(1/4) = 0.5623413
        Assert.Equal(0.5623413, r.Score / r.BrevityPenalty, 7);
    }

    [Fact]
    public void ClippingExampleFromSyllabus()
    {
        // "the the the the" vs "the cat sat on the mat": "the" is clipped at 2, so p1 = 2/4, not 4/4
        Assert.Equal((2, 4), Bleu.ClippedCounts(T("the the the the"), Refs("the cat sat on the mat"), 1));
        Assert.Equal(0.5, Bleu.ModifiedPrecision(T("the the the the"), Refs("the cat sat on the mat"), 1));
        // clipping takes the max count over references
        Assert.Equal(0.75, Bleu.ModifiedPrecision(T("the the the the"), Refs("the cat sat on the mat", "the the the cat"), 1));
    }

    [Fact]
    public void ZeroOverlapIsZeroWithoutSmoothingAndSmallWithIt()
    {
        var cand = T("a b c d");
        var refs = Refs("e f g h");
        Assert.Equal(0.0, Bleu.SentenceBleu(cand, refs));
        // Chen & Cherry method 1: p_n = 0.1 / total_n with totals 4, 3, 2, 1; c = r = 4 so BP = exp(0) = 1
        double expected = Math.Pow(0.1 / 4 * (0.1 / 3) * (0.1 / 2) * (0.1 / 1), 0.25);
        Assert.Equal(expected, Bleu.SentenceBleu(cand, refs, smoothing: BleuSmoothing.Epsilon), 15);
        // Lin & Och add-one for n ≥ 2: p = (0/4, 1/4, 1/3, 1/2): p1 = 0 still gives 0
        Assert.Equal(0.0, Bleu.SentenceBleu(cand, refs, smoothing: BleuSmoothing.AddOne));
    }

    [Fact]
    public void AddOneSmoothingByHand()
    {
        // candidate "the dog sat" vs "the dog ran": p1 = 2/3; bigrams 1/2 → (1+1)/(2+1); trigrams 0/1 → 1/2; c = r
        var r = Bleu.Evaluate(T("the dog sat"), Refs("the dog ran"), Bleu.UniformWeights(3), BleuSmoothing.AddOne);
        Assert.Equal(new[] { 2 / 3.0, 2 / 3.0, 0.5 }, r.Precisions);
        Assert.Equal(Math.Pow(2 / 3.0 * (2 / 3.0) * 0.5, 1 / 3.0), r.Score, 15);
        Assert.Equal(0.0, Bleu.SentenceBleu(T("the dog sat"), Refs("the dog ran"), Bleu.UniformWeights(3)));
    }

    [Fact]
    public void BleuOneAndTwoAndCustomWeights()
    {
        var cand = T("the dog sat on the mat");
        var refs = Refs("the small dog sat on the red mat");
        double bp = Math.Exp(1 - 8.0 / 6);
        Assert.Equal(bp * 1.0, Bleu.SentenceBleu(cand, refs, Bleu.UniformWeights(1)), 15);
        Assert.Equal(bp * Math.Sqrt(0.6), Bleu.SentenceBleu(cand, refs, Bleu.UniformWeights(2)), 15);
        Assert.Equal(bp * Math.Exp(0.7 * Math.Log(1.0) + 0.3 * Math.Log(0.6)), Bleu.SentenceBleu(cand, refs, new[] { 0.7, 0.3 }), 15);
        // a zero weight switches an order off, even when its p_n is 0
        // ("the dog" vs "the small dog": p1 = 1, p2 = 0/1, c = 2, r = 3)
        Assert.Equal(Math.Exp(1 - 3.0 / 2), Bleu.SentenceBleu(T("the dog"), Refs("the small dog"), new[] { 1.0, 0.0 }), 15);
    }

    [Fact]
    public void BrevityPenaltyUsesTheClosestReferenceShorterOnTie()
    {
        Assert.Equal(5, Bleu.ClosestReferenceLength(6, new[] { 7, 5 }));
        Assert.Equal(7, Bleu.ClosestReferenceLength(6, new[] { 7, 9 }));
        Assert.Equal(1.0, Bleu.BrevityPenalty(6, 5));
        Assert.Equal(1.0, Bleu.BrevityPenalty(T("a b c d e f"), Refs("a b c d", "a b c d e f g h")));  // tie 4 vs 8 → 4 < 6
        Assert.Equal(Math.Exp(1 - 7.0 / 6), Bleu.BrevityPenalty(T("a b c d e f"), Refs("a b c d e f g", "a b c d e f g h i")), 15);
        Assert.Equal(1.0, Bleu.BrevityPenalty(6, 6));   // c = r: exp(1 − 1) = 1
        Assert.Equal(0.0, Bleu.BrevityPenalty(0, 3));
    }

    [Fact]
    public void CorpusBleuPoolsCountsBeforeDividing()
    {
        // sentence 1: the lecture example; sentence 2: a perfect match of length 6.
        // pooled: p = 12/12, 8/10, 6/8, 4/6; c = 12, r = 14.
        var cands = new[] { "the dog sat on the mat", "the cat is on the mat" };
        var refs = new IReadOnlyList<string>[] { new[] { "the small dog sat on the red mat" }, new[] { "the cat is on the mat" } };
        double expected = Math.Exp(1 - 14.0 / 12) * Math.Pow(1.0 * 0.8 * 0.75 * (4 / 6.0), 0.25);
        Assert.Equal(expected, Bleu.CorpusBleu(cands, refs), 15);
        double mean = (0.4029352 + 1.0) / 2;
        Assert.NotEqual(mean, Bleu.CorpusBleu(cands, refs), 3);    // not the mean of sentence scores
        Assert.Equal(1.0, Bleu.SentenceBleu("the cat is on the mat", new[] { "the cat is on the mat" }), 15);
    }

    [Fact]
    public void BadInput()
    {
        var ex = Assert.Throws<ArgumentException>(() => Bleu.SentenceBleu(T("a b"), Array.Empty<IReadOnlyList<string>>()));
        Assert.Equal("references", ex.ParamName);
        Assert.Contains("at least one reference", ex.Message);
        ex = Assert.Throws<ArgumentException>(() => Bleu.SentenceBleu(T("a b"), Refs("a b"), new[] { 0.5, 0.6 }));
        Assert.Equal("weights", ex.ParamName);
        Assert.Contains("1.1", ex.Message);
        ex = Assert.Throws<ArgumentException>(() => Bleu.CorpusBleu(new[] { "a", "b" }, new IReadOnlyList<string>[] { new[] { "a" } }));
        Assert.Equal("references", ex.ParamName);
        Assert.Contains("2 entries", ex.Message);
    }
}
