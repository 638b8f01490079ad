using MathNet.Numerics.LinearAlgebra;

namespace SeqCourse;

/// <summary>
/// The KL divergence between diagonal Gaussians in closed form (syllabus 4.1, 4.3).
/// <list type="bullet">
/// <item>Standard-normal prior (VAE): KL(N(μ, σ²) ‖ N(0, 1)) = ½ (μ² + σ² − 1 − ln σ²), with
/// ∂KL/∂μ = μ and ∂KL/∂ln σ² = ½ (σ² − 1).</item>
/// <item>General (VHRED, q ‖ p): KL = ½ [ln(σ_p²/σ_q²) + (σ_q² + (μ_q − μ_p)²)/σ_p² − 1].</item>
/// </list>
/// The matrix forms take ln σ² (what the networks output, so σ &gt; 0 always holds), sum over the latent units
/// (rows) and return one KL per example (column).
/// </summary>
public static class GaussianKl
{
    /// <summary>½ (μ² + σ² − 1 − ln σ²) for one unit; <paramref name="sigma"/> must be &gt; 0. (0.5, 1) → 0.125; (0, 0.5) → 0.3181472.</summary>
    public static double StandardNormal(double mu, double sigma)
    {
        CheckSigma(sigma, nameof(sigma));
        if (!double.IsFinite(mu)) throw new ArgumentException($"mu must be finite but is {mu}.", nameof(mu));
        double s2 = sigma * sigma;
        return 0.5 * (mu * mu + s2 - 1 - Math.Log(s2));
    }

    /// <summary>KL(N(μ_q, σ_q²) ‖ N(μ_p, σ_p²)) for one unit; both σ must be &gt; 0.</summary>
    public static double Between(double muQ, double sigmaQ, double muP, double sigmaP)
    {
        CheckSigma(sigmaQ, nameof(sigmaQ)); CheckSigma(sigmaP, nameof(sigmaP));
        double vq = sigmaQ * sigmaQ, vp = sigmaP * sigmaP, d = muQ - muP;
        return 0.5 * (Math.Log(vp / vq) + (vq + d * d) / vp - 1);
    }

    /// <summary>
    /// Standard-normal prior, batched: <paramref name="mu"/> and <paramref name="logVar"/> are (n_z, m).
    /// Returns KL per column (summed over the n_z units) and the elementwise gradients of Σ KL:
    /// dMu = μ, dLogVar = ½ (σ² − 1).
    /// </summary>
    public static (double[] Kl, Matrix<double> dMu, Matrix<double> dLogVar) StandardNormal(Matrix<double> mu, Matrix<double> logVar)
    {
        Guard.NotNull(mu, nameof(mu));
        Guard.Shape(logVar, mu.RowCount, mu.ColumnCount, nameof(logVar));
        Guard.Finite(mu, nameof(mu)); Guard.Finite(logVar, nameof(logVar));
        int n = mu.RowCount, m = mu.ColumnCount;
        var kl = new double[m];
        var dMu = mu.Clone();
        var dLv = Matrix<double>.Build.Dense(n, m);
        for (int j = 0; j < m; j++)
            for (int i = 0; i < n; i++)
            {
                double u = mu[i, j], lv = logVar[i, j], v = Math.Exp(lv);
                kl[j] += 0.5 * (u * u + v - 1 - lv);
                dLv[i, j] = 0.5 * (v - 1);
            }
        return (kl, dMu, dLv);
    }

    /// <summary>
    /// General form KL(q ‖ p), batched, from means and log-variances (all (n_z, m)). Returns KL per column and the
    /// gradients of Σ KL with respect to μ_q, ln σ_q², μ_p, ln σ_p²:
    /// ∂/∂μ_q = (μ_q − μ_p)/σ_p² = −∂/∂μ_p, ∂/∂ln σ_q² = ½ (σ_q²/σ_p² − 1),
    /// ∂/∂ln σ_p² = ½ (1 − (σ_q² + (μ_q − μ_p)²)/σ_p²).
    /// </summary>
    public static (double[] Kl, Matrix<double> dMuQ, Matrix<double> dLogVarQ, Matrix<double> dMuP, Matrix<double> dLogVarP) Between(
        Matrix<double> muQ, Matrix<double> logVarQ, Matrix<double> muP, Matrix<double> logVarP)
    {
        Guard.NotNull(muQ, nameof(muQ));
        int n = muQ.RowCount, m = muQ.ColumnCount;
        Guard.Shape(logVarQ, n, m, nameof(logVarQ)); Guard.Shape(muP, n, m, nameof(muP)); Guard.Shape(logVarP, n, m, nameof(logVarP));
        Guard.Finite(muQ, nameof(muQ)); Guard.Finite(logVarQ, nameof(logVarQ));
        Guard.Finite(muP, nameof(muP)); Guard.Finite(logVarP, nameof(logVarP));
        var kl = new double[m];
        var dMuQ = Matrix<double>.Build.Dense(n, m); var dLvQ = Matrix<double>.Build.Dense(n, m);
        var dMuP = Matrix<double>.Build.Dense(n, m); var dLvP = Matrix<double>.Build.Dense(n, m);
        for (int j = 0; j < m; j++)
            for (int i = 0; i < n; i++)
            {
                double lq = logVarQ[i, j], lp = logVarP[i, j], vq = Math.Exp(lq), invVp = Math.Exp(-lp), d = muQ[i, j] - muP[i, j];
                kl[j] += 0.5 * (lp - lq + (vq + d * d) * invVp - 1);
                dMuQ[i, j] = d * invVp; dMuP[i, j] = -d * invVp;
                dLvQ[i, j] = 0.5 * (vq * invVp - 1);
                dLvP[i, j] = 0.5 * (1 - (vq + d * d) * invVp);
            }
        return (kl, dMuQ, dLvQ, dMuP, dLvP);
    }

    private static void CheckSigma(double sigma, string name)
    {
        if (!(sigma > 0) || !double.IsFinite(sigma))
            throw new ArgumentException($"{name} must be a finite standard deviation > 0 but is {sigma}.", name);
    }
}

/// <summary>The reparameterisation trick (syllabus 4.1): z = μ + σ ⊙ ε with σ = exp(½ ln σ²), ε ~ N(0, I).</summary>
public static class Reparameterization
{
    /// <summary>Draws ε ~ N(0, I) from <paramref name="rng"/> (shape of <paramref name="mu"/>) and returns (z, ε).</summary>
    public static (Matrix<double> Z, Matrix<double> Eps) Reparameterize(Matrix<double> mu, Matrix<double> logVar, Random rng)
    {
        Guard.NotNull(mu, nameof(mu)); Guard.NotNull(rng, nameof(rng));
        var eps = Init.Normal(mu.RowCount, mu.ColumnCount, 1.0, rng);
        return (Reparameterize(mu, logVar, eps), eps);
    }

    /// <summary>z = μ + exp(½ ln σ²) ⊙ ε with a given ε (fixed noise makes the map deterministic, for gradient checks).</summary>
    public static Matrix<double> Reparameterize(Matrix<double> mu, Matrix<double> logVar, Matrix<double> eps)
    {
        Guard.NotNull(mu, nameof(mu));
        Guard.Shape(logVar, mu.RowCount, mu.ColumnCount, nameof(logVar));
        Guard.Shape(eps, mu.RowCount, mu.ColumnCount, nameof(eps));
        var z = Matrix<double>.Build.Dense(mu.RowCount, mu.ColumnCount);
        for (int j = 0; j < mu.ColumnCount; j++)
            for (int i = 0; i < mu.RowCount; i++)
                z[i, j] = mu[i, j] + Math.Exp(0.5 * logVar[i, j]) * eps[i, j];
        return z;
    }

    /// <summary>
    /// Backward through the sampling: given dz, ∂z/∂μ = 1 and ∂z/∂ln σ² = ½ σ ε, so dμ = dz and
    /// d ln σ² = dz ⊙ ½ σ ⊙ ε. ε itself gets no gradient: that is the point of the trick.
    /// </summary>
    public static (Matrix<double> dMu, Matrix<double> dLogVar) Backward(Matrix<double> dz, Matrix<double> logVar, Matrix<double> eps)
    {
        Guard.NotNull(dz, nameof(dz));
        Guard.Shape(logVar, dz.RowCount, dz.ColumnCount, nameof(logVar));
        Guard.Shape(eps, dz.RowCount, dz.ColumnCount, nameof(eps));
        var dLv = Matrix<double>.Build.Dense(dz.RowCount, dz.ColumnCount);
        for (int j = 0; j < dz.ColumnCount; j++)
            for (int i = 0; i < dz.RowCount; i++)
                dLv[i, j] = dz[i, j] * 0.5 * Math.Exp(0.5 * logVar[i, j]) * eps[i, j];
        return (dz.Clone(), dLv);
    }
}
