using MathNet.Numerics.LinearAlgebra;

namespace SeqCourse;

/// <summary>
/// Real-time recurrent learning (syllabus §3.11; Williams &amp; Zipser 1989). Instead of storing the states and
/// running backward (BPTT), RTRL carries the sensitivity P_t = ∂a⟨t⟩/∂θ forward in time:
/// P_t = diag(g′(z⟨t⟩)) (W_aa P_{t−1} + ∂z⟨t⟩/∂θ|direct), P_0 = 0, and adds (∂L⟨t⟩/∂a⟨t⟩)ᵀ P_t to the gradient at
/// every step. θ = (W_aa, W_ax, b_a). It gives the same gradient as BPTT; its memory does not grow with T, but
/// each step costs O(n_a⁴) instead of O(n_a²): for small networks only.
/// </summary>
public static class Rtrl
{
    /// <summary>
    /// The loss at one step, given t (0-based), a⟨t⟩ (n_a, m) and z_y⟨t⟩ (n_y, m): returns L⟨t⟩, ∂L⟨t⟩/∂z_y⟨t⟩ and
    /// ∂L⟨t⟩/∂a⟨t⟩ directly on the state (either may be null).
    /// </summary>
    public delegate (double L, Matrix<double>? dZy, Matrix<double>? dA) StepLoss(int t, Matrix<double> a, Matrix<double> zy);

    /// <summary>
    /// The gradient of J = Σ_t softmax-CE(z_y⟨t⟩, targets[t]) by RTRL; equal to
    /// <see cref="RnnArchitectures.ManyToMany"/> (BPTT) up to rounding.
    /// </summary>
    public static (double J, RnnGradients Grads) Gradient(IReadOnlyList<Matrix<double>> xs, IReadOnlyList<int[]> targets,
        RnnParameters p, Matrix<double>? a0 = null, Activation g = Activation.Tanh)
    {
        Guard.NotNull(targets, nameof(targets));
        Guard.NotNull(xs, nameof(xs));
        if (targets.Count != xs.Count)
            throw new ArgumentException($"targets must have {xs.Count} time steps like xs but has {targets.Count}.", nameof(targets));
        return Gradient(xs, p, (t, a, zy) =>
        {
            var (L, dZy) = Losses.SoftmaxCrossEntropy([zy], [targets[t]]);
            return (L, dZy[0], null);
        }, a0, g);
    }

    /// <summary>
    /// The gradient of J = Σ_t L⟨t⟩ for any per-step loss, computed forward in time. dWya and dby come from the
    /// dz_y the loss returns (zero if it only reads a⟨t⟩, as in the §3.11 hand example L = ½ a⟨2⟩²).
    /// </summary>
    public static (double J, RnnGradients Grads) Gradient(IReadOnlyList<Matrix<double>> xs, RnnParameters p, StepLoss loss,
        Matrix<double>? a0 = null, Activation g = Activation.Tanh)
    {
        Guard.NotNull(p, nameof(p)); Guard.NotNull(loss, nameof(loss));
        p.Validate();
        Rnn.CheckInputs(xs, p.Nx);
        int na = p.Na, nx = p.Nx, m = xs[0].ColumnCount;
        a0 ??= Init.Zeros(na, m);
        Guard.Shape(a0, na, m, nameof(a0));

        // θ is laid out as [vec(W_aa) row by row, vec(W_ax) row by row, b_a].
        int offWax = na * na, offBa = offWax + na * nx, nTheta = offBa + na;
        var P = new Matrix<double>[m];                       // one sensitivity matrix (n_a, |θ|) per example
        for (int i = 0; i < m; i++) P[i] = Matrix<double>.Build.Dense(na, nTheta);
        var dTheta = new double[nTheta];
        var grads = RnnGradients.ZerosLike(p);
        double J = 0;

        var aPrev = a0;
        for (int t = 0; t < xs.Count; t++)
        {
            var (a, cache) = RnnCell.Forward(xs[t], aPrev, p, g);
            var zy = RnnCell.Output(a, p);
            var gPrime = RnnCell.Derivative(g, cache.Z, a);
            var (L, dZy, dAdirect) = loss(t, a, zy);
            J += L;

            // ∂L⟨t⟩/∂a⟨t⟩ = W_yaᵀ dz_y⟨t⟩ + (direct term); the output weights get their gradient right here.
            var dA = Init.Zeros(na, m);
            if (dZy is not null)
            {
                Guard.Shape(dZy, p.Ny, m, "dZy");
                grads.dWya.Add(dZy.TransposeAndMultiply(a), grads.dWya);
                RnnCell.AddColumnSums(grads.dby, dZy);
                dA.Add(p.Wya.TransposeThisAndMultiply(dZy), dA);
            }
            if (dAdirect is not null) { Guard.Shape(dAdirect, na, m, "dA"); dA.Add(dAdirect, dA); }

            for (int i = 0; i < m; i++)
            {
                // W_aa P_{t−1}: how θ moved z⟨t⟩ through the previous state (O(n_a² |θ|) = O(n_a⁴)).
                var next = p.Waa * P[i];
                // + ∂z⟨t⟩/∂θ|direct: z_r depends on W_aa[r, c] via a⟨t−1⟩_c, on W_ax[r, c] via x_c, on b_a[r] via 1.
                for (int r = 0; r < na; r++)
                {
                    for (int c = 0; c < na; c++) next[r, r * na + c] += aPrev[c, i];
                    for (int c = 0; c < nx; c++) next[r, offWax + r * nx + c] += xs[t][c, i];
                    next[r, offBa + r] += 1.0;
                }
                // diag(g′(z⟨t⟩)) ·
                for (int r = 0; r < na; r++)
                {
                    double d = gPrime[r, i];
                    for (int k = 0; k < nTheta; k++) next[r, k] *= d;
                }
                P[i] = next;
                // dJ/dθ += (∂L⟨t⟩/∂a⟨t⟩)ᵀ P_t
                for (int r = 0; r < na; r++)
                {
                    double w = dA[r, i];
                    if (w == 0) continue;
                    for (int k = 0; k < nTheta; k++) dTheta[k] += w * next[r, k];
                }
            }
            aPrev = a;
        }

        for (int r = 0; r < na; r++)
        {
            for (int c = 0; c < na; c++) grads.dWaa[r, c] = dTheta[r * na + c];
            for (int c = 0; c < nx; c++) grads.dWax[r, c] = dTheta[offWax + r * nx + c];
            grads.dba[r, 0] = dTheta[offBa + r];
        }
        return (J, grads);
    }
}
