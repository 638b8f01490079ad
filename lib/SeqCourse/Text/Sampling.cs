using MathNet.Numerics.LinearAlgebra;

namespace SeqCourse;

/// <summary>
/// Sampling from a model's output distribution with temperature (syllabus §3.6) and generating whole
/// sequences by feeding each sample back in (§1.5). The generator is always passed in and never reseeded.
/// </summary>
public static class Sampling
{
    /// <summary>
    /// p_i = exp(z_i/τ) / Σ_j exp(z_j/τ), computed after subtracting the max. τ → 0 approaches argmax, τ → ∞ uniform,
    /// τ = 1 is the model's own distribution. For z = (2, 1, 0), τ = 0.5: (0.8668133, 0.1173104, 0.01587624).
    /// </summary>
    public static double[] Probabilities(ReadOnlySpan<double> logits, double temperature = 1.0)
    {
        CheckTemperature(temperature);
        if (logits.IsEmpty) throw new ArgumentException("logits must not be empty.", nameof(logits));
        var scaled = new double[logits.Length];
        for (int i = 0; i < logits.Length; i++)
        {
            if (double.IsNaN(logits[i]) || double.IsPositiveInfinity(logits[i]))
                throw new ArgumentException($"logits must be finite (or −∞) but logits[{i}] = {logits[i]}.", nameof(logits));
            scaled[i] = logits[i] / temperature;
        }
        return Activations.Softmax(scaled);
    }

    /// <summary>Draws an index from softmax(<paramref name="logits"/> / τ) with <paramref name="rng"/>.</summary>
    public static int Sample(ReadOnlySpan<double> logits, double temperature, Random rng)
    {
        Guard.NotNull(rng, nameof(rng));
        return SampleFromProbabilities(Probabilities(logits, temperature), rng);
    }

    /// <summary>
    /// Draws an index from a distribution: u ~ U[0, 1), return the smallest i whose cumulative probability
    /// p_0 + … + p_i exceeds u. The probabilities must be ≥ 0 and sum to 1 (within 1e-6).
    /// </summary>
    public static int SampleFromProbabilities(ReadOnlySpan<double> probabilities, Random rng)
    {
        Guard.NotNull(rng, nameof(rng));
        if (probabilities.IsEmpty) throw new ArgumentException("probabilities must not be empty.", nameof(probabilities));
        double sum = 0;
        for (int i = 0; i < probabilities.Length; i++)
        {
            double p = probabilities[i];
            if (!(p >= 0) || double.IsInfinity(p))
                throw new ArgumentException($"probabilities must be finite and ≥ 0 but probabilities[{i}] = {p}.", nameof(probabilities));
            sum += p;
        }
        if (Math.Abs(sum - 1) > 1e-6)
            throw new ArgumentException($"probabilities must sum to 1 but sum to {sum}.", nameof(probabilities));

        double u = rng.NextDouble();
        double cumulative = 0;
        int lastPositive = 0;
        for (int i = 0; i < probabilities.Length; i++)
        {
            if (probabilities[i] > 0) lastPositive = i;
            cumulative += probabilities[i];
            if (cumulative > u) return i;
        }
        return lastPositive;   // rounding left the total a hair below u
    }

    /// <summary>Column <paramref name="column"/> of <paramref name="probabilities"/> (n_y, m) as a distribution to draw from.</summary>
    public static int SampleFromProbabilities(Matrix<double> probabilities, int column, Random rng)
    {
        Guard.NotNull(probabilities, nameof(probabilities));
        Guard.Index(column, probabilities.ColumnCount, nameof(column));
        return SampleFromProbabilities(probabilities.Column(column).ToArray(), rng);
    }

    /// <summary>
    /// Generates a sequence from an RNN language model (§1.5): x⟨1⟩ = 0, then each sampled index y⟨t⟩ is fed back as
    /// x⟨t+1⟩ = o_{y⟨t⟩}. Stops after drawing <paramref name="eosIndex"/> (included in the result) or after
    /// <paramref name="maxLength"/> tokens. Needs n_x = n_y = n_v.
    /// </summary>
    public static int[] GenerateSequence(RnnParameters p, int eosIndex, Random rng, double temperature = 1.0, int maxLength = 50,
        Activation g = Activation.Tanh)
    {
        Guard.NotNull(p, nameof(p));
        p.Validate();
        if (p.Nx != p.Ny)
            throw new ArgumentException($"p must have n_x = n_y to feed samples back but has n_x = {p.Nx}, n_y = {p.Ny}.", nameof(p));
        Guard.Index(eosIndex, p.Ny, nameof(eosIndex));
        Guard.NotNull(rng, nameof(rng));
        CheckTemperature(temperature);
        Guard.Positive(maxLength, nameof(maxLength));

        var result = new List<int>();
        var x = Init.Zeros(p.Nx, 1);
        var a = Init.Zeros(p.Na, 1);
        var logits = new double[p.Ny];
        int previous = -1;
        while (result.Count < maxLength)
        {
            (a, _) = RnnCell.Forward(x, a, p, g);
            var zy = RnnCell.Output(a, p);
            for (int i = 0; i < logits.Length; i++) logits[i] = zy[i, 0];
            int next = Sample(logits, temperature, rng);
            result.Add(next);
            if (next == eosIndex) break;
            if (previous >= 0) x[previous, 0] = 0;
            x[next, 0] = 1;   // x⟨t+1⟩ = o_{y⟨t⟩}
            previous = next;
        }
        return result.ToArray();
    }

    /// <summary>Perplexity exp(Σ −ln p / N) from a total negative log-likelihood over N tokens.</summary>
    public static double Perplexity(double totalNegativeLogLikelihood, int tokenCount)
    {
        Guard.Positive(tokenCount, nameof(tokenCount));
        if (!(totalNegativeLogLikelihood >= 0) || double.IsInfinity(totalNegativeLogLikelihood))
            throw new ArgumentException($"totalNegativeLogLikelihood must be finite and ≥ 0 but is {totalNegativeLogLikelihood}.",
                nameof(totalNegativeLogLikelihood));
        return Math.Exp(totalNegativeLogLikelihood / tokenCount);
    }

    private static void CheckTemperature(double temperature)
    {
        if (!(temperature > 0) || double.IsInfinity(temperature))
            throw new ArgumentException($"temperature must be > 0 and finite but is {temperature}.", nameof(temperature));
    }
}
