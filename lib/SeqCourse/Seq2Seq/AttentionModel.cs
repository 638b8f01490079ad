using MathNet.Numerics.LinearAlgebra;

namespace SeqCourse;

/// <summary>
/// A batch prediction of <see cref="AttentionModel"/>: the argmax output tokens (m arrays of T_y) and, for every
/// example, its attention weights as a (T_y, T_x^(i)) matrix — row t is α⟨t,·⟩ over the real (unpadded) input
/// symbols, ready for a heat map.
/// </summary>
public sealed record AttentionPrediction(int[][] Tokens, Matrix<double>[] Alpha);

/// <summary>
/// The attention translator of syllabus §3.4 and §3.9 (Bahdanau et al. 2015; the course's date model):
/// <code>
///   encoder:    a⟨t′⟩ = [a→⟨t′⟩; a←⟨t′⟩]   BiLSTM over one-hot x⟨1…T_x⟩                       (2n_a, m)
///   step t:     ctx⟨t⟩, α⟨t,·⟩ = Attention(s⟨t−1⟩, a⟨1…T_x⟩)   (e = vᵀ tanh(W1 s + W2 a), softmax over t′)
///               s⟨t⟩, c⟨t⟩ = LSTM(s⟨t−1⟩, c⟨t−1⟩, ctx⟨t⟩)        (date model: the input is ctx only)
///               ŷ⟨t⟩ = softmax(W_y s⟨t⟩ + b_y),   t = 1…T_y,   s⟨0⟩ = c⟨0⟩ = 0
/// </code>
/// The decoder never reads its own outputs, so training and prediction run the same computation and no teacher
/// forcing is needed. With a pad token, each source's trailing padding is cut off: the encoder runs only up to the
/// longest real source of the batch, the right-to-left LSTM reads every example from its own last real symbol, and the
/// attention never looks at padding — so the outputs do not depend on how much padding there is, and a batch of
/// short dates costs less than a batch of long ones. The backward pass walks t = T_y…1: ds⟨t⟩ collects W_yᵀ dz_y⟨t⟩, the LSTM's da_prev and the
/// attention's ds from step t + 1; the attention sends dα-weighted gradients into every annotation a⟨t′⟩, which
/// then go back through both encoder directions.
/// </summary>
public sealed class AttentionModel
{
    /// <summary>
    /// A model over <paramref name="parameters"/> (used, not copied) that emits <paramref name="outputLength"/> = T_y symbols.
    /// With <paramref name="padToken"/>, trailing padding of each source is ignored exactly (see <see cref="AttentionModel"/>).
    /// </summary>
    public AttentionModel(AttentionModelParameters parameters, int outputLength, int? padToken = null)
    {
        Parameters = Guard.NotNull(parameters, nameof(parameters));
        Guard.Positive(outputLength, nameof(outputLength));
        if (padToken is { } pad) Guard.Index(pad, parameters.InputSize, nameof(padToken));
        OutputLength = outputLength;
        PadToken = padToken;
    }

    /// <summary>The input symbol used for padding (e.g. <see cref="DateData.PadIndex"/>), or null when every position is real.</summary>
    public int? PadToken { get; }

    /// <summary>The parameters.</summary>
    public AttentionModelParameters Parameters { get; }

    /// <summary>T_y.</summary>
    public int OutputLength { get; }

    /// <summary>
    /// Everything one forward pass computed: logits z_y⟨t⟩ (n_y, m), attention weights α⟨t⟩ (T_x, m) and the caches.
    /// A pass can be back-propagated once (its attention memory accumulates the gradients).
    /// </summary>
    public sealed class ForwardPass
    {
        internal ForwardPass(Matrix<double>[] zy, AttentionStep[] attention, AttentionMemory memory, LstmCache[] decoder,
            LstmCache[] encoderForward, LstmCache[] encoderBackward, int[] lengths)
        {
            Zy = zy; Attention = attention; Memory = memory; Decoder = decoder;
            EncoderForward = encoderForward; EncoderBackward = encoderBackward; Lengths = lengths;
        }

        /// <summary>T_x^(i): the number of real (non-padding) source symbols of each example.</summary>
        public int[] Lengths { get; }

        /// <summary>z_y⟨t⟩ for t = 1…T_y, each (n_y, m).</summary>
        public Matrix<double>[] Zy { get; }

        /// <summary>α⟨t,t′⟩ for step t (0-based) as a (max_i T_x^(i), m) matrix (column i = example i; zero beyond T_x^(i)).</summary>
        public Matrix<double> AlphaAt(int t) => Attention[t].Alpha;

        internal AttentionStep[] Attention { get; }
        internal AttentionMemory Memory { get; }
        internal LstmCache[] Decoder { get; }
        internal LstmCache[] EncoderForward { get; }
        internal LstmCache[] EncoderBackward { get; }
        internal bool BackwardDone { get; set; }
    }

    /// <summary>
    /// Runs the model on a batch of equal-length source index sequences (m arrays of T_x tokens in [0, n_x)),
    /// which are one-hot encoded.
    /// </summary>
    public ForwardPass Forward(IReadOnlyList<int[]> sources)
    {
        var p = Parameters;
        var lengths = CheckSources(sources);
        int m = sources.Count, ns = p.Decoder.HiddenSize, na = p.EncoderForward.HiddenSize, T = lengths.Max();
        // Encoder: a→ over x⟨1…T⟩, a← over each example reversed within its own length (padding last, never read
        // before a real symbol); the annotation is a⟨t′⟩ = [a→⟨t′⟩; a←⟨t′⟩], where a←⟨t′⟩ sits at step T^(i) − 1 − t′.
        var fwdIn = new int[m][];
        var bwdIn = new int[m][];
        int pad = PadToken ?? 0;
        for (int i = 0; i < m; i++)
        {
            fwdIn[i] = new int[T]; bwdIn[i] = new int[T];
            for (int t = 0; t < T; t++)
            {
                fwdIn[i][t] = t < sources[i].Length ? sources[i][t] : pad;
                bwdIn[i][t] = t < lengths[i] ? sources[i][lengths[i] - 1 - t] : pad;
            }
        }
        var (aF, _, cachesF) = Lstm.Forward(DataEncoding.OneHot(fwdIn, p.InputSize), p.EncoderForward);
        var (aB, _, cachesB) = Lstm.Forward(DataEncoding.OneHot(bwdIn, p.InputSize), p.EncoderBackward);
        var a = new Matrix<double>[T];
        for (int t = 0; t < T; t++)
        {
            a[t] = Matrix<double>.Build.Dense(2 * na, m);
            for (int i = 0; i < m; i++)
            {
                if (t >= lengths[i]) continue;            // padding: masked out of the attention below
                var bt = aB[lengths[i] - 1 - t];
                for (int k = 0; k < na; k++) { a[t][k, i] = aF[t][k, i]; a[t][na + k, i] = bt[k, i]; }
            }
        }
        var memory = AttentionMemory.Create(a, p.Attention, lengths);   // W2 a⟨t′⟩ once for all T_y steps
        var (W, b) = p.Decoder.Stacked();
        var s = Matrix<double>.Build.Dense(ns, m);
        var c = Matrix<double>.Build.Dense(ns, m);
        var att = new AttentionStep[OutputLength];
        var caches = new LstmCache[OutputLength];
        var zy = new Matrix<double>[OutputLength];
        for (int t = 0; t < OutputLength; t++)
        {
            var (ctx, step) = memory.Attend(s);                                           // ctx⟨t⟩, α⟨t,·⟩ from s⟨t−1⟩
            att[t] = step;
            (s, c, caches[t]) = LstmCell.ForwardUnchecked(ctx, s, c, p.Decoder, W, b);    // s⟨t⟩ = LSTM(s⟨t−1⟩, c⟨t−1⟩, ctx⟨t⟩)
            zy[t] = GatedMath.AddBias(p.Wy * s, p.by);
        }
        return new ForwardPass(zy, att, memory, caches, cachesF, cachesB, lengths);
    }

    /// <summary>J = (1/m) Σ_i Σ_t −ln ŷ⟨t⟩[y⟨t⟩]; <paramref name="targets"/>[i] has T_y tokens in [0, n_y).</summary>
    public double Loss(IReadOnlyList<int[]> sources, IReadOnlyList<int[]> targets) =>
        Losses.SoftmaxCrossEntropy(Forward(sources).Zy, TimeMajorTargets(sources, targets)).J;

    /// <summary>The loss and its gradient with respect to every parameter, in the order of <see cref="AttentionModelParameters.Items"/>.</summary>
    public (double J, IParameterSet Grads) LossAndGradients(IReadOnlyList<int[]> sources, IReadOnlyList<int[]> targets)
    {
        var yt = TimeMajorTargets(sources, targets);
        var f = Forward(sources);
        var (J, dZy) = Losses.SoftmaxCrossEntropy(f.Zy, yt);
        return (J, Backward(f, dZy));
    }

    private IParameterSet Backward(ForwardPass f, Matrix<double>[] dZy)
    {
        if (f.BackwardDone) throw new InvalidOperationException("This forward pass has already been back-propagated.");
        f.BackwardDone = true;
        var p = Parameters;
        int m = dZy[0].ColumnCount, ns = p.Decoder.HiddenSize;
        var dWy = Matrix<double>.Build.Dense(p.Wy.RowCount, p.Wy.ColumnCount);
        var dby = Matrix<double>.Build.Dense(p.by.RowCount, 1);
        var acc = new LstmAccumulator(p.Decoder);
        var dsNext = Matrix<double>.Build.Dense(ns, m);    // ∂J/∂s⟨t⟩ from step t + 1 (LSTM and attention); 0 at T_y
        var dcNext = Matrix<double>.Build.Dense(ns, m);
        for (int t = OutputLength - 1; t >= 0; t--)
        {
            var s = f.Decoder[t].A;
            dWy.Add(dZy[t].TransposeAndMultiply(s), dWy);                       // dW_y += dz_y s⟨t⟩ᵀ
            dby.Add(GatedMath.SumColumns(dZy[t]), dby);
            var ds = p.Wy.TransposeThisAndMultiply(dZy[t]) + dsNext;             // ds⟨t⟩ = W_yᵀ dz_y⟨t⟩ + (from step t + 1)
            var (dCtx, dsPrev, dcPrev) = LstmCell.BackwardInto(ds, dcNext, f.Decoder[t], acc);
            var dsAtt = f.Memory.AttendBackward(dCtx, f.Attention[t]);          // the attention's share of ∂J/∂s⟨t−1⟩
            dsNext = dsPrev + dsAtt;                                             // s⟨t−1⟩ fed both the LSTM and the attention of step t
            dcNext = dcPrev;
        }
        var (gAtt, dA) = f.Memory.Gradients();                                   // every a⟨t′⟩ fed every ctx⟨t⟩
        // Split da⟨t′⟩ = [da→⟨t′⟩; da←⟨t′⟩] back onto the two directions (a← of t′ was step T^(i) − 1 − t′).
        int T = dA.Length, na = p.EncoderForward.HiddenSize;
        var dF = new Matrix<double>?[T];
        var dB = new Matrix<double>?[T];
        for (int t = 0; t < T; t++) { dF[t] = Matrix<double>.Build.Dense(na, m); dB[t] = Matrix<double>.Build.Dense(na, m); }
        for (int t = 0; t < T; t++)
            for (int i = 0; i < m; i++)
            {
                if (t >= f.Lengths[i]) continue;
                var db = dB[f.Lengths[i] - 1 - t]!;
                for (int k = 0; k < na; k++) { dF[t]![k, i] = dA[t][k, i]; db[k, i] = dA[t][na + k, i]; }
            }
        var gF = Lstm.Backward(dF, f.EncoderForward).Grads;
        var gB = Lstm.Backward(dB, f.EncoderBackward).Grads;
        return ParameterSet.Concat(("enc.fwd.", gF), ("enc.bwd.", gB), ("att.", gAtt), ("dec.", acc.ToGradients()),
            ("", ParameterSet.Of(new NamedMatrix("dWy", dWy), new NamedMatrix("dby", dby))));
    }

    /// <summary>The argmax symbol at every step and each example's (T_y, T_x) attention map.</summary>
    public AttentionPrediction Predict(IReadOnlyList<int[]> sources)
    {
        var f = Forward(sources);
        int m = sources.Count;
        var tokens = new int[m][];
        var alpha = new Matrix<double>[m];
        for (int i = 0; i < m; i++) { tokens[i] = new int[OutputLength]; alpha[i] = Matrix<double>.Build.Dense(OutputLength, f.Lengths[i]); }
        for (int t = 0; t < OutputLength; t++)
        {
            var z = f.Zy[t];
            var a = f.AlphaAt(t);
            for (int i = 0; i < m; i++)
            {
                int best = 0;
                for (int k = 1; k < z.RowCount; k++) if (z[k, i] > z[best, i]) best = k;
                tokens[i][t] = best;
                for (int k = 0; k < f.Lengths[i]; k++) alpha[i][t, k] = a[k, i];
            }
        }
        return new AttentionPrediction(tokens, alpha);
    }

    /// <summary>The fraction of examples whose predicted T_y symbols all equal the target (exact match).</summary>
    public double ExactMatch(IReadOnlyList<int[]> sources, IReadOnlyList<int[]> targets)
    {
        TimeMajorTargets(sources, targets);
        var pred = Predict(sources).Tokens;
        return pred.Where((y, i) => y.AsSpan().SequenceEqual(targets[i])).Count() / (double)targets.Count;
    }

    /// <summary>Checks the sources and returns T_x^(i): the length without trailing padding (all T_x without a pad token).</summary>
    private int[] CheckSources(IReadOnlyList<int[]> sources)
    {
        PaddedBatch.Check(sources, Parameters.InputSize, nameof(sources));
        for (int i = 1; i < sources.Count; i++)
            if (sources[i].Length != sources[0].Length)
                throw new ArgumentException($"sources[{i}] must have T_x = {sources[0].Length} tokens like sources[0] but has {sources[i].Length}.", nameof(sources));
        var lengths = new int[sources.Count];
        for (int i = 0; i < sources.Count; i++)
        {
            int len = sources[i].Length;
            if (PadToken is { } pad) while (len > 0 && sources[i][len - 1] == pad) len--;
            if (len == 0)
                throw new ArgumentException($"sources[{i}] must contain at least one symbol other than padding ({PadToken}) but is all padding.", nameof(sources));
            lengths[i] = len;
        }
        return lengths;
    }

    private int[][] TimeMajorTargets(IReadOnlyList<int[]> sources, IReadOnlyList<int[]> targets)
    {
        Guard.NotNull(sources, nameof(sources)); Guard.NotNull(targets, nameof(targets));
        if (targets.Count != sources.Count)
            throw new ArgumentException($"targets must have {sources.Count} examples (one per source) but has {targets.Count}.", nameof(targets));
        PaddedBatch.Check(targets, Parameters.OutputSize, nameof(targets));
        var y = new int[OutputLength][];
        for (int t = 0; t < OutputLength; t++) y[t] = new int[targets.Count];
        for (int i = 0; i < targets.Count; i++)
        {
            if (targets[i].Length != OutputLength)
                throw new ArgumentException($"targets[{i}] must have T_y = {OutputLength} tokens but has {targets[i].Length}.", nameof(targets));
            for (int t = 0; t < OutputLength; t++) y[t][i] = targets[i][t];
        }
        return y;
    }
}
