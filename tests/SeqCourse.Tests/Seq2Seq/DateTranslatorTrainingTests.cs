namespace SeqCourse.Tests.Seq2Seq;

public class DateTranslatorTrainingTests
{
    /// <summary>
    /// The target — ≥ 95% exact match on held-out dates — with a smaller model than the notebook's
    /// (n_a = 16, n_s = 32, n_h = 8 instead of 32, 64, 16) so that it trains in about 20 s in a Debug test run.
    /// Fixed seeds: the data split is the committed one, the weights and batch order come from Random(1).
    /// </summary>
    [Fact]
    public void SmallDateTranslatorReaches95PercentOnTestDates()
    {
        var train = Datasets.LoadDates("train");
        var test = Datasets.LoadDates("test");
        var X = DateData.InputIndices(train); var Y = DateData.TargetIndices(train);
        var rng = new Random(1);
        var p = AttentionModelParameters.Create(DateData.InputVocab.Count, 16, 32, DateData.OutputVocab.Count, rng, attentionSize: 8);
        var model = new AttentionModel(p, DateData.Ty, DateData.PadIndex);
        var trainer = new Trainer(p, new Adam(0.01)) { ClipNorm = 5 };
        var batches = LengthBuckets(train.Select(e => e.Input.Length).ToArray(), 32, rng);
        double before = model.ExactMatch(DateData.InputIndices(test), DateData.TargetIndices(test));
        trainer.Run(i =>
        {
            var b = batches[i % batches.Length];
            return model.LossAndGradients(b.Select(k => X[k]).ToArray(), b.Select(k => Y[k]).ToArray());
        }, 700);
        double after = model.ExactMatch(DateData.InputIndices(test), DateData.TargetIndices(test));
        Assert.Equal(0.0, before);
        Assert.True(after >= 0.95, $"exact match on the 1000 test dates after 700 steps: {after:P1} (needs ≥ 95%)");
    }

    /// <summary>Batches of examples with similar input lengths (sorted by length, random tie order), in random order.</summary>
    private static int[][] LengthBuckets(int[] lengths, int batchSize, Random rng) =>
        Enumerable.Range(0, lengths.Length).OrderBy(i => lengths[i]).ThenBy(_ => rng.Next()).ToArray()
            .Chunk(batchSize).OrderBy(_ => rng.Next()).ToArray();
}
