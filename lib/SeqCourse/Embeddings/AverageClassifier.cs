using MathNet.Numerics.LinearAlgebra;

namespace SeqCourse;

/// <summary>The forward pass of <see cref="AverageClassifier"/> for a batch of m sentences.</summary>
/// <param name="Avg">(n_e, m): column i is the mean of the word vectors of sentence i.</param>
/// <param name="Zy">(n_y, m): the logits W_y avg + b_y.</param>
/// <param name="YHat">(n_y, m): softmax(Zy).</param>
public sealed record AverageForward(Matrix<double> Avg, Matrix<double> Zy, Matrix<double> YHat);

/// <summary>Settings of the sentence classifiers' training loop (mini-batch Adam).</summary>
public sealed record ClassifierOptions
{
    /// <summary>Passes over the training sentences.</summary>
    public int Epochs { get; init; } = 100;

    /// <summary>Adam's step size α.</summary>
    public double LearningRate { get; init; } = 0.01;

    /// <summary>Sentences per mini-batch.</summary>
    public int BatchSize { get; init; } = 32;

    /// <summary>When false, E stays as given (e.g. pre-trained vectors) and only the classifier learns.</summary>
    public bool TrainEmbeddings { get; init; } = true;
}

/// <summary>
/// The sentence classifier of syllabus §2.6: avg = (1/T) Σ_t e_{w_t}, ŷ = softmax(W_y avg + b_y).
/// It ignores word order — "not good" and "good not" look the same, and a word's vote does not depend on
/// its neighbours — which is what the LSTM classifier fixes.
/// </summary>
public sealed class AverageClassifier : IParameterSet
{
    /// <summary>Wraps E (n_e, n_v), W_y (n_y, n_e) and b_y (n_y, 1), used as given.</summary>
    public AverageClassifier(Matrix<double> e, Matrix<double> wy, Matrix<double> by)
    {
        Guard.NotNull(e, nameof(e));
        Guard.Columns(wy, e.RowCount, nameof(wy));
        Guard.Shape(by, wy.RowCount, 1, nameof(by));
        E = e; Wy = wy; By = by;
    }

    /// <summary>Random E ~ N(0, 0.5²), Xavier W_y, b_y = 0.</summary>
    public static AverageClassifier Create(int vocabularySize, int embeddingSize, int classes, Random rng) =>
        Create(Init.Normal(embeddingSize, vocabularySize, 0.5, rng), classes, rng);

    /// <summary>Starts from a copy of pre-trained word vectors <paramref name="e"/> (n_e, n_v).</summary>
    public static AverageClassifier Create(Matrix<double> e, int classes, Random rng)
    {
        Guard.NotNull(e, nameof(e));
        Guard.Positive(classes, nameof(classes));
        return new AverageClassifier(e.Clone(), Init.Xavier(classes, e.RowCount, rng), Init.Zeros(classes, 1));
    }

    /// <summary>E (n_e, n_v).</summary>
    public Matrix<double> E { get; }

    /// <summary>W_y (n_y, n_e).</summary>
    public Matrix<double> Wy { get; }

    /// <summary>b_y (n_y, 1).</summary>
    public Matrix<double> By { get; }

    /// <summary>n_y.</summary>
    public int Classes => Wy.RowCount;

    /// <inheritdoc />
    public IReadOnlyList<NamedMatrix> Items => [new NamedMatrix("E", E), new NamedMatrix("Wy", Wy), new NamedMatrix("by", By)];

    /// <summary>avg, z_y and ŷ for m sentences of word indices (any lengths ≥ 1).</summary>
    public AverageForward Forward(IReadOnlyList<int[]> sentences)
    {
        CheckSentences(sentences);
        int ne = E.RowCount, m = sentences.Count;
        var avg = Matrix<double>.Build.Dense(ne, m);
        for (int i = 0; i < m; i++)
        {
            var s = sentences[i];
            foreach (int w in s)
                for (int k = 0; k < ne; k++) avg[k, i] += E[k, w];
            for (int k = 0; k < ne; k++) avg[k, i] /= s.Length;
        }
        var zy = Wy * avg;
        for (int i = 0; i < m; i++)
            for (int c = 0; c < Classes; c++) zy[c, i] += By[c, 0];
        return new AverageForward(avg, zy, Activations.Softmax(zy));
    }

    /// <summary>
    /// Gradients (dE, dWy, dby) from dZy = ∂J/∂z_y: dW_y = dZy avgᵀ, db_y = Σ_i dZy[:, i], davg = W_yᵀ dZy,
    /// and every word of sentence i receives davg[:, i]/T_i in its column of dE (scatter-add, so a word
    /// used twice gets it twice).
    /// </summary>
    public IParameterSet Backward(Matrix<double> dZy, AverageForward forward, IReadOnlyList<int[]> sentences)
    {
        Guard.NotNull(forward, nameof(forward));
        CheckSentences(sentences);
        Guard.Shape(dZy, Classes, sentences.Count, nameof(dZy));
        var dWy = dZy.TransposeAndMultiply(forward.Avg);
        var dby = Matrix<double>.Build.Dense(Classes, 1);
        for (int c = 0; c < Classes; c++) dby[c, 0] = dZy.Row(c).Sum();
        var davg = Wy.TransposeThisAndMultiply(dZy);
        var dE = Matrix<double>.Build.Dense(E.RowCount, E.ColumnCount);
        for (int i = 0; i < sentences.Count; i++)
        {
            var s = sentences[i];
            foreach (int w in s)
                for (int k = 0; k < E.RowCount; k++) dE[k, w] += davg[k, i] / s.Length;
        }
        return ParameterSet.Of(new NamedMatrix("dE", dE), new NamedMatrix("dWy", dWy), new NamedMatrix("dby", dby));
    }

    /// <summary>J = (1/m) Σ_i −ln ŷ_{y_i} and its gradients.</summary>
    public (double J, IParameterSet Grads) Loss(IReadOnlyList<int[]> sentences, IReadOnlyList<int> labels)
    {
        var f = Forward(sentences);
        var (J, dZy) = Losses.SoftmaxCrossEntropy([f.Zy], [CheckLabels(labels, sentences.Count)]);
        return (J, Backward(dZy[0], f, sentences));
    }

    /// <summary>argmax_c ŷ_c for each sentence.</summary>
    public int[] Predict(IReadOnlyList<int[]> sentences)
    {
        var p = Forward(sentences).YHat;
        return Enumerable.Range(0, p.ColumnCount).Select(i => p.Column(i).MaximumIndex()).ToArray();
    }

    /// <summary>The fraction of sentences classified correctly.</summary>
    public double Accuracy(IReadOnlyList<int[]> sentences, IReadOnlyList<int> labels)
    {
        var pred = Predict(sentences);
        var y = CheckLabels(labels, sentences.Count);
        return pred.Zip(y).Count(t => t.First == t.Second) / (double)y.Length;
    }

    /// <summary>Mini-batch Adam on shuffled batches; the history's loss is the mean training J per epoch.</summary>
    public TrainingHistory Train(IReadOnlyList<int[]> sentences, IReadOnlyList<int> labels, ClassifierOptions options, Random rng)
    {
        Guard.NotNull(options, nameof(options)); Guard.NotNull(rng, nameof(rng));
        CheckSentences(sentences);
        var y = CheckLabels(labels, sentences.Count);
        return ClassifierTraining.Run(this, sentences.Count, options, rng, idx =>
            Loss(idx.Select(i => sentences[i]).ToArray(), idx.Select(i => y[i]).ToArray()),
            p => options.TrainEmbeddings || p != 0);
    }

    private void CheckSentences(IReadOnlyList<int[]> sentences) => ClassifierTraining.CheckSentences(sentences, E.ColumnCount);

    private int[] CheckLabels(IReadOnlyList<int> labels, int m) => ClassifierTraining.CheckLabels(labels, m, Classes);
}

/// <summary>The shared mini-batch loop and argument checks of the sentence classifiers.</summary>
internal static class ClassifierTraining
{
    public static TrainingHistory Run(IParameterSet model, int count, ClassifierOptions o, Random rng,
        Func<int[], (double J, IParameterSet Grads)> loss, Func<int, bool> update)
    {
        Guard.Positive(o.Epochs, nameof(o.Epochs));
        Guard.Positive(o.BatchSize, nameof(o.BatchSize));
        Guard.Positive(o.LearningRate, nameof(o.LearningRate));
        var adam = new LocalAdam(model, o.LearningRate);
        var order = Enumerable.Range(0, count).ToArray();
        var losses = new List<double>(); var seconds = new List<double>();
        for (int epoch = 0; epoch < o.Epochs; epoch++)
        {
            var sw = System.Diagnostics.Stopwatch.StartNew();
            rng.Shuffle(order);
            double sum = 0;
            for (int start = 0; start < count; start += o.BatchSize)
            {
                var idx = order[start..Math.Min(count, start + o.BatchSize)];
                var (J, g) = loss(idx);
                sum += J * idx.Length;
                adam.Step(g, update);
            }
            losses.Add(sum / count);
            seconds.Add(sw.Elapsed.TotalSeconds);
        }
        return new TrainingHistory(losses, seconds);
    }

    public static void CheckSentences(IReadOnlyList<int[]> sentences, int nv)
    {
        Guard.NotNull(sentences, nameof(sentences));
        if (sentences.Count == 0) throw new ArgumentException("sentences must contain at least one sentence but is empty.", nameof(sentences));
        for (int i = 0; i < sentences.Count; i++)
        {
            var s = Guard.NotNull(sentences[i], $"sentences[{i}]");
            if (s.Length == 0) throw new ArgumentException($"sentences[{i}] must have at least one word but is empty.", nameof(sentences));
            foreach (int w in s)
                if (w < 0 || w >= nv)
                    throw new ArgumentException($"sentences[{i}] must hold word indices in [0, {nv - 1}] but contains {w}.", nameof(sentences));
        }
    }

    public static int[] CheckLabels(IReadOnlyList<int> labels, int m, int classes)
    {
        Guard.NotNull(labels, nameof(labels));
        if (labels.Count != m) throw new ArgumentException($"labels must have {m} entries (one per sentence) but has {labels.Count}.", nameof(labels));
        var y = labels.ToArray();
        for (int i = 0; i < y.Length; i++)
            if (y[i] < 0 || y[i] >= classes)
                throw new ArgumentException($"labels[{i}] must be a class in [0, {classes - 1}] but is {y[i]}.", nameof(labels));
        return y;
    }
}
