using MathNet.Numerics.LinearAlgebra;

namespace SeqCourse;

/// <summary>
/// Weight initialisers (syllabus §3.13). Every one takes the generator explicitly, so a notebook
/// that passes <c>new Random(1)</c> gets the same weights every run and nothing global is reseeded.
/// </summary>
public static class Init
{
    /// <summary>Entries ~ N(0, std²): S3's <c>weight_init_std * randn</c>.</summary>
    public static Matrix<double> Normal(int rows, int cols, double std, Random rng)
    {
        Guard.Positive(rows, nameof(rows)); Guard.Positive(cols, nameof(cols));
        if (!(std >= 0)) throw new ArgumentException($"std must be >= 0 but is {std}.", nameof(std));
        Guard.NotNull(rng, nameof(rng));
        var m = Matrix<double>.Build.Dense(rows, cols);
        for (int j = 0; j < cols; j++)
            for (int i = 0; i < rows; i++)
                m[i, j] = std * StandardNormal(rng);
        return m;
    }

    /// <summary>"Xavier" as in the course: std = √(1/n_in), where n_in = cols.</summary>
    public static Matrix<double> Xavier(int rows, int cols, Random rng) => Normal(rows, cols, Math.Sqrt(1.0 / cols), rng);

    /// <summary>He et al. 2015: std = √(2/n_in); the 2 makes up for ReLU zeroing half its inputs.</summary>
    public static Matrix<double> He(int rows, int cols, Random rng) => Normal(rows, cols, Math.Sqrt(2.0 / cols), rng);

    /// <summary>An all-zero matrix (biases).</summary>
    public static Matrix<double> Zeros(int rows, int cols) => Matrix<double>.Build.Dense(rows, cols);

    /// <summary>A standard-normal draw from <paramref name="rng"/> (Box–Muller via MathNet).</summary>
    public static double StandardNormal(Random rng) => MathNet.Numerics.Distributions.Normal.Sample(rng, 0.0, 1.0);
}
