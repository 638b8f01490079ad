using MathNet.Numerics.LinearAlgebra;
using SeqCourse.Numerics;

namespace SeqCourse;

/// <summary>How the weights W_aa, W_ax, W_ya are drawn (syllabus §3.13; biases always start at 0).</summary>
public enum WeightInit
{
    /// <summary>N(0, weight_init_std²): S3's <c>weight_init_std * np.random.randn(...)</c>.</summary>
    Normal,
    /// <summary>"Xavier" as in the course and S3: std √(1/n_in).</summary>
    Xavier,
    /// <summary>He et al. 2015: std √(2/n_in).</summary>
    He,
}

/// <summary>Which <see cref="IOptimizer"/> <see cref="BinaryAdditionExperiment.BinaryAdditionTrain(BinaryAdditionOptions, Random)"/> uses.</summary>
public enum OptimizerKind
{
    /// <summary><see cref="SeqCourse.Sgd"/> (S3's plain gradient descent).</summary>
    Sgd,
    /// <summary><see cref="SeqCourse.Momentum"/> with β = 0.9.</summary>
    Momentum,
    /// <summary><see cref="SeqCourse.Adagrad"/>.</summary>
    Adagrad,
    /// <summary><see cref="SeqCourse.Adam"/> with β₁ = 0.9, β₂ = 0.999.</summary>
    Adam,
}

/// <summary>
/// The knobs of the S3 binary-addition experiment (syllabus §2 lecture 1.6 (b), §5.2). The defaults are S3's
/// set-up: n_a = 16, σ hidden units, weight_init_std = 1, learning rate 0.1, plain SGD; but examples are
/// batched (m columns per step) and the output uses σ with binary cross-entropy instead of S3's squared error.
/// </summary>
public sealed record BinaryAdditionOptions
{
    /// <summary>n_a, the hidden size (S3's <c>hidden_layer_size</c>).</summary>
    public int HiddenSize { get; init; } = 16;

    /// <summary>g, the hidden activation (σ in S3; tanh or ReLU in its experiments).</summary>
    public Activation Activation { get; init; } = Activation.Sigmoid;

    /// <summary>How the weights are initialised.</summary>
    public WeightInit Initialization { get; init; } = WeightInit.Normal;

    /// <summary>std of <see cref="WeightInit.Normal"/> (S3's <c>weight_init_std</c>); ignored by Xavier and He.</summary>
    public double WeightInitStd { get; init; } = 1.0;

    /// <summary>α, the learning rate (S3's <c>learning_rate</c>).</summary>
    public double LearningRate { get; init; } = 0.1;

    /// <summary>The optimizer.</summary>
    public OptimizerKind Optimizer { get; init; } = OptimizerKind.Sgd;

    /// <summary>m, training pairs per step, drawn with replacement from the training split.</summary>
    public int BatchSize { get; init; } = 16;

    /// <summary>Number of parameter updates.</summary>
    public int Steps { get; init; } = 2000;

    /// <summary>Held-out accuracy is measured before training and after every this many steps (and after the last).</summary>
    public int EvalEvery { get; init; } = 100;

    /// <summary>Clip the gradients to this global norm before each update (§3.5), or null for no clipping (S3).</summary>
    public double? ClipNorm { get; init; }

    /// <summary>The seed of the train/held-out split (<see cref="BinaryAddition.Split"/>), not of the training run.</summary>
    public int SplitSeed { get; init; } = BinaryAddition.DefaultSeed;

    /// <summary>Throws an <see cref="ArgumentException"/> naming the first bad option, with its expected and actual value.</summary>
    public void Validate()
    {
        if (HiddenSize <= 0) throw Bad(nameof(HiddenSize), "a positive integer", HiddenSize);
        if (!Enum.IsDefined(Activation)) throw Bad(nameof(Activation), "Sigmoid, Tanh or Relu", Activation);
        if (!Enum.IsDefined(Initialization)) throw Bad(nameof(Initialization), "Normal, Xavier or He", Initialization);
        if (!(WeightInitStd > 0) || double.IsInfinity(WeightInitStd)) throw Bad(nameof(WeightInitStd), "a finite number > 0", WeightInitStd);
        if (!(LearningRate > 0) || double.IsInfinity(LearningRate)) throw Bad(nameof(LearningRate), "a finite number > 0", LearningRate);
        if (!Enum.IsDefined(Optimizer)) throw Bad(nameof(Optimizer), "Sgd, Momentum, Adagrad or Adam", Optimizer);
        if (BatchSize <= 0) throw Bad(nameof(BatchSize), "a positive integer", BatchSize);
        if (Steps <= 0) throw Bad(nameof(Steps), "a positive integer", Steps);
        if (EvalEvery <= 0) throw Bad(nameof(EvalEvery), "a positive integer", EvalEvery);
        if (ClipNorm is { } c && !(c > 0)) throw Bad(nameof(ClipNorm), "null or a number > 0", c);
    }

    private static ArgumentException Bad(string name, string expected, object actual) =>
        new($"options.{name} must be {expected} but is {actual}.", name);
}

/// <summary>
/// The outcome of a run. <see cref="Losses"/>[k] is the batch loss J (summed over the 8 bits, averaged over the
/// batch) at update k; <see cref="HeldOutAccuracy"/>[k] is the fraction of held-out pairs whose 8 output bits are
/// all right after <see cref="EvalSteps"/>[k] updates (the first entry, at 0 updates, is the untrained network).
/// If the loss or a gradient became NaN/∞, training stopped: <see cref="DivergedAtStep"/> is that step and the
/// histories end there.
/// </summary>
public sealed record BinaryAdditionResult(
    BinaryAdditionOptions Options,
    RnnParameters Parameters,
    IReadOnlyList<double> Losses,
    IReadOnlyList<int> EvalSteps,
    IReadOnlyList<double> HeldOutAccuracy,
    int? DivergedAtStep)
{
    /// <summary>True when training stopped on a NaN/∞.</summary>
    public bool Diverged => DivergedAtStep is not null;

    /// <summary>The last measured held-out accuracy (0 if training diverged: its network outputs NaN).</summary>
    public double FinalAccuracy => Diverged ? 0.0 : HeldOutAccuracy[^1];

    /// <summary>
    /// The mean batch loss over the last 10 % of the steps (a less noisy "final loss"); NaN if training diverged
    /// (the losses just before a NaN are astronomically large and would say nothing).
    /// </summary>
    public double FinalLoss
    {
        get
        {
            if (Diverged || Losses.Count == 0) return double.NaN;
            int k = Math.Max(1, Losses.Count / 10);
            return Losses.Skip(Losses.Count - k).Average();
        }
    }
}

/// <summary>
/// The many-to-many RNN of the S3 binary-addition experiment (syllabus §5.2), with n_x = 2 and n_y = 1:
/// <code>
/// z⟨t⟩ = W_aa a⟨t−1⟩ + W_ax x⟨t⟩ + b_a,  a⟨t⟩ = g(z⟨t⟩),  z_y⟨t⟩ = W_ya a⟨t⟩ + b_y,  ŷ⟨t⟩ = σ(z_y⟨t⟩)
/// J = (1/m) Σ_i Σ_t [−y ln ŷ − (1 − y) ln(1 − ŷ)]
/// </code>
/// It computes exactly what <see cref="Rnn.Forward"/>, <see cref="Losses.SigmoidBinaryCrossEntropy"/> and
/// <see cref="Rnn.Backward"/> compute, but into buffers allocated once per batch size, so that the dozens of
/// runs of the experiment notebook stay fast. The parameters are referenced, not copied: an optimizer that
/// updates them in place is seen by the next call.
/// </summary>
public sealed class BinaryAdditionRnn
{
    private readonly Dictionary<int, Buffers> _buffers = [];

    /// <summary>A model over <paramref name="parameters"/> (n_x must be 2 and n_y 1) with hidden activation <paramref name="g"/>.</summary>
    public BinaryAdditionRnn(RnnParameters parameters, Activation g)
    {
        Guard.NotNull(parameters, nameof(parameters));
        parameters.Validate();
        if (parameters.Nx != 2)
            throw new ArgumentException($"parameters.Wax must have 2 columns (n_x = 2: bits a_t, b_t) but has {parameters.Nx}.", nameof(parameters));
        if (parameters.Ny != 1)
            throw new ArgumentException($"parameters.Wya must have 1 row (n_y = 1: one sum bit) but has {parameters.Ny}.", nameof(parameters));
        if (!Enum.IsDefined(g)) throw new ArgumentException($"g must be Sigmoid, Tanh or Relu but is {g}.", nameof(g));
        Parameters = parameters;
        G = g;
        Gradients = RnnGradients.ZerosLike(parameters);
    }

    /// <summary>New weights drawn as <paramref name="options"/> says (biases 0), from <paramref name="rng"/>.</summary>
    public static BinaryAdditionRnn Create(BinaryAdditionOptions options, Random rng)
    {
        Guard.NotNull(options, nameof(options)); Guard.NotNull(rng, nameof(rng));
        options.Validate();
        Func<int, int, Random, Matrix<double>> init = options.Initialization switch
        {
            WeightInit.Xavier => Init.Xavier,
            WeightInit.He => Init.He,
            _ => (r, c, g) => Init.Normal(r, c, options.WeightInitStd, g),
        };
        return new BinaryAdditionRnn(RnnParameters.Create(2, options.HiddenSize, 1, rng, init), options.Activation);
    }

    /// <summary>W_aa, W_ax, b_a, W_ya, b_y (updated in place by the optimizer).</summary>
    public RnnParameters Parameters { get; }

    /// <summary>g, the hidden activation.</summary>
    public Activation G { get; }

    /// <summary>The gradients of the last <see cref="LossAndGradients"/> call (same names and order as the parameters, "d" prefix).</summary>
    public RnnGradients Gradients { get; }

    /// <summary>
    /// The forward pass and BPTT for a batch: <paramref name="x"/>[t] is (2, m), <paramref name="y"/>[t] is (1, m)
    /// with 0/1 targets (as <see cref="BinaryAddition.Batch"/> builds them). Returns J and fills <see cref="Gradients"/>.
    /// </summary>
    public double LossAndGradients(IReadOnlyList<Matrix<double>> x, IReadOnlyList<Matrix<double>> y)
    {
        var b = Check(x, y);
        double J = Forward(x, y, b);
        Backward(x, b);
        return J;
    }

    /// <summary>J = (1/m) Σ_i Σ_t BCE(ŷ⟨t⟩, y⟨t⟩) at the current parameters (no gradients).</summary>
    public double Loss(IReadOnlyList<Matrix<double>> x, IReadOnlyList<Matrix<double>> y) => Forward(x, y, Check(x, y));

    /// <summary>ŷ⟨t⟩ = σ(z_y⟨t⟩) for every step, each (1, m): the probability that sum bit t is 1.</summary>
    public Matrix<double>[] Predict(IReadOnlyList<Matrix<double>> x)
    {
        var b = Check(x, null);
        Forward(x, null, b);
        return b.Zy.Take(x.Count).Select(Activations.Sigmoid).ToArray();
    }

    /// <summary>
    /// The fraction of columns whose every bit is right (ŷ⟨t⟩ &gt; 0.5 exactly when y⟨t⟩ = 1, for all t):
    /// a pair counts only if the whole 8-bit sum is right. NaN outputs count as wrong.
    /// </summary>
    public double Accuracy(IReadOnlyList<Matrix<double>> x, IReadOnlyList<Matrix<double>> y)
    {
        var b = Check(x, y);
        Forward(x, null, b);
        int m = x[0].ColumnCount, correct = 0;
        for (int i = 0; i < m; i++)
        {
            bool ok = true;
            for (int t = 0; t < x.Count && ok; t++)
            {
                double zy = b.Zy[t][0, i];   // ŷ > 0.5 ⇔ z_y > 0
                ok = y[t][0, i] > 0.5 ? zy > 0 : zy <= 0;
            }
            if (ok) correct++;
        }
        return (double)correct / m;
    }

    // ---- forward: z⟨t⟩ = W_aa a⟨t−1⟩ + W_ax x⟨t⟩ + b_a, a⟨t⟩ = g(z⟨t⟩), z_y⟨t⟩ = W_ya a⟨t⟩ + b_y; J by BCE ----
    private double Forward(IReadOnlyList<Matrix<double>> x, IReadOnlyList<Matrix<double>>? y, Buffers b)
    {
        var p = Parameters;
        int T = x.Count, m = x[0].ColumnCount, na = p.Na;
        var ba = Values(p.ba); double by = p.by[0, 0];
        double J = 0;
        for (int t = 0; t < T; t++)
        {
            var z = b.Z[t]; var zv = Values(z);
            // z⟨t⟩ starts as the broadcast bias b_a, then accumulates the two products
            for (int j = 0; j < m; j++) ba.AsSpan().CopyTo(zv.AsSpan(j * na, na));
            if (t > 0) z.AddProduct(p.Waa, b.A[t - 1]);   // a⟨0⟩ = 0 contributes nothing
            z.AddProduct(p.Wax, x[t]);
            Activate(G, zv, Values(b.A[t]));
            var zy = b.Zy[t]; var zyv = Values(zy);
            Array.Fill(zyv, by);
            zy.AddProduct(p.Wya, b.A[t]);
            if (y is null) continue;
            // BCE with ln σ(z) = −softplus(−z), ln(1 − σ(z)) = −softplus(z); dz_y = (ŷ − y)/m (the 1/m of J)
            var yv = y[t]; var dzy = Values(b.DZy[t]);
            for (int i = 0; i < m; i++)
            {
                double v = zyv[i], target = yv[0, i];
                J += target * Losses.Softplus(-v) + (1 - target) * Losses.Softplus(v);
                dzy[i] = (Activations.Sigmoid(v) - target) / m;
            }
        }
        return J / m;
    }

    // ---- BPTT, t = T…1: the forward pass reversed (syllabus §1.3) ----
    private void Backward(IReadOnlyList<Matrix<double>> x, Buffers b)
    {
        var p = Parameters; var g = Gradients;
        g.Clear();
        int T = x.Count;
        var daNext = b.DaNext; daNext.Clear();
        for (int t = T - 1; t >= 0; t--)
        {
            var dzy = b.DZy[t];
            // output layer: dW_ya += dz_y a⟨t⟩ᵀ, db_y += Σ dz_y
            g.dWya.AddProductTransposed(dzy, b.A[t]);
            g.dby[0, 0] += Sum(Values(dzy));
            // da = W_yaᵀ dz_y⟨t⟩ + da_next   (accumulated into daNext, which is not needed any more)
            var da = daNext;
            da.AddTransposedProduct(p.Wya, dzy);
            // dz = da ⊙ g′(z⟨t⟩)
            var dz = b.Dz;
            Derivative(G, Values(b.Z[t]), Values(b.A[t]), Values(da), Values(dz));
            // dW_ax += dz x⟨t⟩ᵀ, dW_aa += dz a⟨t−1⟩ᵀ, db_a += Σ_cols dz
            g.dWax.AddProductTransposed(dz, x[t]);
            if (t > 0) g.dWaa.AddProductTransposed(dz, b.A[t - 1]);
            RnnCell.AddColumnSums(g.dba, dz);
            // da_next = W_aaᵀ dz (the gradient reaching a⟨t−1⟩)
            daNext.Clear();
            if (t > 0) daNext.AddTransposedProduct(p.Waa, dz);
        }
    }

    private static void Activate(Activation g, double[] z, double[] a)
    {
        switch (g)
        {
            case Activation.Sigmoid: for (int i = 0; i < z.Length; i++) a[i] = Activations.Sigmoid(z[i]); break;
            case Activation.Tanh: for (int i = 0; i < z.Length; i++) a[i] = Math.Tanh(z[i]); break;
            default: for (int i = 0; i < z.Length; i++) a[i] = z[i] > 0 ? z[i] : 0.0; break;
        }
    }

    // dz = da ⊙ g′(z): σ: a(1 − a), tanh: 1 − a², ReLU: 1[z > 0]
    private static void Derivative(Activation g, double[] z, double[] a, double[] da, double[] dz)
    {
        switch (g)
        {
            case Activation.Sigmoid: for (int i = 0; i < z.Length; i++) dz[i] = da[i] * a[i] * (1 - a[i]); break;
            case Activation.Tanh: for (int i = 0; i < z.Length; i++) dz[i] = da[i] * (1 - a[i] * a[i]); break;
            default: for (int i = 0; i < z.Length; i++) dz[i] = z[i] > 0 ? da[i] : 0.0; break;
        }
    }

    private static double Sum(double[] v) { double s = 0; foreach (var e in v) s += e; return s; }

    private static double[] Values(Matrix<double> m) => Optimizer.ValuesOf(m, "matrix");

    private Buffers Check(IReadOnlyList<Matrix<double>> x, IReadOnlyList<Matrix<double>>? y)
    {
        Rnn.CheckInputs(x, 2, nameof(x));
        int m = x[0].ColumnCount;
        for (int t = 0; t < x.Count; t++)
            Guard.Shape(x[t], 2, m, $"x[{t}]");
        if (y is not null)
        {
            if (y.Count != x.Count)
                throw new ArgumentException($"y must have {x.Count} time steps like x but has {y.Count}.", nameof(y));
            for (int t = 0; t < y.Count; t++) Guard.Shape(y[t], 1, m, $"y[{t}]");
        }
        Parameters.Validate();
        if (!_buffers.TryGetValue(m, out var b) || b.Z.Length < x.Count)
        {
            // one buffer set per batch size: training (m) and the held-out set each keep theirs
            if (_buffers.Count > 4) _buffers.Clear();
            _buffers[m] = b = new Buffers(Parameters.Na, m, x.Count);
        }
        return b;
    }

    private sealed class Buffers(int na, int m, int T)
    {
        public Matrix<double>[] Z { get; } = Make(T, na, m);
        public Matrix<double>[] A { get; } = Make(T, na, m);
        public Matrix<double>[] Zy { get; } = Make(T, 1, m);
        public Matrix<double>[] DZy { get; } = Make(T, 1, m);
        public Matrix<double> Dz { get; } = Matrix<double>.Build.Dense(na, m);
        public Matrix<double> DaNext { get; } = Matrix<double>.Build.Dense(na, m);

        private static Matrix<double>[] Make(int T, int r, int c) =>
            Enumerable.Range(0, T).Select(_ => Matrix<double>.Build.Dense(r, c)).ToArray();
    }
}

/// <summary>
/// The S3 binary-addition experiment (syllabus §2 lecture 1.6 (b), §5.2): train <see cref="BinaryAdditionRnn"/>
/// on random batches of the 90 % training pairs and track the held-out accuracy (all 8 bits right) on the other 10 %.
/// </summary>
public static class BinaryAdditionExperiment
{
    /// <summary>
    /// Trains a many-to-many RNN (n_x = 2, n_y = 1, σ output, BCE) as <paramref name="options"/> says. The weights
    /// and every batch are drawn from <paramref name="rng"/>, so the same seed gives the same run.
    /// Never throws on divergence: a NaN/∞ stops training and is reported in <see cref="BinaryAdditionResult.DivergedAtStep"/>.
    /// </summary>
    public static BinaryAdditionResult BinaryAdditionTrain(BinaryAdditionOptions options, Random rng)
    {
        Guard.NotNull(options, nameof(options)); Guard.NotNull(rng, nameof(rng));
        options.Validate();
        var model = BinaryAdditionRnn.Create(options, rng);
        var (train, test) = BinaryAddition.Split(options.SplitSeed);
        var (testX, testY) = BinaryAddition.Batch(test);

        int m = options.BatchSize, T = BinaryAddition.Bits;
        var x = Enumerable.Range(0, T).Select(_ => Matrix<double>.Build.Dense(2, m)).ToArray();
        var y = Enumerable.Range(0, T).Select(_ => Matrix<double>.Build.Dense(1, m)).ToArray();

        var evalSteps = new List<int> { 0 };
        var accuracy = new List<double> { model.Accuracy(testX, testY) };
        var trainer = new Trainer(model.Parameters, MakeOptimizer(options))
        {
            ClipNorm = options.ClipNorm,
            ProgressEvery = options.EvalEvery,
            Progress = p =>
            {
                evalSteps.Add(p.Step + 1);
                accuracy.Add(model.Accuracy(testX, testY));
            },
        };

        int? diverged = null;
        try
        {
            trainer.Run(_ =>
            {
                // m pairs drawn with replacement; bit t of a, b and a + b, least significant first (§5.2)
                for (int j = 0; j < m; j++)
                {
                    var (a, b) = train[rng.Next(train.Length)];
                    for (int t = 0; t < T; t++)
                    {
                        x[t][0, j] = BinaryAddition.Bit(a, t);
                        x[t][1, j] = BinaryAddition.Bit(b, t);
                        y[t][0, j] = BinaryAddition.Bit(a + b, t);
                    }
                }
                double J = model.LossAndGradients(x, y);
                return (J, model.Gradients);
            }, options.Steps);
        }
        catch (TrainingDivergedException e)
        {
            diverged = e.Step;
        }
        return new BinaryAdditionResult(options, model.Parameters, trainer.Losses.ToArray(), evalSteps.ToArray(), accuracy.ToArray(), diverged);
    }

    /// <summary>The same with <c>new Random(<paramref name="seed"/>)</c>.</summary>
    public static BinaryAdditionResult BinaryAdditionTrain(BinaryAdditionOptions options, int seed) =>
        BinaryAdditionTrain(options, new Random(seed));

    /// <summary>The optimizer named by <see cref="BinaryAdditionOptions.Optimizer"/> with the options' learning rate.</summary>
    public static IOptimizer MakeOptimizer(BinaryAdditionOptions options)
    {
        Guard.NotNull(options, nameof(options));
        options.Validate();
        return options.Optimizer switch
        {
            OptimizerKind.Momentum => new Momentum(options.LearningRate),
            OptimizerKind.Adagrad => new Adagrad(options.LearningRate),
            OptimizerKind.Adam => new Adam(options.LearningRate),
            _ => new Sgd(options.LearningRate),
        };
    }
}
