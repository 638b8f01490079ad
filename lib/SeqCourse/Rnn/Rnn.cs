using MathNet.Numerics.LinearAlgebra;
using SeqCourse.Numerics;

namespace SeqCourse;

/// <summary>
/// The result of <see cref="Rnn.Forward"/>: a⟨0⟩, the states a⟨1…T⟩ (n_a, m), the output logits
/// z_y⟨1…T⟩ (n_y, m) and one cache per step. <c>A[t-1]</c> is a⟨t⟩ (code is 0-based).
/// </summary>
public sealed record RnnForwardResult(Matrix<double> A0, Matrix<double>[] A, Matrix<double>[] Zy, RnnCellCache[] Caches, Activation G)
{
    /// <summary>The last state a⟨T⟩ (carried to the next chunk in truncated BPTT).</summary>
    public Matrix<double> ALast => A[^1];

    /// <summary>ŷ⟨t⟩ = softmax(z_y⟨t⟩), one distribution per column.</summary>
    public Matrix<double>[] SoftmaxOutputs() => Zy.Select(Activations.Softmax).ToArray();

    /// <summary>ŷ⟨t⟩ = σ(z_y⟨t⟩) (binary outputs, e.g. binary addition).</summary>
    public Matrix<double>[] SigmoidOutputs() => Zy.Select(Activations.Sigmoid).ToArray();
}

/// <summary>The result of <see cref="Rnn.Backward"/>: parameter gradients, dx⟨1…T⟩ and da⟨0⟩.</summary>
public sealed record RnnBackwardResult(RnnGradients Grads, Matrix<double>[] Dx, Matrix<double> Da0);

/// <summary>
/// The vanilla RNN over a whole sequence (syllabus §1.2, §1.3): the cell of <see cref="RnnCell"/> applied for
/// t = 1…T with shared parameters, and back-propagation through time (BPTT).
/// </summary>
public static class Rnn
{
    /// <summary>
    /// Runs t = 1…T. <paramref name="xs"/>[t−1] = x⟨t⟩ is (n_x, m); <paramref name="a0"/> is (n_a, m) or null for zeros.
    /// Returns every a⟨t⟩ and z_y⟨t⟩ = W_ya a⟨t⟩ + b_y with the caches for <see cref="Backward"/>.
    /// </summary>
    public static RnnForwardResult Forward(IReadOnlyList<Matrix<double>> xs, Matrix<double>? a0, RnnParameters p,
        Activation g = Activation.Tanh)
    {
        Guard.NotNull(p, nameof(p));
        p.Validate();
        CheckInputs(xs, p.Nx);
        int m = xs[0].ColumnCount;
        if (a0 is null) a0 = Init.Zeros(p.Na, m);
        else { Guard.Shape(a0, p.Na, m, nameof(a0)); Guard.Finite(a0, nameof(a0)); }

        int T = xs.Count;
        var A = new Matrix<double>[T];
        var Zy = new Matrix<double>[T];
        var caches = new RnnCellCache[T];
        var aPrev = a0;
        for (int t = 0; t < T; t++)
        {
            (A[t], caches[t]) = RnnCell.Forward(xs[t], aPrev, p.Waa, p.Wax, p.ba, g);
            Zy[t] = RnnCell.Output(A[t], p);
            aPrev = A[t];
        }
        return new RnnForwardResult(a0, A, Zy, caches, g);
    }

    /// <summary>
    /// Back-propagation through time (§1.3), t = T…1 with da_next = 0 at the start:
    /// dW_ya += dz_y⟨t⟩ a⟨t⟩ᵀ, db_y += Σ dz_y⟨t⟩, da = W_yaᵀ dz_y⟨t⟩ + dA⟨t⟩ + da_next, cell backward, da_next = da_prev.
    /// <paramref name="dZy"/>[t−1] = ∂J/∂z_y⟨t⟩ (n_y, m) as returned by a loss, or null where no loss reads step t
    /// (many-to-one); the list itself may be null. <paramref name="dA"/> optionally adds upstream ∂J/∂a⟨t⟩ (n_a, m).
    /// Run it before the parameters are updated.
    /// </summary>
    public static RnnBackwardResult Backward(IReadOnlyList<Matrix<double>?>? dZy, RnnForwardResult forward, RnnParameters p,
        IReadOnlyList<Matrix<double>?>? dA = null)
    {
        Guard.NotNull(forward, nameof(forward)); Guard.NotNull(p, nameof(p));
        int T = forward.A.Length, m = forward.A0.ColumnCount;
        if (dZy is not null && dZy.Count != T)
            throw new ArgumentException($"dZy must have {T} time steps like the forward pass but has {dZy.Count}.", nameof(dZy));
        if (dA is not null && dA.Count != T)
            throw new ArgumentException($"dA must have {T} time steps like the forward pass but has {dA.Count}.", nameof(dA));

        var grads = RnnGradients.ZerosLike(p);
        var dx = new Matrix<double>[T];
        var daNext = Init.Zeros(p.Na, m);
        for (int t = T - 1; t >= 0; t--)
        {
            var da = daNext;
            if (dZy?[t] is { } dzy)
            {
                Guard.Shape(dzy, p.Ny, m, $"dZy[{t}]");
                grads.dWya.AddProductTransposed(dzy, forward.A[t]);
                RnnCell.AddColumnSums(grads.dby, dzy);
                da.AddTransposedProduct(p.Wya, dzy);   // da_next is not needed any more: accumulate into it
            }
            if (dA?[t] is { } upstream)
            {
                Guard.Shape(upstream, p.Na, m, $"dA[{t}]");
                da.Add(upstream, da);
            }
            (dx[t], daNext) = RnnCell.Backward(da, forward.Caches[t], grads.dWaa, grads.dWax, grads.dba);
        }
        return new RnnBackwardResult(grads, dx, daNext);
    }

    /// <summary>Checks a sequence of inputs: not empty, every step (n_x, m) with the same m, all finite.</summary>
    public static void CheckInputs(IReadOnlyList<Matrix<double>> xs, int nx, string name = "xs")
    {
        Guard.Sequence(xs, name);
        Guard.Rows(xs[0], nx, $"{name}[0]");
        Guard.Finite(xs, name);
    }
}
