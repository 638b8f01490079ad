using MathNet.Numerics.LinearAlgebra;

namespace SeqCourse;

/// <summary>
/// One utterance of the speech-like CTC task: frames <see cref="X"/> (n_x × T, one column per frame),
/// the label sequence <see cref="Labels"/> (values 1…K; 0 is the CTC blank and never a label) and, when known,
/// the true frame alignment <see cref="FrameLabels"/> (0 = silence, k = frame of label k).
/// </summary>
public sealed class CtcUtterance
{
    /// <summary>Creates an utterance and checks that the parts agree.</summary>
    /// <param name="x">Frames, n_x × T (T ≥ 1).</param>
    /// <param name="labels">The target l, each ≥ 1.</param>
    /// <param name="frameLabels">Optional true alignment, length T; its runs of non-zero values must spell <paramref name="labels"/>.</param>
    public CtcUtterance(Matrix<double> x, int[] labels, int[]? frameLabels = null)
    {
        Guard.NotNull(x, nameof(x));
        Guard.NotNull(labels, nameof(labels));
        for (int i = 0; i < labels.Length; i++)
            if (labels[i] < 1)
                throw new ArgumentException($"labels[{i}] must be >= 1 (0 is the blank) but is {labels[i]}.", nameof(labels));
        X = x;
        Labels = labels;
        if (frameLabels is null) { Spans = []; return; }
        if (frameLabels.Length != x.ColumnCount)
            throw new ArgumentException(
                $"frameLabels must have one entry per frame, {x.ColumnCount}, but has {frameLabels.Length}.", nameof(frameLabels));
        var spans = new List<(int Start, int Length)>();
        var spelled = new List<int>();
        for (int t = 0; t < frameLabels.Length; t++)
        {
            if (frameLabels[t] < 0)
                throw new ArgumentException($"frameLabels[{t}] must be >= 0 but is {frameLabels[t]}.", nameof(frameLabels));
            if (frameLabels[t] == 0) continue;
            if (t > 0 && frameLabels[t - 1] == frameLabels[t]) spans[^1] = (spans[^1].Start, spans[^1].Length + 1);
            else { spans.Add((t, 1)); spelled.Add(frameLabels[t]); }
        }
        if (!spelled.SequenceEqual(labels))
            throw new ArgumentException(
                $"frameLabels must spell the labels [{string.Join(", ", labels)}] but spell [{string.Join(", ", spelled)}].", nameof(frameLabels));
        FrameLabels = frameLabels;
        Spans = spans;
    }

    /// <summary>Frames, n_x × T.</summary>
    public Matrix<double> X { get; }

    /// <summary>The target label sequence l (values ≥ 1).</summary>
    public int[] Labels { get; }

    /// <summary>True alignment per frame (0 = silence), or null if unknown.</summary>
    public int[]? FrameLabels { get; }

    /// <summary>Start frame and length of each label's segment (empty if the alignment is unknown).</summary>
    public IReadOnlyList<(int Start, int Length)> Spans { get; }

    /// <summary>Number of frames T.</summary>
    public int T => X.ColumnCount;
}

/// <summary>A padded batch: X is T_max matrices of shape (n_x, m) (zeros after each length), with the lengths and labels.</summary>
public sealed record CtcBatch(Matrix<double>[] X, int[] Lengths, int[][] Labels);

/// <summary>
/// Syllabus §5.4: a synthetic speech-like task for CTC. K = 4 labels plus the blank (index 0, labels 1…4).
/// Each label k has a seeded prototype μ_k ∈ ℝ⁸ with ‖μ_k‖ = 3; silence is the zero vector.
/// An utterance has 1–6 labels (repeats allowed), each lasting 2–5 frames, with 0–2 silence frames between
/// labels (at least 1 between equal labels, otherwise CTC could not tell "a a" from "a") and 1–3 at each end;
/// every frame gets N(0, 0.5²) noise. So T is between 4 and 46 (typically 10–35) and T ≥ L + R holds by
/// construction (each label has ≥ 2 frames, so T ≥ 2L ≥ L + R, R = number of equal neighbours).
/// Marking one label as the keyword gives the trigger-word task (§3.6 week 3): <see cref="TriggerLabels"/>.
/// </summary>
public static class CtcSynthetic
{
    /// <summary>The seed of the course's train/test sets.</summary>
    public const int DefaultSeed = 504;

    /// <summary>Number of labels K (excluding the blank).</summary>
    public const int NumLabels = 4;

    /// <summary>Frame size n_x.</summary>
    public const int FeatureSize = 8;

    /// <summary>The CTC blank index.</summary>
    public const int Blank = 0;

    /// <summary>‖μ_k‖ of every prototype.</summary>
    public const double PrototypeNorm = 3.0;

    /// <summary>Standard deviation of the frame noise.</summary>
    public const double NoiseStd = 0.5;

    /// <summary>
    /// The prototypes, 8 × 5: column 0 is silence (zero), column k is μ_k = 3 · g/‖g‖ with g ~ N(0, I₈) drawn from
    /// <paramref name="rng"/>.
    /// </summary>
    public static Matrix<double> Prototypes(Random rng)
    {
        Guard.NotNull(rng, nameof(rng));
        var mu = Matrix<double>.Build.Dense(FeatureSize, NumLabels + 1);
        for (int k = 1; k <= NumLabels; k++)
        {
            var g = new double[FeatureSize];
            for (int i = 0; i < FeatureSize; i++) g[i] = DataRandom.StandardNormal(rng);
            double norm = Math.Sqrt(g.Sum(v => v * v));
            for (int i = 0; i < FeatureSize; i++) mu[i, k] = PrototypeNorm * g[i] / norm;
        }
        return mu;
    }

    /// <summary>
    /// The course's data: prototypes drawn first, then <paramref name="train"/> and <paramref name="test"/>
    /// utterances, all from one <c>new Random(seed)</c>.
    /// </summary>
    public static (CtcUtterance[] Train, CtcUtterance[] Test, Matrix<double> Prototypes) Generate(
        int seed = DefaultSeed, int train = 2000, int test = 200)
    {
        Guard.Positive(train, nameof(train));
        if (test < 0) throw new ArgumentException($"test must be >= 0 but is {test}.", nameof(test));
        var rng = new Random(seed);
        var mu = Prototypes(rng);
        var tr = new CtcUtterance[train];
        for (int i = 0; i < train; i++) tr[i] = Utterance(mu, rng);
        var te = new CtcUtterance[test];
        for (int i = 0; i < test; i++) te[i] = Utterance(mu, rng);
        return (tr, te, mu);
    }

    /// <summary>Draws one utterance with the rules of the class summary (labels 1…prototypes.ColumnCount − 1).</summary>
    public static CtcUtterance Utterance(Matrix<double> prototypes, Random rng, double noiseStd = NoiseStd)
    {
        Guard.NotNull(prototypes, nameof(prototypes));
        if (prototypes.ColumnCount < 2)
            throw new ArgumentException(
                $"prototypes must have a silence column and at least one label column but has {prototypes.ColumnCount} columns.", nameof(prototypes));
        Guard.NotNull(rng, nameof(rng));
        if (!(noiseStd >= 0)) throw new ArgumentException($"noiseStd must be >= 0 but is {noiseStd}.", nameof(noiseStd));

        int K = prototypes.ColumnCount - 1;
        int L = 1 + rng.Next(6);
        var labels = new int[L];
        for (int i = 0; i < L; i++) labels[i] = 1 + rng.Next(K);

        var frames = new List<int>();
        void Add(int label, int count) { for (int c = 0; c < count; c++) frames.Add(label); }
        Add(0, 1 + rng.Next(3));                                        // 1–3 leading silence
        for (int i = 0; i < L; i++)
        {
            if (i > 0)
                Add(0, labels[i] == labels[i - 1] ? 1 + rng.Next(2)       // equal neighbours: 1–2 silence
                                                  : rng.Next(3));         // otherwise 0–2
            Add(labels[i], 2 + rng.Next(4));                              // 2–5 frames per label
        }
        Add(0, 1 + rng.Next(3));                                        // 1–3 trailing silence

        var frameLabels = frames.ToArray();
        var X = Matrix<double>.Build.Dense(prototypes.RowCount, frameLabels.Length);
        for (int t = 0; t < frameLabels.Length; t++)
            for (int i = 0; i < prototypes.RowCount; i++)
                X[i, t] = prototypes[i, frameLabels[t]] + noiseStd * DataRandom.StandardNormal(rng);
        return new CtcUtterance(X, labels, frameLabels);
    }

    /// <summary>L + R: the fewest frames CTC needs for <paramref name="labels"/> (R = number of i with l_i = l_{i−1}).</summary>
    public static int RequiredFrames(IReadOnlyList<int> labels)
    {
        Guard.NotNull(labels, nameof(labels));
        int r = 0;
        for (int i = 1; i < labels.Count; i++) if (labels[i] == labels[i - 1]) r++;
        return labels.Count + r;
    }

    /// <summary>
    /// Pads a batch to (n_x, m, T_max): T_max matrices of shape (n_x, m), column j = utterance j, zeros after its length.
    /// </summary>
    public static CtcBatch Pad(IReadOnlyList<CtcUtterance> batch)
    {
        Guard.NotNull(batch, nameof(batch));
        if (batch.Count == 0) throw new ArgumentException("batch must contain at least one utterance but is empty.", nameof(batch));
        int nx = Guard.NotNull(batch[0], "batch[0]").X.RowCount, m = batch.Count;
        for (int j = 0; j < m; j++)
        {
            var u = batch[j] ?? throw new ArgumentException($"batch[{j}] must not be null.", nameof(batch));
            if (u.X.RowCount != nx)
                throw new ArgumentException($"batch[{j}].X must have {nx} rows like batch[0] but has {u.X.RowCount}.", nameof(batch));
        }
        int tMax = batch.Max(u => u.T);
        var X = new Matrix<double>[tMax];
        for (int t = 0; t < tMax; t++) X[t] = Matrix<double>.Build.Dense(nx, m);
        for (int j = 0; j < m; j++)
            for (int t = 0; t < batch[j].T; t++)
                for (int i = 0; i < nx; i++)
                    X[t][i, j] = batch[j].X[i, t];
        return new CtcBatch(X, batch.Select(u => u.T).ToArray(), batch.Select(u => (int[])u.Labels.Clone()).ToArray());
    }

    /// <summary>
    /// Trigger-word targets (syllabus §3.6, week 3): y⟨t⟩ = 1 for the <paramref name="duration"/> frames right after each
    /// occurrence of <paramref name="keyword"/> ends (cut at T), else 0. Needs the true alignment.
    /// </summary>
    public static double[] TriggerLabels(CtcUtterance utterance, int keyword, int duration = 5)
    {
        Guard.NotNull(utterance, nameof(utterance));
        if (utterance.FrameLabels is null)
            throw new ArgumentException("utterance must carry its frame alignment (FrameLabels) but has none.", nameof(utterance));
        if (keyword < 1) throw new ArgumentException($"keyword must be a label >= 1 but is {keyword}.", nameof(keyword));
        Guard.Positive(duration, nameof(duration));
        var y = new double[utterance.T];
        for (int i = 0; i < utterance.Labels.Length; i++)
        {
            if (utterance.Labels[i] != keyword) continue;
            int end = utterance.Spans[i].Start + utterance.Spans[i].Length; // first frame after the keyword
            for (int t = end; t < Math.Min(end + duration, utterance.T); t++) y[t] = 1.0;
        }
        return y;
    }

    /// <summary>Trigger targets of a batch: T_max matrices of shape (1, m), zero after each length (use the lengths as a mask).</summary>
    public static Matrix<double>[] TriggerTargets(IReadOnlyList<CtcUtterance> batch, int keyword, int duration = 5)
    {
        Guard.NotNull(batch, nameof(batch));
        if (batch.Count == 0) throw new ArgumentException("batch must contain at least one utterance but is empty.", nameof(batch));
        for (int j = 0; j < batch.Count; j++)
            if (batch[j] is null) throw new ArgumentException($"batch[{j}] must not be null.", nameof(batch));
        int tMax = batch.Max(u => u.T), m = batch.Count;
        var Y = new Matrix<double>[tMax];
        for (int t = 0; t < tMax; t++) Y[t] = Matrix<double>.Build.Dense(1, m);
        for (int j = 0; j < m; j++)
        {
            var y = TriggerLabels(batch[j], keyword, duration);
            for (int t = 0; t < y.Length; t++) Y[t][0, j] = y[t];
        }
        return Y;
    }
}
