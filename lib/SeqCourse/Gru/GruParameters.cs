using MathNet.Numerics.LinearAlgebra;

namespace SeqCourse;

/// <summary>
/// Which GRU (syllabus §3.1). The three differ in where the relevance (reset) gate acts and in the
/// meaning of the update gate.
/// </summary>
public enum GruVariant
{
    /// <summary>
    /// The full GRU of the lecture (Cho et al. 2014's reset position), the default:
    /// Γ_u = σ(W_u[c⟨t−1⟩; x⟨t⟩] + b_u), Γ_r = σ(W_r[c⟨t−1⟩; x⟨t⟩] + b_r),
    /// c̃ = tanh(W_c[Γ_r ⊙ c⟨t−1⟩; x⟨t⟩] + b_c)  (reset BEFORE the matrix product),
    /// c⟨t⟩ = Γ_u ⊙ c̃ + (1 − Γ_u) ⊙ c⟨t−1⟩  (Γ_u = 1 writes, 0 keeps).
    /// </summary>
    Lecture = 0,

    /// <summary>The simplified GRU of the lecture: Γ_r ≡ 1, so c̃ = tanh(W_c[c⟨t−1⟩; x⟨t⟩] + b_c). No W_r, b_r.</summary>
    Simplified = 1,

    /// <summary>
    /// PyTorch's <c>nn.GRU</c> / cuDNN / Keras <c>reset_after=True</c>, written h = c⟨t−1⟩:
    /// z = σ(W_u[h; x] + b_u), r = σ(W_r[h; x] + b_r),
    /// n = tanh(W_cx x + b_c + r ⊙ (W_ch h + b_hn))  (reset AFTER the matrix product, with its own bias b_hn),
    /// h′ = (1 − z) ⊙ n + z ⊙ h  (z = 1 KEEPS: the update sign is flipped, z plays the role of 1 − Γ_u).
    /// W_ch and W_cx are the h- and x-blocks of W_c. The two differences from <see cref="Lecture"/> make
    /// these different models: W_ch(Γ_r ⊙ h) equals r ⊙ (W_ch h + b_hn) only for diagonal W_ch and b_hn = 0.
    /// </summary>
    ResetAfter = 2,
}

/// <summary>
/// GRU parameters (syllabus §1.1, §3.1). Every gate matrix acts on the stacked [c⟨t−1⟩; x⟨t⟩], recurrent
/// block first, so W is (n_a, n_a + n_x) and every bias is (n_a, 1).
/// <para>Layout per variant (the order of <see cref="Items"/>):</para>
/// <list type="bullet">
/// <item><see cref="GruVariant.Lecture"/>: Wu, bu, Wr, br, Wc, bc.</item>
/// <item><see cref="GruVariant.Simplified"/>: Wu, bu, Wc, bc (Wr, br are null).</item>
/// <item><see cref="GruVariant.ResetAfter"/>: Wu, bu, Wr, br, Wc, bc, bhn, mapped to PyTorch's <c>nn.GRU</c>
/// (weight_ih = [W_ir; W_iz; W_in], weight_hh = [W_hr; W_hz; W_hn], likewise the biases) as
/// Wu = [W_hz, W_iz], bu = b_iz + b_hz (PyTorch's z, so "u" here means z = 1 keeps);
/// Wr = [W_hr, W_ir], br = b_ir + b_hr; Wc = [W_hn, W_in], bc = b_in; bhn = b_hn.
/// b_in and b_hn cannot be merged because r multiplies only the hidden part; the merged r and z biases
/// are why PyTorch counts 6n_a more parameters (GRU 150 vs our 140 for n_x = 3, n_a = 5).</item>
/// </list>
/// </summary>
public sealed class GruParameters : IParameterSet
{
    /// <summary>Which GRU these parameters belong to; it fixes which matrices exist.</summary>
    public GruVariant Variant { get; }

    /// <summary>n_x, the input size.</summary>
    public int InputSize { get; }

    /// <summary>n_a, the hidden (= memory cell) size.</summary>
    public int HiddenSize { get; }

    /// <summary>W_u (n_a, n_a + n_x): update gate Γ_u (ResetAfter: PyTorch's z).</summary>
    public Matrix<double> Wu { get; }
    /// <summary>b_u (n_a, 1).</summary>
    public Matrix<double> bu { get; }
    /// <summary>W_r (n_a, n_a + n_x): relevance / reset gate; null for <see cref="GruVariant.Simplified"/>.</summary>
    public Matrix<double>? Wr { get; }
    /// <summary>b_r (n_a, 1); null for <see cref="GruVariant.Simplified"/>.</summary>
    public Matrix<double>? br { get; }
    /// <summary>W_c (n_a, n_a + n_x): candidate c̃ (ResetAfter: [W_hn, W_in]).</summary>
    public Matrix<double> Wc { get; }
    /// <summary>b_c (n_a, 1) (ResetAfter: b_in).</summary>
    public Matrix<double> bc { get; }
    /// <summary>b_hn (n_a, 1): the bias inside r ⊙ (W_ch h + b_hn); only for <see cref="GruVariant.ResetAfter"/>.</summary>
    public Matrix<double>? bhn { get; }

    /// <summary>
    /// Wraps the given matrices (not copied). Pass null for Wr, br under Simplified and for bhn unless ResetAfter.
    /// </summary>
    public GruParameters(GruVariant variant, Matrix<double> Wu, Matrix<double> bu, Matrix<double>? Wr, Matrix<double>? br,
        Matrix<double> Wc, Matrix<double> bc, Matrix<double>? bhn = null)
    {
        if (!Enum.IsDefined(variant))
            throw new ArgumentException($"variant must be Lecture, Simplified or ResetAfter but is {(int)variant}.", nameof(variant));
        Guard.NotNull(Wu, nameof(Wu));
        int na = Wu.RowCount, nx = Wu.ColumnCount - na;
        if (nx <= 0)
            throw new ArgumentException($"Wu must have shape (n_a, n_a + n_x) with n_x > 0 but has shape ({Wu.RowCount}, {Wu.ColumnCount}).", nameof(Wu));
        Guard.Shape(bu, na, 1, nameof(bu));
        Guard.Shape(Wc, na, na + nx, nameof(Wc));
        Guard.Shape(bc, na, 1, nameof(bc));
        if (variant == GruVariant.Simplified)
        {
            if (Wr is not null || br is not null)
                throw new ArgumentException("Wr and br must be null for the simplified GRU (Γ_r ≡ 1) but were given.", Wr is not null ? nameof(Wr) : nameof(br));
        }
        else
        {
            Guard.Shape(Guard.NotNull(Wr, nameof(Wr)), na, na + nx, nameof(Wr));
            Guard.Shape(Guard.NotNull(br, nameof(br)), na, 1, nameof(br));
        }
        if (variant == GruVariant.ResetAfter) Guard.Shape(Guard.NotNull(bhn, nameof(bhn)), na, 1, nameof(bhn));
        else if (bhn is not null)
            throw new ArgumentException($"bhn must be null unless the variant is ResetAfter but was given for {variant}.", nameof(bhn));

        Variant = variant; InputSize = nx; HiddenSize = na;
        this.Wu = Wu; this.bu = bu; this.Wr = Wr; this.br = br; this.Wc = Wc; this.bc = bc; this.bhn = bhn;
        Items = BuildItems("");
    }

    /// <summary>
    /// Random parameters: weights Xavier-scaled (std √(1/(n_a + n_x))) from <paramref name="rng"/>, biases zero
    /// except b_u = <paramref name="updateBias"/>. A negative b_u (Lecture, Simplified) starts the cell closer to
    /// "keep" (Γ_u = σ(b_u) small), which helps on long lags, like a positive LSTM forget bias; for
    /// <see cref="GruVariant.ResetAfter"/> the sign is the other way round (z = 1 keeps).
    /// </summary>
    public static GruParameters Create(int nx, int na, Random rng, GruVariant variant = GruVariant.Lecture, double updateBias = 0.0)
    {
        Guard.Positive(nx, nameof(nx)); Guard.Positive(na, nameof(na)); Guard.NotNull(rng, nameof(rng));
        bool hasR = variant != GruVariant.Simplified;
        var Wu = Init.Xavier(na, na + nx, rng);
        var Wr = hasR ? Init.Xavier(na, na + nx, rng) : null;
        var Wc = Init.Xavier(na, na + nx, rng);
        return new GruParameters(variant, Wu, Matrix<double>.Build.Dense(na, 1, updateBias), Wr, hasR ? Init.Zeros(na, 1) : null, Wc, Init.Zeros(na, 1),
            variant == GruVariant.ResetAfter ? Init.Zeros(na, 1) : null);
    }

    /// <summary>Every entry drawn from N(0, std²) (biases too): for gradient checks and fixtures.</summary>
    public static GruParameters Normal(int nx, int na, double std, Random rng, GruVariant variant = GruVariant.Lecture)
    {
        Guard.NotNull(rng, nameof(rng));
        bool hasR = variant != GruVariant.Simplified;
        Matrix<double> W() => Init.Normal(na, na + nx, std, rng);
        Matrix<double> B() => Init.Normal(na, 1, std, rng);
        var Wu = W(); var bu = B();
        var Wr = hasR ? W() : null; var br = hasR ? B() : null;
        var Wc = W(); var bc = B();
        return new GruParameters(variant, Wu, bu, Wr, br, Wc, bc, variant == GruVariant.ResetAfter ? B() : null);
    }

    /// <inheritdoc />
    public IReadOnlyList<NamedMatrix> Items { get; }

    /// <summary>Zero gradients with the same layout (names prefixed "d").</summary>
    public GruGradients ZeroGradients() => new(this);

    internal IReadOnlyList<NamedMatrix> BuildItems(string prefix)
    {
        var items = new List<NamedMatrix> { new(prefix + "Wu", Wu), new(prefix + "bu", bu) };
        if (Wr is not null) { items.Add(new(prefix + "Wr", Wr)); items.Add(new(prefix + "br", br!)); }
        items.Add(new(prefix + "Wc", Wc)); items.Add(new(prefix + "bc", bc));
        if (bhn is not null) items.Add(new(prefix + "bhn", bhn));
        return items;
    }
}

/// <summary>Gradients of a <see cref="GruParameters"/>: same layout, names prefixed "d" (dWu, dbu, …).</summary>
public sealed class GruGradients : IParameterSet
{
    /// <summary>dJ/dW_u.</summary>
    public Matrix<double> dWu { get; }
    /// <summary>dJ/db_u.</summary>
    public Matrix<double> dbu { get; }
    /// <summary>dJ/dW_r (null for Simplified).</summary>
    public Matrix<double>? dWr { get; }
    /// <summary>dJ/db_r (null for Simplified).</summary>
    public Matrix<double>? dbr { get; }
    /// <summary>dJ/dW_c.</summary>
    public Matrix<double> dWc { get; }
    /// <summary>dJ/db_c.</summary>
    public Matrix<double> dbc { get; }
    /// <summary>dJ/db_hn (ResetAfter only).</summary>
    public Matrix<double>? dbhn { get; }

    /// <inheritdoc />
    public IReadOnlyList<NamedMatrix> Items { get; }

    internal GruGradients(GruParameters p)
    {
        dWu = GatedMath.ZerosLike(p.Wu); dbu = GatedMath.ZerosLike(p.bu);
        dWr = p.Wr is null ? null : GatedMath.ZerosLike(p.Wr); dbr = p.br is null ? null : GatedMath.ZerosLike(p.br);
        dWc = GatedMath.ZerosLike(p.Wc); dbc = GatedMath.ZerosLike(p.bc);
        dbhn = p.bhn is null ? null : GatedMath.ZerosLike(p.bhn);
        var items = new List<NamedMatrix> { new("dWu", dWu), new("dbu", dbu) };
        if (dWr is not null) { items.Add(new("dWr", dWr)); items.Add(new("dbr", dbr!)); }
        items.Add(new("dWc", dWc)); items.Add(new("dbc", dbc));
        if (dbhn is not null) items.Add(new("dbhn", dbhn));
        Items = items;
    }

    /// <summary>this += other, entry by entry (summing the per-step gradients of a sequence).</summary>
    public void Add(GruGradients other)
    {
        Guard.NotNull(other, nameof(other));
        ParameterSet.CheckMatches(this, other);
        for (int i = 0; i < Items.Count; i++) Items[i].Value.Add(other.Items[i].Value, Items[i].Value);
    }
}
