using MathNet.Numerics.LinearAlgebra;

namespace SeqCourse;

/// <summary>A principal-component projection: directions, projected points, and how much variance each keeps.</summary>
/// <param name="Mean">The mean that was subtracted (n_e).</param>
/// <param name="Components">(n_e, k): column r is the r-th principal direction (unit length).</param>
/// <param name="Projected">(k, n): column i is point i in the new coordinates.</param>
/// <param name="ExplainedVarianceRatio">The share of the total variance along each direction.</param>
public sealed record PcaResult(Vector<double> Mean, Matrix<double> Components, Matrix<double> Projected,
    IReadOnlyList<double> ExplainedVarianceRatio);

/// <summary>Principal component analysis for plots of word vectors (syllabus §2.1), via MathNet's SVD.</summary>
public static class Pca
{
    /// <summary>
    /// Projects the columns of <paramref name="points"/> (n_e, n) onto their top <paramref name="k"/>
    /// principal directions. With the centred data X = U S Vᵀ, the directions are the first columns of U
    /// and the coordinates are Uᵀ X. Each direction's sign is fixed so that its largest entry is
    /// positive, so the same data always gives the same picture.
    /// </summary>
    public static PcaResult Project(Matrix<double> points, int k = 2)
    {
        Guard.NotNull(points, nameof(points));
        Guard.Finite(points, nameof(points));
        if (points.ColumnCount < 2)
            throw new ArgumentException($"points must have at least 2 columns (points) but has {points.ColumnCount}.", nameof(points));
        Guard.Positive(k, nameof(k));
        if (k > points.RowCount)
            throw new ArgumentException($"k must be <= {points.RowCount} (the dimension of the points) but is {k}.", nameof(k));
        int n = points.ColumnCount;
        var mean = points.RowSums() / n;
        var centred = points.Clone();
        for (int i = 0; i < n; i++) centred.SetColumn(i, centred.Column(i) - mean);
        var svd = centred.Svd(computeVectors: true);
        var U = svd.U.SubMatrix(0, points.RowCount, 0, k).Clone();
        for (int r = 0; r < k; r++)
        {
            var col = U.Column(r);
            if (col[col.AbsoluteMaximumIndex()] < 0) U.SetColumn(r, -col);
        }
        var s2 = svd.S.PointwisePower(2);
        double total = s2.Sum();
        var ratio = Enumerable.Range(0, k).Select(r => r < s2.Count && total > 0 ? s2[r] / total : 0.0).ToArray();
        return new PcaResult(mean, U, U.TransposeThisAndMultiply(centred), ratio);
    }

    /// <summary>The 2-D projection of some words of <paramref name="vectors"/>, in the order given.</summary>
    public static PcaResult Project(WordVectors vectors, IReadOnlyList<string> words, int k = 2)
    {
        Guard.NotNull(vectors, nameof(vectors)); Guard.NotNull(words, nameof(words));
        var m = Matrix<double>.Build.DenseOfColumnVectors(words.Select(w => vectors[w]));
        return Project(m, k);
    }
}
