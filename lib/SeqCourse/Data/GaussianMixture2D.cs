using MathNet.Numerics.LinearAlgebra;

namespace SeqCourse;

/// <summary>
/// Syllabus §5.6: a 2-D Gaussian mixture for the VAE notebook. Component k has mean <c>Means[k]</c>, isotropic
/// standard deviation <see cref="Sigma"/> and weight <c>Weights[k]</c>. The usual choice is <see cref="Ring"/>:
/// K equal components evenly spaced on a circle, whose K clusters a good VAE keeps apart in its latent space.
/// </summary>
public sealed class GaussianMixture2D
{
    /// <summary>Creates a mixture; weights are normalised to sum to 1.</summary>
    public GaussianMixture2D(IReadOnlyList<(double X, double Y)> means, double sigma, IReadOnlyList<double>? weights = null)
    {
        Guard.NotNull(means, nameof(means));
        if (means.Count == 0) throw new ArgumentException("means must contain at least one component but is empty.", nameof(means));
        foreach (var (x, y) in means)
            if (!double.IsFinite(x) || !double.IsFinite(y))
                throw new ArgumentException($"means must be finite but contains ({x}, {y}).", nameof(means));
        Guard.Positive(sigma, nameof(sigma));
        if (!double.IsFinite(sigma)) throw new ArgumentException($"sigma must be finite but is {sigma}.", nameof(sigma));
        var w = weights?.ToArray() ?? Enumerable.Repeat(1.0, means.Count).ToArray();
        if (w.Length != means.Count)
            throw new ArgumentException($"weights must have {means.Count} entries (one per mean) but has {w.Length}.", nameof(weights));
        if (w.Any(v => !(v >= 0) || !double.IsFinite(v)) || !(w.Sum() > 0))
            throw new ArgumentException($"weights must be finite, >= 0 and not all 0 but are [{string.Join(", ", w)}].", nameof(weights));
        double s = w.Sum();
        Means = means.ToArray();
        Sigma = sigma;
        Weights = w.Select(v => v / s).ToArray();
    }

    /// <summary>K equal components on a circle of radius <paramref name="radius"/>, the first at angle 0.</summary>
    public static GaussianMixture2D Ring(int components = 8, double radius = 2.0, double sigma = 0.2)
    {
        Guard.Positive(components, nameof(components));
        Guard.Positive(radius, nameof(radius));
        var means = Enumerable.Range(0, components)
            .Select(k => (radius * Math.Cos(2 * Math.PI * k / components), radius * Math.Sin(2 * Math.PI * k / components)))
            .ToArray();
        return new GaussianMixture2D(means, sigma);
    }

    /// <summary>Component means.</summary>
    public IReadOnlyList<(double X, double Y)> Means { get; }

    /// <summary>Standard deviation of every component (both coordinates).</summary>
    public double Sigma { get; }

    /// <summary>Mixture weights (sum to 1).</summary>
    public IReadOnlyList<double> Weights { get; }

    /// <summary>
    /// Draws <paramref name="n"/> points: returns X of shape (2, n), one example per column as in the rest of the library,
    /// and the component of each column.
    /// </summary>
    public (Matrix<double> X, int[] Components) Sample(int n, Random rng)
    {
        Guard.Positive(n, nameof(n));
        Guard.NotNull(rng, nameof(rng));
        var X = Matrix<double>.Build.Dense(2, n);
        var comp = new int[n];
        for (int j = 0; j < n; j++)
        {
            double u = rng.NextDouble(), acc = 0;
            int k = 0;
            while (k < Weights.Count - 1 && u >= (acc += Weights[k])) k++;
            comp[j] = k;
            X[0, j] = Means[k].X + Sigma * DataRandom.StandardNormal(rng);
            X[1, j] = Means[k].Y + Sigma * DataRandom.StandardNormal(rng);
        }
        return (X, comp);
    }

    /// <summary>log p(x, y) = log Σ_k w_k N((x, y); μ_k, σ² I), computed stably (log-sum-exp); for contour plots and the ELBO's target.</summary>
    public double LogDensity(double x, double y)
    {
        double logNorm = -Math.Log(2 * Math.PI * Sigma * Sigma);
        var terms = new double[Means.Count];
        for (int k = 0; k < Means.Count; k++)
        {
            double dx = x - Means[k].X, dy = y - Means[k].Y;
            terms[k] = Math.Log(Weights[k]) + logNorm - (dx * dx + dy * dy) / (2 * Sigma * Sigma);
        }
        double max = terms.Max();
        if (double.IsNegativeInfinity(max)) return max;
        return max + Math.Log(terms.Sum(t => Math.Exp(t - max)));
    }
}
