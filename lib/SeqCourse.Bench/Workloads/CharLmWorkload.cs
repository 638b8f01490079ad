using MathNet.Numerics.LinearAlgebra;

namespace SeqCourse.Bench.Workloads;

/// <summary>
/// Char-level LM training (vanilla RNN, H = 50, V = 27, batch 1, SGD lr 0.01 + clip 5), through the library's
/// <see cref="CharLanguageModel.TrainStep"/>, in steps/s; peer: the numpy min-char-rnn-style script.
/// Target (issue 8): ≥ 40× the numpy peer.
/// </summary>
public sealed class CharLmWorkload : IBenchWorkload
{
    /// <inheritdoc />
    public string Id => "charlm";

    /// <inheritdoc />
    public BenchResult Run(BenchContext context)
    {
        // Our step takes ~10 µs, so one window of 3,000 steps (the peer's count) lasts ~30 ms and a single burst of load on
        // a shared machine halves it; time 5 windows of 20,000 steps and keep the best, as the peers keep their better run.
        int steps = context.Quick ? 300 : 20_000;
        int windows = context.Quick ? 1 : 5;
        var names = BenchData.Names(2000, seed: 0);
        var vocabulary = Vocabulary.Characters(names);
        var model = new CharLanguageModel(vocabulary, 50, new Random(0));
        var encoded = names.Select(model.Encode).ToArray();
        var optimizer = new Sgd(0.01);
        int j = 0;
        var rates = new List<double>();
        for (int w = 0; w < windows; w++)
        {
            rates.Add(1.0 / BenchData.SecondsPerStep(() => model.TrainStep(encoded[j++ % encoded.Length], optimizer, 5.0), steps));
        }
        rates.Sort();
        double ours = rates[^1];
        double median = rates[rates.Count / 2];
        // Managed allocation per warmed-up step (0 for the fused path), over 200 more steps.
        long allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
        for (int r = 0; r < 200; r++) model.TrainStep(encoded[j++ % encoded.Length], optimizer, 5.0);
        double allocatedPerStep = (GC.GetAllocatedBytesForCurrentThread() - allocatedBefore) / 200.0;

        var numpy = context.Quick ? new PeerRunner.PeerOutcome(null, "not run with --quick")
            : context.Peers.Run("charlm_numpy.py", "3000", "steps/s", true, TimeSpan.FromSeconds(120));
        var torch = context.Quick ? new PeerRunner.PeerOutcome(null, "not run with --quick")
            : context.Peers.Run("charlm_torch.py", "1000", "steps/s", true, TimeSpan.FromSeconds(120));
        bool? met = numpy.Value is double p ? ours >= 40 * p : null;
        return new BenchResult(Id, "steps/s", true, ours, numpy.Value, "numpy", "≥ 40× numpy", met,
            $"V={vocabulary.Count}, H=50, best of {windows} windows of {steps} steps of CharLanguageModel.TrainStep (median {median:F0} steps/s; {allocatedPerStep:F0} B allocated per step); numpy {numpy.Note}; " +
            $"PyTorch eager: {(torch.Value is double t ? $"{t:F0} steps/s (ours {ours / t:F1}×)" : torch.Note)}");
    }
}
