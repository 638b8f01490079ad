using System.Diagnostics;
using MathNet.Numerics.LinearAlgebra;
using MathNet.Numerics.Providers.LinearAlgebra;
using SeqCourse.Numerics;

namespace SeqCourse.Bench.Workloads;

/// <summary>
/// For scale: the same product through Math.NET's <c>*</c> with its own managed provider (what the library would
/// run without <see cref="Fast"/>) and with ours. Not a target; shows what the provider swap buys.
/// </summary>
public sealed class GemmMathNetWorkload : IBenchWorkload
{
    /// <inheritdoc />
    public string Id => "gemm_mathnet";

    /// <inheritdoc />
    public BenchResult Run(BenchContext context)
    {
        int n = context.Quick ? 128 : 512;
        var rng = new Random(1);
        var a = Matrix<double>.Build.Dense(n, n, (_, _) => rng.NextDouble() - 0.5);
        var b = Matrix<double>.Build.Dense(n, n, (_, _) => rng.NextDouble() - 0.5);
        var previous = LinearAlgebraControl.Provider;
        try
        {
            LinearAlgebraControl.Provider = ManagedLinearAlgebraProvider.Instance;
            double managed = Best(a, b, n, 3);
            LinearAlgebraControl.Provider = new FastLinearAlgebraProvider();
            double fast = Best(a, b, n, 3);
            return new BenchResult(Id, "GFLOP/s", true, fast, managed, "Math.NET managed", "report", null,
                $"A*B through Math.NET operators, N={n}: fast provider vs Math.NET's own managed provider");
        }
        finally
        {
            LinearAlgebraControl.Provider = previous;
        }
    }

    private static double Best(Matrix<double> a, Matrix<double> b, int n, int reps)
    {
        _ = a * b;
        double best = double.MaxValue;
        for (int r = 0; r < reps; r++)
        {
            var sw = Stopwatch.StartNew();
            _ = a * b;
            best = Math.Min(best, sw.Elapsed.TotalSeconds);
        }
        return 2.0 * n * n * (double)n / best / 1e9;
    }
}
