using MathNet.Numerics.LinearAlgebra;

namespace SeqCourse;

/// <summary>
/// A batch prediction of <see cref="AttentionModel"/>: the argmax output tokens (m arrays of T_y) and, for every
/// example, its attention weights as a (T_y, T_x) matrix — row t is α⟨t,·⟩, ready for a heat map.
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
/// forcing is needed. The backward pass walks t = T_y…1: ds⟨t⟩ collects W_yᵀ dz_y⟨t⟩, the LSTM's da_prev and the
/// attention's ds from step t + 1; the attention sends dα-weighted gradients into every annotation a⟨t′⟩, which
/// then go back through both encoder directions.
/// </summary>
public sealed class AttentionModel
{
    /// <summary>A model over <paramref name="parameters"/> (used, not copied) that emits <paramref name="outputLength"/> = T_y symbols.</summary>
    public AttentionModel(AttentionModelParameters parameters, int outputLength)
    {
        Parameters = Guard.NotNull(parameters, nameof(parameters));
        Guard.Positive(outputLength, nameof(outputLength));
        OutputLength = outputLength;
    }

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
            RecurrentOutput encoder, BidirectionalLayer layer)
        {
            Zy = zy; Attention = attention; Memory = memory; Decoder = decoder; Encoder = encoder; Layer = layer;
        }

        /// <summary>z_y⟨t⟩ for t = 1…T_y, each (n_y, m).</summary>
        public Matrix<double>[] Zy { get; }

        /// <summary>α⟨t,t′⟩ for step t (0-based) as a (T_x, m) matrix (column i = example i).</summary>
        public Matrix<double> AlphaAt(int t) => Attention[t].Alpha;

        internal AttentionStep[] Attention { get; }
        internal AttentionMemory Memory { get; }
        internal LstmCache[] Decoder { get; }
        internal RecurrentOutput Encoder { get; }
        internal BidirectionalLayer Layer { get; }
        internal bool BackwardDone { get; set; }
    }

    /// <summary>
    /// Runs the model on a batch of equal-length source index sequences (m arrays of T_x tokens in [0, n_x)),
    /// which are one-hot encoded.
    /// </summary>
    public ForwardPass Forward(IReadOnlyList<int[]> sources)
    {
        var p = Parameters;
        var xs = OneHot(sources);
        int m = sources.Count, ns = p.Decoder.HiddenSize;
        var layer = new BidirectionalLayer(new LstmLayer(p.EncoderForward), new LstmLayer(p.EncoderBackward));
        var enc = layer.Forward(xs);                         // a⟨t′⟩ = [a→⟨t′⟩; a←⟨t′⟩]
        var (W, b) = p.Decoder.Stacked();
        var s = Matrix<double>.Build.Dense(ns, m);
        var c = Matrix<double>.Build.Dense(ns, m);
        var memory = AttentionMemory.Create(enc.A, p.Attention);   // W2 a⟨t′⟩ once for all T_y steps
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
        return new ForwardPass(zy, att, memory, caches, enc, layer);
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
        var gEnc = f.Layer.Backward(dA, f.Encoder);
        return ParameterSet.Concat(("enc.", gEnc.Grads), ("att.", gAtt), ("dec.", acc.ToGradients()),
            ("", ParameterSet.Of(new NamedMatrix("dWy", dWy), new NamedMatrix("dby", dby))));
    }

    /// <summary>The argmax symbol at every step and each example's (T_y, T_x) attention map.</summary>
    public AttentionPrediction Predict(IReadOnlyList<int[]> sources)
    {
        var f = Forward(sources);
        int m = sources.Count, Tx = sources[0].Length;
        var tokens = new int[m][];
        var alpha = new Matrix<double>[m];
        for (int i = 0; i < m; i++) { tokens[i] = new int[OutputLength]; alpha[i] = Matrix<double>.Build.Dense(OutputLength, Tx); }
        for (int t = 0; t < OutputLength; t++)
        {
            var z = f.Zy[t];
            var a = f.AlphaAt(t);
            for (int i = 0; i < m; i++)
            {
                int best = 0;
                for (int k = 1; k < z.RowCount; k++) if (z[k, i] > z[best, i]) best = k;
                tokens[i][t] = best;
                for (int k = 0; k < Tx; k++) alpha[i][t, k] = a[k, i];
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

    private Matrix<double>[] OneHot(IReadOnlyList<int[]> sources)
    {
        PaddedBatch.Check(sources, Parameters.InputSize, nameof(sources));
        for (int i = 1; i < sources.Count; i++)
            if (sources[i].Length != sources[0].Length)
                throw new ArgumentException($"sources[{i}] must have T_x = {sources[0].Length} tokens like sources[0] but has {sources[i].Length}.", nameof(sources));
        return DataEncoding.OneHot(sources, Parameters.InputSize);
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
