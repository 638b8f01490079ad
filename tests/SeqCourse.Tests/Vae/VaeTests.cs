using System.Diagnostics;
using MathNet.Numerics.LinearAlgebra;

namespace SeqCourse.Tests.Vae;

public class GaussianKlTests
{
    [Fact]
    public void HandValuesFromTheSyllabus()
    {
        Assert.Equal(0.125, GaussianKl.StandardNormal(0.5, 1.0), 12);          // ½(0.25 + 1 − 1 − 0)
        Assert.Equal(0.3181472, GaussianKl.StandardNormal(0.0, 0.5), 7);       // ½(0.25 − 1 − ln 0.25)
        // The general form reduces to the standard-normal form when p = N(0, 1), and is 0 for q = p.
        Assert.Equal(0.3181472, GaussianKl.Between(0.0, 0.5, 0.0, 1.0), 7);
        Assert.Equal(0.0, GaussianKl.Between(0.3, 0.7, 0.3, 0.7), 14);
        // Hand value: q = N(1, 1), p = N(0, 4): ½[ln 4 + (1 + 1)/4 − 1] = ½(1.3862944 − 0.5) = 0.4431472.
        Assert.Equal(0.4431472, GaussianKl.Between(1.0, 1.0, 0.0, 2.0), 7);
    }

    [Fact]
    public void MatrixFormsMatchScalarsAndHaveTheStatedGradients()
    {
        var mu = Matrix<double>.Build.DenseOfArray(new double[,] { { 0.5, 0.0 }, { -0.2, 1.0 } });
        var lv = Matrix<double>.Build.DenseOfArray(new double[,] { { 0.0, Math.Log(0.25) }, { 0.3, -0.4 } });
        var (kl, dMu, dLv) = GaussianKl.StandardNormal(mu, lv);
        for (int j = 0; j < 2; j++)
        {
            double expected = 0;
            for (int i = 0; i < 2; i++) expected += GaussianKl.StandardNormal(mu[i, j], Math.Exp(0.5 * lv[i, j]));
            Assert.Equal(expected, kl[j], 12);
        }
        Assert.Equal(0.125 + GaussianKl.StandardNormal(-0.2, Math.Exp(0.15)), kl[0], 12);
        for (int i = 0; i < 2; i++)
            for (int j = 0; j < 2; j++)
            {
                Assert.Equal(mu[i, j], dMu[i, j], 14);                               // ∂/∂μ = μ
                Assert.Equal(0.5 * (Math.Exp(lv[i, j]) - 1), dLv[i, j], 14);         // ∂/∂ln σ² = ½(σ² − 1)
                // Numerical check of both derivatives on the scalar function.
                double Kl(double u, double l) => 0.5 * (u * u + Math.Exp(l) - 1 - l);
                double e = 1e-5;
                Assert.Equal((Kl(mu[i, j] + e, lv[i, j]) - Kl(mu[i, j] - e, lv[i, j])) / (2 * e), dMu[i, j], 8);
                Assert.Equal((Kl(mu[i, j], lv[i, j] + e) - Kl(mu[i, j], lv[i, j] - e)) / (2 * e), dLv[i, j], 8);
            }
    }

    [Fact]
    public void GeneralFormGradientsMatchCentredDifferences()
    {
        var rng = new Random(3);
        var muQ = Init.Normal(3, 2, 1, rng); var lvQ = Init.Normal(3, 2, 0.5, rng);
        var muP = Init.Normal(3, 2, 1, rng); var lvP = Init.Normal(3, 2, 0.5, rng);
        var (kl, dMuQ, dLvQ, dMuP, dLvP) = GaussianKl.Between(muQ, lvQ, muP, lvP);
        for (int j = 0; j < 2; j++)
        {
            double expected = 0;
            for (int i = 0; i < 3; i++) expected += GaussianKl.Between(muQ[i, j], Math.Exp(0.5 * lvQ[i, j]), muP[i, j], Math.Exp(0.5 * lvP[i, j]));
            Assert.Equal(expected, kl[j], 12);
        }
        double J() => GaussianKl.Between(muQ, lvQ, muP, lvP).Kl.Sum();
        var report = GradientCheck.Run(J,
            ParameterSet.Of(new("muQ", muQ), new("lvQ", lvQ), new("muP", muP), new("lvP", lvP)),
            ParameterSet.Of(new("dmuQ", dMuQ), new("dlvQ", dLvQ), new("dmuP", dMuP), new("dlvP", dLvP)));
        Assert.True(report.Passed, report.ToString());
    }

    [Fact]
    public void MonteCarloEstimateAgreesWithinThreeStandardErrors()
    {
        // KL(q ‖ p) = E_q[ln q(z) − ln p(z)], estimated from 10^5 draws z ~ q (seed 11). The closed form must lie within
        // 3 standard errors of the sample mean; the standard error here is about 0.003, so this also pins it to ~1%.
        const int n = 100_000;
        var rng = new Random(11);
        (double muQ, double sQ, double muP, double sP)[] cases = [(0.5, 1.0, 0.0, 1.0), (0.0, 0.5, 0.0, 1.0), (1.0, 0.7, -0.5, 1.5)];
        foreach (var (muQ, sQ, muP, sP) in cases)
        {
            double sum = 0, sum2 = 0;
            for (int k = 0; k < n; k++)
            {
                double z = muQ + sQ * Init.StandardNormal(rng);
                double lr = LogNormal(z, muQ, sQ) - LogNormal(z, muP, sP);
                sum += lr; sum2 += lr * lr;
            }
            double mean = sum / n, se = Math.Sqrt((sum2 / n - mean * mean) / n);
            double closed = GaussianKl.Between(muQ, sQ, muP, sP);
            Assert.True(Math.Abs(mean - closed) < 3 * se, $"MC {mean} ± {se} vs closed form {closed}");
            Assert.True(se < 0.01, $"standard error {se}");
        }
    }

    private static double LogNormal(double z, double mu, double s) => -0.5 * Math.Log(2 * Math.PI * s * s) - (z - mu) * (z - mu) / (2 * s * s);

    [Fact]
    public void NonPositiveSigmaIsRejectedWithTheArgumentName()
    {
        var e = Assert.Throws<ArgumentException>(() => GaussianKl.StandardNormal(0.0, 0.0));
        Assert.Equal("sigma", e.ParamName); Assert.Contains("> 0", e.Message); Assert.Contains("is 0", e.Message);
        e = Assert.Throws<ArgumentException>(() => GaussianKl.StandardNormal(0.0, -1.0));
        Assert.Contains("is -1", e.Message);
        Assert.Equal("sigmaP", Assert.Throws<ArgumentException>(() => GaussianKl.Between(0, 1, 0, -0.5)).ParamName);
        Assert.Equal("sigmaQ", Assert.Throws<ArgumentException>(() => GaussianKl.Between(0, 0, 0, 1)).ParamName);
        Assert.Equal("sigmaX", Assert.Throws<ArgumentException>(() => new SeqCourse.Vae(2, 3, 2, new Random(0), VaeLikelihood.Gaussian, 0.0)).ParamName);
    }

    [Fact]
    public void BadShapesAreRejectedWithExpectedAndActual()
    {
        var mu = Matrix<double>.Build.Dense(2, 3);
        var e = Assert.Throws<ArgumentException>(() => GaussianKl.StandardNormal(mu, Matrix<double>.Build.Dense(2, 2)));
        Assert.Equal("logVar", e.ParamName); Assert.Contains("(2, 3)", e.Message); Assert.Contains("(2, 2)", e.Message);
        e = Assert.Throws<ArgumentException>(() => Reparameterization.Reparameterize(mu, mu, Matrix<double>.Build.Dense(3, 3)));
        Assert.Equal("eps", e.ParamName);
        var vae = new SeqCourse.Vae(2, 4, 2, new Random(0));
        e = Assert.Throws<ArgumentException>(() => vae.Forward(Matrix<double>.Build.Dense(3, 5), new Random(0)));
        Assert.Equal("x", e.ParamName); Assert.Contains("2 rows", e.Message);
        e = Assert.Throws<ArgumentException>(() => vae.Forward(Matrix<double>.Build.Dense(2, 5), Matrix<double>.Build.Dense(2, 4)));
        Assert.Equal("eps", e.ParamName); Assert.Contains("(2, 5)", e.Message);
    }
}

public class ReparameterizationTests
{
    [Fact]
    public void SampleIsMuPlusSigmaEpsAndReproducible()
    {
        var mu = Matrix<double>.Build.DenseOfArray(new double[,] { { 1.0, -1.0 } });
        var lv = Matrix<double>.Build.DenseOfArray(new double[,] { { Math.Log(4.0), 0.0 } });
        var eps = Matrix<double>.Build.DenseOfArray(new double[,] { { 0.5, -2.0 } });
        var z = Reparameterization.Reparameterize(mu, lv, eps);
        Assert.Equal(2.0, z[0, 0], 12);    // 1 + 2·0.5
        Assert.Equal(-3.0, z[0, 1], 12);   // −1 + 1·(−2)
        var (z1, e1) = Reparameterization.Reparameterize(mu, lv, new Random(5));
        var (z2, e2) = Reparameterization.Reparameterize(mu, lv, new Random(5));
        Assert.Equal(z1, z2); Assert.Equal(e1, e2);
        Assert.Equal(Reparameterization.Reparameterize(mu, lv, e1), z1);
    }
}

public class VaeModelTests
{
    private static void Check(VaeLikelihood likelihood, int seed)
    {
        var rng = new Random(seed);
        var p = VaeParameters.Normal(nx: 3, nh: 4, nz: 2, std: 0.5, rng);
        var vae = new SeqCourse.Vae(p, likelihood, sigmaX: 0.7);
        var x = likelihood == VaeLikelihood.Gaussian ? Init.Normal(3, 5, 1.0, rng) : Init.Normal(3, 5, 1.0, rng).Map(v => v > 0 ? 1.0 : 0.0);
        var eps = Init.Normal(2, 5, 1.0, rng);   // fixed ε: the loss is a deterministic function of θ
        foreach (double beta in new[] { 1.0, 0.3 })
        {
            var (terms, grads) = vae.Backward(vae.Forward(x, eps), beta);
            Assert.Equal(terms.J, vae.Loss(vae.Forward(x, eps), beta).J, 12);
            var report = GradientCheck.Run(() => vae.Loss(vae.Forward(x, eps), beta).J, p, grads);
            Assert.True(report.Passed, report.ToString());
            Assert.True(report.MaxRelativeError < 1e-7);
        }
    }

    [Fact] public void GradientCheckGaussianLikelihood() => Check(VaeLikelihood.Gaussian, 1);
    [Fact] public void GradientCheckBernoulliLikelihood() => Check(VaeLikelihood.Bernoulli, 2);

    [Fact]
    public void LossTermsAreTheHandFormulas()
    {
        // One example, n_x = 1: NLL = (x − x̂)²/(2σ_x²) + ½ ln(2πσ_x²); KL from the closed form; ELBO = −(NLL + KL).
        var x = Matrix<double>.Build.Dense(1, 1, 1.0);
        var o = Matrix<double>.Build.Dense(1, 1, 0.5);
        var mu = Matrix<double>.Build.Dense(1, 1, 0.5);
        var lv = Matrix<double>.Build.Dense(1, 1, 0.0);
        var (t, _, _, _) = VaeLoss.Compute(x, o, mu, lv, VaeLikelihood.Gaussian, sigmaX: 1.0);
        double nll = 0.125 + 0.5 * Math.Log(2 * Math.PI);
        Assert.Equal(nll, t.Reconstruction, 12);
        Assert.Equal(0.125, t.Kl, 12);
        Assert.Equal(-(nll + 0.125), t.Elbo, 12);
        // Bernoulli: x = 1, logit 0 → NLL = ln 2.
        var (tb, _, _, _) = VaeLoss.Compute(x, Matrix<double>.Build.Dense(1, 1), mu, lv, VaeLikelihood.Bernoulli);
        Assert.Equal(Math.Log(2), tb.Reconstruction, 12);
    }

    [Fact]
    public void TrainingOnTheRingMixtureRaisesTheElbo()
    {
        // Fixed seeds: 8-component ring (radius 2, σ = 0.2), 2 000 points, n_h = 32, n_z = 2, σ_x = 0.1, Adam 0.01, 20 epochs of batch 64.
        var mix = GaussianMixture2D.Ring();
        var (x, _) = mix.Sample(2000, new Random(1));
        var vae = new SeqCourse.Vae(2, 32, 2, new Random(2), VaeLikelihood.Gaussian, sigmaX: 0.1);
        double before = vae.Elbo(x, new Random(3));
        var history = vae.Train(x, epochs: 20, batchSize: 64, new Random(4), learningRate: 0.01);
        double after = vae.Elbo(x, new Random(3));
        Assert.True(before < -50, $"ELBO before training {before}");
        Assert.True(after > ElboAfterTraining, $"ELBO after training {after}, before {before}");
        Assert.True(history[^1].Elbo > history[0].Elbo);
        // The true E[ln p(x)] of this mixture is about −ln 8 − ln(2π·0.04) − 1 ≈ −1.70, and the ELBO is a lower bound.
        Assert.True(after < -1.5, $"ELBO {after} cannot exceed the log-likelihood");
    }

    // Measured: −229.1 before, −3.50 after (2 s); the bar leaves a margin for floating-point differences across machines.
    private const double ElboAfterTraining = -4.5;
}
