using MathNet.Numerics.LinearAlgebra;
using MathNet.Numerics.LinearAlgebra.Double;
using SeqCourse.Numerics;

namespace SeqCourse;

/// <summary>
/// What one RNN step keeps for its backward pass: the inputs x⟨t⟩, a⟨t−1⟩, the pre-activation z⟨t⟩,
/// the output a⟨t⟩, which g was used, and the weights it was computed with (references, not copies:
/// run the backward pass before an optimizer changes them).
/// </summary>
public sealed record RnnCellCache(Matrix<double> X, Matrix<double> APrev, Matrix<double> Z, Matrix<double> A,
    Activation G, Matrix<double> Waa, Matrix<double> Wax);

/// <summary>Gradients of the hidden part of an RNN cell: dWaa, dWax, dba (the part an <see cref="RnnLayer"/> owns).</summary>
public sealed record RnnCellGradients(Matrix<double> dWaa, Matrix<double> dWax, Matrix<double> dba) : IParameterSet
{
    /// <inheritdoc />
    public IReadOnlyList<NamedMatrix> Items => [new("dWaa", dWaa), new("dWax", dWax), new("dba", dba)];
}

/// <summary>
/// One time step of the vanilla RNN (syllabus §1.2, §1.3):
/// z⟨t⟩ = W_aa a⟨t−1⟩ + W_ax x⟨t⟩ + b_a,  a⟨t⟩ = g(z⟨t⟩),  and the output pre-activation z_y⟨t⟩ = W_ya a⟨t⟩ + b_y.
/// </summary>
public static class RnnCell
{
    /// <summary>
    /// a⟨t⟩ = g(W_aa a⟨t−1⟩ + W_ax x⟨t⟩ + b_a). <paramref name="x"/> is (n_x, m), <paramref name="aPrev"/> is (n_a, m);
    /// returns a⟨t⟩ (n_a, m) and the cache for <see cref="Backward(Matrix{double}, RnnCellCache)"/>.
    /// </summary>
    public static (Matrix<double> A, RnnCellCache Cache) Forward(Matrix<double> x, Matrix<double> aPrev, RnnParameters p,
        Activation g = Activation.Tanh)
    {
        Guard.NotNull(p, nameof(p));
        return Forward(x, aPrev, p.Waa, p.Wax, p.ba, g);
    }

    /// <summary>The same step with the hidden weights passed one by one (used by <see cref="RnnLayer"/>).</summary>
    public static (Matrix<double> A, RnnCellCache Cache) Forward(Matrix<double> x, Matrix<double> aPrev,
        Matrix<double> Waa, Matrix<double> Wax, Matrix<double> ba, Activation g = Activation.Tanh)
    {
        Guard.NotNull(Waa, nameof(Waa));
        int na = Waa.RowCount;
        Guard.Shape(Waa, na, na, nameof(Waa));
        Guard.Rows(Wax, na, nameof(Wax));
        Guard.Shape(ba, na, 1, nameof(ba));
        Guard.Rows(x, Wax.ColumnCount, nameof(x));
        Guard.Shape(aPrev, na, x.ColumnCount, nameof(aPrev));

        // z = W_aa a⟨t−1⟩ + W_ax x⟨t⟩ + b_a   (§1.2; the stacked form W_a[a; x] is the same number)
        var z = Matrix<double>.Build.Dense(na, x.ColumnCount);
        z.AddProduct(Waa, aPrev);
        z.AddProduct(Wax, x);
        AddBias(z, ba);
        var a = Apply(g, z);
        return (a, new RnnCellCache(x, aPrev, z, a, g, Waa, Wax));
    }

    /// <summary>
    /// The cell backward pass of §1.3. <paramref name="da"/> is the total gradient reaching a⟨t⟩ (from the output
    /// and from step t+1). Returns dx⟨t⟩ = W_axᵀ dz, da_prev = W_aaᵀ dz and this step's dWaa, dWax, dba.
    /// </summary>
    public static (Matrix<double> Dx, Matrix<double> DaPrev, RnnCellGradients Grads) Backward(Matrix<double> da, RnnCellCache cache)
    {
        Guard.NotNull(cache, nameof(cache));
        var grads = new RnnCellGradients(Init.Zeros(cache.Waa.RowCount, cache.Waa.ColumnCount),
            Init.Zeros(cache.Wax.RowCount, cache.Wax.ColumnCount), Init.Zeros(cache.Waa.RowCount, 1));
        var (dx, daPrev) = Backward(da, cache, grads.dWaa, grads.dWax, grads.dba);
        return (dx, daPrev, grads);
    }

    /// <summary>
    /// The same backward pass, adding (+=) this step's contribution into <paramref name="dWaa"/>,
    /// <paramref name="dWax"/>, <paramref name="dba"/>: the sequence backward sums over t this way.
    /// </summary>
    public static (Matrix<double> Dx, Matrix<double> DaPrev) Backward(Matrix<double> da, RnnCellCache cache,
        Matrix<double> dWaa, Matrix<double> dWax, Matrix<double> dba)
    {
        Guard.NotNull(cache, nameof(cache));
        Guard.Shape(da, cache.A.RowCount, cache.A.ColumnCount, nameof(da));

        // dz = da ⊙ g′(z):  tanh: 1 − a²,  ReLU: 1[z > 0],  σ: a(1 − a)
        var dz = Derivative(cache.G, cache.Z, cache.A);
        dz.PointwiseMultiply(da, dz);
        // dW_ax += dz x⟨t⟩ᵀ,  dW_aa += dz a⟨t−1⟩ᵀ,  db_a += Σ_cols dz
        dWax.AddProductTransposed(dz, cache.X);
        dWaa.AddProductTransposed(dz, cache.APrev);
        AddColumnSums(dba, dz);
        // dx⟨t⟩ = W_axᵀ dz,  da_prev = W_aaᵀ dz
        var dx = Matrix<double>.Build.Dense(cache.Wax.ColumnCount, dz.ColumnCount);
        dx.AddTransposedProduct(cache.Wax, dz);
        var daPrev = Matrix<double>.Build.Dense(cache.Waa.ColumnCount, dz.ColumnCount);
        daPrev.AddTransposedProduct(cache.Waa, dz);
        return (dx, daPrev);
    }

    /// <summary>z_y⟨t⟩ = W_ya a⟨t⟩ + b_y (n_y, m), the logits before g_y (softmax or σ).</summary>
    public static Matrix<double> Output(Matrix<double> a, RnnParameters p)
    {
        Guard.NotNull(p, nameof(p));
        Guard.Rows(a, p.Na, nameof(a));
        var zy = Matrix<double>.Build.Dense(p.Ny, a.ColumnCount);
        zy.AddProduct(p.Wya, a);
        AddBias(zy, p.by);
        return zy;
    }

    /// <summary>g(z) element-wise.</summary>
    public static Matrix<double> Apply(Activation g, Matrix<double> z)
    {
        Func<double, double> f = g switch
        {
            Activation.Tanh => Math.Tanh,
            Activation.Relu => v => v > 0 ? v : 0.0,
            Activation.Sigmoid => Activations.Sigmoid,
            _ => throw new ArgumentException($"g must be Tanh, Relu or Sigmoid but is {g}.", nameof(g)),
        };
        return Elementwise(z, f);
    }

    /// <summary>g′(z), computed from z (ReLU) or from a = g(z) (tanh: 1 − a², σ: a(1 − a)).</summary>
    public static Matrix<double> Derivative(Activation g, Matrix<double> z, Matrix<double> a) => g switch
    {
        Activation.Tanh => Elementwise(a, v => 1 - v * v),
        Activation.Relu => Elementwise(z, v => v > 0 ? 1.0 : 0.0),
        Activation.Sigmoid => Elementwise(a, v => v * (1 - v)),
        _ => throw new ArgumentException($"g must be Tanh, Relu or Sigmoid but is {g}.", nameof(g)),
    };

    // A plain loop: MathNet's Map may hand tiny matrices to the thread pool.
    private static Matrix<double> Elementwise(Matrix<double> m, Func<double, double> f)
    {
        var r = Matrix<double>.Build.Dense(m.RowCount, m.ColumnCount);
        if (m is DenseMatrix { Values: var src })
        {
            var dst = ((DenseMatrix)r).Values;
            for (int i = 0; i < src.Length; i++) dst[i] = f(src[i]);
        }
        else
        {
            for (int j = 0; j < m.ColumnCount; j++)
                for (int i = 0; i < m.RowCount; i++) r[i, j] = f(m[i, j]);
        }
        return r;
    }

    /// <summary>z[:, j] += b for every column j (bias broadcast over the batch), in place.</summary>
    public static void AddBias(Matrix<double> z, Matrix<double> b)
    {
        for (int j = 0; j < z.ColumnCount; j++)
            for (int i = 0; i < z.RowCount; i++)
                z[i, j] += b[i, 0];
    }

    /// <summary>db += Σ_cols dz (a bias gradient sums over the batch), in place.</summary>
    public static void AddColumnSums(Matrix<double> db, Matrix<double> dz)
    {
        for (int j = 0; j < dz.ColumnCount; j++)
            for (int i = 0; i < dz.RowCount; i++)
                db[i, 0] += dz[i, j];
    }
}
