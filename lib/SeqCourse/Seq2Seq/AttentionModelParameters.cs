using MathNet.Numerics.LinearAlgebra;

namespace SeqCourse;

/// <summary>
/// Parameters of the attention translator of syllabus §3.4/§3.9 (the date model):
/// a bidirectional LSTM encoder n_x → n_a per direction (annotations a⟨t′⟩ = [a→⟨t′⟩; a←⟨t′⟩], 2n_a rows),
/// additive attention W1 (n_h, n_s), W2 (n_h, 2n_a), v (n_h, 1), the decoder LSTM 2n_a → n_s (its input is ctx⟨t⟩ only)
/// and the softmax layer W_y (n_y, n_s), b_y (n_y, 1).
/// Order of <see cref="Items"/>: enc.fwd.*, enc.bwd.*, att.W1, att.W2, att.v, dec.*, Wy, by.
/// </summary>
public sealed class AttentionModelParameters : IParameterSet
{
    /// <summary>Wraps existing parameters (not copied) after checking that the sizes fit together.</summary>
    public AttentionModelParameters(LstmParameters encoderForward, LstmParameters encoderBackward, AttentionParameters attention,
        LstmParameters decoder, Matrix<double> Wy, Matrix<double> by)
    {
        Guard.NotNull(encoderForward, nameof(encoderForward)); Guard.NotNull(encoderBackward, nameof(encoderBackward));
        Guard.NotNull(attention, nameof(attention)); Guard.NotNull(decoder, nameof(decoder));
        if (encoderBackward.InputSize != encoderForward.InputSize || encoderBackward.HiddenSize != encoderForward.HiddenSize)
            throw new ArgumentException(
                $"encoderBackward must have n_x = {encoderForward.InputSize}, n_a = {encoderForward.HiddenSize} like encoderForward but has n_x = {encoderBackward.InputSize}, n_a = {encoderBackward.HiddenSize}.",
                nameof(encoderBackward));
        int nA2 = 2 * encoderForward.HiddenSize, ns = decoder.HiddenSize;
        var (_, attS, attA) = attention.Sizes;
        if (attS != ns || attA != nA2)
            throw new ArgumentException($"attention must have n_s = {ns}, 2n_a = {nA2} but has n_s = {attS}, 2n_a = {attA}.", nameof(attention));
        if (decoder.InputSize != nA2)
            throw new ArgumentException($"decoder must read the context ctx (2n_a = {nA2} rows) but reads {decoder.InputSize}.", nameof(decoder));
        Guard.NotNull(Wy, nameof(Wy));
        Guard.Shape(Wy, Wy.RowCount, ns, nameof(Wy));
        Guard.Shape(by, Wy.RowCount, 1, nameof(by));
        EncoderForward = encoderForward; EncoderBackward = encoderBackward; Attention = attention; Decoder = decoder;
        this.Wy = Wy; this.by = by;
        Items = ParameterSet.Concat(("enc.fwd.", encoderForward), ("enc.bwd.", encoderBackward), ("att.", attention), ("dec.", decoder),
            ("", ParameterSet.Of(new NamedMatrix("Wy", Wy), new NamedMatrix("by", by)))).Items;
    }

    /// <summary>
    /// Fresh parameters: LSTMs as <see cref="LstmParameters.Create"/> (Xavier, b_f = 1), attention Xavier, W_y Xavier, b_y = 0.
    /// The course's date model is n_x = 43, n_a = 32, n_s = 64, n_y = 11.
    /// </summary>
    public static AttentionModelParameters Create(int inputSize, int encoderSize, int decoderSize, int outputSize, Random rng, int attentionSize = 16)
    {
        Guard.Positive(inputSize, nameof(inputSize)); Guard.Positive(encoderSize, nameof(encoderSize));
        Guard.Positive(decoderSize, nameof(decoderSize)); Guard.Positive(outputSize, nameof(outputSize));
        Guard.Positive(attentionSize, nameof(attentionSize)); Guard.NotNull(rng, nameof(rng));
        return new AttentionModelParameters(
            LstmParameters.Create(inputSize, encoderSize, rng), LstmParameters.Create(inputSize, encoderSize, rng),
            AttentionParameters.Create(attentionSize, decoderSize, 2 * encoderSize, rng),
            LstmParameters.Create(2 * encoderSize, decoderSize, rng),
            Init.Xavier(outputSize, decoderSize, rng), Init.Zeros(outputSize, 1));
    }

    /// <summary>Every entry drawn from N(0, std²), biases included: for gradient checks.</summary>
    public static AttentionModelParameters Normal(int inputSize, int encoderSize, int decoderSize, int outputSize, int attentionSize,
        double std, Random rng)
    {
        Guard.NotNull(rng, nameof(rng));
        return new AttentionModelParameters(
            LstmParameters.Normal(inputSize, encoderSize, std, rng), LstmParameters.Normal(inputSize, encoderSize, std, rng),
            new AttentionParameters(Init.Normal(attentionSize, decoderSize, std, rng), Init.Normal(attentionSize, 2 * encoderSize, std, rng),
                Init.Normal(attentionSize, 1, std, rng)),
            LstmParameters.Normal(2 * encoderSize, decoderSize, std, rng),
            Init.Normal(outputSize, decoderSize, std, rng), Init.Normal(outputSize, 1, std, rng));
    }

    /// <summary>The left-to-right encoder LSTM.</summary>
    public LstmParameters EncoderForward { get; }
    /// <summary>The right-to-left encoder LSTM.</summary>
    public LstmParameters EncoderBackward { get; }
    /// <summary>The additive attention (W1, W2, v).</summary>
    public AttentionParameters Attention { get; }
    /// <summary>The decoder ("post-attention") LSTM, 2n_a → n_s.</summary>
    public LstmParameters Decoder { get; }
    /// <summary>W_y (n_y, n_s).</summary>
    public Matrix<double> Wy { get; }
    /// <summary>b_y (n_y, 1).</summary>
    public Matrix<double> by { get; }

    /// <summary>n_x, the input symbols (one-hot size).</summary>
    public int InputSize => EncoderForward.InputSize;
    /// <summary>n_y, the output symbols.</summary>
    public int OutputSize => Wy.RowCount;

    /// <inheritdoc />
    public IReadOnlyList<NamedMatrix> Items { get; }
}
