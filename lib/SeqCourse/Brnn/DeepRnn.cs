namespace SeqCourse;

/// <summary>
/// Builders for deep (syllabus 1.11, §3.4) and bidirectional (§3.3) stacks of any cell: layer l reads the
/// hidden states of layer l − 1 (a^[0] = x). The result is a <see cref="StackedLayers"/>.
/// </summary>
public static class DeepRnn
{
    /// <summary>
    /// L layers made by <paramref name="makeLayer"/>(n_in, rng), where n_in is n_x for the first layer and the
    /// previous layer's HiddenSize after that. Example: <c>DeepRnn.Build(3, 2, (nIn, r) =&gt; new GruLayer(nIn, 16, r), rng)</c>.
    /// </summary>
    public static StackedLayers Build(int nx, int depth, Func<int, Random, IRecurrentLayer> makeLayer, Random rng)
    {
        Guard.Positive(nx, nameof(nx)); Guard.Positive(depth, nameof(depth));
        Guard.NotNull(makeLayer, nameof(makeLayer)); Guard.NotNull(rng, nameof(rng));
        var layers = new IRecurrentLayer[depth];
        int nIn = nx;
        for (int l = 0; l < depth; l++)
        {
            layers[l] = makeLayer(nIn, rng);
            nIn = layers[l].HiddenSize;
        }
        return new StackedLayers(layers);
    }

    /// <summary>L GRU layers of n_a units each.</summary>
    public static StackedLayers Gru(int nx, int na, int depth, Random rng, GruVariant variant = GruVariant.Lecture) =>
        Build(nx, depth, (nIn, r) => new GruLayer(nIn, na, r, variant), rng);

    /// <summary>L LSTM layers of n_a units each.</summary>
    public static StackedLayers Lstm(int nx, int na, int depth, Random rng, bool peepholes = false) =>
        Build(nx, depth, (nIn, r) => new LstmLayer(nIn, na, r, peepholes), rng);

    /// <summary>
    /// L bidirectional layers; each direction made by <paramref name="makeDirection"/>(n_in, rng), so layer l ≥ 2
    /// reads the 2n_a features [a→; a←] of the layer below.
    /// </summary>
    public static StackedLayers Bidirectional(int nx, int depth, Func<int, Random, IRecurrentLayer> makeDirection, Random rng)
    {
        Guard.NotNull(makeDirection, nameof(makeDirection));
        return Build(nx, depth, (nIn, r) => new BidirectionalLayer(makeDirection(nIn, r), makeDirection(nIn, r)), rng);
    }
}
