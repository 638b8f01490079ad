using MathNet.Numerics.LinearAlgebra;
using MathNet.Numerics.LinearAlgebra.Double;

namespace SeqCourse;

/// <summary>
/// LSTM parameters (syllabus 1.9, §3.2). Every gate matrix acts on [a⟨t−1⟩; x⟨t⟩], recurrent block first:
/// W_f, W_u, W_c, W_o are (n_a, n_a + n_x), the biases (n_a, 1). Optional peepholes p_f, p_u, p_o are the
/// diagonals of diagonal matrices, stored as (n_a, 1) vectors and applied as p ⊙ c.
/// <para>Mapping to PyTorch's <c>nn.LSTM</c> (gate blocks stacked i, f, g, o): Γ_u ↔ i, Γ_f ↔ f, c̃ ↔ g, Γ_o ↔ o;
/// W_k = [W_hk, W_ik] and b_k = b_ik + b_hk. PyTorch has no peepholes.</para>
/// <para>Order of <see cref="Items"/>: Wf, bf, Wu, bu, Wc, bc, Wo, bo, then pf, pu, po with peepholes.</para>
/// </summary>
public sealed class LstmParameters : IParameterSet
{
    /// <summary>n_x.</summary>
    public int InputSize { get; }
    /// <summary>n_a.</summary>
    public int HiddenSize { get; }
    /// <summary>True when pf, pu, po are present.</summary>
    public bool HasPeepholes => pf is not null;

    /// <summary>W_f (n_a, n_a + n_x): forget gate.</summary>
    public Matrix<double> Wf { get; }
    /// <summary>b_f (n_a, 1).</summary>
    public Matrix<double> bf { get; }
    /// <summary>W_u (n_a, n_a + n_x): update (input) gate.</summary>
    public Matrix<double> Wu { get; }
    /// <summary>b_u (n_a, 1).</summary>
    public Matrix<double> bu { get; }
    /// <summary>W_c (n_a, n_a + n_x): candidate c̃.</summary>
    public Matrix<double> Wc { get; }
    /// <summary>b_c (n_a, 1).</summary>
    public Matrix<double> bc { get; }
    /// <summary>W_o (n_a, n_a + n_x): output gate.</summary>
    public Matrix<double> Wo { get; }
    /// <summary>b_o (n_a, 1).</summary>
    public Matrix<double> bo { get; }
    /// <summary>p_f (n_a, 1): forget-gate peephole on c⟨t−1⟩, or null.</summary>
    public Matrix<double>? pf { get; }
    /// <summary>p_u (n_a, 1): update-gate peephole on c⟨t−1⟩, or null.</summary>
    public Matrix<double>? pu { get; }
    /// <summary>p_o (n_a, 1): output-gate peephole on c⟨t⟩ (the new cell), or null.</summary>
    public Matrix<double>? po { get; }

    /// <inheritdoc />
    public IReadOnlyList<NamedMatrix> Items { get; }

    /// <summary>Wraps the given matrices (not copied). Peepholes: all three or none.</summary>
    public LstmParameters(Matrix<double> Wf, Matrix<double> bf, Matrix<double> Wu, Matrix<double> bu,
        Matrix<double> Wc, Matrix<double> bc, Matrix<double> Wo, Matrix<double> bo,
        Matrix<double>? pf = null, Matrix<double>? pu = null, Matrix<double>? po = null)
    {
        Guard.NotNull(Wf, nameof(Wf));
        int na = Wf.RowCount, nx = Wf.ColumnCount - na;
        if (nx <= 0)
            throw new ArgumentException($"Wf must have shape (n_a, n_a + n_x) with n_x > 0 but has shape ({Wf.RowCount}, {Wf.ColumnCount}).", nameof(Wf));
        Guard.Shape(bf, na, 1, nameof(bf));
        Guard.Shape(Wu, na, na + nx, nameof(Wu)); Guard.Shape(bu, na, 1, nameof(bu));
        Guard.Shape(Wc, na, na + nx, nameof(Wc)); Guard.Shape(bc, na, 1, nameof(bc));
        Guard.Shape(Wo, na, na + nx, nameof(Wo)); Guard.Shape(bo, na, 1, nameof(bo));
        int given = (pf is null ? 0 : 1) + (pu is null ? 0 : 1) + (po is null ? 0 : 1);
        if (given is 1 or 2)
            throw new ArgumentException($"peepholes must be all three (pf, pu, po) or none but {given} were given.", pf is null ? nameof(pf) : pu is null ? nameof(pu) : nameof(po));
        if (given == 3)
        {
            Guard.Shape(pf!, na, 1, nameof(pf)); Guard.Shape(pu!, na, 1, nameof(pu)); Guard.Shape(po!, na, 1, nameof(po));
        }
        InputSize = nx; HiddenSize = na;
        this.Wf = Wf; this.bf = bf; this.Wu = Wu; this.bu = bu; this.Wc = Wc; this.bc = bc; this.Wo = Wo; this.bo = bo;
        this.pf = pf; this.pu = pu; this.po = po;
        var items = new List<NamedMatrix>
        {
            new("Wf", Wf), new("bf", bf), new("Wu", Wu), new("bu", bu),
            new("Wc", Wc), new("bc", bc), new("Wo", Wo), new("bo", bo),
        };
        if (given == 3) { items.Add(new("pf", pf!)); items.Add(new("pu", pu!)); items.Add(new("po", po!)); }
        Items = items;
    }

    /// <summary>
    /// Random parameters: weights Xavier-scaled from <paramref name="rng"/>, biases zero except b_f = <paramref name="forgetBias"/>
    /// (1 is the usual choice: start by remembering), peepholes zero when requested.
    /// </summary>
    public static LstmParameters Create(int nx, int na, Random rng, bool peepholes = false, double forgetBias = 1.0)
    {
        Guard.Positive(nx, nameof(nx)); Guard.Positive(na, nameof(na)); Guard.NotNull(rng, nameof(rng));
        Matrix<double> W() => Init.Xavier(na, na + nx, rng);
        var bf = Matrix<double>.Build.Dense(na, 1, forgetBias);
        return new LstmParameters(W(), bf, W(), Init.Zeros(na, 1), W(), Init.Zeros(na, 1), W(), Init.Zeros(na, 1),
            peepholes ? Init.Zeros(na, 1) : null, peepholes ? Init.Zeros(na, 1) : null, peepholes ? Init.Zeros(na, 1) : null);
    }

    /// <summary>Every entry (biases and peepholes too) drawn from N(0, std²): for gradient checks and fixtures.</summary>
    public static LstmParameters Normal(int nx, int na, double std, Random rng, bool peepholes = false)
    {
        Guard.NotNull(rng, nameof(rng));
        Matrix<double> W() => Init.Normal(na, na + nx, std, rng);
        Matrix<double> B() => Init.Normal(na, 1, std, rng);
        var Wf = W(); var bf = B(); var Wu = W(); var bu = B(); var Wc = W(); var bc = B(); var Wo = W(); var bo = B();
        return peepholes ? new LstmParameters(Wf, bf, Wu, bu, Wc, bc, Wo, bo, B(), B(), B())
                         : new LstmParameters(Wf, bf, Wu, bu, Wc, bc, Wo, bo);
    }

    /// <summary>
    /// The four gate matrices stacked into one W (4n_a, n_a + n_x) and b (4n_a, 1), blocks in PyTorch's order
    /// [u; f; c; o] (= i, f, g, o), so that one matrix product W[a; x] gives all gate pre-activations.
    /// </summary>
    public (Matrix<double> W, Matrix<double> b) Stacked()
    {
        int na = HiddenSize;
        var W = Matrix<double>.Build.Dense(4 * na, na + InputSize);
        var b = Matrix<double>.Build.Dense(4 * na, 1);
        Place(W, LstmBlocks.U * na, Wu); Place(W, LstmBlocks.F * na, Wf);
        Place(W, LstmBlocks.C * na, Wc); Place(W, LstmBlocks.O * na, Wo);
        Place(b, LstmBlocks.U * na, bu); Place(b, LstmBlocks.F * na, bf);
        Place(b, LstmBlocks.C * na, bc); Place(b, LstmBlocks.O * na, bo);
        return (W, b);
    }

    /// <summary>stacked[row…, :] = block, one column copy at a time (SetSubMatrix goes element by element).</summary>
    private static void Place(Matrix<double> stacked, int row, Matrix<double> block)
    {
        if (stacked is DenseMatrix s && block is DenseMatrix d)
        {
            for (int j = 0; j < d.ColumnCount; j++) Array.Copy(d.Values, j * d.RowCount, s.Values, j * s.RowCount + row, d.RowCount);
        }
        else stacked.SetSubMatrix(row, 0, block);
    }
}

/// <summary>Row-block indices of the fused gate matrix (PyTorch order i, f, g, o).</summary>
internal static class LstmBlocks
{
    public const int U = 0, F = 1, C = 2, O = 3;
}

/// <summary>Gradients of <see cref="LstmParameters"/>: same order, names prefixed "d".</summary>
public sealed class LstmGradients : IParameterSet
{
    /// <summary>dJ/dW_f.</summary>
    public Matrix<double> dWf { get; }
    /// <summary>dJ/db_f.</summary>
    public Matrix<double> dbf { get; }
    /// <summary>dJ/dW_u.</summary>
    public Matrix<double> dWu { get; }
    /// <summary>dJ/db_u.</summary>
    public Matrix<double> dbu { get; }
    /// <summary>dJ/dW_c.</summary>
    public Matrix<double> dWc { get; }
    /// <summary>dJ/db_c.</summary>
    public Matrix<double> dbc { get; }
    /// <summary>dJ/dW_o.</summary>
    public Matrix<double> dWo { get; }
    /// <summary>dJ/db_o.</summary>
    public Matrix<double> dbo { get; }
    /// <summary>dJ/dp_f, or null without peepholes.</summary>
    public Matrix<double>? dpf { get; }
    /// <summary>dJ/dp_u, or null without peepholes.</summary>
    public Matrix<double>? dpu { get; }
    /// <summary>dJ/dp_o, or null without peepholes.</summary>
    public Matrix<double>? dpo { get; }

    /// <inheritdoc />
    public IReadOnlyList<NamedMatrix> Items { get; }

    /// <summary>Splits the fused gradients dW (4n_a, n_a + n_x), db (4n_a, 1) back into the named gate blocks.</summary>
    internal LstmGradients(int na, Matrix<double> dW, Matrix<double> db, Matrix<double>? dpf, Matrix<double>? dpu, Matrix<double>? dpo)
        : this(GatedMath.Rows(dW, LstmBlocks.F * na, na), GatedMath.Rows(db, LstmBlocks.F * na, na),
               GatedMath.Rows(dW, LstmBlocks.U * na, na), GatedMath.Rows(db, LstmBlocks.U * na, na),
               GatedMath.Rows(dW, LstmBlocks.C * na, na), GatedMath.Rows(db, LstmBlocks.C * na, na),
               GatedMath.Rows(dW, LstmBlocks.O * na, na), GatedMath.Rows(db, LstmBlocks.O * na, na), dpf, dpu, dpo)
    {
    }

    /// <summary>Wraps gradients already split by gate (not copied).</summary>
    internal LstmGradients(Matrix<double> dWf, Matrix<double> dbf, Matrix<double> dWu, Matrix<double> dbu,
        Matrix<double> dWc, Matrix<double> dbc, Matrix<double> dWo, Matrix<double> dbo,
        Matrix<double>? dpf, Matrix<double>? dpu, Matrix<double>? dpo)
    {
        this.dWf = dWf; this.dbf = dbf; this.dWu = dWu; this.dbu = dbu;
        this.dWc = dWc; this.dbc = dbc; this.dWo = dWo; this.dbo = dbo;
        this.dpf = dpf; this.dpu = dpu; this.dpo = dpo;
        var items = new List<NamedMatrix>
        {
            new("dWf", dWf), new("dbf", dbf), new("dWu", dWu), new("dbu", dbu),
            new("dWc", dWc), new("dbc", dbc), new("dWo", dWo), new("dbo", dbo),
        };
        if (dpf is not null) { items.Add(new("dpf", dpf)); items.Add(new("dpu", dpu!)); items.Add(new("dpo", dpo!)); }
        Items = items;
    }
}
