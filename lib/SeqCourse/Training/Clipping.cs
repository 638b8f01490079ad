namespace SeqCourse;

/// <summary>
/// Gradient clipping (syllabus §3.5), in place on every matrix of a gradient set. Exploding gradients show up
/// as huge values or inf/NaN; clipping keeps one bad step from throwing the parameters far away.
/// </summary>
public static class Clipping
{
    /// <summary>
    /// By value (the Coursera <c>clip</c>): g_i ← min(max(g_i, −N), N) for every entry of every gradient
    /// (dW_ax, dW_aa, dW_ya, db_a, db_y). This can change the direction: (3, −4, 12) with N = 5 gives (3, −4, 5).
    /// Returns how many entries were changed.
    /// </summary>
    public static int ByValue(IParameterSet grads, double maxValue)
    {
        Guard.NotNull(grads, nameof(grads));
        Guard.Positive(maxValue, nameof(maxValue));
        int changed = 0;
        foreach (var (name, g) in grads.Items)
        {
            var v = Optimizer.ValuesOf(g, name);
            for (int i = 0; i < v.Length; i++)
            {
                double c = Math.Min(Math.Max(v[i], -maxValue), maxValue);
                if (c != v[i]) { v[i] = c; changed++; }
            }
        }
        return changed;
    }

    /// <summary>‖g‖ = √(Σ over all matrices of Σ g²), the global norm of a gradient set.</summary>
    public static double GlobalNorm(IParameterSet grads)
    {
        Guard.NotNull(grads, nameof(grads));
        double sum = 0;
        foreach (var (name, g) in grads.Items)
        {
            var v = Optimizer.ValuesOf(g, name);
            sum += System.Numerics.Tensors.TensorPrimitives.SumOfSquares(v);
        }
        return Math.Sqrt(sum);
    }

    /// <summary>
    /// By global norm (Pascanu et al. 2013): if ‖g‖ &gt; θ then every matrix is scaled by θ/‖g‖, which keeps the
    /// direction: (3, −4, 12) with θ = 5 becomes (15, −20, 60)/13. Returns ‖g‖ before clipping.
    /// Clipping each matrix by its own norm would be a different operation.
    /// </summary>
    public static double ByGlobalNorm(IParameterSet grads, double threshold)
    {
        Guard.Positive(threshold, nameof(threshold));
        double norm = GlobalNorm(grads);
        if (norm > threshold)
        {
            double scale = threshold / norm;
            foreach (var (name, g) in grads.Items)
            {
                var v = Optimizer.ValuesOf(g, name);
                System.Numerics.Tensors.TensorPrimitives.Multiply(v, scale, v);
            }
        }
        return norm;
    }
}
