using MathNet.Numerics.LinearAlgebra;

namespace SeqCourse;

/// <summary>The lecture's activation functions g, g_y and their derivatives, element-wise or per column.</summary>
public static class Activations
{
    /// <summary>σ(x) = 1 / (1 + e^(−x)), written so that neither branch overflows.</summary>
    public static double Sigmoid(double x) => x >= 0 ? 1.0 / (1.0 + Math.Exp(-x)) : Math.Exp(x) / (1.0 + Math.Exp(x));

    /// <summary>Element-wise σ.</summary>
    public static Matrix<double> Sigmoid(Matrix<double> z) => z.Map(Sigmoid);

    /// <summary>Element-wise tanh.</summary>
    public static Matrix<double> Tanh(Matrix<double> z) => z.Map(Math.Tanh);

    /// <summary>Element-wise max(0, z).</summary>
    public static Matrix<double> Relu(Matrix<double> z) => z.Map(v => v > 0 ? v : 0.0);

    /// <summary>σ′ written with the output a = σ(z): a(1 − a) ≤ 0.25.</summary>
    public static Matrix<double> SigmoidGradFromOutput(Matrix<double> a) => a.Map(v => v * (1 - v));

    /// <summary>tanh′ written with the output a = tanh(z): 1 − a².</summary>
    public static Matrix<double> TanhGradFromOutput(Matrix<double> a) => a.Map(v => 1 - v * v);

    /// <summary>ReLU′ at the pre-activation z: 1[z &gt; 0].</summary>
    public static Matrix<double> ReluGrad(Matrix<double> z) => z.Map(v => v > 0 ? 1.0 : 0.0);

    /// <summary>Softmax of each column, after subtracting the column's max so that exp cannot overflow.</summary>
    public static Matrix<double> Softmax(Matrix<double> z)
    {
        Guard.NotNull(z, nameof(z));
        var p = Matrix<double>.Build.Dense(z.RowCount, z.ColumnCount);
        for (int j = 0; j < z.ColumnCount; j++)
        {
            double max = double.NegativeInfinity;
            for (int i = 0; i < z.RowCount; i++) max = Math.Max(max, z[i, j]);
            double sum = 0;
            for (int i = 0; i < z.RowCount; i++) { double e = Math.Exp(z[i, j] - max); p[i, j] = e; sum += e; }
            for (int i = 0; i < z.RowCount; i++) p[i, j] /= sum;
        }
        return p;
    }

    /// <summary>ln softmax of each column: z − max − ln Σ exp(z − max).</summary>
    public static Matrix<double> LogSoftmax(Matrix<double> z)
    {
        Guard.NotNull(z, nameof(z));
        var lp = Matrix<double>.Build.Dense(z.RowCount, z.ColumnCount);
        for (int j = 0; j < z.ColumnCount; j++)
        {
            double max = double.NegativeInfinity;
            for (int i = 0; i < z.RowCount; i++) max = Math.Max(max, z[i, j]);
            double sum = 0;
            for (int i = 0; i < z.RowCount; i++) sum += Math.Exp(z[i, j] - max);
            double lse = max + Math.Log(sum);
            for (int i = 0; i < z.RowCount; i++) lp[i, j] = z[i, j] - lse;
        }
        return lp;
    }

    /// <summary>Softmax of a plain vector (used by sampling and decoding).</summary>
    public static double[] Softmax(ReadOnlySpan<double> z)
    {
        if (z.IsEmpty) throw new ArgumentException("z must not be empty.", nameof(z));
        double max = double.NegativeInfinity;
        foreach (var v in z) max = Math.Max(max, v);
        var p = new double[z.Length];
        double sum = 0;
        for (int i = 0; i < z.Length; i++) { p[i] = Math.Exp(z[i] - max); sum += p[i]; }
        for (int i = 0; i < z.Length; i++) p[i] /= sum;
        return p;
    }

    /// <summary>ln Σ exp(v_i) without overflow; −∞ terms are the identity, so an all −∞ input gives −∞.</summary>
    public static double LogSumExp(ReadOnlySpan<double> v)
    {
        double max = double.NegativeInfinity;
        foreach (var x in v) max = Math.Max(max, x);
        if (double.IsNegativeInfinity(max)) return double.NegativeInfinity;
        double sum = 0;
        foreach (var x in v) sum += Math.Exp(x - max);
        return max + Math.Log(sum);
    }
}

/// <summary>The hidden activation g of a vanilla RNN (syllabus §1.2: tanh by default, or ReLU).</summary>
public enum Activation
{
    /// <summary>g = tanh.</summary>
    Tanh,
    /// <summary>g = max(0, z).</summary>
    Relu,
    /// <summary>g = σ (as in the S3 binary-addition code).</summary>
    Sigmoid,
}
