using System.Text;
using MathNet.Numerics.LinearAlgebra;

namespace SeqCourse;

/// <summary>The result of checking one parameter: its relative error and how many entries were probed.</summary>
public sealed record GradientCheckEntry(string Name, double RelativeError, int EntriesChecked, int WorstRow, int WorstColumn,
    double WorstAnalytic, double WorstNumeric);

/// <summary>A gradient-check report: one entry per parameter, and the verdict of syllabus §3.12.</summary>
public sealed record GradientCheckReport(IReadOnlyList<GradientCheckEntry> Entries, double Threshold)
{
    /// <summary>The largest relative error over all parameters.</summary>
    public double MaxRelativeError => Entries.Count == 0 ? 0 : Entries.Max(e => e.RelativeError);

    /// <summary>True when every parameter's relative error is below <see cref="Threshold"/>.</summary>
    public bool Passed => Entries.All(e => e.RelativeError < Threshold);

    /// <inheritdoc />
    public override string ToString()
    {
        var sb = new StringBuilder();
        sb.AppendLine($"{"parameter",-14} {"rel. error",12} {"entries",8}  verdict");
        foreach (var e in Entries)
            sb.AppendLine($"{e.Name,-14} {e.RelativeError,12:E2} {e.EntriesChecked,8}  {Verdict(e.RelativeError)}");
        sb.Append(Passed ? $"PASSED (max {MaxRelativeError:E2} < {Threshold:E0})" : $"FAILED (max {MaxRelativeError:E2} ≥ {Threshold:E0})");
        return sb.ToString();
    }

    /// <summary>§3.12: below 1e-7 passes, 1e-7…1e-5 needs a look (kinks, tiny gradients), above fails.</summary>
    public static string Verdict(double rel) => rel < 1e-7 ? "ok" : rel < 1e-5 ? "inspect" : "WRONG";
}

/// <summary>
/// Numerical gradient checking (syllabus §3.12): g_num,i = (J(θ + εe_i) − J(θ − εe_i)) / 2ε, compared
/// with the analytic gradient by ‖g_num − g‖ / (‖g_num‖ + ‖g‖). Usable from tests, notebooks and the grader.
/// </summary>
public static class GradientCheck
{
    /// <summary>
    /// Checks every parameter of <paramref name="parameters"/> against <paramref name="grads"/> (same order).
    /// <paramref name="J"/> must recompute the loss from the current parameter values; entries are
    /// perturbed in place and restored. With <paramref name="maxEntriesPerParameter"/> only a random
    /// sample of that many entries is probed per large parameter (drawn from <paramref name="rng"/>).
    /// </summary>
    public static GradientCheckReport Run(Func<double> J, IParameterSet parameters, IParameterSet grads,
        double epsilon = 1e-5, double threshold = 1e-7, int? maxEntriesPerParameter = null, Random? rng = null)
    {
        Guard.NotNull(J, nameof(J));
        Guard.NotNull(parameters, nameof(parameters)); Guard.NotNull(grads, nameof(grads));
        ParameterSet.CheckMatches(parameters, grads);
        Guard.Positive(epsilon, nameof(epsilon));
        if (maxEntriesPerParameter is { } k) Guard.Positive(k, nameof(maxEntriesPerParameter));
        rng ??= new Random(0);

        var entries = new List<GradientCheckEntry>();
        for (int p = 0; p < parameters.Items.Count; p++)
        {
            var (name, theta) = parameters.Items[p];
            var g = grads.Items[p].Value;
            var positions = Positions(theta.RowCount, theta.ColumnCount, maxEntriesPerParameter, rng);
            double diff2 = 0, num2 = 0, ana2 = 0, worst = -1; int wi = 0, wj = 0; double wa = 0, wn = 0;
            foreach (var (i, j) in positions)
            {
                double numeric = Numeric(J, theta, i, j, epsilon);
                double analytic = g[i, j];
                diff2 += (numeric - analytic) * (numeric - analytic);
                num2 += numeric * numeric; ana2 += analytic * analytic;
                double d = Math.Abs(numeric - analytic);
                if (d > worst) { worst = d; wi = i; wj = j; wa = analytic; wn = numeric; }
            }
            entries.Add(new GradientCheckEntry(name, RelativeError(Math.Sqrt(diff2), Math.Sqrt(num2), Math.Sqrt(ana2)),
                positions.Count, wi, wj, wa, wn));
        }
        return new GradientCheckReport(entries, threshold);
    }

    /// <summary>The centred difference of <paramref name="J"/> with respect to θ[i, j].</summary>
    public static double Numeric(Func<double> J, Matrix<double> theta, int i, int j, double epsilon = 1e-5)
    {
        double old = theta[i, j];
        try
        {
            theta[i, j] = old + epsilon; double plus = J();
            theta[i, j] = old - epsilon; double minus = J();
            return (plus - minus) / (2 * epsilon);
        }
        finally { theta[i, j] = old; }
    }

    /// <summary>‖g_num − g‖ / (‖g_num‖ + ‖g‖), and 0 when both are exactly zero.</summary>
    public static double RelativeError(double diffNorm, double numericNorm, double analyticNorm)
    {
        double denom = numericNorm + analyticNorm;
        return denom == 0 ? 0 : diffNorm / denom;
    }

    /// <summary>Relative error between two whole gradient arrays.</summary>
    public static double RelativeError(Matrix<double> numeric, Matrix<double> analytic) =>
        RelativeError((numeric - analytic).FrobeniusNorm(), numeric.FrobeniusNorm(), analytic.FrobeniusNorm());

    private static List<(int, int)> Positions(int rows, int cols, int? max, Random rng)
    {
        var all = new List<(int, int)>(rows * cols);
        for (int j = 0; j < cols; j++) for (int i = 0; i < rows; i++) all.Add((i, j));
        if (max is not { } k || all.Count <= k) return all;
        // Partial Fisher–Yates: k distinct entries, reproducible from rng.
        for (int n = 0; n < k; n++) { int r = rng.Next(n, all.Count); (all[n], all[r]) = (all[r], all[n]); }
        return all.GetRange(0, k);
    }
}
