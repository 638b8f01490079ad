using MathNet.Numerics.LinearAlgebra;

namespace SeqCourse;

/// <summary>
/// A recurrent encoder (typically a bidirectional GRU, §3.3) with a linear output layer read by CTC:
/// z_y⟨t⟩ = W_y a⟨t⟩ + b_y gives C logits per frame (class 0 = blank), and the loss is the batch mean of
/// −ln p(l|x) (§3.7). Sequence batches are (n_x, m, T_max) with per-example lengths; padded frames get
/// no gradient from the loss.
/// </summary>
public sealed class CtcModel
{
    /// <summary>The recurrent part (any <see cref="IRecurrentLayer"/>).</summary>
    public IRecurrentLayer Encoder { get; }

    /// <summary>Output weights (C, n_a).</summary>
    public Matrix<double> Wy { get; }

    /// <summary>Output bias (C, 1).</summary>
    public Matrix<double> by { get; }

    /// <summary>C: blank + labels.</summary>
    public int Classes => Wy.RowCount;

    /// <summary>Wraps an encoder and adds a Xavier-initialised output layer for <paramref name="classes"/> classes.</summary>
    public CtcModel(IRecurrentLayer encoder, int classes, Random rng)
    {
        Encoder = Guard.NotNull(encoder, nameof(encoder));
        if (classes < 2) throw new ArgumentException($"classes must be >= 2 (blank + at least one label) but is {classes}.", nameof(classes));
        Guard.NotNull(rng, nameof(rng));
        Wy = Init.Xavier(classes, encoder.HiddenSize, rng);
        by = Init.Zeros(classes, 1);
    }

    /// <summary>A BRNN of GRUs (n_a per direction, <paramref name="depth"/> layers) + CTC output layer.</summary>
    public static CtcModel BidirectionalGru(int nx, int na, int classes, Random rng, int depth = 1) =>
        new(DeepRnn.Bidirectional(nx, depth, (nIn, r) => new GruLayer(nIn, na, r), rng), classes, rng);

    /// <summary>Encoder parameters (prefixed "enc.") then Wy, by — the matrices the model computes with.</summary>
    public IParameterSet Parameters =>
        ParameterSet.Concat(("enc.", Encoder.Parameters), ("", ParameterSet.Of(new NamedMatrix("Wy", Wy), new NamedMatrix("by", by))));

    /// <summary>The logits z_y⟨t⟩ (C, m) for every frame, and the encoder output for the backward pass.</summary>
    public (Matrix<double>[] Zy, RecurrentOutput Encoded) Forward(IReadOnlyList<Matrix<double>> xs)
    {
        Guard.Sequence(xs, nameof(xs));
        var enc = Encoder.Forward(xs);
        int m = xs[0].ColumnCount;
        var ones = Matrix<double>.Build.Dense(1, m, 1.0);
        var byM = by * ones;
        var zy = enc.A.Select(a => Wy * a + byM).ToArray();
        return (zy, enc);
    }

    /// <summary>
    /// The CTC batch loss (mean over examples; infeasible targets count as 0, see
    /// <see cref="Ctc.CtcSequenceBatch"/>) and the gradients of every parameter, in the order of <see cref="Parameters"/>.
    /// </summary>
    public (CtcBatchResult Loss, IParameterSet Grads) LossAndGradients(IReadOnlyList<Matrix<double>> xs, IReadOnlyList<int> lengths,
        IReadOnlyList<int[]> targets)
    {
        var (zy, enc) = Forward(xs);
        var r = Ctc.CtcSequenceBatch(zy, lengths, targets, zeroInfinity: true);
        var dWy = Matrix<double>.Build.Dense(Wy.RowCount, Wy.ColumnCount);
        var dby = Matrix<double>.Build.Dense(Wy.RowCount, 1);
        var dA = new Matrix<double>?[zy.Length];
        for (int t = 0; t < zy.Length; t++)
        {
            var dZ = r.Gradients[t];                        // ∂J/∂z_y⟨t⟩, 1/m included
            dWy += dZ.TransposeAndMultiply(enc.A[t]);       // dW_y = Σ_t dz_y⟨t⟩ a⟨t⟩ᵀ
            dby += dZ.RowSums().ToColumnMatrix();           // db_y summed over columns and t
            dA[t] = Wy.TransposeThisAndMultiply(dZ);        // ∂J/∂a⟨t⟩ = W_yᵀ dz_y⟨t⟩
        }
        var encGrads = Encoder.Backward(dA, enc).Grads;
        var grads = ParameterSet.Concat(("enc.", encGrads), ("", ParameterSet.Of(new NamedMatrix("dWy", dWy), new NamedMatrix("dby", dby))));
        return (r, grads);
    }

    /// <summary>One optimisation step on a batch: loss, gradients, clipping by global norm, update. Returns the loss and the gradient norm before clipping.</summary>
    public (double Loss, double GradNorm) TrainStep(IReadOnlyList<Matrix<double>> xs, IReadOnlyList<int> lengths, IReadOnlyList<int[]> targets,
        IOptimizer optimizer, double clipNorm = 5.0)
    {
        Guard.NotNull(optimizer, nameof(optimizer));
        var (r, grads) = LossAndGradients(xs, lengths, targets);
        double norm = Clipping.ByGlobalNorm(grads, clipNorm);
        optimizer.Step(Parameters, grads);
        return (r.Loss, norm);
    }

    /// <summary>Best-path decoding of every example of a batch.</summary>
    public int[][] GreedyDecode(IReadOnlyList<Matrix<double>> xs, IReadOnlyList<int> lengths) =>
        Ctc.CtcGreedyDecode(Forward(xs).Zy, lengths);

    /// <summary>Prefix beam search on every example of a batch; returns the best labelling of each.</summary>
    public int[][] BeamDecode(IReadOnlyList<Matrix<double>> xs, IReadOnlyList<int> lengths, int beamWidth)
    {
        var zy = Forward(xs).Zy;
        Guard.NotNull(lengths, nameof(lengths));
        return Enumerable.Range(0, lengths.Count)
            .Select(i => Ctc.CtcPrefixBeamSearch(Ctc.ExampleLogits(zy, i, lengths[i]), beamWidth)[0].Labels).ToArray();
    }
}
