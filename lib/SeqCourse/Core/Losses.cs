using MathNet.Numerics.LinearAlgebra;

namespace SeqCourse;

/// <summary>
/// Per-step losses summed over time and averaged over the batch (syllabus §1.1: J = (1/m) Σ_i Σ_t L).
/// Each returns (J, dZy) where dZy = ∂J/∂z_y⟨t⟩ already includes the 1/m: for softmax + CE and for
/// σ + BCE alike, dz_y = (ŷ − y)/m (§1.3).
/// </summary>
public static class Losses
{
    /// <summary>
    /// Softmax cross-entropy over a sequence. <paramref name="zy"/>[t] are the logits (n_y, m);
    /// <paramref name="targets"/>[t][i] is the class index of example i at step t, or −1 for padding.
    /// Padded positions contribute nothing to J or to dZy. m is the batch size (padding does not change it).
    /// </summary>
    public static (double J, Matrix<double>[] dZy) SoftmaxCrossEntropy(IReadOnlyList<Matrix<double>> zy, IReadOnlyList<int[]> targets)
    {
        Guard.Sequence(zy, nameof(zy));
        Guard.NotNull(targets, nameof(targets));
        if (targets.Count != zy.Count)
            throw new ArgumentException($"targets must have {zy.Count} time steps like zy but has {targets.Count}.", nameof(targets));
        int ny = zy[0].RowCount, m = zy[0].ColumnCount;
        double J = 0;
        var dZy = new Matrix<double>[zy.Count];
        for (int t = 0; t < zy.Count; t++)
        {
            var y = Guard.NotNull(targets[t], $"targets[{t}]");
            if (y.Length != m)
                throw new ArgumentException($"targets[{t}] must have {m} entries (batch size) but has {y.Length}.", nameof(targets));
            var logp = Activations.LogSoftmax(zy[t]);
            var d = logp.Map(Math.Exp);   // ŷ
            for (int i = 0; i < m; i++)
            {
                int k = y[i];
                if (k == -1) { d.ClearColumn(i); continue; }
                if (k < 0 || k >= ny)
                    throw new ArgumentException($"targets[{t}][{i}] must be a class in [0, {ny - 1}] or -1 (padding) but is {k}.", nameof(targets));
                J -= logp[k, i];
                d[k, i] -= 1.0;       // ŷ − y
            }
            dZy[t] = d / m;
        }
        return (J / m, dZy);
    }

    /// <summary>
    /// Binary cross-entropy with a sigmoid output, −y ln ŷ − (1 − y) ln(1 − ŷ), summed over time and
    /// output units, averaged over the batch. <paramref name="zy"/> are the pre-activations; ln ŷ is taken
    /// as −softplus(−z) so a saturated σ never gives ln 0. <paramref name="mask"/>[t] (1 × m, optional)
    /// is 1 for real steps and 0 for padding.
    /// </summary>
    public static (double J, Matrix<double>[] dZy) SigmoidBinaryCrossEntropy(IReadOnlyList<Matrix<double>> zy,
        IReadOnlyList<Matrix<double>> y, IReadOnlyList<Matrix<double>>? mask = null)
    {
        Guard.Sequence(zy, nameof(zy));
        Guard.NotNull(y, nameof(y));
        if (y.Count != zy.Count)
            throw new ArgumentException($"y must have {zy.Count} time steps like zy but has {y.Count}.", nameof(y));
        if (mask is not null && mask.Count != zy.Count)
            throw new ArgumentException($"mask must have {zy.Count} time steps like zy but has {mask.Count}.", nameof(mask));
        int ny = zy[0].RowCount, m = zy[0].ColumnCount;
        double J = 0;
        var dZy = new Matrix<double>[zy.Count];
        for (int t = 0; t < zy.Count; t++)
        {
            Guard.Shape(y[t], ny, m, $"y[{t}]");
            if (mask is not null) Guard.Shape(mask[t], 1, m, $"mask[{t}]");
            var d = Matrix<double>.Build.Dense(ny, m);
            for (int i = 0; i < m; i++)
            {
                double w = mask is null ? 1.0 : mask[t][0, i];
                if (w == 0) continue;
                for (int k = 0; k < ny; k++)
                {
                    double z = zy[t][k, i], target = y[t][k, i];
                    // ln σ(z) = −softplus(−z), ln(1 − σ(z)) = −softplus(z)
                    J += w * (target * Softplus(-z) + (1 - target) * Softplus(z));
                    d[k, i] = w * (Activations.Sigmoid(z) - target) / m;
                }
            }
            dZy[t] = d;
        }
        return (J / m, dZy);
    }

    /// <summary>ln(1 + e^x) without overflow.</summary>
    public static double Softplus(double x) => x > 0 ? x + Math.Log(1 + Math.Exp(-x)) : Math.Log(1 + Math.Exp(x));
}
