using MathNet.Numerics.LinearAlgebra;

namespace SeqCourse.Tests.Seq2Seq;

/// <summary>Checks shared by the LSTM and GRU encoder–decoder tests.</summary>
internal static class Seq2SeqChecks
{
    /// <summary>A ragged batch: source lengths 4, 2, 3 and target lengths 2, 1, 3.</summary>
    public static readonly int[][] Sources = [[0, 3, 1, 4], [2, 2], [4, 1, 0]];

    /// <inheritdoc cref="Sources"/>
    public static readonly int[][] Targets = [[1, 3], [0], [2, 1, 3]];

    /// <summary>
    /// Masking is right exactly when padding changes nothing: the batch loss J = (1/m) Σ_i L^(i) must equal the
    /// mean of the losses of each example run alone (no padding at all), and so must the gradients.
    /// </summary>
    public static void PaddedBatchEqualsTheMeanOfSingleExamples(EncoderDecoder model)
    {
        var (J, g) = model.LossAndGradients(Sources, Targets);
        double mean = 0;
        var sum = g.Items.Select(i => Matrix<double>.Build.Dense(i.Value.RowCount, i.Value.ColumnCount)).ToArray();
        for (int i = 0; i < Sources.Length; i++)
        {
            var (Ji, gi) = model.LossAndGradients([Sources[i]], [Targets[i]]);
            mean += Ji / Sources.Length;
            for (int k = 0; k < sum.Length; k++) sum[k] += gi.Items[k].Value / Sources.Length;
        }
        Assert.Equal(mean, J, 12);
        for (int k = 0; k < sum.Length; k++)
            Assert.True((sum[k] - g.Items[k].Value).FrobeniusNorm() < 1e-12, g.Items[k].Name);
    }
}
