using MathNet.Numerics.LinearAlgebra;

namespace SeqCourse;

/// <summary>The answer to "a is to b as c is to ?" and the runners-up (query words excluded).</summary>
/// <param name="Answer">argmax_w sim(e_w, e_b − e_a + e_c) over w ∉ {a, b, c}.</param>
/// <param name="Similarity">The cosine similarity of the answer with the target vector.</param>
/// <param name="Ranking">Every candidate with its similarity, best first.</param>
/// <param name="Target">e_b − e_a + e_c.</param>
public sealed record AnalogyResult(string Answer, double Similarity, IReadOnlyList<(string Word, double Similarity)> Ranking,
    Vector<double> Target);

/// <summary>
/// Word vectors with their vocabulary: similarity, nearest neighbours and analogies (syllabus §3.10).
/// <see cref="Matrix"/> is (n_e, n_v) like E: column j is the vector of word j.
/// </summary>
public sealed class WordVectors
{
    /// <summary>Pairs a (n_e, n_v) matrix with its vocabulary. The matrix is used as given (not copied).</summary>
    public WordVectors(WordVocabulary vocabulary, Matrix<double> matrix)
    {
        Guard.NotNull(vocabulary, nameof(vocabulary));
        Guard.NotNull(matrix, nameof(matrix));
        if (matrix.ColumnCount != vocabulary.Count)
            throw new ArgumentException(
                $"matrix must have {vocabulary.Count} columns (one per word) but has shape ({matrix.RowCount}, {matrix.ColumnCount}).", nameof(matrix));
        Vocabulary = vocabulary;
        Matrix = matrix;
    }

    /// <summary>Builds word vectors from a word → vector table (hand examples such as §3.10's 2-D words).</summary>
    public static WordVectors FromTable(IEnumerable<(string Word, double[] Vector)> table)
    {
        Guard.NotNull(table, nameof(table));
        var rows = table.ToArray();
        var vocab = WordVocabulary.FromWords(rows.Select(r => r.Word));
        int ne = rows[0].Vector.Length;
        foreach (var (w, v) in rows)
            if (v.Length != ne) throw new ArgumentException($"table: the vector of '{w}' must have {ne} entries but has {v.Length}.", nameof(table));
        return new WordVectors(vocab, Matrix<double>.Build.DenseOfColumnArrays(rows.Select(r => r.Vector)));
    }

    /// <summary>The vocabulary (word ↔ column).</summary>
    public WordVocabulary Vocabulary { get; }

    /// <summary>(n_e, n_v): column j is e_j.</summary>
    public Matrix<double> Matrix { get; }

    /// <summary>n_e.</summary>
    public int Dimension => Matrix.RowCount;

    /// <summary>A copy of the vector of <paramref name="word"/>; an unknown word throws naming it.</summary>
    public Vector<double> this[string word] => Matrix.Column(Vocabulary.IndexOf(word, nameof(word)));

    /// <summary>Replaces the vector of <paramref name="word"/> (used by neutralise/equalise).</summary>
    public void Set(string word, Vector<double> vector)
    {
        Guard.NotNull(vector, nameof(vector));
        if (vector.Count != Dimension)
            throw new ArgumentException($"vector must have {Dimension} entries but has {vector.Count}.", nameof(vector));
        Matrix.SetColumn(Vocabulary.IndexOf(word, nameof(word)), vector);
    }

    /// <summary>A deep copy, so that debiasing can be compared with the original.</summary>
    public WordVectors Clone() => new(Vocabulary, Matrix.Clone());

    /// <summary>sim(u, v) = uᵀv / (‖u‖ ‖v‖). A zero vector has no direction and throws.</summary>
    public static double CosineSimilarity(Vector<double> u, Vector<double> v)
    {
        Guard.NotNull(u, nameof(u)); Guard.NotNull(v, nameof(v));
        if (u.Count != v.Count)
            throw new ArgumentException($"v must have {u.Count} entries like u but has {v.Count}.", nameof(v));
        double nu = u.L2Norm(), nv = v.L2Norm();
        if (nu == 0) throw new ArgumentException("u must be non-zero (cosine similarity needs a direction) but is the zero vector.", nameof(u));
        if (nv == 0) throw new ArgumentException("v must be non-zero (cosine similarity needs a direction) but is the zero vector.", nameof(v));
        return u.DotProduct(v) / (nu * nv);
    }

    /// <summary>sim between two words of this vocabulary.</summary>
    public double Similarity(string a, string b) => CosineSimilarity(this[a], this[b]);

    /// <summary>The <paramref name="k"/> words most similar to <paramref name="vector"/>, skipping <paramref name="exclude"/>.</summary>
    public IReadOnlyList<(string Word, double Similarity)> Nearest(Vector<double> vector, int k = 10, IEnumerable<string>? exclude = null)
    {
        Guard.Positive(k, nameof(k));
        var ranking = Rank(vector, exclude ?? []);
        return ranking.Take(k).ToArray();
    }

    /// <summary>The <paramref name="k"/> nearest neighbours of a word (the word itself excluded).</summary>
    public IReadOnlyList<(string Word, double Similarity)> Nearest(string word, int k = 10) => Nearest(this[word], k, [word]);

    /// <summary>
    /// "a is to b as c is to ?": argmax_w sim(e_w, e_b − e_a + e_c) over every w except a, b and c
    /// (otherwise b or c would usually win, because the target is close to them).
    /// An unknown query word throws an <see cref="ArgumentException"/> that names it.
    /// </summary>
    public AnalogyResult CompleteAnalogy(string a, string b, string c)
    {
        var ea = Matrix.Column(Vocabulary.IndexOf(a, nameof(a)));
        var eb = Matrix.Column(Vocabulary.IndexOf(b, nameof(b)));
        var ec = Matrix.Column(Vocabulary.IndexOf(c, nameof(c)));
        var target = eb - ea + ec;
        var ranking = Rank(target, [a, b, c]);
        if (ranking.Count == 0)
            throw new ArgumentException("The vocabulary must hold a word besides a, b and c to answer an analogy.", nameof(c));
        return new AnalogyResult(ranking[0].Word, ranking[0].Similarity, ranking, target);
    }

    /// <summary>The fraction of (a, b, c, d) quadruples for which <see cref="CompleteAnalogy"/> returns d.</summary>
    public double AnalogyAccuracy(IEnumerable<(string A, string B, string C, string D)> quadruples) =>
        Guard.NotNull(quadruples, nameof(quadruples)).Select(q => CompleteAnalogy(q.A, q.B, q.C).Answer == q.D ? 1.0 : 0.0).DefaultIfEmpty(double.NaN).Average();

    private List<(string Word, double Similarity)> Rank(Vector<double> target, IEnumerable<string> exclude)
    {
        Guard.NotNull(target, nameof(target));
        if (target.Count != Dimension)
            throw new ArgumentException($"vector must have {Dimension} entries but has {target.Count}.", nameof(target));
        var skip = new HashSet<string>(exclude, StringComparer.Ordinal);
        double tn = target.L2Norm();
        var list = new List<(string, double)>(Vocabulary.Count);
        for (int j = 0; j < Vocabulary.Count; j++)
        {
            string w = Vocabulary[j];
            if (skip.Contains(w)) continue;
            double dot = 0, n2 = 0;
            for (int k = 0; k < Dimension; k++) { double e = Matrix[k, j]; dot += e * target[k]; n2 += e * e; }
            // a zero vector (or target) has no direction: rank it last rather than dividing by zero
            double sim = n2 == 0 || tn == 0 ? double.NegativeInfinity : dot / (Math.Sqrt(n2) * tn);
            list.Add((w, sim));
        }
        list.Sort((x, y) => y.Item2.CompareTo(x.Item2));
        return list;
    }
}
