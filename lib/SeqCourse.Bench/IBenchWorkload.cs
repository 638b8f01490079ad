namespace SeqCourse.Bench;

/// <summary>One row of <c>course bench</c>: a workload measured in this process, optionally beside a peer.</summary>
public interface IBenchWorkload
{
    /// <summary>Identifier used in the table, the JSON and <c>--only</c> (e.g. <c>gemm</c>).</summary>
    string Id { get; }

    /// <summary>Runs our implementation (and the peer, if any) and returns the row.</summary>
    BenchResult Run(BenchContext context);
}

/// <summary>A measured row. <see cref="Ratio"/> is ours / peer in the row's unit.</summary>
/// <param name="Id">Workload id.</param>
/// <param name="Unit">Unit of <paramref name="Ours"/> and <paramref name="Peer"/> (GFLOP/s, ms/step, steps/s, s).</param>
/// <param name="HigherIsBetter">True for rates, false for times.</param>
/// <param name="Ours">Our figure, or null if it could not be measured.</param>
/// <param name="Peer">The peer's figure (best of its settings), or null if there is no peer or it was skipped.</param>
/// <param name="PeerName">Which peer, e.g. "PyTorch (OpenBLAS)".</param>
/// <param name="Target">The target from issue 8 in words, e.g. "≥ 1.0× peer".</param>
/// <param name="Met">Whether the target was met; null when it cannot be judged (peer skipped).</param>
/// <param name="Note">Anything a reader needs: sizes, settings, why the peer was skipped.</param>
public sealed record BenchResult(
    string Id, string Unit, bool HigherIsBetter, double? Ours, double? Peer, string PeerName,
    string Target, bool? Met, string Note)
{
    /// <summary>ours / peer (a speed-up for rates, a time fraction for times).</summary>
    public double? Ratio => Ours is double o && Peer is double p && p != 0 ? o / p : null;
}
