using MathNet.Numerics.LinearAlgebra;

namespace SeqCourse;

/// <summary>
/// The kinds of RNN of syllabus §1.4, each as one small function on top of <see cref="Rnn.Forward"/> and
/// <see cref="Rnn.Backward"/>. They differ only in which outputs are read and what is fed in.
/// </summary>
public static class RnnArchitectures
{
    /// <summary>
    /// Many-to-many with T_x = T_y (e.g. tagging): a softmax output at every step and
    /// J = (1/m) Σ_i Σ_t CE. <paramref name="targets"/>[t−1][i] is the class of example i at step t (−1 = padding).
    /// </summary>
    public static (double J, RnnGradients Grads) ManyToMany(IReadOnlyList<Matrix<double>> xs, IReadOnlyList<int[]> targets,
        RnnParameters p, Matrix<double>? a0 = null, Activation g = Activation.Tanh)
    {
        var fwd = Rnn.Forward(xs, a0, p, g);
        var (J, dZy) = Losses.SoftmaxCrossEntropy(fwd.Zy, targets);
        return (J, Rnn.Backward(dZy, fwd, p).Grads);
    }

    /// <summary>
    /// Many-to-many with σ outputs and binary cross-entropy at every step (S3's binary addition):
    /// <paramref name="ys"/>[t−1] is (n_y, m) of 0/1 targets.
    /// </summary>
    public static (double J, RnnGradients Grads) ManyToManyBinary(IReadOnlyList<Matrix<double>> xs, IReadOnlyList<Matrix<double>> ys,
        RnnParameters p, Matrix<double>? a0 = null, Activation g = Activation.Tanh)
    {
        var fwd = Rnn.Forward(xs, a0, p, g);
        var (J, dZy) = Losses.SigmoidBinaryCrossEntropy(fwd.Zy, ys);
        return (J, Rnn.Backward(dZy, fwd, p).Grads);
    }

    /// <summary>
    /// Many-to-one (e.g. sentiment): only ŷ⟨T_x⟩ = softmax(z_y⟨T_x⟩) is used, so the loss and dz_y exist at the
    /// last step only; earlier steps get their gradient through a⟨t⟩ alone. <paramref name="target"/>[i] is the class of example i.
    /// </summary>
    public static (double J, RnnGradients Grads) ManyToOne(IReadOnlyList<Matrix<double>> xs, int[] target, RnnParameters p,
        Matrix<double>? a0 = null, Activation g = Activation.Tanh)
    {
        Guard.NotNull(target, nameof(target));
        var fwd = Rnn.Forward(xs, a0, p, g);
        var (J, dLast) = Losses.SoftmaxCrossEntropy([fwd.Zy[^1]], [target]);
        var dZy = new Matrix<double>?[xs.Count];
        dZy[^1] = dLast[0];
        return (J, Rnn.Backward(dZy, fwd, p).Grads);
    }

    /// <summary>ŷ⟨T_x⟩ = softmax(z_y⟨T_x⟩) for a many-to-one model (n_y, m).</summary>
    public static Matrix<double> ManyToOnePredict(IReadOnlyList<Matrix<double>> xs, RnnParameters p,
        Matrix<double>? a0 = null, Activation g = Activation.Tanh) =>
        Activations.Softmax(Rnn.Forward(xs, a0, p, g).Zy[^1]);

    /// <summary>
    /// One-to-many generation (e.g. music): x⟨1⟩ = <paramref name="x1"/> (n_x, 1), then every output is fed back as
    /// the next input x⟨t+1⟩ = one-hot(y⟨t⟩), where y⟨t⟩ is drawn from softmax(z_y⟨t⟩ / τ) with <paramref name="rng"/>,
    /// or is the argmax when <paramref name="rng"/> is null. Needs n_x = n_y. Returns the <paramref name="steps"/> indices.
    /// </summary>
    public static int[] OneToMany(Matrix<double> x1, RnnParameters p, int steps, Random? rng = null, double temperature = 1.0,
        Matrix<double>? a0 = null, Activation g = Activation.Tanh)
    {
        Guard.NotNull(p, nameof(p));
        p.Validate();
        if (p.Nx != p.Ny)
            throw new ArgumentException($"p must have n_x = n_y to feed outputs back but has n_x = {p.Nx}, n_y = {p.Ny}.", nameof(p));
        Guard.Shape(x1, p.Nx, 1, nameof(x1));
        Guard.Finite(x1, nameof(x1));
        Guard.Positive(steps, nameof(steps));
        Guard.Positive(temperature, nameof(temperature));
        var a = a0 ?? Init.Zeros(p.Na, 1);
        Guard.Shape(a, p.Na, 1, nameof(a0));

        var result = new int[steps];
        var x = x1;
        for (int t = 0; t < steps; t++)
        {
            (a, _) = RnnCell.Forward(x, a, p, g);
            var zy = RnnCell.Output(a, p).Column(0).ToArray();
            result[t] = rng is null ? ArgMax(zy) : Sampling.Sample(zy, temperature, rng);
            x = OneHot.Vector(result[t], p.Nx);
        }
        return result;
    }

    private static int ArgMax(double[] v)
    {
        int best = 0;
        for (int i = 1; i < v.Length; i++) if (v[i] > v[best]) best = i;
        return best;
    }
}
