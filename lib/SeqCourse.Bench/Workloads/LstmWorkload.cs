using MathNet.Numerics.LinearAlgebra;

namespace SeqCourse.Bench.Workloads;

/// <summary>
/// One LSTM training step (forward over T steps, backward with ∂J/∂a⟨t⟩ = 1, i.e. J = Σ a as in the peer's
/// <c>y.sum().backward()</c>), float64, through <see cref="Lstm.Forward"/> / <see cref="Lstm.Backward"/>, in ms/step;
/// peer: <c>torch.nn.LSTM</c>. Target (issue 8): time ≤ 0.4× PyTorch's.
/// </summary>
public sealed class LstmWorkload(string id, int batch, int sequenceLength, int inputSize, int hiddenSize, int fullReps) : IBenchWorkload
{
    /// <summary>lstm_big: B=64 T=64 X=128 H=256.</summary>
    public static LstmWorkload Big() => new("lstm_big", 64, 64, 128, 256, 5);

    /// <summary>lstm_small: B=16 T=32 X=64 H=128.</summary>
    public static LstmWorkload Small() => new("lstm_small", 16, 32, 64, 128, 20);

    /// <inheritdoc />
    public string Id => id;

    /// <inheritdoc />
    public BenchResult Run(BenchContext context)
    {
        int reps = context.Quick ? Math.Max(1, fullReps / 5) : fullReps;
        int steps = context.Quick ? Math.Max(4, sequenceLength / 4) : sequenceLength; // --quick: a quarter of T
        var rng = new Random(0);
        var p = LstmParameters.Create(inputSize, hiddenSize, rng);
        var xs = new Matrix<double>[steps];
        var dA = new Matrix<double>?[steps];
        var ones = Matrix<double>.Build.Dense(hiddenSize, batch, 1.0);
        for (int t = 0; t < steps; t++)
        {
            xs[t] = Matrix<double>.Build.Dense(inputSize, batch, (_, _) => BenchData.Normal(rng));
            dA[t] = ones;
        }
        double seconds = BenchData.SecondsPerStep(() =>
        {
            var (_, _, caches) = Lstm.Forward(xs, p);
            Lstm.Backward(dA, caches);
        }, reps);
        double ours = seconds * 1e3;
        double flops = 3.0 * 2 * 4 * hiddenSize * (inputSize + hiddenSize) * batch * steps; // the peer's count

        string sizes = $"B={batch} T={steps} X={inputSize} H={hiddenSize}";
        var peer = context.Quick ? new PeerRunner.PeerOutcome(null, "not run with --quick")
            : context.Peers.Run("lstm_torch.py", $"{batch} {steps} {inputSize} {hiddenSize} {reps}", "ms/step", false, TimeSpan.FromSeconds(300));
        bool? met = peer.Value is double pv ? ours <= 0.4 * pv : null;
        return new BenchResult(Id, "ms/step", false, ours, peer.Value, "PyTorch", "≤ 0.4× PyTorch", met,
            $"{sizes}, mean of {reps}; {flops / seconds / 1e9:F1} GFLOP/s of gate GEMMs; peer {peer.Note}");
    }

    /// <summary>Runs <paramref name="reps"/> full-size training steps (the peak-memory probe's child).</summary>
    internal void RunSteps(int reps)
    {
        var rng = new Random(0);
        var p = LstmParameters.Create(inputSize, hiddenSize, rng);
        var xs = new Matrix<double>[sequenceLength];
        var dA = new Matrix<double>?[sequenceLength];
        var ones = Matrix<double>.Build.Dense(hiddenSize, batch, 1.0);
        for (int t = 0; t < sequenceLength; t++)
        {
            xs[t] = Matrix<double>.Build.Dense(inputSize, batch, (_, _) => BenchData.Normal(rng));
            dA[t] = ones;
        }
        for (int r = 0; r < reps; r++)
        {
            var (_, _, caches) = Lstm.Forward(xs, p);
            Lstm.Backward(dA, caches);
        }
    }
}
