using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using SeqCourse.Bench.Workloads;
using SeqCourse.Numerics;

namespace SeqCourse.Bench;

/// <summary>
/// <c>course bench [--quick] [--json FILE] [--only ID,ID…]</c>: runs the workloads of
/// <c>shared/bench/README.md</c> and their peers in one invocation and prints workload | ours | peer | ratio.
/// </summary>
public static class BenchCommand
{
    /// <summary>All workloads, in table order. A new workload is one class implementing <see cref="IBenchWorkload"/>.</summary>
    public static IReadOnlyList<IBenchWorkload> Workloads { get; } =
    [
        new FmaPeakWorkload(),
        new GemmWorkload(),
        new GemmMathNetWorkload(),
        new CharLmWorkload(),
        LstmWorkload.Big(),
        LstmWorkload.Small(),
        new CtcWorkload(),
        new KernelColdStartWorkload(),
        new NotebooksTotalWorkload(),
        new LstmPeakRssWorkload(),
    ];

    /// <summary>Entry point for the CLI. Returns 0 on success, 2 on bad arguments.</summary>
    public static int Run(string[] args) => Run(args, Console.Out, Console.Error);

    /// <summary>Entry point for the CLI, which knows its course.dll and the repository (for the process-level rows).</summary>
    public static int Run(string[] args, BenchHost host) => Run(args, Console.Out, Console.Error, host);

    /// <summary>Entry point with explicit writers (tests): the table goes to <paramref name="output"/>, progress to <paramref name="log"/>.</summary>
    public static int Run(string[] args, TextWriter output, TextWriter log, BenchHost? host = null)
    {
        ArgumentNullException.ThrowIfNull(args);
        bool quick = false;
        string? json = null;
        HashSet<string>? only = null;
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--quick":
                    quick = true;
                    break;
                case "--json" when i + 1 < args.Length:
                    json = args[++i];
                    break;
                case "--only" when i + 1 < args.Length:
                    only = new HashSet<string>(args[++i].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
                    break;
                case "--rss-probe" when i + 1 < args.Length && args[i + 1] == LstmPeakRssWorkload.ProbeName:
                    // Hidden: the child process of the lstm_big_peak_rss row.
                    Fast.Enable();
                    return LstmPeakRssWorkload.Probe(output);
                case "-h" or "--help":
                    output.WriteLine(Usage);
                    return 0;
                default:
                    log.WriteLine($"course bench: unexpected argument '{args[i]}'");
                    log.WriteLine(Usage);
                    return 2;
            }
        }
        var unknown = only?.Where(id => Workloads.All(w => w.Id != id)).ToList();
        if (unknown is { Count: > 0 })
        {
            log.WriteLine($"course bench: unknown workload(s) {string.Join(", ", unknown)}; known: {string.Join(", ", Workloads.Select(w => w.Id))}");
            return 2;
        }

        Fast.Enable();
        var peers = new PeerRunner(PeerRunner.LocatePeers());
        var context = new BenchContext(quick, peers, log, host);
        var machine = Machine.Describe();
        log.WriteLine($"course bench{(quick ? " --quick" : "")}: {machine.Cpu}, {machine.Cores} cores, {machine.Runtime}, GEMM {machine.Simd}");
        log.WriteLine(peers.PeersDirectory is null ? "peers: not found (set SEQCOURSE_BENCH_PEERS)" : $"peers: {peers.PeersDirectory}");
        foreach (var workload in Workloads)
        {
            if (only != null && !only.Contains(workload.Id)) continue;
            log.WriteLine($"running {workload.Id}…");
            BenchResult result;
            try
            {
                result = workload.Run(context);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                result = new BenchResult(workload.Id, "-", true, null, null, "-", "-", false, $"FAILED: {e.GetType().Name}: {e.Message}");
            }
            context.Results.Add(result);
        }

        output.Write(FormatTable(context.Results));
        if (json != null)
        {
            File.WriteAllText(json, ToJson(context.Results, machine, quick));
            log.WriteLine($"wrote {json}");
        }
        return 0;
    }

    /// <summary>Usage text.</summary>
    public const string Usage =
        "usage: course bench [--quick] [--json FILE] [--only ID,ID...]\n" +
        "  --quick   small sizes and few repetitions (CI smoke test, < 30 s)\n" +
        "  --json    also write the results and the machine description as JSON\n" +
        "  --only    run only these workloads (fma_peak, gemm, gemm_mathnet, charlm, lstm_big, lstm_small, ctc,\n" +
        "            kernel_cold_start, notebooks_total, lstm_big_peak_rss)";

    /// <summary>The results as a Markdown table (also readable in a terminal), followed by the notes.</summary>
    public static string FormatTable(IReadOnlyList<BenchResult> results)
    {
        static string F(double? x) => x is double v ? v.ToString(v >= 100 ? "F0" : v >= 10 ? "F1" : "F2", CultureInfo.InvariantCulture) : "—";
        var sb = new StringBuilder();
        sb.AppendLine("| workload | unit | ours | peer | ours/peer | target | met |");
        sb.AppendLine("| --- | --- | ---: | ---: | ---: | --- | --- |");
        foreach (var r in results)
        {
            string peer = r.Peer is null ? "—" : $"{F(r.Peer)} ({r.PeerName})";
            string ratio = r.Ratio is double q ? q.ToString("0.00", CultureInfo.InvariantCulture) + "×" : "—";
            string met = r.Met switch { true => "yes", false => "NO", null => "—" };
            sb.AppendLine($"| {r.Id} | {r.Unit} | {F(r.Ours)} | {peer} | {ratio} | {r.Target} | {met} |");
        }
        sb.AppendLine();
        foreach (var r in results) sb.AppendLine($"- {r.Id}: {r.Note}");
        return sb.ToString();
    }

    /// <summary>The results, machine and mode as indented JSON.</summary>
    public static string ToJson(IReadOnlyList<BenchResult> results, Machine machine, bool quick)
    {
        var doc = new
        {
            date = DateTime.UtcNow.ToString("u", CultureInfo.InvariantCulture),
            quick,
            machine,
            results = results.Select(r => new
            {
                id = r.Id,
                unit = r.Unit,
                higher_is_better = r.HigherIsBetter,
                ours = r.Ours,
                peer = r.Peer,
                peer_name = r.PeerName,
                ratio = r.Ratio,
                target = r.Target,
                met = r.Met,
                note = r.Note,
            }),
        };
        return JsonSerializer.Serialize(doc, new JsonSerializerOptions { WriteIndented = true });
    }
}

/// <summary>The machine a bench ran on.</summary>
/// <param name="Cpu">CPU model (from /proc/cpuinfo on Linux).</param>
/// <param name="Cores">Logical processors available to the process.</param>
/// <param name="Os">Operating system.</param>
/// <param name="Runtime">.NET runtime.</param>
/// <param name="Simd">The instruction set the GEMM uses.</param>
/// <param name="OpenBlasEnv">The OPENBLAS_* overrides in the environment (the peers run with and without them).</param>
/// <param name="LoadAverage">1-minute load average at the start (Linux), to tell a loaded machine.</param>
public sealed record Machine(string Cpu, int Cores, string Os, string Runtime, string Simd, string OpenBlasEnv, string LoadAverage)
{
    /// <summary>Describes this machine.</summary>
    public static Machine Describe()
    {
        string cpu = RuntimeInformation.ProcessArchitecture.ToString();
        try
        {
            var line = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal));
            if (line != null) cpu = line[(line.IndexOf(':') + 1)..].Trim();
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
        string load = "?";
        try
        {
            load = File.ReadAllText("/proc/loadavg").Split(' ')[0];
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
        var overrides = string.Join(" ", new[] { "OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE" }
            .Select(v => Environment.GetEnvironmentVariable(v) is string s ? $"{v}={s}" : null).Where(s => s != null));
        return new Machine(cpu, Environment.ProcessorCount, RuntimeInformation.OSDescription,
            RuntimeInformation.FrameworkDescription, Gemm.HardwareSimd.ToString(),
            overrides.Length == 0 ? "(none set)" : overrides, load);
    }
}
