using MathNet.Numerics.LinearAlgebra;

namespace SeqCourse;

/// <summary>
/// The many-to-one sentence classifier of syllabus §2.6: x⟨t⟩ = e_{w_t} (an <see cref="Embedding"/>),
/// a⟨t⟩ from an LSTM (week 1, §1.9) over t = 1…T, and ŷ = softmax(W_y a⟨T⟩ + b_y) read at the last word only.
/// Unlike <see cref="AverageClassifier"/> it sees the order of the words, so "not good" and "not bad" can
/// move the prediction in opposite directions.
/// A batch may mix sentence lengths: sentences of equal length are run together (no padding is needed,
/// so the state a⟨T⟩ is never disturbed by pad steps).
/// </summary>
public sealed class LstmClassifier : IParameterSet
{
    /// <summary>Wraps an embedding, LSTM parameters (n_x = n_e) and W_y (n_y, n_a), b_y (n_y, 1); used as given.</summary>
    public LstmClassifier(Embedding embedding, LstmParameters lstm, Matrix<double> wy, Matrix<double> by)
    {
        Guard.NotNull(embedding, nameof(embedding)); Guard.NotNull(lstm, nameof(lstm));
        if (lstm.InputSize != embedding.EmbeddingSize)
            throw new ArgumentException($"lstm must take n_x = {embedding.EmbeddingSize} inputs (the embedding size) but takes {lstm.InputSize}.", nameof(lstm));
        Guard.Columns(wy, lstm.HiddenSize, nameof(wy));
        Guard.Shape(by, wy.RowCount, 1, nameof(by));
        Embedding = embedding; Lstm = lstm; Wy = wy; By = by;
        Items = [.. embedding.Items, .. lstm.Items, new NamedMatrix("Wy", wy), new NamedMatrix("by", by)];
    }

    /// <summary>E ~ N(0, 0.5²), LSTM with Xavier weights and b_f = 1, Xavier W_y, b_y = 0.</summary>
    public static LstmClassifier Create(int vocabularySize, int embeddingSize, int hiddenSize, int classes, Random rng)
    {
        Guard.Positive(classes, nameof(classes));
        var emb = Embedding.Create(vocabularySize, embeddingSize, rng, std: 0.5);
        return new LstmClassifier(emb, LstmParameters.Create(embeddingSize, hiddenSize, rng), Init.Xavier(classes, hiddenSize, rng), Init.Zeros(classes, 1));
    }

    /// <summary>Starts from a copy of pre-trained word vectors <paramref name="e"/> (n_e, n_v).</summary>
    public static LstmClassifier Create(Matrix<double> e, int hiddenSize, int classes, Random rng)
    {
        Guard.NotNull(e, nameof(e)); Guard.Positive(classes, nameof(classes));
        return new LstmClassifier(new Embedding(e.Clone()), LstmParameters.Create(e.RowCount, hiddenSize, rng),
            Init.Xavier(classes, hiddenSize, rng), Init.Zeros(classes, 1));
    }

    /// <summary>The embedding layer (E).</summary>
    public Embedding Embedding { get; }

    /// <summary>The LSTM's parameters.</summary>
    public LstmParameters Lstm { get; }

    /// <summary>W_y (n_y, n_a).</summary>
    public Matrix<double> Wy { get; }

    /// <summary>b_y (n_y, 1).</summary>
    public Matrix<double> By { get; }

    /// <summary>n_y.</summary>
    public int Classes => Wy.RowCount;

    /// <summary>E, then the LSTM's parameters (Wf, bf, …), then Wy, by.</summary>
    public IReadOnlyList<NamedMatrix> Items { get; }

    /// <summary>ŷ (n_y, m) for m sentences of word indices.</summary>
    public Matrix<double> Forward(IReadOnlyList<int[]> sentences) => Activations.Softmax(Run(sentences).Zy);

    /// <summary>
    /// J = (1/m) Σ_i −ln ŷ_{y_i} and its gradients (dE, the LSTM's, dWy, dby, in the order of <see cref="Items"/>).
    /// Backward: dz_y = (ŷ − y)/m; dW_y = dz_y a⟨T⟩ᵀ; da⟨T⟩ = W_yᵀ dz_y enters BPTT at the last step only;
    /// the ∂J/∂x⟨t⟩ that BPTT returns are scatter-added into dE by the embedding.
    /// </summary>
    public (double J, IParameterSet Grads) Loss(IReadOnlyList<int[]> sentences, IReadOnlyList<int> labels)
    {
        var run = Run(sentences);
        var y = ClassifierTraining.CheckLabels(labels, sentences.Count, Classes);
        var (J, dZs) = Losses.SoftmaxCrossEntropy([run.Zy], [y]);
        var dZy = dZs[0];
        var dE = Matrix<double>.Build.Dense(Embedding.EmbeddingSize, Embedding.VocabularySize);
        var dWy = Matrix<double>.Build.Dense(Wy.RowCount, Wy.ColumnCount);
        var dby = Matrix<double>.Build.Dense(Classes, 1);
        var dLstm = Lstm.Items.Select(i => Matrix<double>.Build.Dense(i.Value.RowCount, i.Value.ColumnCount)).ToArray();
        foreach (var g in run.Groups)
        {
            var dz = Matrix<double>.Build.DenseOfColumnVectors(g.Members.Select(i => dZy.Column(i)));
            dWy.Add(dz.TransposeAndMultiply(g.ALast), dWy);
            for (int c = 0; c < Classes; c++) dby[c, 0] += dz.Row(c).Sum();
            var dA = new Matrix<double>?[g.Steps.Length];
            dA[^1] = Wy.TransposeThisAndMultiply(dz);                      // only a⟨T⟩ is read
            var (dX, _, _, grads) = SeqCourse.Lstm.Backward(dA, g.Caches);
            for (int k = 0; k < dLstm.Length; k++) dLstm[k].Add(grads.Items[k].Value, dLstm[k]);
            dE.Add(Embedding.Backward(dX.Cast<Matrix<double>?>().ToArray(), g.Steps), dE);
        }
        var items = new List<NamedMatrix> { new("dE", dE) };
        items.AddRange(Lstm.Items.Select((it, k) => new NamedMatrix("d" + it.Name, dLstm[k])));
        items.Add(new("dWy", dWy)); items.Add(new("dby", dby));
        return (J, ParameterSet.Of([.. items]));
    }

    /// <summary>argmax_c ŷ_c for each sentence.</summary>
    public int[] Predict(IReadOnlyList<int[]> sentences)
    {
        var p = Forward(sentences);
        return Enumerable.Range(0, p.ColumnCount).Select(i => p.Column(i).MaximumIndex()).ToArray();
    }

    /// <summary>The fraction of sentences classified correctly.</summary>
    public double Accuracy(IReadOnlyList<int[]> sentences, IReadOnlyList<int> labels)
    {
        var pred = Predict(sentences);
        var y = ClassifierTraining.CheckLabels(labels, sentences.Count, Classes);
        return pred.Zip(y).Count(t => t.First == t.Second) / (double)y.Length;
    }

    /// <summary>Mini-batch Adam on shuffled batches; the history's loss is the mean training J per epoch.</summary>
    public TrainingHistory Train(IReadOnlyList<int[]> sentences, IReadOnlyList<int> labels, ClassifierOptions options, Random rng)
    {
        Guard.NotNull(options, nameof(options)); Guard.NotNull(rng, nameof(rng));
        ClassifierTraining.CheckSentences(sentences, Embedding.VocabularySize);
        var y = ClassifierTraining.CheckLabels(labels, sentences.Count, Classes);
        return ClassifierTraining.Run(this, sentences.Count, options, rng, idx =>
            Loss(idx.Select(i => sentences[i]).ToArray(), idx.Select(i => y[i]).ToArray()),
            p => options.TrainEmbeddings || p != 0);
    }

    private sealed record Group(int[] Members, int[][] Steps, LstmCache[] Caches, Matrix<double> ALast);

    private (Matrix<double> Zy, List<Group> Groups) Run(IReadOnlyList<int[]> sentences)
    {
        ClassifierTraining.CheckSentences(sentences, Embedding.VocabularySize);
        int m = sentences.Count;
        var zy = Matrix<double>.Build.Dense(Classes, m);
        var groups = new List<Group>();
        foreach (var byLength in Enumerable.Range(0, m).GroupBy(i => sentences[i].Length).OrderBy(g => g.Key))
        {
            var members = byLength.ToArray();
            int T = byLength.Key;
            // steps[t][k] = word t of the k-th sentence of this group
            var steps = Enumerable.Range(0, T).Select(t => members.Select(i => sentences[i][t]).ToArray()).ToArray();
            var (A, _, caches) = SeqCourse.Lstm.Forward(Embedding.Forward(steps), Lstm);
            var aLast = A[^1];
            var z = Wy * aLast;
            for (int k = 0; k < members.Length; k++)
                for (int c = 0; c < Classes; c++) zy[c, members[k]] = z[c, k] + By[c, 0];
            groups.Add(new Group(members, steps, caches, aLast));
        }
        return (zy, groups);
    }
}
