using System.Diagnostics;
using System.Runtime.CompilerServices;
using MathNet.Numerics.LinearAlgebra;

namespace SeqCourse;

/// <summary>How a co-occurrence at distance d inside the window is counted.</summary>
public enum CooccurrenceWeighting
{
    /// <summary>Every co-occurrence adds 1: X_ij is a plain count (the syllabus' definition, and the default).</summary>
    Count,
    /// <summary>A co-occurrence at distance d adds 1/d, as in the GloVe paper's code.</summary>
    InverseDistance,
}

/// <summary>
/// The GloVe parameters (syllabus §3.10): Θ (n_v, n_e) with rows θ_iᵀ (word vectors), E (n_e, n_v) with
/// columns e_j (context vectors), and the biases b (n_v, 1) of the words and b′ (n_v, 1) of the contexts.
/// </summary>
public sealed class GloveModel : IParameterSet
{
    /// <summary>Wraps the four parameters; they are used as given, not copied.</summary>
    public GloveModel(Matrix<double> theta, Matrix<double> e, Matrix<double> b, Matrix<double> bPrime)
    {
        Guard.NotNull(theta, nameof(theta));
        int nv = theta.RowCount, ne = theta.ColumnCount;
        Guard.Shape(e, ne, nv, nameof(e));
        Guard.Shape(b, nv, 1, nameof(b));
        Guard.Shape(bPrime, nv, 1, nameof(bPrime));
        Theta = theta; E = e; B = b; BPrime = bPrime;
    }

    /// <summary>As the GloVe code: vectors ~ U(−0.5/n_e, 0.5/n_e), biases 0.</summary>
    public static GloveModel Create(int vocabularySize, int embeddingSize, Random rng)
    {
        Guard.Positive(vocabularySize, nameof(vocabularySize));
        Guard.Positive(embeddingSize, nameof(embeddingSize));
        Guard.NotNull(rng, nameof(rng));
        double U(int _, int __) => (rng.NextDouble() - 0.5) / embeddingSize;
        var theta = Matrix<double>.Build.Dense(vocabularySize, embeddingSize, U);
        var e = Matrix<double>.Build.Dense(embeddingSize, vocabularySize, U);
        return new GloveModel(theta, e, Matrix<double>.Build.Dense(vocabularySize, 1), Matrix<double>.Build.Dense(vocabularySize, 1));
    }

    /// <summary>Θ (n_v, n_e): row i is θ_iᵀ.</summary>
    public Matrix<double> Theta { get; }

    /// <summary>E (n_e, n_v): column j is e_j.</summary>
    public Matrix<double> E { get; }

    /// <summary>b (n_v, 1): b_i.</summary>
    public Matrix<double> B { get; }

    /// <summary>b′ (n_v, 1): b′_j.</summary>
    public Matrix<double> BPrime { get; }

    /// <summary>n_v.</summary>
    public int VocabularySize => Theta.RowCount;

    /// <summary>n_e.</summary>
    public int EmbeddingSize => Theta.ColumnCount;

    /// <inheritdoc />
    public IReadOnlyList<NamedMatrix> Items =>
        [new NamedMatrix("Theta", Theta), new NamedMatrix("E", E), new NamedMatrix("b", B), new NamedMatrix("bPrime", BPrime)];

    /// <summary>
    /// The final vectors (e_w + θ_w)/2 as an (n_e, n_v) matrix. θ and e play symmetric roles, so both are
    /// estimates of the same thing; averaging them reduces noise (Pennington et al. 2014, §4.2).
    /// </summary>
    public Matrix<double> FinalVectors() => (E + Theta.Transpose()) / 2;

    /// <summary><see cref="FinalVectors"/> with their vocabulary.</summary>
    public WordVectors WordVectors(WordVocabulary vocabulary) => new(vocabulary, FinalVectors());
}

/// <summary>Settings of <see cref="Glove.Train"/>.</summary>
public sealed record GloveOptions
{
    /// <summary>Passes over the non-zero entries of X.</summary>
    public int Epochs { get; init; } = 25;

    /// <summary>AdaGrad step size (0.05 in the GloVe code).</summary>
    public double LearningRate { get; init; } = 0.05;

    /// <summary>x_max of the weighting f.</summary>
    public double XMax { get; init; } = 100;

    /// <summary>The exponent of the weighting f (¾).</summary>
    public double Alpha { get; init; } = 0.75;
}

/// <summary>
/// GloVe (Pennington et al. 2014; syllabus §2.5, §3.10): fit θ_iᵀe_j + b_i + b′_j to ln X_ij by weighted
/// least squares, J = Σ_{X_ij &gt; 0} f(X_ij)(θ_iᵀe_j + b_i + b′_j − ln X_ij)².
/// </summary>
public static class Glove
{
    /// <summary>
    /// X (n_v, n_v): X_ij = how often word j occurs within ±window of word i (inside one sentence),
    /// each occurrence adding 1 (<see cref="CooccurrenceWeighting.Count"/>) or 1/distance. X is symmetric.
    /// </summary>
    public static Matrix<double> Cooccurrence(IReadOnlyList<int[]> sentences, int vocabularySize, int window,
        CooccurrenceWeighting weighting = CooccurrenceWeighting.Count)
    {
        Guard.Positive(vocabularySize, nameof(vocabularySize));
        SkipGram.CheckWindow(window);
        SkipGram.CheckCorpus(sentences, vocabularySize, nameof(sentences));
        var X = Matrix<double>.Build.Dense(vocabularySize, vocabularySize);
        foreach (var s in sentences)
            for (int a = 0; a < s.Length; a++)
                for (int d = 1; d <= window && a + d < s.Length; d++)
                {
                    double w = weighting == CooccurrenceWeighting.Count ? 1.0 : 1.0 / d;
                    X[s[a], s[a + d]] += w;      // the pair is seen from both ends
                    X[s[a + d], s[a]] += w;
                }
        return X;
    }

    /// <summary>f(x) = (x/x_max)^α for x &lt; x_max, else 1; f(0) = 0 so that absent pairs drop out.</summary>
    public static double Weight(double x, double xMax = 100, double alpha = 0.75)
    {
        if (!(x >= 0)) throw new ArgumentException($"x must be a count >= 0 but is {x}.", nameof(x));
        Guard.Positive(xMax, nameof(xMax));
        Guard.Positive(alpha, nameof(alpha));
        return x < xMax ? Math.Pow(x / xMax, alpha) : 1.0;
    }

    /// <summary>
    /// J and its gradients (dTheta, dE, db, dbPrime, lined up with the model's Items). With
    /// d_ij = θ_iᵀe_j + b_i + b′_j − ln X_ij: ∂J/∂θ_i = Σ_j 2f(X_ij)d_ij e_j, ∂J/∂e_j = Σ_i 2f(X_ij)d_ij θ_i,
    /// ∂J/∂b_i = Σ_j 2f(X_ij)d_ij, ∂J/∂b′_j = Σ_i 2f(X_ij)d_ij.
    /// </summary>
    public static (double J, IParameterSet Grads) Loss(GloveModel model, Matrix<double> X, double xMax = 100, double alpha = 0.75)
    {
        Guard.NotNull(model, nameof(model));
        int nv = model.VocabularySize, ne = model.EmbeddingSize;
        CheckCounts(X, nv);
        var dTheta = Matrix<double>.Build.Dense(nv, ne);
        var dE = Matrix<double>.Build.Dense(ne, nv);
        var db = Matrix<double>.Build.Dense(nv, 1);
        var dbp = Matrix<double>.Build.Dense(nv, 1);
        double J = 0;
        for (int j = 0; j < nv; j++)
            for (int i = 0; i < nv; i++)
            {
                double x = X[i, j];
                if (x <= 0) continue;                       // f(0) = 0
                double f = Weight(x, xMax, alpha);
                double dot = 0;
                for (int k = 0; k < ne; k++) dot += model.Theta[i, k] * model.E[k, j];
                double d = dot + model.B[i, 0] + model.BPrime[j, 0] - Math.Log(x);
                J += f * d * d;
                double g = 2 * f * d;
                for (int k = 0; k < ne; k++)
                {
                    dTheta[i, k] += g * model.E[k, j];
                    dE[k, j] += g * model.Theta[i, k];
                }
                db[i, 0] += g; dbp[j, 0] += g;
            }
        var grads = ParameterSet.Of(new NamedMatrix("dTheta", dTheta), new NamedMatrix("dE", dE),
            new NamedMatrix("db", db), new NamedMatrix("dbPrime", dbp));
        return (J, grads);
    }

    /// <summary>
    /// Stochastic AdaGrad over the non-zero entries of X, visited in a fresh random order each epoch,
    /// as in the GloVe code (squared-gradient accumulators start at 1). The history's loss is the full J
    /// after each epoch.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static TrainingHistory Train(GloveModel model, Matrix<double> X, GloveOptions options, Random rng)
    {
        Guard.NotNull(model, nameof(model)); Guard.NotNull(options, nameof(options)); Guard.NotNull(rng, nameof(rng));
        int nv = model.VocabularySize, ne = model.EmbeddingSize;
        CheckCounts(X, nv);
        Guard.Positive(options.Epochs, nameof(options.Epochs));
        Guard.Positive(options.LearningRate, nameof(options.LearningRate));
        var entries = new List<(int I, int J, double LogX, double F)>();
        for (int j = 0; j < nv; j++)
            for (int i = 0; i < nv; i++)
                if (X[i, j] > 0) entries.Add((i, j, Math.Log(X[i, j]), Weight(X[i, j], options.XMax, options.Alpha)));
        if (entries.Count == 0) throw new ArgumentException("X must have at least one non-zero count but is all zeros.", nameof(X));

        var th = model.Theta; var e = model.E; var b = model.B; var bp = model.BPrime;
        var gTh = Matrix<double>.Build.Dense(nv, ne, 1.0); var gE = Matrix<double>.Build.Dense(ne, nv, 1.0);
        var gB = new double[nv]; var gBp = new double[nv];
        Array.Fill(gB, 1.0); Array.Fill(gBp, 1.0);
        double lr = options.LearningRate;
        var order = entries.ToArray();
        var losses = new List<double>(); var seconds = new List<double>();
        var ti = new double[ne];
        for (int epoch = 0; epoch < options.Epochs; epoch++)
        {
            var sw = Stopwatch.StartNew();
            rng.Shuffle(order);
            foreach (var (i, j, logX, f) in order)
            {
                double dot = 0;
                for (int k = 0; k < ne; k++) dot += th[i, k] * e[k, j];
                double g = 2 * f * (dot + b[i, 0] + bp[j, 0] - logX);
                for (int k = 0; k < ne; k++)
                {
                    ti[k] = th[i, k];
                    double gt = g * e[k, j], ge = g * ti[k];
                    gTh[i, k] += gt * gt; th[i, k] -= lr * gt / Math.Sqrt(gTh[i, k]);
                    gE[k, j] += ge * ge; e[k, j] -= lr * ge / Math.Sqrt(gE[k, j]);
                }
                gB[i] += g * g; b[i, 0] -= lr * g / Math.Sqrt(gB[i]);
                gBp[j] += g * g; bp[j, 0] -= lr * g / Math.Sqrt(gBp[j]);
            }
            seconds.Add(sw.Elapsed.TotalSeconds);
            losses.Add(Loss(model, X, options.XMax, options.Alpha).J);
        }
        return new TrainingHistory(losses, seconds);
    }

    private static void CheckCounts(Matrix<double> X, int nv)
    {
        Guard.Shape(X, nv, nv, nameof(X));
        for (int j = 0; j < nv; j++)
            for (int i = 0; i < nv; i++)
                if (!(X[i, j] >= 0) || double.IsInfinity(X[i, j]))
                    throw new ArgumentException($"X must hold finite counts >= 0 but X[{i}, {j}] = {X[i, j]}.", nameof(X));
    }
}
