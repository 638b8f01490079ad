using MathNet.Numerics.LinearAlgebra;

namespace SeqCourse;

/// <summary>
/// Updates a model's parameters in place from a gradient set with the same order and shapes
/// (Waa ↔ dWaa, …). An optimizer keeps its state (velocities, squared sums) per parameter, so use one
/// optimizer instance per model.
/// </summary>
public interface IOptimizer
{
    /// <summary>θ ← θ − (update computed from the gradients), for every parameter.</summary>
    void Step(IParameterSet parameters, IParameterSet grads);
}

/// <summary>Shared checks and per-parameter state for the optimizers.</summary>
public abstract class Optimizer : IOptimizer
{
    private IReadOnlyList<NamedMatrix>? _shape;

    /// <summary>The number of updates done so far (t in Adam's bias correction).</summary>
    public int Steps { get; private set; }

    /// <inheritdoc />
    public void Step(IParameterSet parameters, IParameterSet grads)
    {
        Guard.NotNull(parameters, nameof(parameters)); Guard.NotNull(grads, nameof(grads));
        ParameterSet.CheckMatches(parameters, grads);
        var items = parameters.Items;
        CheckShapes(items);
        Steps++;
        for (int k = 0; k < items.Count; k++) Update(k, items[k].Value, grads.Items[k].Value);
    }

    /// <summary>
    /// For a fused training step that applies this optimizer's update itself (the SGD path of
    /// <see cref="CharLanguageModel.TrainStep"/>): the same shape checks and step count as <see cref="Step"/>.
    /// The checks run once per parameter set object (whose matrices cannot change shape), so this does not allocate.
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    internal void CountFusedStep(IParameterSet parameters)
    {
        Guard.NotNull(parameters, nameof(parameters));
        if (!ReferenceEquals(parameters, _checked)) { CheckShapes(parameters.Items); _checked = parameters; }
        Steps++;
    }

    private IParameterSet? _checked;

    private void CheckShapes(IReadOnlyList<NamedMatrix> items)
    {
        if (_shape is null) { _shape = items; Initialize(items); }
        else
        {
            if (_shape.Count != items.Count)
                throw new ArgumentException(
                    $"parameters must have {_shape.Count} matrices like the first call but has {items.Count}: use one optimizer per model.", "parameters");
            for (int k = 0; k < items.Count; k++)
                if (items[k].Value.RowCount != _shape[k].Value.RowCount || items[k].Value.ColumnCount != _shape[k].Value.ColumnCount)
                    throw new ArgumentException(
                        $"parameters item {k} ({items[k].Name}) must have shape ({_shape[k].Value.RowCount}, {_shape[k].Value.ColumnCount}) " +
                        $"like the first call but has shape ({items[k].Value.RowCount}, {items[k].Value.ColumnCount}): use one optimizer per model.",
                        "parameters");
        }
    }

    /// <summary>Allocates state for each parameter (called once, on the first step).</summary>
    protected virtual void Initialize(IReadOnlyList<NamedMatrix> parameters) { }

    /// <summary>Updates parameter number <paramref name="k"/> in place.</summary>
    protected abstract void Update(int k, Matrix<double> theta, Matrix<double> grad);

    /// <summary>
    /// The column-major storage of a dense matrix (every matrix the library builds is dense), so that updates
    /// are plain loops; other storage is rejected with a message naming the parameter.
    /// </summary>
    public static double[] ValuesOf(Matrix<double> m, string name) =>
        (m as MathNet.Numerics.LinearAlgebra.Double.DenseMatrix)?.Values ?? throw new ArgumentException(
            $"{name} must be a dense matrix (Matrix<double>.Build.Dense…) but is a {m.GetType().Name}.", name);

    /// <summary>Zero matrices shaped like each parameter.</summary>
    protected static Matrix<double>[] ZerosLike(IReadOnlyList<NamedMatrix> parameters) =>
        parameters.Select(p => Matrix<double>.Build.Dense(p.Value.RowCount, p.Value.ColumnCount)).ToArray();
}

/// <summary>Plain gradient descent: θ ← θ − α g.</summary>
public sealed class Sgd(double learningRate) : Optimizer
{
    /// <summary>α.</summary>
    public double LearningRate { get; set; } = Positive(learningRate);

    /// <inheritdoc />
    protected override void Update(int k, Matrix<double> theta, Matrix<double> grad)
    {
        var t = ValuesOf(theta, "parameter"); var g = ValuesOf(grad, "gradient");
        for (int i = 0; i < t.Length; i++) t[i] -= LearningRate * g[i];
    }

    internal static double Positive(double v, string name = "learningRate") { Guard.Positive(v, name); return v; }
}

/// <summary>Momentum as in the Coursera course: v ← β v + (1 − β) g, θ ← θ − α v (v starts at 0).</summary>
public sealed class Momentum(double learningRate, double beta = 0.9) : Optimizer
{
    private Matrix<double>[] _v = [];

    /// <summary>α.</summary>
    public double LearningRate { get; set; } = Sgd.Positive(learningRate);

    /// <summary>β, the decay of the velocity.</summary>
    public double Beta { get; } = beta is >= 0 and < 1 ? beta : throw new ArgumentException($"beta must be in [0, 1) but is {beta}.", nameof(beta));

    /// <inheritdoc />
    protected override void Initialize(IReadOnlyList<NamedMatrix> parameters) => _v = ZerosLike(parameters);

    /// <inheritdoc />
    protected override void Update(int k, Matrix<double> theta, Matrix<double> grad)
    {
        var t = ValuesOf(theta, "parameter"); var g = ValuesOf(grad, "gradient"); var v = ValuesOf(_v[k], "v");
        for (int i = 0; i < t.Length; i++)
        {
            v[i] = Beta * v[i] + (1 - Beta) * g[i];
            t[i] -= LearningRate * v[i];
        }
    }
}

/// <summary>
/// Adagrad as in min-char-rnn: mem ← mem + g², θ ← θ − α g / √(mem + ε) (ε = 1e-8). Each entry's step shrinks
/// with the history of its own gradients.
/// </summary>
public sealed class Adagrad(double learningRate, double epsilon = 1e-8) : Optimizer
{
    private Matrix<double>[] _mem = [];

    /// <summary>α.</summary>
    public double LearningRate { get; set; } = Sgd.Positive(learningRate);

    /// <summary>ε inside the square root.</summary>
    public double Epsilon { get; } = Sgd.Positive(epsilon, nameof(epsilon));

    /// <inheritdoc />
    protected override void Initialize(IReadOnlyList<NamedMatrix> parameters) => _mem = ZerosLike(parameters);

    /// <inheritdoc />
    protected override void Update(int k, Matrix<double> theta, Matrix<double> grad)
    {
        var t = ValuesOf(theta, "parameter"); var g = ValuesOf(grad, "gradient"); var mem = ValuesOf(_mem[k], "mem");
        for (int i = 0; i < t.Length; i++)
        {
            mem[i] += g[i] * g[i];
            t[i] -= LearningRate * g[i] / Math.Sqrt(mem[i] + Epsilon);
        }
    }
}

/// <summary>
/// Adam (Kingma &amp; Ba 2015) with bias correction: m ← β₁m + (1 − β₁)g, v ← β₂v + (1 − β₂)g²,
/// m̂ = m/(1 − β₁ᵗ), v̂ = v/(1 − β₂ᵗ), θ ← θ − α m̂ / (√v̂ + ε).
/// </summary>
public sealed class Adam(double learningRate = 0.001, double beta1 = 0.9, double beta2 = 0.999, double epsilon = 1e-8) : Optimizer
{
    private Matrix<double>[] _m = [], _v = [];

    /// <summary>α.</summary>
    public double LearningRate { get; set; } = Sgd.Positive(learningRate);

    /// <summary>β₁, the decay of the first moment.</summary>
    public double Beta1 { get; } = beta1 is >= 0 and < 1 ? beta1 : throw new ArgumentException($"beta1 must be in [0, 1) but is {beta1}.", nameof(beta1));

    /// <summary>β₂, the decay of the second moment.</summary>
    public double Beta2 { get; } = beta2 is >= 0 and < 1 ? beta2 : throw new ArgumentException($"beta2 must be in [0, 1) but is {beta2}.", nameof(beta2));

    /// <summary>ε added to √v̂.</summary>
    public double Epsilon { get; } = Sgd.Positive(epsilon, nameof(epsilon));

    /// <inheritdoc />
    protected override void Initialize(IReadOnlyList<NamedMatrix> parameters) { _m = ZerosLike(parameters); _v = ZerosLike(parameters); }

    /// <inheritdoc />
    protected override void Update(int k, Matrix<double> theta, Matrix<double> grad)
    {
        var t = ValuesOf(theta, "parameter"); var g = ValuesOf(grad, "gradient");
        var m = ValuesOf(_m[k], "m"); var v = ValuesOf(_v[k], "v");
        double c1 = 1 - Math.Pow(Beta1, Steps), c2 = 1 - Math.Pow(Beta2, Steps);
        for (int i = 0; i < t.Length; i++)
        {
            m[i] = Beta1 * m[i] + (1 - Beta1) * g[i];
            v[i] = Beta2 * v[i] + (1 - Beta2) * g[i] * g[i];
            double mHat = m[i] / c1, vHat = v[i] / c2;
            t[i] -= LearningRate * mHat / (Math.Sqrt(vHat) + Epsilon);
        }
    }
}
