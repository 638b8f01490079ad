using MathNet.Numerics.LinearAlgebra;

namespace SeqCourse;

/// <summary>The recurrent cell of HRED's utterance encoder and context RNN.</summary>
public enum HredCell
{
    /// <summary>GRU (syllabus 1.8).</summary>
    Gru,
    /// <summary>LSTM without peepholes (syllabus 1.9).</summary>
    Lstm,
}

/// <summary>Sizes of an <see cref="Hred"/>. <see cref="LatentSize"/> &gt; 0 makes it a VHRED.</summary>
/// <param name="VocabularySize">n_v.</param>
/// <param name="EmbeddingSize">n_e (one embedding E shared by encoder and decoder).</param>
/// <param name="EncoderSize">Size of the utterance encoding u_n (encoder GRU).</param>
/// <param name="ContextSize">Size of the context state h_n (context GRU).</param>
/// <param name="DecoderSize">n_s, the decoder GRU state.</param>
/// <param name="LatentSize">n_z of VHRED's latent z_n; 0 for plain HRED.</param>
/// <param name="MaxUtteranceLength">Longest utterance accepted (words) and the default generation limit.</param>
/// <param name="Cell">The cell of the utterance encoder and the context RNN (the decoder is always a GRU).</param>
public sealed record HredConfig(int VocabularySize, int EmbeddingSize, int EncoderSize, int ContextSize, int DecoderSize,
    int LatentSize = 0, int MaxUtteranceLength = 20, HredCell Cell = HredCell.Gru)
{
    /// <summary>True for VHRED.</summary>
    public bool IsVariational => LatentSize > 0;

    /// <summary>Size of the decoder's conditioning vector c = h (HRED) or [h; z] (VHRED).</summary>
    public int ConditionSize => ContextSize + LatentSize;

    internal void Validate()
    {
        Guard.Positive(VocabularySize, nameof(VocabularySize)); Guard.Positive(EmbeddingSize, nameof(EmbeddingSize));
        Guard.Positive(EncoderSize, nameof(EncoderSize)); Guard.Positive(ContextSize, nameof(ContextSize));
        Guard.Positive(DecoderSize, nameof(DecoderSize)); Guard.Positive(MaxUtteranceLength, nameof(MaxUtteranceLength));
        if (LatentSize < 0) throw new ArgumentException($"LatentSize must be >= 0 but is {LatentSize}.", nameof(LatentSize));
    }
}

/// <summary>
/// A one-hidden-layer Gaussian head: r = tanh(W_h v + b_h), μ = W_mu r + b_mu, ln σ² = W_lv r + b_lv.
/// VHRED's prior p(z_n | h_(n−1)) and posterior q(z_n | h_(n−1), u_n) are two of these.
/// </summary>
public sealed class GaussianHead
{
    /// <summary>Weights from <paramref name="init"/> (rows, cols, rng), zero biases.</summary>
    public GaussianHead(int nIn, int nHidden, int nz, Random rng, Func<int, int, Random, Matrix<double>> init, bool randomBiases = false)
    {
        Matrix<double> B(int r) => randomBiases ? init(r, 1, rng) : Init.Zeros(r, 1);
        Wh = init(nHidden, nIn, rng); bh = B(nHidden);
        Wmu = init(nz, nHidden, rng); bmu = B(nz);
        Wlv = init(nz, nHidden, rng); blv = B(nz);
        Items = [new("Wh", Wh), new("bh", bh), new("Wmu", Wmu), new("bmu", bmu), new("Wlv", Wlv), new("blv", blv)];
    }

    /// <summary>Hidden weights.</summary>
    public Matrix<double> Wh { get; }
    /// <summary>Hidden bias.</summary>
    public Matrix<double> bh { get; }
    /// <summary>Mean weights.</summary>
    public Matrix<double> Wmu { get; }
    /// <summary>Mean bias.</summary>
    public Matrix<double> bmu { get; }
    /// <summary>Log-variance weights.</summary>
    public Matrix<double> Wlv { get; }
    /// <summary>Log-variance bias.</summary>
    public Matrix<double> blv { get; }
    /// <summary>The six matrices in order.</summary>
    public IReadOnlyList<NamedMatrix> Items { get; }

    /// <summary>(r, μ, ln σ²) for inputs v (n_in, m).</summary>
    public (Matrix<double> R, Matrix<double> Mu, Matrix<double> LogVar) Forward(Matrix<double> v)
    {
        var r = Activations.Tanh(SeqCourse.Vae.AddBias(Wh * v, bh));
        return (r, SeqCourse.Vae.AddBias(Wmu * r, bmu), SeqCourse.Vae.AddBias(Wlv * r, blv));
    }

    /// <summary>Accumulates the parameter gradients into <paramref name="g"/> (same order as Items) and returns dv.</summary>
    public Matrix<double> Backward(Matrix<double> v, Matrix<double> r, Matrix<double> dMu, Matrix<double> dLv, IReadOnlyList<NamedMatrix> g)
    {
        g[2].Value.Add(dMu * r.Transpose(), g[2].Value); g[3].Value.Add(SeqCourse.Vae.RowSums(dMu), g[3].Value);
        g[4].Value.Add(dLv * r.Transpose(), g[4].Value); g[5].Value.Add(SeqCourse.Vae.RowSums(dLv), g[5].Value);
        var dR = Wmu.TransposeThisAndMultiply(dMu) + Wlv.TransposeThisAndMultiply(dLv);
        var dA = dR.PointwiseMultiply(Activations.TanhGradFromOutput(r));
        g[0].Value.Add(dA * v.Transpose(), g[0].Value); g[1].Value.Add(SeqCourse.Vae.RowSums(dA), g[1].Value);
        return Wh.TransposeThisAndMultiply(dA);
    }
}

/// <summary>
/// Loss terms of a batch: J = (1/m) Σ_dialogues [Σ_tokens −ln p + β Σ_n KL_n]; with free bits λ &gt; 0 the KL part is
/// β Σ_n Σ_k max(λ, κ_nk), κ_nk = (1/m) Σ_dialogues KL_nk (unit k of turn n's latent, batch mean).
/// </summary>
/// <param name="J">The minimised objective.</param>
/// <param name="Nll">(1/m) Σ token NLL (per dialogue).</param>
/// <param name="Kl">(1/m) Σ_n KL(q ‖ p) (per dialogue; 0 for HRED).</param>
/// <param name="Tokens">Number of predicted tokens (including &lt;/s&gt;) in the batch.</param>
/// <param name="BatchSize">m.</param>
/// <param name="Beta">KL weight β.</param>
public sealed record HredLossTerms(double J, double Nll, double Kl, int Tokens, int BatchSize, double Beta)
{
    /// <summary>Cross-entropy per predicted token (nats): Nll · m / tokens.</summary>
    public double TokenNll => Nll * BatchSize / Tokens;
    /// <summary>−(NLL + KL) per dialogue, VHRED's lower bound on ln p(u_2 … u_N | u_1).</summary>
    public double Elbo => -(Nll + Kl);
}

/// <summary>What a forward pass keeps for the backward pass (internal layout; pass it back to <see cref="Hred.Backward"/>).</summary>
public sealed class HredCache
{
    internal DialogueBatch Batch = null!;
    internal double Beta;
    internal RecurrentOutput[] Enc = null!;
    internal Matrix<double>[] U = null!;
    internal RecurrentOutput Ctx = null!;
    internal Matrix<double>[] H = null!;
    internal Step[] Steps = null!;
    internal HredLossTerms Terms = null!;

    /// <summary>The loss terms of the forward pass.</summary>
    public HredLossTerms LossTerms => Terms;

    /// <summary>
    /// VHRED: κ_nk, the batch-mean KL(q ‖ p) of latent unit k for predicted turn n (N−1 arrays of n_z); their total is
    /// <see cref="HredLossTerms.Kl"/>. What free bits compares with λ. Empty for HRED.
    /// </summary>
    public IReadOnlyList<double[]> UnitKl => Steps.Where(s => s.Kappa is not null).Select(s => s.Kappa!.ToArray()).ToArray();

    internal sealed class Step
    {
        public Matrix<double> C = null!, S0 = null!;
        public GruCache[] Dec = null!;
        public Matrix<double>[] Logits = null!;
        public int[][] Inputs = null!, Targets = null!;
        // VHRED only
        public Matrix<double>? PriorR, MuP, LvP, PostIn, PostR, MuQ, LvQ, Eps, Z;
        public double[]? Kappa;
        public bool[]? KlActive;   // free bits: unit k's KL is above the floor λ (or λ = 0), so it gets a gradient
    }
}

/// <summary>
/// HRED (Sordoni et al. 2015; Serban et al. 2016; syllabus 4.2) and VHRED (Serban et al. 2017; 4.3).
/// Utterance encoder: a GRU (or LSTM, <see cref="HredConfig.Cell"/>) over the embedded words of turn n; its last state (at each dialogue's own length) is u_n.
/// Context: a second RNN of the same cell over u_1 … u_N gives h_n. Decoder: a GRU generating turn n+1 with teacher forcing, its input
/// [e(w_(t−1)); c] and its initial state s⟨0⟩ = tanh(W_s c + b_s), where c = h_n (HRED) or [h_n; z_(n+1)] (VHRED);
/// ŷ = softmax(W_y s + b_y). VHRED draws z_(n+1) = μ_q + σ_q ⊙ ε from the posterior q(z | h_n, u_(n+1)) in training
/// and from the prior p(z | h_n) in generation, and adds β·KL(q ‖ p) to the loss. A powerful decoder learns to ignore z
/// (posterior collapse: q = p, KL → 0); the three standard remedies are here: KL annealing (β from 0 to 1,
/// <see cref="KlAnnealing"/>), word dropout on the decoder inputs (<see cref="DialogueBatch.WithWordDropout"/>) and free bits
/// (the <c>freeBits</c> argument of <see cref="Forward"/>).
/// </summary>
public sealed class Hred
{
    /// <summary>A model with Xavier weights (encoder/context/decoder GRUs as <see cref="GruParameters.Create"/>).</summary>
    public Hred(HredConfig config, Random rng) : this(config, rng, null) { }

    private Hred(HredConfig config, Random rng, double? std)
    {
        Config = Guard.NotNull(config, nameof(config));
        config.Validate(); Guard.NotNull(rng, nameof(rng));
        var c = config;
        Func<int, int, Random, Matrix<double>> init = std is { } s ? (r, k, g) => Init.Normal(r, k, s, g) : Init.Xavier;
        Embedding = std is { } s1 ? new Embedding(Init.Normal(c.EmbeddingSize, c.VocabularySize, s1, rng)) : Embedding.Create(c.VocabularySize, c.EmbeddingSize, rng);
        Encoder = Layer(c.Cell, c.EmbeddingSize, c.EncoderSize, std, rng);
        Context = Layer(c.Cell, c.EncoderSize, c.ContextSize, std, rng);
        if (c.IsVariational)
        {
            Prior = new GaussianHead(c.ContextSize, c.ContextSize, c.LatentSize, rng, init, std is not null);
            Posterior = new GaussianHead(c.ContextSize + c.EncoderSize, c.ContextSize, c.LatentSize, rng, init, std is not null);
        }
        Ws = init(c.DecoderSize, c.ConditionSize, rng); bs = std is { } s4 ? Init.Normal(c.DecoderSize, 1, s4, rng) : Init.Zeros(c.DecoderSize, 1);
        Decoder = std is { } s5 ? GruParameters.Normal(c.EmbeddingSize + c.ConditionSize, c.DecoderSize, s5, rng)
            : GruParameters.Create(c.EmbeddingSize + c.ConditionSize, c.DecoderSize, rng);
        Wy = init(c.VocabularySize, c.DecoderSize, rng); by = std is { } s6 ? Init.Normal(c.VocabularySize, 1, s6, rng) : Init.Zeros(c.VocabularySize, 1);

        var parts = new List<(string, IParameterSet)> { ("", Embedding), ("enc.", Encoder.Parameters), ("ctx.", Context.Parameters) };
        if (Prior is not null) { parts.Add(("prior.", ParameterSet.Of([.. Prior.Items]))); parts.Add(("post.", ParameterSet.Of([.. Posterior!.Items]))); }
        parts.Add(("", ParameterSet.Of(new("Ws", Ws), new("bs", bs))));
        parts.Add(("dec.", Decoder));
        parts.Add(("", ParameterSet.Of(new("Wy", Wy), new("by", by))));
        Parameters = ParameterSet.Concat([.. parts]);
    }

    private static IRecurrentLayer Layer(HredCell cell, int nx, int na, double? std, Random rng) => (cell, std) switch
    {
        (HredCell.Gru, { } s) => new GruLayer(GruParameters.Normal(nx, na, s, rng)),
        (HredCell.Gru, null) => new GruLayer(GruParameters.Create(nx, na, rng)),
        (HredCell.Lstm, { } s) => new LstmLayer(LstmParameters.Normal(nx, na, s, rng)),
        (HredCell.Lstm, null) => new LstmLayer(LstmParameters.Create(nx, na, rng)),
        _ => throw new ArgumentException($"cell must be Gru or Lstm but is {cell}.", nameof(cell)),
    };

    /// <summary>Every entry (biases too) ~ N(0, std²): for gradient checks.</summary>
    public static Hred Normal(HredConfig config, double std, Random rng) => new(config, rng, std);

    /// <summary>The sizes.</summary>
    public HredConfig Config { get; }
    /// <summary>E (n_e, n_v), shared by encoder and decoder inputs.</summary>
    public Embedding Embedding { get; }
    /// <summary>Utterance encoder RNN (GRU or LSTM, zero initial state).</summary>
    public IRecurrentLayer Encoder { get; }
    /// <summary>Context (session-level) RNN (GRU or LSTM, zero initial state).</summary>
    public IRecurrentLayer Context { get; }
    /// <summary>VHRED prior network p(z | h) (null for HRED).</summary>
    public GaussianHead? Prior { get; }
    /// <summary>VHRED posterior network q(z | h, u) (null for HRED).</summary>
    public GaussianHead? Posterior { get; }
    /// <summary>Decoder initial-state weights W_s (n_s, n_c).</summary>
    public Matrix<double> Ws { get; }
    /// <summary>Decoder initial-state bias.</summary>
    public Matrix<double> bs { get; }
    /// <summary>Decoder GRU (input [e; c]).</summary>
    public GruParameters Decoder { get; }
    /// <summary>Output weights W_y (n_v, n_s).</summary>
    public Matrix<double> Wy { get; }
    /// <summary>Output bias.</summary>
    public Matrix<double> by { get; }
    /// <summary>All parameters in a fixed order (for optimizers and gradient checks).</summary>
    public IParameterSet Parameters { get; }

    /// <summary>
    /// Forward pass with teacher forcing. For VHRED, ε is drawn from <paramref name="rng"/> (one (n_z, m) matrix per
    /// predicted turn) unless <paramref name="eps"/> fixes it (N−1 matrices; for gradient checks).
    /// <paramref name="freeBits"/> λ ≥ 0 (Kingma et al. 2016, "free bits"): each latent unit's batch-mean KL is charged as
    /// max(λ, κ), so the optimiser gains nothing by pushing a unit's KL below λ nats — it may as well use them.
    /// </summary>
    public HredCache Forward(DialogueBatch batch, double beta = 1.0, Random? rng = null, IReadOnlyList<Matrix<double>>? eps = null,
        double freeBits = 0)
    {
        Guard.NotNull(batch, nameof(batch));
        if (!(beta >= 0) || !double.IsFinite(beta)) throw new ArgumentException($"beta must be finite and >= 0 but is {beta}.", nameof(beta));
        if (!(freeBits >= 0) || !double.IsFinite(freeBits)) throw new ArgumentException($"freeBits must be finite and >= 0 but is {freeBits}.", nameof(freeBits));
        int N = batch.TurnCount, m = batch.BatchSize, nz = Config.LatentSize;
        if (Config.IsVariational)
        {
            if (eps is null && rng is null) throw new ArgumentException("rng must be given (or eps fixed) for a VHRED forward pass but both are null.", nameof(rng));
            if (eps is not null)
            {
                if (eps.Count != N - 1) throw new ArgumentException($"eps must have {N - 1} matrices (one per predicted turn) but has {eps.Count}.", nameof(eps));
                for (int n = 0; n < eps.Count; n++) Guard.Shape(eps[n], nz, m, $"eps[{n}]");
            }
        }
        foreach (var turn in batch.Turns)
            foreach (var step in turn)
                foreach (var j in step)
                    if (j >= Config.VocabularySize) throw new ArgumentException($"batch must use word indices < {Config.VocabularySize} but contains {j}.", nameof(batch));
        var cache = new HredCache { Batch = batch, Beta = beta, Enc = new RecurrentOutput[N], U = new Matrix<double>[N], Steps = new HredCache.Step[N - 1] };

        // Utterance encoder: u_n = the encoder state at each dialogue's last word.
        for (int n = 0; n < N; n++)
        {
            var enc = Encoder.Forward(Embedding.Forward(batch.Turns[n]));
            var C = enc.A;
            cache.Enc[n] = enc;
            var u = Matrix<double>.Build.Dense(Config.EncoderSize, m);
            for (int i = 0; i < m; i++) u.SetColumn(i, C[batch.Lengths[n][i] - 1].Column(i));
            cache.U[n] = u;
        }
        // Context RNN over u_1 … u_(N−1): h_n summarises the dialogue so far.
        cache.Ctx = Context.Forward(cache.U[..(N - 1)]);
        cache.H = cache.Ctx.A;

        double nll = 0, kl = 0, klCharged = 0; int tokens = 0;
        for (int n = 0; n < N - 1; n++)
        {
            var s = new HredCache.Step();
            var h = cache.H[n];
            if (Config.IsVariational)
            {
                (s.PriorR, s.MuP, s.LvP) = Prior!.Forward(h);
                s.PostIn = h.Stack(cache.U[n + 1]);                           // q sees the answer u_(n+1) too
                (s.PostR, s.MuQ, s.LvQ) = Posterior!.Forward(s.PostIn);
                s.Eps = eps?[n] ?? Init.Normal(nz, m, 1.0, rng!);
                s.Z = Reparameterization.Reparameterize(s.MuQ, s.LvQ, s.Eps);   // z = μ_q + σ_q ⊙ ε
                s.C = h.Stack(s.Z);
                kl += GaussianKl.Between(s.MuQ, s.LvQ, s.MuP, s.LvP).Kl.Sum();
                // Free bits: unit k is charged max(λ, κ_k), κ_k its batch-mean KL (λ = 0: plain Σ_k κ_k).
                var kappa = s.Kappa = KlPerUnit(s.MuQ, s.LvQ, s.MuP, s.LvP);
                s.KlActive = kappa.Select(k => freeBits == 0 || k > freeBits).ToArray();
                klCharged += kappa.Sum(k => Math.Max(freeBits, k));
            }
            else s.C = h;
            s.S0 = Activations.Tanh(SeqCourse.Vae.AddBias(Ws * s.C, bs));
            s.Inputs = batch.DecoderInputs(n + 1); s.Targets = batch.DecoderTargets(n + 1);
            var xs = Embedding.Forward(s.Inputs).Select(e => e.Stack(s.C)).ToArray();
            var (S, dec) = Gru.Forward(xs, Decoder, s.S0);
            s.Dec = dec;
            s.Logits = S.Select(st => SeqCourse.Vae.AddBias(Wy * st, by)).ToArray();
            for (int t = 0; t < s.Logits.Length; t++)
            {
                var logp = Activations.LogSoftmax(s.Logits[t]);
                for (int i = 0; i < m; i++)
                    if (s.Targets[t][i] >= 0) { nll -= logp[s.Targets[t][i], i]; tokens++; }
            }
            cache.Steps[n] = s;
        }
        cache.Terms = new HredLossTerms(nll / m + beta * klCharged, nll / m, kl / m, tokens, m, beta);
        return cache;
    }

    /// <summary>The loss of a batch (with fixed ε for VHRED, or a generator).</summary>
    public HredLossTerms Loss(DialogueBatch batch, double beta = 1.0, Random? rng = null, IReadOnlyList<Matrix<double>>? eps = null,
        double freeBits = 0) => Forward(batch, beta, rng, eps, freeBits).Terms;

    // κ_k = (1/m) Σ_i KL(N(μ_q,ki, σ²_q,ki) ‖ N(μ_p,ki, σ²_p,ki)): the batch-mean KL of each latent unit.
    private static double[] KlPerUnit(Matrix<double> muQ, Matrix<double> lvQ, Matrix<double> muP, Matrix<double> lvP)
    {
        int nz = muQ.RowCount, m = muQ.ColumnCount;
        var kappa = new double[nz];
        for (int k = 0; k < nz; k++)
        {
            for (int i = 0; i < m; i++)
            {
                double d = muQ[k, i] - muP[k, i];
                kappa[k] += 0.5 * (lvP[k, i] - lvQ[k, i] + (Math.Exp(lvQ[k, i]) + d * d) * Math.Exp(-lvP[k, i]) - 1);
            }
            kappa[k] /= m;
        }
        return kappa;
    }

    /// <summary>
    /// Full backward pass: gradients of J with respect to <see cref="Parameters"/> (same order, names prefixed "d").
    /// Decoder BPTT → (embedding, c, s⟨0⟩) → [h; z] → reparameterisation and KL → prior/posterior heads →
    /// context BPTT → encoder BPTT (entering at each dialogue's last word) → embedding scatter-add.
    /// </summary>
    public (HredLossTerms Terms, IParameterSet Grads) Backward(HredCache cache)
    {
        Guard.NotNull(cache, nameof(cache));
        var batch = cache.Batch; int N = batch.TurnCount, m = batch.BatchSize;
        int ne = Config.EmbeddingSize, nh = Config.ContextSize, nz = Config.LatentSize;
        var dE = Matrix<double>.Build.Dense(ne, Config.VocabularySize);
        var gEnc = ZeroGradients(Encoder.Parameters); var gCtx = ZeroGradients(Context.Parameters); var gDec = Decoder.ZeroGradients();
        var gPrior = Prior?.Items.Select(i => new NamedMatrix("d" + i.Name, Zeros(i.Value))).ToArray();
        var gPost = Posterior?.Items.Select(i => new NamedMatrix("d" + i.Name, Zeros(i.Value))).ToArray();
        var dWs = Zeros(Ws); var dbs = Zeros(bs); var dWy = Zeros(Wy); var dby = Zeros(by);
        var dH = cache.H.Select(Zeros).ToArray();
        var dU = cache.U.Select(Zeros).ToArray();

        for (int n = 0; n < N - 1; n++)
        {
            var s = cache.Steps[n];
            // Softmax CE: dlogits = (ŷ − y)/m on real targets.
            var dS = new Matrix<double>?[s.Logits.Length];
            for (int t = 0; t < s.Logits.Length; t++)
            {
                var d = Activations.Softmax(s.Logits[t]);
                for (int i = 0; i < m; i++)
                {
                    int k = s.Targets[t][i];
                    if (k < 0) d.ClearColumn(i); else d[k, i] -= 1;
                }
                d = d / m;
                dWy.Add(d * s.Dec[t].C.Transpose(), dWy); dby.Add(SeqCourse.Vae.RowSums(d), dby);
                dS[t] = Wy.TransposeThisAndMultiply(d);
            }
            var (dX, dS0, g) = Gru.Backward(dS, s.Dec);
            gDec.Add(g);
            // x_t = [e(w_(t−1)); c]: split the gradient.
            var dC = Matrix<double>.Build.Dense(s.C.RowCount, m);
            var dEmb = new Matrix<double>?[dX.Length];
            for (int t = 0; t < dX.Length; t++)
            {
                dEmb[t] = dX[t].SubMatrix(0, ne, 0, m);
                dC.Add(dX[t].SubMatrix(ne, s.C.RowCount, 0, m), dC);
            }
            dE.Add(Embedding.Backward(dEmb, s.Inputs), dE);
            // s⟨0⟩ = tanh(W_s c + b_s).
            var dA0 = dS0.PointwiseMultiply(Activations.TanhGradFromOutput(s.S0));
            dWs.Add(dA0 * s.C.Transpose(), dWs); dbs.Add(SeqCourse.Vae.RowSums(dA0), dbs);
            dC.Add(Ws.TransposeThisAndMultiply(dA0), dC);

            dH[n].Add(dC.SubMatrix(0, nh, 0, m), dH[n]);
            if (Config.IsVariational)
            {
                var dZ = dC.SubMatrix(nh, nz, 0, m);
                var (dMuQ, dLvQ) = Reparameterization.Backward(dZ, s.LvQ!, s.Eps!);
                var (_, kMuQ, kLvQ, kMuP, kLvP) = GaussianKl.Between(s.MuQ!, s.LvQ!, s.MuP!, s.LvP!);
                // ∂J/∂KL_ki = β/m for units above the free-bits floor, 0 for those held at λ.
                var w = Matrix<double>.Build.Dense(nz, m, (k, _) => s.KlActive![k] ? cache.Beta / m : 0);
                kMuQ.PointwiseMultiply(w, kMuQ); kLvQ.PointwiseMultiply(w, kLvQ); kMuP.PointwiseMultiply(w, kMuP); kLvP.PointwiseMultiply(w, kLvP);
                dMuQ.Add(kMuQ, dMuQ); dLvQ.Add(kLvQ, dLvQ);
                var dPostIn = Posterior!.Backward(s.PostIn!, s.PostR!, dMuQ, dLvQ, gPost!);
                dH[n].Add(dPostIn.SubMatrix(0, nh, 0, m), dH[n]);
                dU[n + 1].Add(dPostIn.SubMatrix(nh, Config.EncoderSize, 0, m), dU[n + 1]);
                var dh = Prior!.Backward(cache.H[n], s.PriorR!, kMuP, kLvP, gPrior!);
                dH[n].Add(dh, dH[n]);
            }
        }
        // Context GRU.
        var ctxGrads = Context.Backward(dH, cache.Ctx);
        AddInto(gCtx, ctxGrads.Grads);
        var dUctx = ctxGrads.DX;
        for (int n = 0; n < N - 1; n++) dU[n].Add(dUctx[n], dU[n]);
        // Encoder GRU per turn: ∂J/∂u_n enters at step len_i − 1 of column i.
        for (int n = 0; n < N; n++)
        {
            var encOut = cache.Enc[n];
            var dCenc = new Matrix<double>?[encOut.A.Length];
            bool any = false;
            for (int i = 0; i < m; i++)
            {
                int t = batch.Lengths[n][i] - 1;
                dCenc[t] ??= Matrix<double>.Build.Dense(Config.EncoderSize, m);
                dCenc[t]!.SetColumn(i, dU[n].Column(i));
                any = true;
            }
            if (!any) continue;
            var encGrads = Encoder.Backward(dCenc, encOut);
            AddInto(gEnc, encGrads.Grads);
            dE.Add(Embedding.Backward(encGrads.DX, batch.Turns[n]), dE);
        }

        var parts = new List<(string, IParameterSet)> { ("", SeqCourse.Embedding.Gradients(dE)), ("enc.", gEnc), ("ctx.", gCtx) };
        if (gPrior is not null) { parts.Add(("prior.", ParameterSet.Of(gPrior))); parts.Add(("post.", ParameterSet.Of(gPost!))); }
        parts.Add(("", ParameterSet.Of(new("dWs", dWs), new("dbs", dbs))));
        parts.Add(("dec.", gDec));
        parts.Add(("", ParameterSet.Of(new("dWy", dWy), new("dby", dby))));
        return (cache.Terms, ParameterSet.Concat([.. parts]));
    }

    /// <summary>
    /// One optimisation step (global-norm clipping at <paramref name="clip"/>) on the batch after word dropout with
    /// probability <paramref name="wordDropout"/> (drawn from <paramref name="rng"/>); returns the batch's loss terms.
    /// </summary>
    public HredLossTerms TrainStep(DialogueBatch batch, IOptimizer optimizer, Random rng, double beta = 1.0, double clip = 5.0,
        double wordDropout = 0, double freeBits = 0)
    {
        Guard.NotNull(batch, nameof(batch)); Guard.NotNull(optimizer, nameof(optimizer)); Guard.NotNull(rng, nameof(rng));
        var (terms, grads) = Backward(Forward(batch.WithWordDropout(wordDropout, rng), beta, rng, freeBits: freeBits));
        Clipping.ByGlobalNorm(grads, clip);
        optimizer.Step(Parameters, grads);
        return terms;
    }

    /// <summary>
    /// Generates the next utterance after <paramref name="turns"/> (at least one). VHRED draws z from the prior
    /// p(z | h). Words are sampled from softmax(logits / <paramref name="temperature"/>), or taken greedily when
    /// <paramref name="greedy"/>; generation stops at &lt;/s&gt; or after <paramref name="maxLength"/> words.
    /// </summary>
    public string Respond(IReadOnlyList<string> turns, DialogueVocabulary vocabulary, Random rng, bool greedy = false,
        double temperature = 1.0, int? maxLength = null)
    {
        Guard.NotNull(turns, nameof(turns)); Guard.NotNull(vocabulary, nameof(vocabulary)); Guard.NotNull(rng, nameof(rng));
        Guard.Positive(temperature, nameof(temperature));
        if (turns.Count == 0) throw new ArgumentException("turns must contain at least one utterance but is empty.", nameof(turns));
        if (vocabulary.Count != Config.VocabularySize)
            throw new ArgumentException($"vocabulary must have {Config.VocabularySize} words like the model but has {vocabulary.Count}.", nameof(vocabulary));
        int limit = maxLength ?? Config.MaxUtteranceLength;
        // Encode each turn (batch of one), then run the context GRU.
        var us = new List<Matrix<double>>();
        foreach (var turn in turns)
        {
            var ids = vocabulary.Encode(turn);
            if (ids.Length == 0) throw new ArgumentException("turns must not contain an empty utterance.", nameof(turns));
            if (ids.Length > Config.MaxUtteranceLength)
                throw new ArgumentException($"turns must have at most {Config.MaxUtteranceLength} words per utterance but one has {ids.Length}.", nameof(turns));
            us.Add(Encoder.Forward(Embedding.Forward(ids.Select(j => new[] { j }).ToArray())).A[^1]);
        }
        var h = Context.Forward(us).A[^1];
        var c = h;
        if (Config.IsVariational)
        {
            var (_, mu, lv) = Prior!.Forward(h);
            c = h.Stack(Reparameterization.Reparameterize(mu, lv, rng).Z);
        }
        var state = Activations.Tanh(SeqCourse.Vae.AddBias(Ws * c, bs));
        var words = new List<int>();
        int prev = DialogueVocabulary.StartIndex;
        for (int t = 0; t <= limit; t++)
        {
            var x = Embedding.Forward([prev]).Stack(c);
            (state, _) = GruCell.Forward(x, state, Decoder);
            var logits = SeqCourse.Vae.AddBias(Wy * state, by).Column(0) / temperature;
            int next;
            if (greedy) next = logits.MaximumIndex();
            else
            {
                var p = Activations.Softmax(logits.ToArray());
                double u = rng.NextDouble(), acc = 0; next = p.Length - 1;
                for (int k = 0; k < p.Length; k++) { acc += p[k]; if (u < acc) { next = k; break; } }
            }
            if (next == DialogueVocabulary.EndIndex || t == limit) break;
            words.Add(next); prev = next;
        }
        return vocabulary.Decode(words);
    }

    /// <summary>
    /// <paramref name="count"/> independent replies to the same <paramref name="turns"/> (<see cref="Respond"/> repeated with one
    /// generator): VHRED draws a fresh z for each, so even greedy decoding can vary.
    /// </summary>
    public IReadOnlyList<string> RespondMany(IReadOnlyList<string> turns, DialogueVocabulary vocabulary, int count, Random rng,
        bool greedy = false, double temperature = 1.0)
    {
        Guard.Positive(count, nameof(count));
        var replies = new string[count];
        for (int k = 0; k < count; k++) replies[k] = Respond(turns, vocabulary, rng, greedy, temperature);
        return replies;
    }

    private static Matrix<double> Zeros(Matrix<double> like) => Matrix<double>.Build.Dense(like.RowCount, like.ColumnCount);

    private static IParameterSet ZeroGradients(IParameterSet p) =>
        ParameterSet.Of(p.Items.Select(i => new NamedMatrix("d" + i.Name, Zeros(i.Value))).ToArray());

    private static void AddInto(IParameterSet acc, IParameterSet g)
    {
        ParameterSet.CheckMatches(acc, g);
        for (int k = 0; k < acc.Items.Count; k++) acc.Items[k].Value.Add(g.Items[k].Value, acc.Items[k].Value);
    }
}

/// <summary>KL annealing (Bowman et al. 2016): β rises linearly from 0 to 1 over the first steps, so the decoder cannot ignore z early on.</summary>
public static class KlAnnealing
{
    /// <summary>β = min(1, step / warmupSteps); warmupSteps = 0 gives β = 1 throughout.</summary>
    public static double Linear(int step, int warmupSteps)
    {
        if (step < 0) throw new ArgumentException($"step must be >= 0 but is {step}.", nameof(step));
        if (warmupSteps < 0) throw new ArgumentException($"warmupSteps must be >= 0 but is {warmupSteps}.", nameof(warmupSteps));
        return warmupSteps == 0 ? 1.0 : Math.Min(1.0, (double)step / warmupSteps);
    }
}

/// <summary>Training loop for <see cref="Hred"/> on a dialogue list.</summary>
public static class HredTraining
{
    /// <summary>
    /// Trains with Adam for <paramref name="epochs"/> shuffled passes over <paramref name="dialogues"/> in batches of
    /// <paramref name="batchSize"/>; VHRED's β follows <see cref="KlAnnealing.Linear"/> over <paramref name="klWarmupSteps"/>
    /// steps. <paramref name="wordDropout"/> (probability of replacing each decoder input word by &lt;unk&gt;) and
    /// <paramref name="freeBits"/> (λ in nats per latent unit) are the other two remedies for posterior collapse; both apply to
    /// HRED too (free bits only matter with a latent). <paramref name="onStep"/>, if given, sees every step's index and loss terms.
    /// Returns the mean loss terms of each epoch.
    /// </summary>
    public static IReadOnlyList<HredLossTerms> Train(Hred model, IReadOnlyList<IReadOnlyList<string>> dialogues, DialogueVocabulary vocabulary,
        int epochs, int batchSize, Random rng, double learningRate = 0.01, int klWarmupSteps = 0, double wordDropout = 0,
        double freeBits = 0, Action<int, HredLossTerms>? onStep = null)
    {
        Guard.NotNull(model, nameof(model)); Guard.NotNull(dialogues, nameof(dialogues)); Guard.NotNull(vocabulary, nameof(vocabulary));
        Guard.Positive(epochs, nameof(epochs)); Guard.Positive(batchSize, nameof(batchSize)); Guard.NotNull(rng, nameof(rng));
        if (dialogues.Count == 0) throw new ArgumentException("dialogues must contain at least one dialogue but is empty.", nameof(dialogues));
        var batches = new List<DialogueBatch>();
        var order = Enumerable.Range(0, dialogues.Count).ToArray();
        var adam = new Adam(learningRate);
        var history = new List<HredLossTerms>();
        int step = 0;
        for (int e = 0; e < epochs; e++)
        {
            rng.Shuffle(order);
            double j = 0, nll = 0, kl = 0; int tokens = 0, count = 0, nb = 0;
            for (int s = 0; s < order.Length; s += batchSize)
            {
                var chunk = order.Skip(s).Take(batchSize).Select(i => dialogues[i]).ToArray();
                var batch = DialogueBatch.Create(chunk, vocabulary, model.Config.MaxUtteranceLength);
                var t = model.TrainStep(batch, adam, rng, model.Config.IsVariational ? KlAnnealing.Linear(step, klWarmupSteps) : 1.0,
                    wordDropout: wordDropout, freeBits: freeBits);
                onStep?.Invoke(step, t);
                step++; nb++;
                j += t.J * t.BatchSize; nll += t.Nll * t.BatchSize; kl += t.Kl * t.BatchSize; tokens += t.Tokens; count += t.BatchSize;
            }
            history.Add(new HredLossTerms(j / count, nll / count, kl / count, tokens, count, model.Config.IsVariational ? KlAnnealing.Linear(step, klWarmupSteps) : 1.0));
        }
        return history;
    }
}
