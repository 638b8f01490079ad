using MathNet.Numerics.LinearAlgebra;

namespace SeqCourse;

/// <summary>
/// What <see cref="EncoderDecoder.EncoderForward"/> hands to the decoder: the "thought vector" — the final hidden
/// and cell states (n_s, m), taken for each example at its own last token — and what the backward pass needs.
/// For a GRU encoder a = c, so <see cref="C"/> is the same matrix as <see cref="A"/>.
/// </summary>
public sealed class EncoderResult
{
    internal EncoderResult(Matrix<double> a, Matrix<double> c, PaddedBatch source, PaddedBatch? reversed, LstmCache[] fwd, LstmCache[]? bwd)
    {
        A = a; C = c; Source = source; Reversed = reversed; Fwd = fwd; Bwd = bwd;
    }

    internal EncoderResult(Matrix<double> c, PaddedBatch source, PaddedBatch? reversed, GruCache[] fwd, GruCache[]? bwd)
    {
        A = c; C = c; Source = source; Reversed = reversed; GruFwd = fwd; GruBwd = bwd;
    }

    /// <summary>a⟨T_x^(i)⟩ in column i ([a→⟨T_x⟩; a←⟨1⟩] when bidirectional): the decoder's s⟨0⟩.</summary>
    public Matrix<double> A { get; }
    /// <summary>The matching cell states: the decoder's c⟨0⟩.</summary>
    public Matrix<double> C { get; }

    internal PaddedBatch Source { get; }
    internal PaddedBatch? Reversed { get; }
    internal LstmCache[]? Fwd { get; }
    internal LstmCache[]? Bwd { get; }
    internal GruCache[]? GruFwd { get; }
    internal GruCache[]? GruBwd { get; }
}

/// <summary>
/// One decoder step for a batch: ln P(y⟨t⟩ | x, y⟨&lt;t⟩) (n_vy, m), the logits z_y, the new s⟨t⟩, c⟨t⟩ and the cell's cache
/// (<see cref="Cache"/> for an LSTM decoder, <see cref="GruCache"/> for a GRU decoder, whose c⟨t⟩ is s⟨t⟩).
/// </summary>
public sealed record DecoderStepResult(Matrix<double> LogProbs, Matrix<double> Zy, Matrix<double> S, Matrix<double> C, LstmCache? Cache,
    GruCache? GruCache = null);

/// <summary>The decoder state carried by beam search: s and c of one hypothesis (n_s, 1); for a GRU decoder C is S. Immutable.</summary>
public sealed record Seq2SeqState(Matrix<double> S, Matrix<double> C);

/// <summary>
/// The encoder–decoder of syllabus §3.1 (Sutskever et al. 2014), a conditional language model
/// P(y | x) = Π_t P(y⟨t⟩ | x, y⟨1⟩…y⟨t−1⟩):
/// <code>
///   encoder:  a⟨t⟩, c⟨t⟩ = LSTM(a⟨t−1⟩, c⟨t−1⟩, E_x o_{x⟨t⟩}),  t = 1…T_x        (optionally also right to left)
///   bridge:   s⟨0⟩, c⟨0⟩ = a⟨T_x⟩, c⟨T_x⟩                                         (the "thought vector")
///   decoder:  s⟨t⟩, c⟨t⟩ = LSTM(s⟨t−1⟩, c⟨t−1⟩, E_y o_{y⟨t−1⟩}),  y⟨0⟩ = &lt;start&gt;
///             ŷ⟨t⟩ = softmax(W_y s⟨t⟩ + b_y)
/// </code>
/// Training uses teacher forcing: the decoder reads the reference y⟨t−1⟩, not its own guess, and the loss is the
/// cross-entropy of the reference y⟨1⟩…y⟨T_y⟩, &lt;EOS&gt; (the model appends &lt;EOS&gt; to every target).
/// Batches are ragged: every example keeps its own T_x^(i) (the encoder state is read at its last token) and
/// T_y^(i) (later steps are masked out of the loss with −1).
/// <para>
/// With <see cref="Seq2SeqCell.Gru"/> both LSTMs are lecture GRUs and the state is c only (a⟨t⟩ = c⟨t⟩):
/// <code>
///   encoder:  c⟨t⟩ = GRU(c⟨t−1⟩, E_x o_{x⟨t⟩});   bridge: s⟨0⟩ = c⟨T_x⟩;   decoder: s⟨t⟩ = GRU(s⟨t−1⟩, E_y o_{y⟨t−1⟩})
/// </code>
/// The C parts of <see cref="EncoderResult"/>, <see cref="DecoderStepResult"/> and <see cref="Seq2SeqState"/> are then
/// the same matrices as A and S (a GRU has no separate memory cell), and the cPrev given to <see cref="DecoderStep"/> is not read.
/// </para>
/// </summary>
public sealed class EncoderDecoder
{
    /// <summary>A model over <paramref name="parameters"/> (used, not copied) with the given special target tokens.</summary>
    public EncoderDecoder(EncoderDecoderParameters parameters, int startToken, int eosToken)
    {
        Parameters = Guard.NotNull(parameters, nameof(parameters));
        Guard.Index(startToken, parameters.TargetVocabularySize, nameof(startToken));
        Guard.Index(eosToken, parameters.TargetVocabularySize, nameof(eosToken));
        if (startToken == eosToken)
            throw new ArgumentException($"startToken must differ from eosToken but both are {eosToken}.", nameof(startToken));
        StartToken = startToken; EosToken = eosToken;
    }

    /// <summary>The parameters (the matrices the model computes with).</summary>
    public EncoderDecoderParameters Parameters { get; }

    /// <summary>The target token fed as y⟨0⟩.</summary>
    public int StartToken { get; }

    /// <summary>The target token that ends an output; appended to every training target.</summary>
    public int EosToken { get; }

    // ------------------------------------------------------------------ forward pieces (exercise names)

    /// <summary>
    /// Runs the encoder over a ragged batch of source token sequences (m arrays, T_x^(i) ≥ 1 tokens each) with
    /// <see cref="Lstm.Forward"/> and returns the final (a, c) of each example. A bidirectional encoder runs its second
    /// LSTM over each example reversed within its own length, so both directions end at the example's last real
    /// token and padding never reaches the state that is used.
    /// </summary>
    public EncoderResult EncoderForward(IReadOnlyList<int[]> sources)
    {
        var p = Parameters;
        var src = PaddedBatch.Create(sources, p.SourceVocabularySize, nameof(sources));
        if (p.Cell == Seq2SeqCell.Gru) return GruEncoderForward(sources, src);
        var (aF, cF, fwd) = Lstm.Forward(p.SourceEmbedding.Forward(src.Steps), p.Encoder);
        var a = FinalStates(aF, src.Lengths);
        var c = FinalStates(cF, src.Lengths);
        if (p.EncoderBackward is null) return new EncoderResult(a, c, src, null, fwd, null);

        var rev = PaddedBatch.Create(sources, p.SourceVocabularySize, nameof(sources), reverse: true);
        var (aB, cB, bwd) = Lstm.Forward(p.SourceEmbedding.Forward(rev.Steps), p.EncoderBackward);
        // a←⟨1⟩ is the right-to-left LSTM's state after reading x⟨T_x⟩ … x⟨1⟩, i.e. its step T_x^(i) as well.
        return new EncoderResult(a.Stack(FinalStates(aB, rev.Lengths)), c.Stack(FinalStates(cB, rev.Lengths)), src, rev, fwd, bwd);
    }

    // The same encoder with GRU cells: c⟨t⟩ = GRU(c⟨t−1⟩, E_x o_{x⟨t⟩}); the thought vector is c⟨T_x^(i)⟩ (a = c).
    private EncoderResult GruEncoderForward(IReadOnlyList<int[]> sources, PaddedBatch src)
    {
        var p = Parameters;
        var (cF, fwd) = Gru.Forward(p.SourceEmbedding.Forward(src.Steps), p.GruEncoder!);
        var c = FinalStates(cF, src.Lengths);
        if (p.GruEncoderBackward is null) return new EncoderResult(c, src, null, fwd, null);

        var rev = PaddedBatch.Create(sources, p.SourceVocabularySize, nameof(sources), reverse: true);
        var (cB, bwd) = Gru.Forward(p.SourceEmbedding.Forward(rev.Steps), p.GruEncoderBackward);
        // c←⟨1⟩ is the right-to-left GRU's state after reading x⟨T_x⟩ … x⟨1⟩, i.e. its step T_x^(i) as well.
        return new EncoderResult(c.Stack(FinalStates(cB, rev.Lengths)), src, rev, fwd, bwd);
    }

    /// <summary>
    /// One decoder step for a batch: s⟨t⟩, c⟨t⟩ = LSTM(s⟨t−1⟩, c⟨t−1⟩, E_y o_{y⟨t−1⟩}), z_y = W_y s⟨t⟩ + b_y,
    /// ln ŷ⟨t⟩ = log-softmax(z_y). <paramref name="yPrev"/>[i] is the previous token of example i (m entries).
    /// </summary>
    public DecoderStepResult DecoderStep(int[] yPrev, Matrix<double> sPrev, Matrix<double> cPrev)
    {
        var p = Parameters;
        Guard.NotNull(yPrev, nameof(yPrev));
        if (yPrev.Length == 0) throw new ArgumentException("yPrev must contain at least one example but is empty.", nameof(yPrev));
        for (int i = 0; i < yPrev.Length; i++) Guard.Index(yPrev[i], p.TargetVocabularySize, $"yPrev[{i}]");
        Guard.Shape(sPrev, p.DecoderSize, yPrev.Length, nameof(sPrev));
        Guard.Shape(cPrev, p.DecoderSize, yPrev.Length, nameof(cPrev));
        return Step(yPrev, sPrev, cPrev, FusedLstmDecoder());
    }

    // The LSTM decoder's four gate matrices fused into one (W, b) for speed; null for a GRU decoder.
    private (Matrix<double> W, Matrix<double> b)? FusedLstmDecoder() =>
        Parameters.Cell == Seq2SeqCell.Lstm ? Parameters.Decoder.Stacked() : null;

    private DecoderStepResult Step(int[] yPrev, Matrix<double> sPrev, Matrix<double> cPrev, (Matrix<double> W, Matrix<double> b)? fused)
    {
        var p = Parameters;
        var x = p.TargetEmbedding.Forward(yPrev);
        if (fused is var (W, b))
        {
            var (s, c, cache) = LstmCell.ForwardUnchecked(x, sPrev, cPrev, p.Decoder, W, b);
            var zy = GatedMath.AddBias(p.Wy * s, p.by);
            return new DecoderStepResult(Activations.LogSoftmax(zy), zy, s, c, cache);
        }
        // GRU: s⟨t⟩ = GRU(s⟨t−1⟩, x); there is no separate cell state, so C is s⟨t⟩ itself.
        var (sGru, gruCache) = GruCell.ForwardUnchecked(x, sPrev, p.GruDecoder!);
        var zyGru = GatedMath.AddBias(p.Wy * sGru, p.by);
        return new DecoderStepResult(Activations.LogSoftmax(zyGru), zyGru, sGru, sGru, null, gruCache);
    }

    // ------------------------------------------------------------------ training: loss and full backward pass

    /// <summary>
    /// J = (1/m) Σ_i Σ_{t ≤ T_y^(i)+1} −ln P(y⟨t⟩ | x, y⟨&lt;t⟩) under teacher forcing, where the last target of each
    /// example is &lt;EOS&gt;. <paramref name="targets"/>[i] are the output tokens of example i without start or end token.
    /// </summary>
    public double Loss(IReadOnlyList<int[]> sources, IReadOnlyList<int[]> targets) => Forward(sources, targets).J;

    /// <summary>The loss and its gradient with respect to every parameter (backward through the decoder, the bridge, the encoder and both embeddings).</summary>
    public (double J, EncoderDecoderGradients Grads) LossAndGradients(IReadOnlyList<int[]> sources, IReadOnlyList<int[]> targets)
    {
        var f = Forward(sources, targets);
        return (f.J, Backward(f));
    }

    private sealed record ForwardPass(double J, EncoderResult Enc, int[][] DecIn, Matrix<double>[] S, LstmCache[]? DecCaches, GruCache[]? GruDecCaches,
        Matrix<double>[] dZy);

    private ForwardPass Forward(IReadOnlyList<int[]> sources, IReadOnlyList<int[]> targets)
    {
        var p = Parameters;
        PaddedBatch.Check(sources, p.SourceVocabularySize, nameof(sources));
        Guard.NotNull(targets, nameof(targets));
        if (targets.Count != sources.Count)
            throw new ArgumentException($"targets must have {sources.Count} examples (one per source) but has {targets.Count}.", nameof(targets));
        PaddedBatch.Check(targets, p.TargetVocabularySize, nameof(targets));
        for (int i = 0; i < targets.Count; i++)
            for (int t = 0; t < targets[i].Length; t++)
                if (targets[i][t] == StartToken || targets[i][t] == EosToken)
                    throw new ArgumentException(
                        $"targets[{i}][{t}] must not be the start ({StartToken}) or end ({EosToken}) token (the model adds them) but is {targets[i][t]}.", nameof(targets));

        var enc = EncoderForward(sources);
        var (decIn, decOut) = TeacherForcing(targets);
        var yIn = p.TargetEmbedding.Forward(decIn);
        Matrix<double>[] S;
        LstmCache[]? caches = null;
        GruCache[]? gruCaches = null;
        if (p.Cell == Seq2SeqCell.Lstm) (S, _, caches) = Lstm.Forward(yIn, p.Decoder, enc.A, enc.C);
        else (S, gruCaches) = Gru.Forward(yIn, p.GruDecoder!, enc.A);      // s⟨0⟩ = c⟨T_x⟩ (a = c)
        var zy = new Matrix<double>[S.Length];
        for (int t = 0; t < S.Length; t++) zy[t] = GatedMath.AddBias(p.Wy * S[t], p.by);   // z_y⟨t⟩ = W_y s⟨t⟩ + b_y
        var (J, dZy) = Losses.SoftmaxCrossEntropy(zy, decOut);
        return new ForwardPass(J, enc, decIn, S, caches, gruCaches, dZy);
    }

    /// <summary>
    /// Decoder inputs [&lt;start&gt;, y⟨1⟩ … y⟨T_y⟩] and outputs [y⟨1⟩ … y⟨T_y⟩, &lt;EOS&gt;], time-major, −1 after each example's end.
    /// </summary>
    private (int[][] In, int[][] Out) TeacherForcing(IReadOnlyList<int[]> targets)
    {
        int m = targets.Count, Ty = targets.Max(y => y.Length) + 1;
        var decIn = new int[Ty][];
        var decOut = new int[Ty][];
        for (int t = 0; t < Ty; t++)
        {
            decIn[t] = new int[m]; decOut[t] = new int[m];
            for (int i = 0; i < m; i++)
            {
                int len = targets[i].Length;
                decIn[t][i] = t == 0 ? StartToken : t <= len ? targets[i][t - 1] : -1;
                decOut[t][i] = t < len ? targets[i][t] : t == len ? EosToken : -1;
            }
        }
        return (decIn, decOut);
    }

    private EncoderDecoderGradients Backward(ForwardPass f)
    {
        var p = Parameters;
        int Ty = f.S.Length, na = p.EncoderSize;
        // Output layer: dW_y = Σ_t dz_y⟨t⟩ s⟨t⟩ᵀ, db_y = Σ_t Σ_columns dz_y⟨t⟩, ds⟨t⟩ = W_yᵀ dz_y⟨t⟩.
        var dWy = Matrix<double>.Build.Dense(p.Wy.RowCount, p.Wy.ColumnCount);
        var dby = Matrix<double>.Build.Dense(p.by.RowCount, 1);
        var dS = new Matrix<double>?[Ty];
        for (int t = 0; t < Ty; t++)
        {
            dWy.Add(f.dZy[t].TransposeAndMultiply(f.S[t]), dWy);
            dby.Add(GatedMath.SumColumns(f.dZy[t]), dby);
            dS[t] = p.Wy.TransposeThisAndMultiply(f.dZy[t]);
        }
        if (p.Cell == Seq2SeqCell.Gru) return GruBackward(f, dS, dWy, dby);

        // Decoder BPTT down to s⟨0⟩, c⟨0⟩; the inputs' gradients go to E_y.
        var (dYin, ds0, dc0, gDec) = Lstm.Backward(dS, f.DecCaches!);
        var dEy = p.TargetEmbedding.Backward(dYin, f.DecIn);

        // Bridge: s⟨0⟩ was a⟨T_x^(i)⟩ of each example, so its gradient enters the encoder at that step only.
        var enc = f.Enc;
        var (dEx, gEnc) = EncoderBackward(p.SourceEmbedding, enc.Fwd!, enc.Source,
            GatedMath.Rows(ds0, 0, na), GatedMath.Rows(dc0, 0, na));
        LstmGradients? gEncB = null;
        if (p.EncoderBackward is not null)
        {
            var (dExB, g) = EncoderBackward(p.SourceEmbedding, enc.Bwd!, enc.Reversed!,
                GatedMath.Rows(ds0, na, na), GatedMath.Rows(dc0, na, na));
            dEx.Add(dExB, dEx);   // both directions read the same embedding
            gEncB = g;
        }
        return new EncoderDecoderGradients(dEx, dEy, gEnc, gEncB, gDec, dWy, dby);
    }

    // The GRU model's backward pass after the output layer: the same steps with the state c only.
    private EncoderDecoderGradients GruBackward(ForwardPass f, Matrix<double>?[] dS, Matrix<double> dWy, Matrix<double> dby)
    {
        var p = Parameters;
        int na = p.EncoderSize;
        // Decoder BPTT down to s⟨0⟩; the inputs' gradients go to E_y.
        var (dYin, ds0, gDec) = Gru.Backward(dS, f.GruDecCaches!);
        var dEy = p.TargetEmbedding.Backward(dYin, f.DecIn);

        // Bridge: s⟨0⟩ was c⟨T_x^(i)⟩ of each example ([c→; c←] when bidirectional).
        var enc = f.Enc;
        var (dEx, gEnc) = GruEncoderBackward(p.SourceEmbedding, enc.GruFwd!, enc.Source, GatedMath.Rows(ds0, 0, na));
        GruGradients? gEncB = null;
        if (p.GruEncoderBackward is not null)
        {
            var (dExB, g) = GruEncoderBackward(p.SourceEmbedding, enc.GruBwd!, enc.Reversed!, GatedMath.Rows(ds0, na, na));
            dEx.Add(dExB, dEx);   // both directions read the same embedding
            gEncB = g;
        }
        return new EncoderDecoderGradients(dEx, dEy, gEnc, gEncB, gDec, dWy, dby);
    }

    private static (Matrix<double> dE, GruGradients G) GruEncoderBackward(Embedding e, GruCache[] caches, PaddedBatch src, Matrix<double> dcFinal)
    {
        var (dX, _, g) = Gru.Backward(AtLastSteps(dcFinal, src, caches.Length), caches);
        return (e.Backward(dX, src.Steps), g);
    }

    // ∂J/∂(final state) placed at each example's own last step T_x^(i) − 1 (0-based): null where no example ends.
    private static Matrix<double>?[] AtLastSteps(Matrix<double> dFinal, PaddedBatch src, int T)
    {
        var d = new Matrix<double>?[T];
        for (int i = 0; i < src.BatchSize; i++)
        {
            int t = src.Lengths[i] - 1;
            d[t] ??= Matrix<double>.Build.Dense(dFinal.RowCount, src.BatchSize);
            d[t]!.SetColumn(i, dFinal.Column(i));
        }
        return d;
    }

    private static (Matrix<double> dE, LstmGradients G) EncoderBackward(Embedding e, LstmCache[] caches, PaddedBatch src,
        Matrix<double> daFinal, Matrix<double> dcFinal)
    {
        // The gradients of the thought vector enter each example's column at its own last step T_x^(i) − 1 (0-based).
        var dA = AtLastSteps(daFinal, src, caches.Length);
        var dC = AtLastSteps(dcFinal, src, caches.Length);
        var (dX, _, _, g) = Lstm.Backward(dA, caches, dC);
        return (e.Backward(dX, src.Steps), g);
    }

    private static Matrix<double> FinalStates(Matrix<double>[] states, int[] lengths)
    {
        var r = Matrix<double>.Build.Dense(states[0].RowCount, lengths.Length);
        for (int i = 0; i < lengths.Length; i++) r.SetColumn(i, states[lengths[i] - 1].Column(i));
        return r;
    }

    // ------------------------------------------------------------------ decoding

    /// <summary>
    /// The adapter for <see cref="Search"/>: encodes <paramref name="source"/> once and returns a
    /// <see cref="DecoderStep{TState}"/> (one example, state (s, c); c = s for GRU) and the initial state (s⟨0⟩, c⟨0⟩).
    /// </summary>
    public (DecoderStep<Seq2SeqState> Step, Seq2SeqState Initial) StepFunction(int[] source)
    {
        Guard.NotNull(source, nameof(source));
        var enc = EncoderForward([source]);
        var fused = FusedLstmDecoder();   // fused once for the whole search
        int nvy = Parameters.TargetVocabularySize;
        DecoderStep<Seq2SeqState> step = (state, last) =>
        {
            Guard.Index(last, nvy, "lastToken");
            var r = Step([last], state.S, state.C, fused);
            return (r.LogProbs.Column(0).ToArray(), new Seq2SeqState(r.S, r.C));
        };
        return (step, new Seq2SeqState(enc.A, enc.C));
    }

    /// <summary>Greedy decoding of one source sentence (at most <paramref name="maxLength"/> tokens including &lt;EOS&gt;).</summary>
    public Hypothesis Greedy(int[] source, int maxLength, double alpha = Search.DefaultAlpha)
    {
        var (step, s0) = StepFunction(source);
        return Search.GreedyDecode(step, s0, StartToken, EosToken, maxLength, alpha);
    }

    /// <summary>Beam search of width <paramref name="beamWidth"/> with length normalisation α; the n-best list, best first.</summary>
    public IReadOnlyList<Hypothesis> Beam(int[] source, int beamWidth, int maxLength, double alpha = Search.DefaultAlpha, int? nBest = null)
    {
        var (step, s0) = StepFunction(source);
        return Search.BeamSearch(step, s0, StartToken, EosToken, beamWidth, maxLength, alpha, nBest);
    }

    /// <summary>
    /// ln P(y | x) of a given output (without &lt;EOS&gt;; its probability is included) — for error analysis:
    /// compare ln P(y*|x) of the reference with ln P(ŷ|x) of the search result.
    /// </summary>
    public double LogProbability(int[] source, int[] target)
    {
        Guard.NotNull(target, nameof(target));
        var (step, s0) = StepFunction(source);
        return Search.SequenceLogProbability(step, s0, StartToken, [.. target, EosToken]);
    }
}
