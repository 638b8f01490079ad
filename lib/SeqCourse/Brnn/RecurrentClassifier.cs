using MathNet.Numerics.LinearAlgebra;

namespace SeqCourse;

/// <summary>
/// Any <see cref="IRecurrentLayer"/> (RNN, GRU, LSTM, bidirectional, deep) with the output layer of syllabus 1.2 on
/// top: z_y⟨t⟩ = W_y a⟨t⟩ + b_y, ŷ⟨t⟩ = softmax or σ of z_y⟨t⟩. For a BRNN, a⟨t⟩ = [a→⟨t⟩; a←⟨t⟩] and W_y is
/// (n_y, 2n_a) (§3.3). Its <see cref="Items"/> are the layer's parameters followed by Wy, by; every loss method
/// returns (J, gradients in that order), ready for an optimizer or a gradient check.
/// </summary>
public sealed class RecurrentClassifier : IParameterSet
{
    /// <summary>The recurrent part.</summary>
    public IRecurrentLayer Layer { get; }
    /// <summary>W_y (n_y, n_a).</summary>
    public Matrix<double> Wy { get; }
    /// <summary>b_y (n_y, 1).</summary>
    public Matrix<double> by { get; }

    /// <summary>The layer with a new output layer: W_y Xavier-initialised from <paramref name="rng"/>, b_y = 0.</summary>
    public RecurrentClassifier(IRecurrentLayer layer, int ny, Random rng)
    {
        Layer = Guard.NotNull(layer, nameof(layer));
        Guard.Positive(ny, nameof(ny)); Guard.NotNull(rng, nameof(rng));
        Wy = Init.Xavier(ny, layer.HiddenSize, rng);
        by = Init.Zeros(ny, 1);
    }

    /// <summary>The layer with the given output weights (not copied).</summary>
    public RecurrentClassifier(IRecurrentLayer layer, Matrix<double> Wy, Matrix<double> by)
    {
        Layer = Guard.NotNull(layer, nameof(layer));
        Guard.Columns(Wy, layer.HiddenSize, nameof(Wy));
        Guard.Shape(by, Wy.RowCount, 1, nameof(by));
        this.Wy = Wy; this.by = by;
    }

    /// <summary>n_y.</summary>
    public int OutputSize => Wy.RowCount;

    /// <inheritdoc />
    public IReadOnlyList<NamedMatrix> Items =>
        Layer.Parameters.Items.Concat(new[] { new NamedMatrix("Wy", Wy), new NamedMatrix("by", by) }).ToArray();

    /// <summary>z_y⟨t⟩ = W_y a⟨t⟩ + b_y for every t (n_y, m), and the layer's forward result.</summary>
    public (Matrix<double>[] Zy, RecurrentOutput Forward) Logits(IReadOnlyList<Matrix<double>> xs)
    {
        var fwd = Layer.Forward(xs);
        return (fwd.A.Select(a => GatedMath.AddBias(Wy * a, by)).ToArray(), fwd);
    }

    /// <summary>
    /// Many-to-one (e.g. sentiment, "remember the first symbol"): softmax cross-entropy of z_y⟨T⟩ against
    /// <paramref name="targets"/>[i] ∈ [0, n_y), averaged over the batch.
    /// </summary>
    public (double J, IParameterSet Grads) ManyToOne(IReadOnlyList<Matrix<double>> xs, int[] targets)
    {
        var (zy, fwd) = Logits(xs);
        var (J, dZy) = Losses.SoftmaxCrossEntropy(new[] { zy[^1] }, new[] { targets });
        var dZ = new Matrix<double>?[zy.Length];
        dZ[^1] = dZy[0];
        return (J, Backward(dZ, fwd));
    }

    /// <summary>Many-to-many with T_y = T_x: softmax cross-entropy at every step (target −1 = padding).</summary>
    public (double J, IParameterSet Grads) ManyToMany(IReadOnlyList<Matrix<double>> xs, IReadOnlyList<int[]> targets)
    {
        var (zy, fwd) = Logits(xs);
        var (J, dZy) = Losses.SoftmaxCrossEntropy(zy, targets);
        return (J, Backward(dZy, fwd));
    }

    /// <summary>
    /// Many-to-many binary tagging: σ + binary cross-entropy at every step; <paramref name="y"/>[t] is (n_y, m) of 0/1,
    /// <paramref name="mask"/>[t] (1, m) optional.
    /// </summary>
    public (double J, IParameterSet Grads) ManyToManyBinary(IReadOnlyList<Matrix<double>> xs, IReadOnlyList<Matrix<double>> y,
        IReadOnlyList<Matrix<double>>? mask = null)
    {
        var (zy, fwd) = Logits(xs);
        var (J, dZy) = Losses.SigmoidBinaryCrossEntropy(zy, y, mask);
        return (J, Backward(dZy, fwd));
    }

    /// <summary>Class with the largest z_y⟨T⟩ for each example (many-to-one prediction).</summary>
    public int[] PredictLast(IReadOnlyList<Matrix<double>> xs)
    {
        var z = Logits(xs).Zy[^1];
        var pred = new int[z.ColumnCount];
        for (int j = 0; j < z.ColumnCount; j++)
        {
            int best = 0;
            for (int i = 1; i < z.RowCount; i++) if (z[i, j] > z[best, j]) best = i;
            pred[j] = best;
        }
        return pred;
    }

    /// <summary>σ(z_y⟨t⟩) for every t (binary tagging probabilities).</summary>
    public Matrix<double>[] PredictBinary(IReadOnlyList<Matrix<double>> xs) =>
        Logits(xs).Zy.Select(Activations.Sigmoid).ToArray();

    // dW_y = Σ_t dz_y⟨t⟩ a⟨t⟩ᵀ, db_y = Σ_t Σ_cols dz_y⟨t⟩, da⟨t⟩ = W_yᵀ dz_y⟨t⟩ into the layer's BPTT.
    private IParameterSet Backward(IReadOnlyList<Matrix<double>?> dZy, RecurrentOutput fwd)
    {
        var dWy = GatedMath.ZerosLike(Wy);
        var dby = GatedMath.ZerosLike(by);
        var dA = new Matrix<double>?[dZy.Count];
        for (int t = 0; t < dZy.Count; t++)
        {
            if (dZy[t] is not { } dz) continue;
            dWy.Add(dz.TransposeAndMultiply(fwd.A[t]), dWy);
            dby.Add(GatedMath.SumColumns(dz), dby);
            dA[t] = Wy.TransposeThisAndMultiply(dz);
        }
        var g = Layer.Backward(dA, fwd);
        return ParameterSet.Of(g.Grads.Items.Concat(new[] { new NamedMatrix("dWy", dWy), new NamedMatrix("dby", dby) }).ToArray());
    }
}
