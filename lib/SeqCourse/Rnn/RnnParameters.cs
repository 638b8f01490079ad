using MathNet.Numerics.LinearAlgebra;

namespace SeqCourse;

/// <summary>
/// The parameters of a vanilla RNN (syllabus §1.1, §1.2), shared by every time step:
/// W_aa (n_a, n_a), W_ax (n_a, n_x), b_a (n_a, 1) for the hidden state and W_ya (n_y, n_a), b_y (n_y, 1)
/// for the output. The record holds the matrices themselves: optimizers update them in place.
/// </summary>
public sealed record RnnParameters(Matrix<double> Waa, Matrix<double> Wax, Matrix<double> ba, Matrix<double> Wya, Matrix<double> by)
    : IParameterSet
{
    /// <summary>n_a, the hidden size.</summary>
    public int Na => Waa.RowCount;

    /// <summary>n_x, the input size.</summary>
    public int Nx => Wax.ColumnCount;

    /// <summary>n_y, the output size.</summary>
    public int Ny => Wya.RowCount;

    /// <inheritdoc />
    public IReadOnlyList<NamedMatrix> Items =>
    [
        new("Waa", Waa), new("Wax", Wax), new("ba", ba), new("Wya", Wya), new("by", by),
    ];

    /// <summary>
    /// New parameters with weights drawn by <paramref name="init"/> (rows, cols = n_in, rng) — by default
    /// <see cref="Init.Xavier"/>; pass <c>Init.He</c> or <c>(r, c, g) =&gt; Init.Normal(r, c, 0.01, g)</c>
    /// for S3's <c>weight_init_std</c>. Biases start at zero.
    /// </summary>
    public static RnnParameters Create(int nx, int na, int ny, Random rng, Func<int, int, Random, Matrix<double>>? init = null)
    {
        Guard.Positive(nx, nameof(nx)); Guard.Positive(na, nameof(na)); Guard.Positive(ny, nameof(ny));
        Guard.NotNull(rng, nameof(rng));
        init ??= Init.Xavier;
        var waa = init(na, na, rng);
        var wax = init(na, nx, rng);
        var wya = init(ny, na, rng);
        return new RnnParameters(waa, wax, Init.Zeros(na, 1), wya, Init.Zeros(ny, 1));
    }

    /// <summary>New parameters with every weight ~ N(0, <paramref name="std"/>²) (min-char-rnn uses 0.01).</summary>
    public static RnnParameters Create(int nx, int na, int ny, Random rng, double std) =>
        Create(nx, na, ny, rng, (r, c, g) => Init.Normal(r, c, std, g));

    /// <summary>
    /// The stacked matrix W_a = [W_aa | W_ax] (n_a, n_a + n_x), side by side, so that
    /// W_a [a; x] = W_aa a + W_ax x (§1.2). A copy: changing it does not change the parameters.
    /// </summary>
    public Matrix<double> Wa => StackWa(Waa, Wax);

    /// <summary>[W_aa | W_ax]: the two blocks side by side (recurrent block first, as in [a; x]).</summary>
    public static Matrix<double> StackWa(Matrix<double> Waa, Matrix<double> Wax)
    {
        Guard.NotNull(Waa, nameof(Waa)); Guard.Rows(Wax, Waa.RowCount, nameof(Wax));
        return Waa.Append(Wax);
    }

    /// <summary>[a; x]: <paramref name="a"/> (n_a, m) above <paramref name="x"/> (n_x, m).</summary>
    public static Matrix<double> StackAx(Matrix<double> a, Matrix<double> x)
    {
        Guard.NotNull(a, nameof(a)); Guard.Columns(x, a.ColumnCount, nameof(x));
        return a.Stack(x);
    }

    /// <summary>
    /// z = W_a [a⟨t−1⟩; x⟨t⟩] + b_a computed with the stacked form; equal (up to rounding) to
    /// W_aa a⟨t−1⟩ + W_ax x⟨t⟩ + b_a, which is what <see cref="RnnCell.Forward(Matrix{double}, Matrix{double}, RnnParameters, Activation)"/> uses.
    /// </summary>
    public Matrix<double> StackedPreActivation(Matrix<double> aPrev, Matrix<double> x)
    {
        Guard.Rows(aPrev, Na, nameof(aPrev)); Guard.Rows(x, Nx, nameof(x));
        var z = Wa * StackAx(aPrev, x);
        RnnCell.AddBias(z, ba);
        return z;
    }

    /// <summary>Checks the five shapes against each other; the message names the first bad one.</summary>
    public void Validate()
    {
        int na = Guard.NotNull(Waa, nameof(Waa)).RowCount;
        Guard.Shape(Waa, na, na, nameof(Waa));
        Guard.Rows(Wax, na, nameof(Wax));
        Guard.Shape(ba, na, 1, nameof(ba));
        Guard.NotNull(Wya, nameof(Wya));
        Guard.Shape(Wya, Wya.RowCount, na, nameof(Wya));
        Guard.Shape(by, Wya.RowCount, 1, nameof(by));
    }

    /// <summary>A deep copy (for gradient checks and for comparing before/after an update).</summary>
    public RnnParameters DeepCopy() => new(Waa.Clone(), Wax.Clone(), ba.Clone(), Wya.Clone(), by.Clone());
}

/// <summary>∂J/∂θ for <see cref="RnnParameters"/>, same shapes and order: dWaa, dWax, dba, dWya, dby.</summary>
public sealed record RnnGradients(Matrix<double> dWaa, Matrix<double> dWax, Matrix<double> dba, Matrix<double> dWya, Matrix<double> dby)
    : IParameterSet
{
    /// <inheritdoc />
    public IReadOnlyList<NamedMatrix> Items =>
    [
        new("dWaa", dWaa), new("dWax", dWax), new("dba", dba), new("dWya", dWya), new("dby", dby),
    ];

    /// <summary>All-zero gradients shaped like <paramref name="p"/>, ready to be accumulated into.</summary>
    public static RnnGradients ZerosLike(RnnParameters p)
    {
        Guard.NotNull(p, nameof(p));
        return new(Init.Zeros(p.Na, p.Na), Init.Zeros(p.Na, p.Nx), Init.Zeros(p.Na, 1), Init.Zeros(p.Ny, p.Na), Init.Zeros(p.Ny, 1));
    }

    /// <summary>Sets every entry to zero (reusing the matrices).</summary>
    public void Clear()
    {
        foreach (var item in Items) item.Value.Clear();
    }
}
