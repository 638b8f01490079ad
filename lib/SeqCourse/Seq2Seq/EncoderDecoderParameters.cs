using MathNet.Numerics.LinearAlgebra;

namespace SeqCourse;

/// <summary>Which week 1 cell the encoder and the decoder of an <see cref="EncoderDecoder"/> use.</summary>
public enum Seq2SeqCell
{
    /// <summary>LSTM cells: the state handed from encoder to decoder is (a, c).</summary>
    Lstm = 0,
    /// <summary>GRU cells (<see cref="GruVariant.Lecture"/> by default): the state is c only (a = c).</summary>
    Gru = 1,
}

/// <summary>
/// Parameters of the encoder–decoder of syllabus §3.1 (Sutskever et al. 2014):
/// <list type="bullet">
/// <item>E_x (n_e, n_vx) and E_y (n_e, n_vy): source and target embeddings;</item>
/// <item>the encoder LSTM n_e → n_a (and, when bidirectional, a second LSTM n_e → n_a reading right to left);</item>
/// <item>the decoder LSTM n_e → n_s, where n_s = n_a, or 2n_a with a bidirectional encoder, so that the encoder's
/// final (a, c) — [a→⟨T_x⟩; a←⟨1⟩] when bidirectional — is exactly the decoder's initial state;</item>
/// <item>W_y (n_vy, n_s), b_y (n_vy, 1): the softmax layer over the target vocabulary.</item>
/// </list>
/// Order of <see cref="Items"/>: Ex, Ey, enc.fwd.* (enc.bwd.* when bidirectional), dec.*, Wy, by.
/// <para>With <see cref="Seq2SeqCell.Gru"/> every LSTM above is a GRU (<see cref="GruEncoder"/>, <see cref="GruEncoderBackward"/>,
/// <see cref="GruDecoder"/>) and the LSTM properties are not available.</para>
/// </summary>
public sealed class EncoderDecoderParameters : IParameterSet
{
    /// <summary>Wraps existing LSTM parameters (not copied) after checking that the sizes fit together.</summary>
    public EncoderDecoderParameters(Embedding sourceEmbedding, Embedding targetEmbedding, LstmParameters encoder,
        LstmParameters? encoderBackward, LstmParameters decoder, Matrix<double> Wy, Matrix<double> by)
    {
        Guard.NotNull(encoder, nameof(encoder)); Guard.NotNull(decoder, nameof(decoder));
        CheckSizes(sourceEmbedding, targetEmbedding, (encoder.InputSize, encoder.HiddenSize),
            encoderBackward is null ? null : (encoderBackward.InputSize, encoderBackward.HiddenSize),
            (decoder.InputSize, decoder.HiddenSize), Wy, by);
        Cell = Seq2SeqCell.Lstm;
        SourceEmbedding = sourceEmbedding; TargetEmbedding = targetEmbedding;
        lstmEncoder = encoder; EncoderBackward = encoderBackward; lstmDecoder = decoder;
        this.Wy = Wy; this.by = by;
        Items = BuildItems(encoder, encoderBackward, decoder);
    }

    /// <summary>Wraps existing GRU parameters (not copied) after checking that the sizes fit together.</summary>
    public EncoderDecoderParameters(Embedding sourceEmbedding, Embedding targetEmbedding, GruParameters encoder,
        GruParameters? encoderBackward, GruParameters decoder, Matrix<double> Wy, Matrix<double> by)
    {
        Guard.NotNull(encoder, nameof(encoder)); Guard.NotNull(decoder, nameof(decoder));
        CheckSizes(sourceEmbedding, targetEmbedding, (encoder.InputSize, encoder.HiddenSize),
            encoderBackward is null ? null : (encoderBackward.InputSize, encoderBackward.HiddenSize),
            (decoder.InputSize, decoder.HiddenSize), Wy, by);
        Cell = Seq2SeqCell.Gru;
        SourceEmbedding = sourceEmbedding; TargetEmbedding = targetEmbedding;
        GruEncoder = encoder; GruEncoderBackward = encoderBackward; GruDecoder = decoder;
        this.Wy = Wy; this.by = by;
        Items = BuildItems(encoder, encoderBackward, decoder);
    }

    // The same size rules for both cells: the encoder reads n_e, the decoder's n_s is the encoder's final state size.
    private static void CheckSizes(Embedding sourceEmbedding, Embedding targetEmbedding, (int InputSize, int HiddenSize) encoder,
        (int InputSize, int HiddenSize)? encoderBackward, (int InputSize, int HiddenSize) decoder, Matrix<double> Wy, Matrix<double> by)
    {
        Guard.NotNull(sourceEmbedding, nameof(sourceEmbedding)); Guard.NotNull(targetEmbedding, nameof(targetEmbedding));
        if (encoder.InputSize != sourceEmbedding.EmbeddingSize)
            throw new ArgumentException($"encoder must read n_e = {sourceEmbedding.EmbeddingSize} inputs (the source embedding size) but reads {encoder.InputSize}.", nameof(encoder));
        if (encoderBackward is { } eb &&
            (eb.InputSize != encoder.InputSize || eb.HiddenSize != encoder.HiddenSize))
            throw new ArgumentException(
                $"encoderBackward must have n_x = {encoder.InputSize}, n_a = {encoder.HiddenSize} like encoder but has n_x = {eb.InputSize}, n_a = {eb.HiddenSize}.",
                nameof(encoderBackward));
        int ns = encoder.HiddenSize * (encoderBackward is null ? 1 : 2);
        if (decoder.HiddenSize != ns)
            throw new ArgumentException($"decoder must have n_s = {ns} (the encoder's final state size) but has {decoder.HiddenSize}.", nameof(decoder));
        if (decoder.InputSize != targetEmbedding.EmbeddingSize)
            throw new ArgumentException($"decoder must read n_e = {targetEmbedding.EmbeddingSize} inputs (the target embedding size) but reads {decoder.InputSize}.", nameof(decoder));
        Guard.Shape(Wy, targetEmbedding.VocabularySize, ns, nameof(Wy));
        Guard.Shape(by, targetEmbedding.VocabularySize, 1, nameof(by));
    }

    private IReadOnlyList<NamedMatrix> BuildItems(IParameterSet encoder, IParameterSet? encoderBackward, IParameterSet decoder)
    {
        var parts = new List<(string, IParameterSet)> { ("", SourceEmbedding.Rename("Ex")), ("", TargetEmbedding.Rename("Ey")), ("enc.fwd.", encoder) };
        if (encoderBackward is not null) parts.Add(("enc.bwd.", encoderBackward));
        parts.Add(("dec.", decoder));
        parts.Add(("", ParameterSet.Of(new NamedMatrix("Wy", Wy), new NamedMatrix("by", by))));
        return ParameterSet.Concat(parts.ToArray()).Items;
    }

    /// <summary>
    /// Fresh parameters: embeddings ~ N(0, 0.1²), LSTMs as <see cref="LstmParameters.Create"/> (Xavier, b_f = 1) or
    /// lecture GRUs as <see cref="GruParameters.Create"/> (Xavier, b_u = 0), W_y Xavier, b_y = 0, all drawn from <paramref name="rng"/>.
    /// </summary>
    public static EncoderDecoderParameters Create(int sourceVocabulary, int targetVocabulary, int embeddingSize, int hiddenSize,
        Random rng, bool bidirectional = false, Seq2SeqCell cell = Seq2SeqCell.Lstm)
    {
        Guard.Positive(sourceVocabulary, nameof(sourceVocabulary)); Guard.Positive(targetVocabulary, nameof(targetVocabulary));
        Guard.Positive(embeddingSize, nameof(embeddingSize)); Guard.Positive(hiddenSize, nameof(hiddenSize));
        Guard.NotNull(rng, nameof(rng));
        CheckCell(cell);
        int ns = bidirectional ? 2 * hiddenSize : hiddenSize;
        var ex = Embedding.Create(sourceVocabulary, embeddingSize, rng);
        var ey = Embedding.Create(targetVocabulary, embeddingSize, rng);
        if (cell == Seq2SeqCell.Gru)
        {
            var gEnc = GruParameters.Create(embeddingSize, hiddenSize, rng);
            var gEncB = bidirectional ? GruParameters.Create(embeddingSize, hiddenSize, rng) : null;
            var gDec = GruParameters.Create(embeddingSize, ns, rng);
            return new EncoderDecoderParameters(ex, ey, gEnc, gEncB, gDec, Init.Xavier(targetVocabulary, ns, rng), Init.Zeros(targetVocabulary, 1));
        }
        var enc = LstmParameters.Create(embeddingSize, hiddenSize, rng);
        var encB = bidirectional ? LstmParameters.Create(embeddingSize, hiddenSize, rng) : null;
        var dec = LstmParameters.Create(embeddingSize, ns, rng);
        return new EncoderDecoderParameters(ex, ey, enc, encB, dec, Init.Xavier(targetVocabulary, ns, rng), Init.Zeros(targetVocabulary, 1));
    }

    /// <summary>Every entry drawn from N(0, std²) (biases too): for gradient checks, where zero biases would hide mistakes.</summary>
    public static EncoderDecoderParameters Normal(int sourceVocabulary, int targetVocabulary, int embeddingSize, int hiddenSize,
        double std, Random rng, bool bidirectional = false, Seq2SeqCell cell = Seq2SeqCell.Lstm)
    {
        Guard.NotNull(rng, nameof(rng));
        CheckCell(cell);
        int ns = bidirectional ? 2 * hiddenSize : hiddenSize;
        var ex = new Embedding(Init.Normal(embeddingSize, sourceVocabulary, std, rng));
        var ey = new Embedding(Init.Normal(embeddingSize, targetVocabulary, std, rng));
        if (cell == Seq2SeqCell.Gru)
        {
            var gEnc = GruParameters.Normal(embeddingSize, hiddenSize, std, rng);
            var gEncB = bidirectional ? GruParameters.Normal(embeddingSize, hiddenSize, std, rng) : null;
            var gDec = GruParameters.Normal(embeddingSize, ns, std, rng);
            return new EncoderDecoderParameters(ex, ey, gEnc, gEncB, gDec, Init.Normal(targetVocabulary, ns, std, rng), Init.Normal(targetVocabulary, 1, std, rng));
        }
        var enc = LstmParameters.Normal(embeddingSize, hiddenSize, std, rng);
        var encB = bidirectional ? LstmParameters.Normal(embeddingSize, hiddenSize, std, rng) : null;
        var dec = LstmParameters.Normal(embeddingSize, ns, std, rng);
        return new EncoderDecoderParameters(ex, ey, enc, encB, dec, Init.Normal(targetVocabulary, ns, std, rng), Init.Normal(targetVocabulary, 1, std, rng));
    }

    private static void CheckCell(Seq2SeqCell cell)
    {
        if (!Enum.IsDefined(cell))
            throw new ArgumentException($"cell must be Lstm or Gru but is {(int)cell}.", nameof(cell));
    }

    private readonly LstmParameters? lstmEncoder, lstmDecoder;

    /// <summary>Which cell the encoder and decoder use.</summary>
    public Seq2SeqCell Cell { get; }

    /// <summary>E_x (n_e, n_vx).</summary>
    public Embedding SourceEmbedding { get; }
    /// <summary>E_y (n_e, n_vy); the decoder reads the embedding of y⟨t−1⟩.</summary>
    public Embedding TargetEmbedding { get; }
    /// <summary>The (left-to-right) encoder LSTM, n_e → n_a. Throws for a GRU model (use <see cref="GruEncoder"/>).</summary>
    public LstmParameters Encoder => lstmEncoder ?? throw NotLstm(nameof(Encoder), nameof(GruEncoder));
    /// <summary>The right-to-left encoder LSTM, or null for a unidirectional encoder or a GRU model.</summary>
    public LstmParameters? EncoderBackward { get; }
    /// <summary>The decoder LSTM, n_e → n_s. Throws for a GRU model (use <see cref="GruDecoder"/>).</summary>
    public LstmParameters Decoder => lstmDecoder ?? throw NotLstm(nameof(Decoder), nameof(GruDecoder));

    /// <summary>The (left-to-right) encoder GRU, n_e → n_a, or null for an LSTM model.</summary>
    public GruParameters? GruEncoder { get; }
    /// <summary>The right-to-left encoder GRU, or null for a unidirectional encoder or an LSTM model.</summary>
    public GruParameters? GruEncoderBackward { get; }
    /// <summary>The decoder GRU, n_e → n_s, or null for an LSTM model.</summary>
    public GruParameters? GruDecoder { get; }

    private static InvalidOperationException NotLstm(string property, string gruProperty) =>
        new($"{property} exists only for Seq2SeqCell.Lstm but this model uses GRU cells; use {gruProperty}.");
    /// <summary>W_y (n_vy, n_s).</summary>
    public Matrix<double> Wy { get; }
    /// <summary>b_y (n_vy, 1).</summary>
    public Matrix<double> by { get; }

    /// <summary>True when the encoder is bidirectional.</summary>
    public bool Bidirectional => EncoderBackward is not null || GruEncoderBackward is not null;
    /// <summary>n_vx.</summary>
    public int SourceVocabularySize => SourceEmbedding.VocabularySize;
    /// <summary>n_vy.</summary>
    public int TargetVocabularySize => TargetEmbedding.VocabularySize;
    /// <summary>n_a (per direction).</summary>
    public int EncoderSize => lstmEncoder?.HiddenSize ?? GruEncoder!.HiddenSize;
    /// <summary>n_s.</summary>
    public int DecoderSize => lstmDecoder?.HiddenSize ?? GruDecoder!.HiddenSize;

    /// <inheritdoc />
    public IReadOnlyList<NamedMatrix> Items { get; }
}

/// <summary>
/// Gradients of <see cref="EncoderDecoderParameters"/>: same order and shapes, names dEx, dEy, enc.fwd.dWf, …, dWy, dby
/// (enc.fwd.dWu, … for a GRU model, whose gradients are in <see cref="GruEncoder"/>, <see cref="GruEncoderBackward"/>, <see cref="GruDecoder"/>).
/// </summary>
public sealed class EncoderDecoderGradients : IParameterSet
{
    internal EncoderDecoderGradients(Matrix<double> dEx, Matrix<double> dEy, LstmGradients encoder, LstmGradients? encoderBackward,
        LstmGradients decoder, Matrix<double> dWy, Matrix<double> dby)
    {
        this.dEx = dEx; this.dEy = dEy; lstmEncoder = encoder; EncoderBackward = encoderBackward; lstmDecoder = decoder; this.dWy = dWy; this.dby = dby;
        Items = BuildItems(encoder, encoderBackward, decoder);
    }

    internal EncoderDecoderGradients(Matrix<double> dEx, Matrix<double> dEy, GruGradients encoder, GruGradients? encoderBackward,
        GruGradients decoder, Matrix<double> dWy, Matrix<double> dby)
    {
        this.dEx = dEx; this.dEy = dEy; GruEncoder = encoder; GruEncoderBackward = encoderBackward; GruDecoder = decoder; this.dWy = dWy; this.dby = dby;
        Items = BuildItems(encoder, encoderBackward, decoder);
    }

    private IReadOnlyList<NamedMatrix> BuildItems(IParameterSet encoder, IParameterSet? encoderBackward, IParameterSet decoder)
    {
        var parts = new List<(string, IParameterSet)> { ("", ParameterSet.Of(new NamedMatrix("dEx", dEx), new NamedMatrix("dEy", dEy))), ("enc.fwd.", encoder) };
        if (encoderBackward is not null) parts.Add(("enc.bwd.", encoderBackward));
        parts.Add(("dec.", decoder));
        parts.Add(("", ParameterSet.Of(new NamedMatrix("dWy", dWy), new NamedMatrix("dby", dby))));
        return ParameterSet.Concat(parts.ToArray()).Items;
    }

    private readonly LstmGradients? lstmEncoder, lstmDecoder;

    /// <summary>∂J/∂E_x.</summary>
    public Matrix<double> dEx { get; }
    /// <summary>∂J/∂E_y.</summary>
    public Matrix<double> dEy { get; }
    /// <summary>Gradients of the encoder LSTM. Throws for a GRU model (use <see cref="GruEncoder"/>).</summary>
    public LstmGradients Encoder => lstmEncoder ?? throw new InvalidOperationException("Encoder exists only for Seq2SeqCell.Lstm but this model uses GRU cells; use GruEncoder.");
    /// <summary>Gradients of the right-to-left encoder LSTM, or null.</summary>
    public LstmGradients? EncoderBackward { get; }
    /// <summary>Gradients of the decoder LSTM. Throws for a GRU model (use <see cref="GruDecoder"/>).</summary>
    public LstmGradients Decoder => lstmDecoder ?? throw new InvalidOperationException("Decoder exists only for Seq2SeqCell.Lstm but this model uses GRU cells; use GruDecoder.");
    /// <summary>Gradients of the encoder GRU, or null for an LSTM model.</summary>
    public GruGradients? GruEncoder { get; }
    /// <summary>Gradients of the right-to-left encoder GRU, or null.</summary>
    public GruGradients? GruEncoderBackward { get; }
    /// <summary>Gradients of the decoder GRU, or null for an LSTM model.</summary>
    public GruGradients? GruDecoder { get; }
    /// <summary>∂J/∂W_y.</summary>
    public Matrix<double> dWy { get; }
    /// <summary>∂J/∂b_y.</summary>
    public Matrix<double> dby { get; }

    /// <inheritdoc />
    public IReadOnlyList<NamedMatrix> Items { get; }
}

internal static class EmbeddingNames
{
    /// <summary>The embedding's E under another name (E_x, E_y), same matrix.</summary>
    public static IParameterSet Rename(this Embedding e, string name) => ParameterSet.Of(new NamedMatrix(name, e.E));
}
