using MathNet.Numerics.LinearAlgebra;

namespace SeqCourse;

/// <summary>
/// The weights of a vanilla RNN in the textbook's (S2) notation: u^t = W^(in) x^t + W z^(t−1), z^t = f(u^t),
/// v^t = W^(out) z^t, y^t = f^(out)(v^t), with no biases. Column-vector layout, like the course.
/// </summary>
/// <param name="Win">W^(in) (n_a, n_x): input → hidden; the course's W_ax.</param>
/// <param name="W">W (n_a, n_a): hidden → hidden; the course's W_aa.</param>
/// <param name="Wout">W^(out) (n_y, n_a): hidden → output; the course's W_ya.</param>
public sealed record TextbookRnnWeights(Matrix<double> Win, Matrix<double> W, Matrix<double> Wout);

/// <summary>
/// The notation bridge of syllabus §1.2 between the textbook (S2) and this course:
/// <list type="table">
/// <listheader><term>textbook</term><description>course</description></listheader>
/// <item><term>W^(in)</term><description>W_ax (input → hidden)</description></item>
/// <item><term>W</term><description>W_aa (hidden → hidden)</description></item>
/// <item><term>W^(out)</term><description>W_ya (hidden → output)</description></item>
/// <item><term>z^t, u^t</term><description>a⟨t⟩, z⟨t⟩ (state, pre-activation)</description></item>
/// <item><term>v^t, y^t</term><description>z_y⟨t⟩, ŷ⟨t⟩</description></item>
/// <item><term>δ^t</term><description>dz⟨t⟩ (error signal)</description></item>
/// </list>
/// The textbook has no biases, so a course model maps to the textbook only when b_a = b_y = 0. The S3 numpy code
/// uses row vectors and therefore the transposes: <c>W_in</c> = W_axᵀ, <c>W</c> = W_aaᵀ, <c>W_out</c> = W_yaᵀ.
/// All functions copy: changing the result never changes the argument.
/// </summary>
public static class TextbookNotation
{
    /// <summary>The course's parameters from the textbook's weights: W_ax = W^(in), W_aa = W, W_ya = W^(out), b_a = b_y = 0.</summary>
    public static RnnParameters FromTextbook(Matrix<double> Win, Matrix<double> W, Matrix<double> Wout)
    {
        Guard.NotNull(W, nameof(W));
        int na = W.RowCount;
        Guard.Shape(W, na, na, nameof(W));
        Guard.Rows(Win, na, nameof(Win));
        Guard.NotNull(Wout, nameof(Wout));
        Guard.Shape(Wout, Wout.RowCount, na, nameof(Wout));
        return new RnnParameters(W.Clone(), Win.Clone(), Init.Zeros(na, 1), Wout.Clone(), Init.Zeros(Wout.RowCount, 1));
    }

    /// <summary>The course's parameters from a <see cref="TextbookRnnWeights"/> record.</summary>
    public static RnnParameters FromTextbook(TextbookRnnWeights w) =>
        FromTextbook(Guard.NotNull(w, nameof(w)).Win, w.W, w.Wout);

    /// <summary>
    /// The textbook's weights from the course's: W^(in) = W_ax, W = W_aa, W^(out) = W_ya. The textbook model has no
    /// biases, so nonzero b_a or b_y is an error (the two models would compute different things).
    /// </summary>
    public static TextbookRnnWeights ToTextbook(RnnParameters p)
    {
        Guard.NotNull(p, nameof(p));
        p.Validate();
        CheckZero(p.ba, "p.ba"); CheckZero(p.by, "p.by");
        return new TextbookRnnWeights(p.Wax.Clone(), p.Waa.Clone(), p.Wya.Clone());
    }

    /// <summary>The S3 numpy (row-vector) matrices: W_in = W_axᵀ (n_x, n_a), W = W_aaᵀ, W_out = W_yaᵀ (n_a, n_y).</summary>
    public static (Matrix<double> WinRow, Matrix<double> WRow, Matrix<double> WoutRow) ToRowVectorCode(RnnParameters p)
    {
        var t = ToTextbook(p);
        return (t.Win.Transpose(), t.W.Transpose(), t.Wout.Transpose());
    }

    /// <summary>
    /// The textbook's forward pass written in its own symbols, for one sequence batch xs[t] = x^(t+1) (n_x, m):
    /// u^t = W^(in) x^t + W z^(t−1), z^t = f(u^t) with z^0 = 0, v^t = W^(out) z^t. Returns u, z and v per step
    /// (the course's z⟨t⟩, a⟨t⟩ and z_y⟨t⟩); y^t = f^(out)(v^t) is left to the caller (softmax, σ, …).
    /// </summary>
    public static (Matrix<double>[] U, Matrix<double>[] Z, Matrix<double>[] V) Forward(
        IReadOnlyList<Matrix<double>> xs, TextbookRnnWeights w, Activation f = Activation.Tanh)
    {
        Guard.NotNull(w, nameof(w));
        var p = FromTextbook(w);   // validates the shapes
        Rnn.CheckInputs(xs, p.Nx);
        int T = xs.Count, m = xs[0].ColumnCount;
        var U = new Matrix<double>[T]; var Z = new Matrix<double>[T]; var V = new Matrix<double>[T];
        var zPrev = Matrix<double>.Build.Dense(p.Na, m);
        for (int t = 0; t < T; t++)
        {
            U[t] = w.Win * xs[t] + w.W * zPrev;
            Z[t] = RnnCell.Apply(f, U[t]);
            V[t] = w.Wout * Z[t];
            zPrev = Z[t];
        }
        return (U, Z, V);
    }

    private static void CheckZero(Matrix<double> b, string name)
    {
        for (int i = 0; i < b.RowCount; i++)
            for (int j = 0; j < b.ColumnCount; j++)
                if (b[i, j] != 0)
                    throw new ArgumentException(
                        $"{name} must be zero to map to the textbook's bias-free RNN but {name}[{i}, {j}] = {b[i, j]}.", name);
    }
}
