namespace SeqCourse;

/// <summary>
/// Parameter counts of one recurrent layer (syllabus 1.11 table). Each gate or candidate is one W (n_a, n_a + n_x)
/// plus one b (n_a, 1): n_a(n_a + n_x) + n_a. For n_x = 3, n_a = 5: RNN 45, GRU 135, LSTM 180, peephole LSTM 195;
/// PyTorch, with separate input and hidden biases: GRU 150, LSTM 200.
/// </summary>
public static class ParameterCounts
{
    /// <summary>One gated block: n_a(n_a + n_x) + n_a.</summary>
    public static int Block(int nx, int na)
    {
        Guard.Positive(nx, nameof(nx)); Guard.Positive(na, nameof(na));
        return na * (na + nx) + na;
    }

    /// <summary>Vanilla RNN: W_aa, W_ax, b_a.</summary>
    public static int Rnn(int nx, int na) => Block(nx, na);

    /// <summary>GRU of the given variant: Simplified 2 blocks, Lecture 3, ResetAfter 3 + b_hn.</summary>
    public static int Gru(int nx, int na, GruVariant variant = GruVariant.Lecture) => variant switch
    {
        GruVariant.Simplified => 2 * Block(nx, na),
        GruVariant.Lecture => 3 * Block(nx, na),
        GruVariant.ResetAfter => 3 * Block(nx, na) + na,
        _ => throw new ArgumentException($"variant must be Lecture, Simplified or ResetAfter but is {(int)variant}.", nameof(variant)),
    };

    /// <summary>LSTM: 4 blocks, plus 3n_a with peepholes.</summary>
    public static int Lstm(int nx, int na, bool peepholes = false) => 4 * Block(nx, na) + (peepholes ? 3 * na : 0);

    /// <summary>PyTorch's <c>nn.GRU</c>: 3 gates × (W_i, W_h, b_i, b_h).</summary>
    public static int TorchGru(int nx, int na) => 3 * (Block(nx, na) + na);

    /// <summary>PyTorch's <c>nn.LSTM</c>: 4 gates × (W_i, W_h, b_i, b_h).</summary>
    public static int TorchLstm(int nx, int na) => 4 * (Block(nx, na) + na);

    /// <summary>A bidirectional layer: both directions.</summary>
    public static int Bidirectional(int perDirection) => 2 * perDirection;
}
