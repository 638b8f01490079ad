using MathNet.Numerics.LinearAlgebra;

namespace SeqCourse;

/// <summary>
/// A deep RNN (syllabus 1.11, §3.4): L recurrent layers of any kind, a^[l]⟨t⟩ computed from a^[l]⟨t−1⟩ and
/// a^[l−1]⟨t⟩ with a^[0] = x. Each layer runs over the whole sequence before the next one starts, which gives
/// the same numbers as the step-by-step grid of the lecture. The output is the top layer's a^[L]⟨t⟩.
/// </summary>
public sealed class StackedLayers : IRecurrentLayer
{
    /// <summary>The layers, bottom (l = 1) first.</summary>
    public IReadOnlyList<IRecurrentLayer> Layers { get; }

    /// <summary>Stacks the layers; layer l + 1 must read n_a of layer l.</summary>
    public StackedLayers(params IRecurrentLayer[] layers)
    {
        Guard.NotNull(layers, nameof(layers));
        if (layers.Length == 0) throw new ArgumentException("layers must contain at least one layer but is empty.", nameof(layers));
        for (int l = 0; l < layers.Length; l++)
        {
            Guard.NotNull(layers[l], $"layers[{l}]");
            if (l > 0 && layers[l].InputSize != layers[l - 1].HiddenSize)
                throw new ArgumentException(
                    $"layers[{l}] must have InputSize {layers[l - 1].HiddenSize} (the HiddenSize of layers[{l - 1}]) but has {layers[l].InputSize}.", nameof(layers));
            for (int k = 0; k < l; k++)
                if (ReferenceEquals(layers[k], layers[l]))
                    throw new ArgumentException($"layers[{l}] must be a different object from layers[{k}] (each layer has its own parameters).", nameof(layers));
        }
        Layers = layers.ToArray();
    }

    /// <summary>L, the number of layers.</summary>
    public int Depth => Layers.Count;
    /// <inheritdoc />
    public int InputSize => Layers[0].InputSize;
    /// <inheritdoc />
    public int HiddenSize => Layers[^1].HiddenSize;
    /// <summary>Every layer's parameters, prefixed "l1.", "l2.", … (bottom first).</summary>
    public IParameterSet Parameters => ParameterSet.Concat(Layers.Select((layer, l) => ($"l{l + 1}.", layer.Parameters)).ToArray());

    /// <inheritdoc />
    public RecurrentOutput Forward(IReadOnlyList<Matrix<double>> xs)
    {
        var outs = new RecurrentOutput[Layers.Count];
        IReadOnlyList<Matrix<double>> input = xs;          // a^[0] = x
        for (int l = 0; l < Layers.Count; l++)
        {
            outs[l] = Layers[l].Forward(input);
            input = outs[l].A;
        }
        return new RecurrentOutput(outs[^1].A, outs);
    }

    /// <summary>The hidden states of every layer from a <see cref="Forward"/> result: [l][t], bottom layer first.</summary>
    public static Matrix<double>[][] AllStates(RecurrentOutput forward)
    {
        Guard.NotNull(forward, nameof(forward));
        if (forward.Cache is not RecurrentOutput[] outs)
            throw new ArgumentException("forward must come from StackedLayers.Forward.", nameof(forward));
        return outs.Select(o => o.A).ToArray();
    }

    /// <inheritdoc />
    public RecurrentGradients Backward(IReadOnlyList<Matrix<double>?> dA, RecurrentOutput forward)
    {
        Guard.NotNull(forward, nameof(forward));
        if (forward.Cache is not RecurrentOutput[] outs || outs.Length != Layers.Count)
            throw new ArgumentException($"forward must come from this StackedLayers.Forward ({Layers.Count} layers).", nameof(forward));
        var grads = new (string, IParameterSet)[Layers.Count];
        IReadOnlyList<Matrix<double>?> d = dA;
        for (int l = Layers.Count - 1; l >= 0; l--)
        {
            var g = Layers[l].Backward(d, outs[l]);
            grads[l] = ($"l{l + 1}.", g.Grads);
            d = g.DX;                                      // ∂J/∂a^[l−1]⟨t⟩ for the layer below
        }
        return new RecurrentGradients((Matrix<double>[])d, ParameterSet.Concat(grads));
    }
}
