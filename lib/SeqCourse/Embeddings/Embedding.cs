using MathNet.Numerics.LinearAlgebra;

namespace SeqCourse;

/// <summary>
/// The embedding matrix E (n_e, n_v) of syllabus §2.1/§3.10. Multiplying E by a one-hot o_j picks
/// column j, so e_j = E o_j is implemented as a lookup, never as a product. The backward pass is the
/// transpose of that lookup: a scatter-add dE[:, j] += de_j, where a word that occurs several times in
/// the batch accumulates the gradients of all its occurrences.
/// Index −1 is padding: it embeds to the zero vector and receives no gradient (used by week 3).
/// </summary>
public sealed class Embedding : IParameterSet
{
    /// <summary>Wraps <paramref name="e"/> (n_e, n_v); the layer computes with this very matrix.</summary>
    public Embedding(Matrix<double> e)
    {
        Guard.NotNull(e, nameof(e));
        Guard.Finite(e, nameof(e));
        E = e;
    }

    /// <summary>E with entries ~ N(0, std²) drawn from <paramref name="rng"/>.</summary>
    public static Embedding Create(int vocabularySize, int embeddingSize, Random rng, double std = 0.1)
    {
        Guard.Positive(vocabularySize, nameof(vocabularySize));
        Guard.Positive(embeddingSize, nameof(embeddingSize));
        return new Embedding(Init.Normal(embeddingSize, vocabularySize, std, rng));
    }

    /// <summary>E (n_e, n_v): column j is the vector of word j.</summary>
    public Matrix<double> E { get; }

    /// <summary>n_e, the embedding size.</summary>
    public int EmbeddingSize => E.RowCount;

    /// <summary>n_v, the vocabulary size.</summary>
    public int VocabularySize => E.ColumnCount;

    /// <inheritdoc />
    public IReadOnlyList<NamedMatrix> Items => [new NamedMatrix("E", E)];

    /// <summary>e_j = E o_j, a copy of column j as an (n_e, 1) matrix.</summary>
    public Matrix<double> Lookup(int j)
    {
        Guard.Index(j, VocabularySize, nameof(j));
        return E.SubMatrix(0, EmbeddingSize, j, 1);
    }

    /// <summary>
    /// One time step for a batch: column i of the result is e_{indices[i]} (n_e, m).
    /// An index of −1 (padding) gives a zero column.
    /// </summary>
    public Matrix<double> Forward(int[] indices)
    {
        CheckIndices(indices, nameof(indices));
        int ne = EmbeddingSize;
        var x = Matrix<double>.Build.Dense(ne, indices.Length);
        for (int i = 0; i < indices.Length; i++)
        {
            int j = indices[i];
            if (j < 0) continue;
            for (int k = 0; k < ne; k++) x[k, i] = E[k, j];
        }
        return x;
    }

    /// <summary>A whole sequence batch: <paramref name="indices"/>[t][i] is word t of example i; returns T matrices (n_e, m).</summary>
    public Matrix<double>[] Forward(IReadOnlyList<int[]> indices)
    {
        CheckSequence(indices, nameof(indices));
        var xs = new Matrix<double>[indices.Count];
        for (int t = 0; t < indices.Count; t++) xs[t] = Forward(indices[t]);
        return xs;
    }

    /// <summary>
    /// The gradient of one step: dE (n_e, n_v) with dE[:, j] = Σ_{i: indices[i] = j} de[:, i]
    /// (scatter-add, so repeated words accumulate). Padding (−1) contributes nothing.
    /// </summary>
    public Matrix<double> Backward(Matrix<double> de, int[] indices)
    {
        CheckIndices(indices, nameof(indices));
        Guard.Shape(de, EmbeddingSize, indices.Length, nameof(de));
        var dE = Matrix<double>.Build.Dense(EmbeddingSize, VocabularySize);
        Accumulate(dE, de, indices);
        return dE;
    }

    /// <summary>
    /// The gradient of a whole sequence: the scatter-adds of every step summed into one dE.
    /// <paramref name="de"/>[t] may be null when nothing reads step t.
    /// </summary>
    public Matrix<double> Backward(IReadOnlyList<Matrix<double>?> de, IReadOnlyList<int[]> indices)
    {
        CheckSequence(indices, nameof(indices));
        Guard.NotNull(de, nameof(de));
        if (de.Count != indices.Count)
            throw new ArgumentException($"de must have {indices.Count} time steps like indices but has {de.Count}.", nameof(de));
        var dE = Matrix<double>.Build.Dense(EmbeddingSize, VocabularySize);
        for (int t = 0; t < indices.Count; t++)
        {
            if (de[t] is not { } d) continue;
            Guard.Shape(d, EmbeddingSize, indices[t].Length, $"de[{t}]");
            Accumulate(dE, d, indices[t]);
        }
        return dE;
    }

    /// <summary>Wraps a gradient as the set {("dE", dE)}, lined up with <see cref="Items"/>.</summary>
    public static IParameterSet Gradients(Matrix<double> dE) => ParameterSet.Of(new NamedMatrix("dE", dE));

    private void Accumulate(Matrix<double> dE, Matrix<double> de, int[] indices)
    {
        for (int i = 0; i < indices.Length; i++)
        {
            int j = indices[i];
            if (j < 0) continue;
            for (int k = 0; k < EmbeddingSize; k++) dE[k, j] += de[k, i];   // dE[:, j] += de_j
        }
    }

    private void CheckIndices(int[] indices, string name)
    {
        Guard.NotNull(indices, name);
        if (indices.Length == 0) throw new ArgumentException($"{name} must contain at least one example but is empty.", name);
        for (int i = 0; i < indices.Length; i++)
            if (indices[i] < -1 || indices[i] >= VocabularySize)
                throw new ArgumentException(
                    $"{name}[{i}] must be a word index in [0, {VocabularySize - 1}] or -1 (padding) but is {indices[i]}.", name);
    }

    private void CheckSequence(IReadOnlyList<int[]> indices, string name)
    {
        Guard.NotNull(indices, name);
        if (indices.Count == 0) throw new ArgumentException($"{name} must contain at least one time step but is empty.", name);
        int m = Guard.NotNull(indices[0], $"{name}[0]").Length;
        for (int t = 0; t < indices.Count; t++)
        {
            CheckIndices(indices[t], $"{name}[{t}]");
            if (indices[t].Length != m)
                throw new ArgumentException($"{name}[{t}] must have {m} entries like {name}[0] but has {indices[t].Length}.", name);
        }
    }
}
