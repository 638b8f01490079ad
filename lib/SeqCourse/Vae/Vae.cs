using MathNet.Numerics.LinearAlgebra;

namespace SeqCourse;

/// <summary>How the decoder scores a reconstruction: −ln p(x | z).</summary>
public enum VaeLikelihood
{
    /// <summary>x ~ N(x̂, σ_x² I) with fixed σ_x: NLL = Σ_i [(x_i − x̂_i)²/(2σ_x²) + ½ ln(2π σ_x²)] (real-valued data).</summary>
    Gaussian,
    /// <summary>x_i ~ Bernoulli(σ(z_i)): NLL = Σ_i BCE(x_i, σ(z_i)) from the logits (binary data).</summary>
    Bernoulli,
}

/// <summary>
/// Parameters of a small fully connected VAE (syllabus 4.1), examples as columns:
/// encoder h = tanh(W_e x + b_e), μ = W_mu h + b_mu, ln σ² = W_lv h + b_lv;
/// decoder g = tanh(W_d z + b_d), output o = W_x g + b_x (the mean x̂ for Gaussian data, the logits for Bernoulli data).
/// </summary>
public sealed record VaeParameters(
    Matrix<double> We, Matrix<double> be, Matrix<double> Wmu, Matrix<double> bmu, Matrix<double> Wlv, Matrix<double> blv,
    Matrix<double> Wd, Matrix<double> bd, Matrix<double> Wx, Matrix<double> bx) : IParameterSet
{
    /// <summary>n_x, the data dimension.</summary>
    public int Nx => We.ColumnCount;
    /// <summary>n_h, the hidden width of encoder and decoder.</summary>
    public int Nh => We.RowCount;
    /// <summary>n_z, the latent dimension.</summary>
    public int Nz => Wmu.RowCount;

    /// <inheritdoc />
    public IReadOnlyList<NamedMatrix> Items =>
    [
        new("We", We), new("be", be), new("Wmu", Wmu), new("bmu", bmu), new("Wlv", Wlv), new("blv", blv),
        new("Wd", Wd), new("bd", bd), new("Wx", Wx), new("bx", bx),
    ];

    /// <summary>Xavier weights (std √(1/n_in)) from <paramref name="rng"/>, zero biases.</summary>
    public static VaeParameters Create(int nx, int nh, int nz, Random rng)
    {
        Guard.Positive(nx, nameof(nx)); Guard.Positive(nh, nameof(nh)); Guard.Positive(nz, nameof(nz)); Guard.NotNull(rng, nameof(rng));
        return new(Init.Xavier(nh, nx, rng), Init.Zeros(nh, 1), Init.Xavier(nz, nh, rng), Init.Zeros(nz, 1),
            Init.Xavier(nz, nh, rng), Init.Zeros(nz, 1), Init.Xavier(nh, nz, rng), Init.Zeros(nh, 1), Init.Xavier(nx, nh, rng), Init.Zeros(nx, 1));
    }

    /// <summary>Every entry (biases too) ~ N(0, std²): for gradient checks.</summary>
    public static VaeParameters Normal(int nx, int nh, int nz, double std, Random rng)
    {
        Guard.NotNull(rng, nameof(rng));
        Matrix<double> N(int r, int c) => Init.Normal(r, c, std, rng);
        return new(N(nh, nx), N(nh, 1), N(nz, nh), N(nz, 1), N(nz, nh), N(nz, 1), N(nh, nz), N(nh, 1), N(nx, nh), N(nx, 1));
    }

    /// <summary>Zero gradients named "dWe", "dbe", … in the same order.</summary>
    public IParameterSet ZeroGradients() =>
        ParameterSet.Of(Items.Select(i => new NamedMatrix("d" + i.Name, Matrix<double>.Build.Dense(i.Value.RowCount, i.Value.ColumnCount))).ToArray());
}

/// <summary>The loss terms of one batch, all averaged over the m examples.</summary>
/// <param name="J">The minimised objective (1/m) Σ [NLL + β KL].</param>
/// <param name="Reconstruction">(1/m) Σ −ln p(x | z), the reconstruction NLL.</param>
/// <param name="Kl">(1/m) Σ KL(q(z|x) ‖ N(0, I)).</param>
/// <param name="Beta">The KL weight β used in <paramref name="J"/> (1 for the true ELBO).</param>
public sealed record VaeLossTerms(double J, double Reconstruction, double Kl, double Beta)
{
    /// <summary>ELBO = −(reconstruction NLL + KL), per example; a lower bound on ln p(x).</summary>
    public double Elbo => -(Reconstruction + Kl);
}

/// <summary>The ELBO pieces (syllabus 4.1): reconstruction NLL plus the closed-form KL to N(0, I).</summary>
public static class VaeLoss
{
    /// <summary>
    /// Loss of a batch: <paramref name="x"/> (n_x, m), decoder output <paramref name="output"/> (n_x, m; mean or logits),
    /// μ and ln σ² (n_z, m). Returns the terms and ∂J/∂output, ∂J/∂μ, ∂J/∂ln σ² (KL part only; the sampling path is
    /// added by the model), all with the 1/m included.
    /// </summary>
    public static (VaeLossTerms Terms, Matrix<double> dOutput, Matrix<double> dMu, Matrix<double> dLogVar) Compute(
        Matrix<double> x, Matrix<double> output, Matrix<double> mu, Matrix<double> logVar,
        VaeLikelihood likelihood = VaeLikelihood.Gaussian, double sigmaX = 0.1, double beta = 1.0)
    {
        Guard.NotNull(x, nameof(x));
        Guard.Shape(output, x.RowCount, x.ColumnCount, nameof(output));
        Guard.Columns(mu, x.ColumnCount, nameof(mu));
        Guard.Shape(logVar, mu.RowCount, mu.ColumnCount, nameof(logVar));
        CheckSigmaX(sigmaX);
        if (!(beta >= 0) || !double.IsFinite(beta)) throw new ArgumentException($"beta must be finite and >= 0 but is {beta}.", nameof(beta));
        int m = x.ColumnCount;
        var (nll, dOut) = ReconstructionNll(x, output, likelihood, sigmaX);
        var (kl, dMu, dLv) = GaussianKl.StandardNormal(mu, logVar);
        double klMean = kl.Sum() / m, nllMean = nll / m;
        dOut = dOut / m;
        dMu = dMu * (beta / m); dLv = dLv * (beta / m);
        return (new VaeLossTerms(nllMean + beta * klMean, nllMean, klMean, beta), dOut, dMu, dLv);
    }

    /// <summary>Σ over the batch of −ln p(x | output) and its gradient with respect to output (no 1/m).</summary>
    public static (double Nll, Matrix<double> dOutput) ReconstructionNll(Matrix<double> x, Matrix<double> output, VaeLikelihood likelihood, double sigmaX = 0.1)
    {
        Guard.NotNull(x, nameof(x));
        Guard.Shape(output, x.RowCount, x.ColumnCount, nameof(output));
        CheckSigmaX(sigmaX);
        double nll = 0;
        var d = Matrix<double>.Build.Dense(x.RowCount, x.ColumnCount);
        double v = sigmaX * sigmaX, logNorm = 0.5 * Math.Log(2 * Math.PI * v);
        for (int j = 0; j < x.ColumnCount; j++)
            for (int i = 0; i < x.RowCount; i++)
            {
                double xi = x[i, j], o = output[i, j];
                if (likelihood == VaeLikelihood.Gaussian)
                {
                    double r = o - xi;
                    nll += r * r / (2 * v) + logNorm;
                    d[i, j] = r / v;
                }
                else
                {
                    if (!(xi >= 0 && xi <= 1))
                        throw new ArgumentException($"x must be in [0, 1] for a Bernoulli likelihood but x[{i}, {j}] = {xi}.", nameof(x));
                    // −[x ln σ(o) + (1 − x) ln(1 − σ(o))] = softplus(o) − x o, stable for any o.
                    nll += Losses.Softplus(o) - xi * o;
                    d[i, j] = Activations.Sigmoid(o) - xi;
                }
            }
        return (nll, d);
    }

    internal static void CheckSigmaX(double sigmaX)
    {
        if (!(sigmaX > 0) || !double.IsFinite(sigmaX))
            throw new ArgumentException($"sigmaX must be a finite standard deviation > 0 but is {sigmaX}.", nameof(sigmaX));
    }
}

/// <summary>Everything a forward pass keeps for the backward pass.</summary>
public sealed record VaeCache(Matrix<double> X, Matrix<double> H, Matrix<double> Mu, Matrix<double> LogVar, Matrix<double> Eps,
    Matrix<double> Z, Matrix<double> G, Matrix<double> Output);

/// <summary>
/// A small fully connected variational autoencoder (Kingma &amp; Welling 2014; syllabus 4.1) with forward and backward
/// through the reparameterised sample z = μ + σ ⊙ ε, and Adam training.
/// </summary>
public sealed class Vae
{
    /// <summary>A VAE with the given parameters.</summary>
    public Vae(VaeParameters p, VaeLikelihood likelihood = VaeLikelihood.Gaussian, double sigmaX = 0.1)
    {
        P = Guard.NotNull(p, nameof(p));
        Guard.Shape(p.be, p.Nh, 1, "p.be"); Guard.Shape(p.Wmu, p.Nz, p.Nh, "p.Wmu"); Guard.Shape(p.bmu, p.Nz, 1, "p.bmu");
        Guard.Shape(p.Wlv, p.Nz, p.Nh, "p.Wlv"); Guard.Shape(p.blv, p.Nz, 1, "p.blv"); Guard.Shape(p.Wd, p.Nh, p.Nz, "p.Wd");
        Guard.Shape(p.bd, p.Nh, 1, "p.bd"); Guard.Shape(p.Wx, p.Nx, p.Nh, "p.Wx"); Guard.Shape(p.bx, p.Nx, 1, "p.bx");
        VaeLoss.CheckSigmaX(sigmaX);
        Likelihood = likelihood; SigmaX = sigmaX;
    }

    /// <summary>A VAE with Xavier weights: n_x inputs, n_h hidden units, n_z latent units.</summary>
    public Vae(int nx, int nh, int nz, Random rng, VaeLikelihood likelihood = VaeLikelihood.Gaussian, double sigmaX = 0.1)
        : this(VaeParameters.Create(nx, nh, nz, rng), likelihood, sigmaX) { }

    /// <summary>The parameters (updated in place by training).</summary>
    public VaeParameters P { get; }
    /// <summary>The decoder's likelihood.</summary>
    public VaeLikelihood Likelihood { get; }
    /// <summary>σ_x of the Gaussian likelihood (ignored for Bernoulli).</summary>
    public double SigmaX { get; }

    /// <summary>The encoder q(z | x): μ and ln σ², both (n_z, m).</summary>
    public (Matrix<double> Mu, Matrix<double> LogVar) Encode(Matrix<double> x)
    {
        Guard.Rows(x, P.Nx, nameof(x));
        var h = Activations.Tanh(AddBias(P.We * x, P.be));
        return (AddBias(P.Wmu * h, P.bmu), AddBias(P.Wlv * h, P.blv));
    }

    /// <summary>The decoder output for codes z (n_z, m): the raw output o (mean for Gaussian, logits for Bernoulli) and the hidden g.</summary>
    public (Matrix<double> Output, Matrix<double> G) DecodeRaw(Matrix<double> z)
    {
        Guard.Rows(z, P.Nz, nameof(z));
        var g = Activations.Tanh(AddBias(P.Wd * z, P.bd));
        return (AddBias(P.Wx * g, P.bx), g);
    }

    /// <summary>The mean of p(x | z): x̂ for Gaussian data, σ(o) (probabilities) for Bernoulli data.</summary>
    public Matrix<double> Decode(Matrix<double> z)
    {
        var o = DecodeRaw(z).Output;
        return Likelihood == VaeLikelihood.Gaussian ? o : Activations.Sigmoid(o);
    }

    /// <summary>
    /// Generates <paramref name="n"/> samples: z ~ N(0, I), then x ~ p(x | z) (Gaussian: x̂ + σ_x ε; Bernoulli: 0/1 draws).
    /// With <paramref name="meanOnly"/> the decoder mean is returned instead of a draw.
    /// </summary>
    public Matrix<double> Sample(int n, Random rng, bool meanOnly = false)
    {
        Guard.Positive(n, nameof(n)); Guard.NotNull(rng, nameof(rng));
        var z = Init.Normal(P.Nz, n, 1.0, rng);
        var mean = Decode(z);
        if (meanOnly) return mean;
        return Likelihood == VaeLikelihood.Gaussian
            ? mean + Init.Normal(P.Nx, n, SigmaX, rng)
            : mean.Map(p => rng.NextDouble() < p ? 1.0 : 0.0);
    }

    /// <summary>Forward pass with ε drawn from <paramref name="rng"/>.</summary>
    public VaeCache Forward(Matrix<double> x, Random rng)
    {
        Guard.Rows(x, P.Nx, nameof(x)); Guard.NotNull(rng, nameof(rng));
        return Forward(x, Init.Normal(P.Nz, x.ColumnCount, 1.0, rng));
    }

    /// <summary>Forward pass with a given ε (n_z, m): deterministic, which is what a gradient check needs.</summary>
    public VaeCache Forward(Matrix<double> x, Matrix<double> eps)
    {
        Guard.Rows(x, P.Nx, nameof(x)); Guard.Finite(x, nameof(x));
        Guard.Shape(eps, P.Nz, x.ColumnCount, nameof(eps));
        var h = Activations.Tanh(AddBias(P.We * x, P.be));
        var mu = AddBias(P.Wmu * h, P.bmu);
        var logVar = AddBias(P.Wlv * h, P.blv);
        var z = Reparameterization.Reparameterize(mu, logVar, eps);     // z = μ + σ ⊙ ε
        var (o, g) = DecodeRaw(z);
        return new VaeCache(x, h, mu, logVar, eps, z, g, o);
    }

    /// <summary>The loss terms of a forward pass (β weights the KL; β = 1 is the negative ELBO).</summary>
    public VaeLossTerms Loss(VaeCache c, double beta = 1.0) =>
        VaeLoss.Compute(c.X, c.Output, c.Mu, c.LogVar, Likelihood, SigmaX, beta).Terms;

    /// <summary>
    /// Backward pass: gradients of J = (1/m) Σ [NLL + β KL] with respect to every parameter, in the order of
    /// <see cref="VaeParameters.Items"/> (names "dWe", …). The path through z adds dz to dμ and dz ⊙ ½σε to d ln σ².
    /// </summary>
    public (VaeLossTerms Terms, IParameterSet Grads) Backward(VaeCache c, double beta = 1.0)
    {
        Guard.NotNull(c, nameof(c));
        var (terms, dO, dMu, dLv) = VaeLoss.Compute(c.X, c.Output, c.Mu, c.LogVar, Likelihood, SigmaX, beta);
        // Decoder: o = W_x g + b_x, g = tanh(W_d z + b_d).
        var dWx = dO * c.G.Transpose(); var dbx = RowSums(dO);
        var dG = P.Wx.TransposeThisAndMultiply(dO);
        var dA2 = dG.PointwiseMultiply(Activations.TanhGradFromOutput(c.G));
        var dWd = dA2 * c.Z.Transpose(); var dbd = RowSums(dA2);
        var dz = P.Wd.TransposeThisAndMultiply(dA2);
        // Through the sample (reparameterisation), added to the KL gradients.
        var (dMuS, dLvS) = Reparameterization.Backward(dz, c.LogVar, c.Eps);
        dMu += dMuS; dLv += dLvS;
        // Encoder heads and trunk.
        var dWmu = dMu * c.H.Transpose(); var dbmu = RowSums(dMu);
        var dWlv = dLv * c.H.Transpose(); var dblv = RowSums(dLv);
        var dH = P.Wmu.TransposeThisAndMultiply(dMu) + P.Wlv.TransposeThisAndMultiply(dLv);
        var dA1 = dH.PointwiseMultiply(Activations.TanhGradFromOutput(c.H));
        var dWe = dA1 * c.X.Transpose(); var dbe = RowSums(dA1);
        var grads = ParameterSet.Of(new("dWe", dWe), new("dbe", dbe), new("dWmu", dWmu), new("dbmu", dbmu), new("dWlv", dWlv), new("dblv", dblv),
            new("dWd", dWd), new("dbd", dbd), new("dWx", dWx), new("dbx", dbx));
        return (terms, grads);
    }

    /// <summary>One optimisation step on a batch with fresh ε from <paramref name="rng"/>; returns the batch's loss terms.</summary>
    public VaeLossTerms TrainStep(Matrix<double> xBatch, IOptimizer optimizer, Random rng, double beta = 1.0)
    {
        Guard.NotNull(optimizer, nameof(optimizer));
        var cache = Forward(xBatch, rng);
        var (terms, grads) = Backward(cache, beta);
        optimizer.Step(P, grads);
        return terms;
    }

    /// <summary>
    /// Trains with Adam (learning rate <paramref name="learningRate"/>) for <paramref name="epochs"/> passes over the columns of
    /// <paramref name="x"/> in shuffled mini-batches. Returns the mean loss terms of each epoch (β = 1).
    /// </summary>
    public IReadOnlyList<VaeLossTerms> Train(Matrix<double> x, int epochs, int batchSize, Random rng, double learningRate = 0.01)
    {
        Guard.Rows(x, P.Nx, nameof(x)); Guard.Positive(epochs, nameof(epochs)); Guard.Positive(batchSize, nameof(batchSize));
        Guard.NotNull(rng, nameof(rng));
        var adam = new Adam(learningRate);
        var history = new List<VaeLossTerms>();
        int n = x.ColumnCount;
        var order = Enumerable.Range(0, n).ToArray();
        for (int e = 0; e < epochs; e++)
        {
            rng.Shuffle(order);
            double j = 0, r = 0, k = 0; int batches = 0;
            for (int s = 0; s < n; s += batchSize)
            {
                int b = Math.Min(batchSize, n - s);
                var xb = Matrix<double>.Build.Dense(P.Nx, b, (i, c) => x[i, order[s + c]]);
                var t = TrainStep(xb, adam, rng);
                j += t.J; r += t.Reconstruction; k += t.Kl; batches++;
            }
            history.Add(new VaeLossTerms(j / batches, r / batches, k / batches, 1.0));
        }
        return history;
    }

    /// <summary>The ELBO of <paramref name="x"/> averaged over the columns, estimated with one ε per example from <paramref name="rng"/>.</summary>
    public double Elbo(Matrix<double> x, Random rng) => Loss(Forward(x, rng)).Elbo;

    internal static Matrix<double> AddBias(Matrix<double> z, Matrix<double> b)
    {
        for (int j = 0; j < z.ColumnCount; j++)
            for (int i = 0; i < z.RowCount; i++) z[i, j] += b[i, 0];
        return z;
    }

    internal static Matrix<double> RowSums(Matrix<double> d) => Matrix<double>.Build.DenseOfColumnVectors(d.RowSums());
}
