using MathNet.Numerics.LinearAlgebra;

namespace SeqCourse.Bench.Workloads;

/// <summary>
/// CTC loss + gradient with respect to the logits for a batch (N=32, T=100, C=30, L=20), float64, through
/// <see cref="Ctc.CtcSequenceBatch"/>, in ms/step; peer: <c>torch.nn.functional.ctc_loss</c> (log-softmax included
/// there, as the library's CTC works on logits). Target (issue 8): time ≤ 0.3× PyTorch's.
/// </summary>
public sealed class CtcWorkload : IBenchWorkload
{
    /// <inheritdoc />
    public string Id => "ctc";

    /// <inheritdoc />
    public BenchResult Run(BenchContext context)
    {
        const int N = 32, T = 100, C = 30, L = 20;
        int reps = context.Quick ? 3 : 20;
        var rng = new Random(0);
        var zy = new Matrix<double>[T];
        for (int t = 0; t < T; t++) zy[t] = Matrix<double>.Build.Dense(C, N, (_, _) => BenchData.Normal(rng));
        var targets = new int[N][];
        for (int i = 0; i < N; i++)
        {
            targets[i] = new int[L];
            for (int l = 0; l < L; l++) targets[i][l] = rng.Next(1, C);
        }
        var lengths = Enumerable.Repeat(T, N).ToArray();
        double ours = BenchData.SecondsPerStep(() => Ctc.CtcSequenceBatch(zy, lengths, targets), reps) * 1e3;
        // Bytes allocated by one call on all threads (the result's T gradient matrices of C × N are 768 KB of it).
        long before = GC.GetTotalAllocatedBytes(precise: true);
        Ctc.CtcSequenceBatch(zy, lengths, targets);
        long allocated = GC.GetTotalAllocatedBytes(precise: true) - before;

        var peer = context.Quick ? new PeerRunner.PeerOutcome(null, "not run with --quick")
            : context.Peers.Run("ctc_torch.py", $"{N} {T} {C} {L} {reps}", "ms/step", false, TimeSpan.FromSeconds(120));
        bool? met = peer.Value is double pv ? ours <= 0.3 * pv : null;
        return new BenchResult(Id, "ms/step", false, ours, peer.Value, "PyTorch", "≤ 0.3× PyTorch", met,
            $"N={N} T={T} C={C} L={L}, mean of {reps}; {allocated / 1024.0:F0} KB allocated per call ({T * C * N * 8 / 1024} KB of it the returned gradients); peer {peer.Note}");
    }
}
