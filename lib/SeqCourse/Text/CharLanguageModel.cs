using System.Runtime.CompilerServices;
using MathNet.Numerics.LinearAlgebra;

namespace SeqCourse;

/// <summary>
/// A character-level language model (syllabus §1.5): a vanilla RNN with n_x = n_y = n_v that reads one
/// character at a time and predicts the next (the same code works at word level; see <see cref="TokenSeparator"/>). P(y⟨1⟩…y⟨T⟩) = Π_t P(y⟨t⟩ | y⟨1⟩…y⟨t−1⟩) with teacher forcing:
/// x⟨1⟩ = 0 and x⟨t⟩ = o_{y⟨t−1⟩}; the loss is Σ_t CE(ŷ⟨t⟩, y⟨t⟩). A sequence ends with the newline (or
/// <c>&lt;EOS&gt;</c>) token, so the model learns when to stop.
/// </summary>
public sealed class CharLanguageModel
{
    // One-hot input columns, reused between calls (index −1 = the all-zero x⟨1⟩).
    private readonly List<Matrix<double>> _xs = [];
    private readonly List<int> _hot = [];
    private readonly List<int[]> _targets = [];

    /// <summary>A model over <paramref name="vocabulary"/> with n_a = <paramref name="hiddenSize"/> and weights ~ N(0, initStd²).</summary>
    public CharLanguageModel(Vocabulary vocabulary, int hiddenSize, Random rng, double initStd = 0.01)
        : this(vocabulary, RnnParameters.Create(Guard.NotNull(vocabulary, nameof(vocabulary)).Count, hiddenSize, vocabulary.Count, rng, initStd))
    {
    }

    /// <summary>A model over given parameters (n_x = n_y = n_v), used as they are.</summary>
    public CharLanguageModel(Vocabulary vocabulary, RnnParameters parameters)
    {
        Vocabulary = Guard.NotNull(vocabulary, nameof(vocabulary));
        Parameters = Guard.NotNull(parameters, nameof(parameters));
        parameters.Validate();
        if (parameters.Nx != vocabulary.Count || parameters.Ny != vocabulary.Count)
            throw new ArgumentException($"parameters must have n_x = n_y = {vocabulary.Count} (the vocabulary size) " +
                                        $"but have n_x = {parameters.Nx}, n_y = {parameters.Ny}.", nameof(parameters));
        EosIndex = vocabulary.EosIndex ?? throw new ArgumentException(
            $"vocabulary must contain {Vocabulary.Eos} or a newline to end sequences but has neither.", nameof(vocabulary));
    }

    /// <summary>The characters.</summary>
    public Vocabulary Vocabulary { get; }

    /// <summary>W_aa, W_ax, b_a, W_ya, b_y (updated in place by training).</summary>
    public RnnParameters Parameters { get; }

    /// <summary>The index that ends a sequence (newline or <c>&lt;EOS&gt;</c>).</summary>
    public int EosIndex { get; }

    /// <summary>The hidden activation g.</summary>
    public Activation G { get; init; } = Activation.Tanh;

    /// <summary>
    /// Put between tokens by <see cref="SampleText"/>: "" for characters (the default), " " when the same model is
    /// used at word level over a word <see cref="SeqCourse.Vocabulary"/> with <c>&lt;UNK&gt;</c> and <c>&lt;EOS&gt;</c>.
    /// </summary>
    public string TokenSeparator { get; init; } = "";

    /// <summary>The target indices of a line: its characters followed by the end-of-sequence index.</summary>
    public int[] Encode(string line)
    {
        Guard.NotNull(line, nameof(line));
        return Vocabulary.Encode(Tokenizer.Characters(line), appendEos: true);
    }

    /// <summary>The target indices of a token sequence (e.g. words), followed by the end-of-sequence index.</summary>
    public int[] Encode(IEnumerable<string> tokens) => Vocabulary.Encode(Guard.NotNull(tokens, nameof(tokens)), appendEos: true);

    /// <summary>
    /// J = Σ_t −ln ŷ⟨t⟩[y⟨t⟩] and its gradients for one sequence of target indices <paramref name="y"/>
    /// (forward with teacher forcing, then BPTT).
    /// </summary>
    public (double Loss, RnnGradients Grads) LossAndGradients(int[] y)
    {
        var (fwd, targets) = ForwardTeacherForced(y);
        var (J, dZy) = Losses.SoftmaxCrossEntropy(fwd.Zy, targets);
        return (J, Rnn.Backward(dZy, fwd, Parameters).Grads);
    }

    /// <summary>J for one sequence (no backward pass).</summary>
    public double Loss(int[] y)
    {
        var (fwd, targets) = ForwardTeacherForced(y);
        return Losses.SoftmaxCrossEntropy(fwd.Zy, targets).J;
    }

    /// <summary>
    /// The syllabus <c>LmTrainStep</c>: forward, backward, clip every gradient to [−clip, clip], update with
    /// <paramref name="optimizer"/>. Returns the loss before the update.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]   // fast from the first call (benchmarks, short notebooks)
    public double TrainStep(int[] y, IOptimizer optimizer, double clipValue = 5.0)
    {
        Guard.NotNull(optimizer, nameof(optimizer));
        CheckTargets(y);
        // The same step through fused kernels (Numerics/FusedRnnLm.cs, no allocation): tanh only, and only when
        // everything is finite — otherwise the straightforward path below runs and reports the problem. Adagrad and
        // Adam divide each entry by its own gradient history, which turns last-bit differences of near-zero gradients
        // (another summation order) into parameter differences near 1e−11, so they keep the straightforward path.
        if (UseFusedStep && G == Activation.Tanh && optimizer is Sgd or Momentum
            && _fused.TryLossAndGradients(Parameters, y, out double loss))
        {
            if (optimizer is Sgd sgd)
            {
                Guard.Positive(clipValue, "maxValue");            // as Clipping.ByValue would
                sgd.CountFusedStep(Parameters);
                _fused.ClipAndSgd(Parameters, clipValue, sgd.LearningRate);   // clip and θ ← θ − α g in one pass
            }
            else
            {
                Clipping.ByValue(_fused.Gradients, clipValue);
                optimizer.Step(Parameters, _fused.Gradients);
            }
            return loss;
        }

        var (J, grads) = LossAndGradients(y);
        Trainer.CheckFinite(0, J, grads);
        Clipping.ByValue(grads, clipValue);
        optimizer.Step(Parameters, grads);
        return J;
    }

    // The workspace of the fused step; tests switch it off to run the straightforward path or force its SIMD width.
    private readonly Numerics.FusedRnnLm _fused = new();
    internal Numerics.FusedRnnLm Fused => _fused;
    internal bool UseFusedStep { get; set; } = true;

    /// <summary>Samples index sequences (ending with <see cref="EosIndex"/> unless cut at <paramref name="maxLength"/>).</summary>
    public int[] Sample(Random rng, double temperature = 1.0, int maxLength = 50) =>
        Sampling.GenerateSequence(Parameters, EosIndex, rng, temperature, maxLength, G);

    /// <summary>Samples a line of text (without the final newline / <c>&lt;EOS&gt;</c>).</summary>
    public string SampleText(Random rng, double temperature = 1.0, int maxLength = 50) =>
        string.Join(TokenSeparator, Vocabulary.Decode(Sample(rng, temperature, maxLength).Where(i => i != EosIndex)));

    /// <summary>Perplexity exp(Σ CE / Σ T) over the given sequences (every token, including the end, counts).</summary>
    public double Perplexity(IEnumerable<int[]> sequences)
    {
        Guard.NotNull(sequences, nameof(sequences));
        double nll = 0; int n = 0;
        foreach (var y in sequences) { nll += Loss(y); n += y.Length; }
        if (n == 0) throw new ArgumentException("sequences must contain at least one token but is empty.", nameof(sequences));
        return Sampling.Perplexity(nll, n);
    }

    private (RnnForwardResult Forward, IReadOnlyList<int[]> Targets) ForwardTeacherForced(int[] y)
    {
        CheckTargets(y);
        int nv = Vocabulary.Count;
        while (_xs.Count < y.Length) { _xs.Add(Matrix<double>.Build.Dense(nv, 1)); _hot.Add(-1); _targets.Add(new int[1]); }
        for (int t = 0; t < y.Length; t++)
        {
            // x⟨1⟩ = 0, x⟨t⟩ = o_{y⟨t−1⟩}: move the single 1 of the reused column.
            int want = t == 0 ? -1 : y[t - 1];
            if (_hot[t] != want)
            {
                if (_hot[t] >= 0) _xs[t][_hot[t], 0] = 0;
                if (want >= 0) _xs[t][want, 0] = 1;
                _hot[t] = want;
            }
            _targets[t][0] = y[t];
        }
        var xs = _xs.GetRange(0, y.Length);
        var targets = _targets.GetRange(0, y.Length);
        return (Rnn.Forward(xs, null, Parameters, G), targets);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void CheckTargets(int[] y)
    {
        Guard.NotNull(y, nameof(y));
        if (y.Length == 0) throw new ArgumentException("y must contain at least one token but is empty.", nameof(y));
        int nv = Vocabulary.Count;
        for (int t = 0; t < y.Length; t++)
            if (y[t] < 0 || y[t] >= nv)
                throw new ArgumentException($"y[{t}] must be a token index in [0, {nv - 1}] but is {y[t]}.", nameof(y));
    }
}
