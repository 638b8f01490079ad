using MathNet.Numerics.LinearAlgebra;

namespace SeqCourse;

/// <summary>
/// A minimal Adam (Kingma &amp; Ba 2015) for the week-2 classifiers, kept local so that this folder does
/// not depend on the general optimizers: m ← β₁m + (1−β₁)g, v ← β₂v + (1−β₂)g², θ ← θ − α m̂/(√v̂ + ε).
/// </summary>
internal sealed class LocalAdam(IParameterSet parameters, double learningRate, double beta1 = 0.9, double beta2 = 0.999, double epsilon = 1e-8)
{
    private readonly Matrix<double>[] _m = parameters.Items.Select(p => Matrix<double>.Build.Dense(p.Value.RowCount, p.Value.ColumnCount)).ToArray();
    private readonly Matrix<double>[] _v = parameters.Items.Select(p => Matrix<double>.Build.Dense(p.Value.RowCount, p.Value.ColumnCount)).ToArray();
    private int _t;

    /// <summary>Updates every parameter whose index passes <paramref name="update"/> (all when null).</summary>
    public void Step(IParameterSet grads, Func<int, bool>? update = null)
    {
        _t++;
        double c1 = 1 - Math.Pow(beta1, _t), c2 = 1 - Math.Pow(beta2, _t);
        for (int p = 0; p < _m.Length; p++)
        {
            if (update is not null && !update(p)) continue;
            var theta = parameters.Items[p].Value; var g = grads.Items[p].Value;
            var m = _m[p]; var v = _v[p];
            for (int j = 0; j < theta.ColumnCount; j++)
                for (int i = 0; i < theta.RowCount; i++)
                {
                    double gi = g[i, j];
                    m[i, j] = beta1 * m[i, j] + (1 - beta1) * gi;
                    v[i, j] = beta2 * v[i, j] + (1 - beta2) * gi * gi;
                    theta[i, j] -= learningRate * (m[i, j] / c1) / (Math.Sqrt(v[i, j] / c2) + epsilon);
                }
        }
    }
}
