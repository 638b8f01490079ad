using MathNet.Numerics.LinearAlgebra;

namespace SeqCourse;

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
/// </summary>
public sealed class EncoderDecoderParameters : IParameterSet
{
    /// <summary>Wraps existing parameters (not copied) after checking that the sizes fit together.</summary>
    public EncoderDecoderParameters(Embedding sourceEmbedding, Embedding targetEmbedding, LstmParameters encoder,
        LstmParameters? encoderBackward, LstmParameters decoder, Matrix<double> Wy, Matrix<double> by)
    {
        Guard.NotNull(sourceEmbedding, nameof(sourceEmbedding)); Guard.NotNull(targetEmbedding, nameof(targetEmbedding));
        Guard.NotNull(encoder, nameof(encoder)); Guard.NotNull(decoder, nameof(decoder));
        if (encoder.InputSize != sourceEmbedding.EmbeddingSize)
            throw new ArgumentException($"encoder must read n_e = {sourceEmbedding.EmbeddingSize} inputs (the source embedding size) but reads {encoder.InputSize}.", nameof(encoder));
        if (encoderBackward is not null &&
            (encoderBackward.InputSize != encoder.InputSize || encoderBackward.HiddenSize != encoder.HiddenSize))
            throw new ArgumentException(
                $"encoderBackward must have n_x = {encoder.InputSize}, n_a = {encoder.HiddenSize} like encoder but has n_x = {encoderBackward.InputSize}, n_a = {encoderBackward.HiddenSize}.",
                nameof(encoderBackward));
        int ns = encoder.HiddenSize * (encoderBackward is null ? 1 : 2);
        if (decoder.HiddenSize != ns)
            throw new ArgumentException($"decoder must have n_s = {ns} (the encoder's final state size) but has {decoder.HiddenSize}.", nameof(decoder));
        if (decoder.InputSize != targetEmbedding.EmbeddingSize)
            throw new ArgumentException($"decoder must read n_e = {targetEmbedding.EmbeddingSize} inputs (the target embedding size) but reads {decoder.InputSize}.", nameof(decoder));
        Guard.Shape(Wy, targetEmbedding.VocabularySize, ns, nameof(Wy));
        Guard.Shape(by, targetEmbedding.VocabularySize, 1, nameof(by));
        SourceEmbedding = sourceEmbedding; TargetEmbedding = targetEmbedding;
        Encoder = encoder; EncoderBackward = encoderBackward; Decoder = decoder;
        this.Wy = Wy; this.by = by;
        var parts = new List<(string, IParameterSet)> { ("", sourceEmbedding.Rename("Ex")), ("", targetEmbedding.Rename("Ey")), ("enc.fwd.", encoder) };
        if (encoderBackward is not null) parts.Add(("enc.bwd.", encoderBackward));
        parts.Add(("dec.", decoder));
        parts.Add(("", ParameterSet.Of(new NamedMatrix("Wy", Wy), new NamedMatrix("by", by))));
        Items = ParameterSet.Concat(parts.ToArray()).Items;
    }

    /// <summary>
    /// Fresh parameters: embeddings ~ N(0, 0.1²), LSTMs as <see cref="LstmParameters.Create"/> (Xavier, b_f = 1),
    /// W_y Xavier, b_y = 0, all drawn from <paramref name="rng"/>.
    /// </summary>
    public static EncoderDecoderParameters Create(int sourceVocabulary, int targetVocabulary, int embeddingSize, int hiddenSize,
        Random rng, bool bidirectional = false)
    {
        Guard.Positive(sourceVocabulary, nameof(sourceVocabulary)); Guard.Positive(targetVocabulary, nameof(targetVocabulary));
        Guard.Positive(embeddingSize, nameof(embeddingSize)); Guard.Positive(hiddenSize, nameof(hiddenSize));
        Guard.NotNull(rng, nameof(rng));
        int ns = bidirectional ? 2 * hiddenSize : hiddenSize;
        var ex = Embedding.Create(sourceVocabulary, embeddingSize, rng);
        var ey = Embedding.Create(targetVocabulary, embeddingSize, rng);
        var enc = LstmParameters.Create(embeddingSize, hiddenSize, rng);
        var encB = bidirectional ? LstmParameters.Create(embeddingSize, hiddenSize, rng) : null;
        var dec = LstmParameters.Create(embeddingSize, ns, rng);
        return new EncoderDecoderParameters(ex, ey, enc, encB, dec, Init.Xavier(targetVocabulary, ns, rng), Init.Zeros(targetVocabulary, 1));
    }

    /// <summary>Every entry drawn from N(0, std²) (biases too): for gradient checks, where zero biases would hide mistakes.</summary>
    public static EncoderDecoderParameters Normal(int sourceVocabulary, int targetVocabulary, int embeddingSize, int hiddenSize,
        double std, Random rng, bool bidirectional = false)
    {
        Guard.NotNull(rng, nameof(rng));
        int ns = bidirectional ? 2 * hiddenSize : hiddenSize;
        var ex = new Embedding(Init.Normal(embeddingSize, sourceVocabulary, std, rng));
        var ey = new Embedding(Init.Normal(embeddingSize, targetVocabulary, std, rng));
        var enc = LstmParameters.Normal(embeddingSize, hiddenSize, std, rng);
        var encB = bidirectional ? LstmParameters.Normal(embeddingSize, hiddenSize, std, rng) : null;
        var dec = LstmParameters.Normal(embeddingSize, ns, std, rng);
        return new EncoderDecoderParameters(ex, ey, enc, encB, dec, Init.Normal(targetVocabulary, ns, std, rng), Init.Normal(targetVocabulary, 1, std, rng));
    }

    /// <summary>E_x (n_e, n_vx).</summary>
    public Embedding SourceEmbedding { get; }
    /// <summary>E_y (n_e, n_vy); the decoder reads the embedding of y⟨t−1⟩.</summary>
    public Embedding TargetEmbedding { get; }
    /// <summary>The (left-to-right) encoder LSTM, n_e → n_a.</summary>
    public LstmParameters Encoder { get; }
    /// <summary>The right-to-left encoder LSTM, or null for a unidirectional encoder.</summary>
    public LstmParameters? EncoderBackward { get; }
    /// <summary>The decoder LSTM, n_e → n_s.</summary>
    public LstmParameters Decoder { get; }
    /// <summary>W_y (n_vy, n_s).</summary>
    public Matrix<double> Wy { get; }
    /// <summary>b_y (n_vy, 1).</summary>
    public Matrix<double> by { get; }

    /// <summary>True when the encoder is bidirectional.</summary>
    public bool Bidirectional => EncoderBackward is not null;
    /// <summary>n_vx.</summary>
    public int SourceVocabularySize => SourceEmbedding.VocabularySize;
    /// <summary>n_vy.</summary>
    public int TargetVocabularySize => TargetEmbedding.VocabularySize;
    /// <summary>n_a (per direction).</summary>
    public int EncoderSize => Encoder.HiddenSize;
    /// <summary>n_s.</summary>
    public int DecoderSize => Decoder.HiddenSize;

    /// <inheritdoc />
    public IReadOnlyList<NamedMatrix> Items { get; }
}

/// <summary>Gradients of <see cref="EncoderDecoderParameters"/>: same order and shapes, names dEx, dEy, enc.fwd.dWf, …, dWy, dby.</summary>
public sealed class EncoderDecoderGradients : IParameterSet
{
    internal EncoderDecoderGradients(Matrix<double> dEx, Matrix<double> dEy, LstmGradients encoder, LstmGradients? encoderBackward,
        LstmGradients decoder, Matrix<double> dWy, Matrix<double> dby)
    {
        this.dEx = dEx; this.dEy = dEy; Encoder = encoder; EncoderBackward = encoderBackward; Decoder = decoder; this.dWy = dWy; this.dby = dby;
        var parts = new List<(string, IParameterSet)> { ("", ParameterSet.Of(new NamedMatrix("dEx", dEx), new NamedMatrix("dEy", dEy))), ("enc.fwd.", encoder) };
        if (encoderBackward is not null) parts.Add(("enc.bwd.", encoderBackward));
        parts.Add(("dec.", decoder));
        parts.Add(("", ParameterSet.Of(new NamedMatrix("dWy", dWy), new NamedMatrix("dby", dby))));
        Items = ParameterSet.Concat(parts.ToArray()).Items;
    }

    /// <summary>∂J/∂E_x.</summary>
    public Matrix<double> dEx { get; }
    /// <summary>∂J/∂E_y.</summary>
    public Matrix<double> dEy { get; }
    /// <summary>Gradients of the encoder LSTM.</summary>
    public LstmGradients Encoder { get; }
    /// <summary>Gradients of the right-to-left encoder LSTM, or null.</summary>
    public LstmGradients? EncoderBackward { get; }
    /// <summary>Gradients of the decoder LSTM.</summary>
    public LstmGradients Decoder { get; }
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
