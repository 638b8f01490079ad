namespace SeqCourse.Bench;

/// <summary>What every workload gets: the mode, the peer runner, a log, and results measured so far.</summary>
public sealed class BenchContext
{
    /// <summary>Creates a context.</summary>
    public BenchContext(bool quick, PeerRunner peers, TextWriter log, BenchHost? host = null)
    {
        Host = host ?? BenchHost.None;
        Quick = quick;
        Peers = peers;
        Log = log;
    }

    /// <summary>Smoke-test mode: small sizes and few repetitions, the whole run well under 30 s.</summary>
    public bool Quick { get; }

    /// <summary>The course CLI around the bench, for the process-level rows (kernel start, notebooks, peak memory).</summary>
    public BenchHost Host { get; }

    /// <summary>Runs the Python peers.</summary>
    public PeerRunner Peers { get; }

    /// <summary>Progress messages (stderr by default, so stdout holds only the table).</summary>
    public TextWriter Log { get; }

    /// <summary>Rows measured so far in this run (the GEMM row reads the FMA peak from here).</summary>
    public List<BenchResult> Results { get; } = [];
}
