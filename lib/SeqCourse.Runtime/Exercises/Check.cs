using System.Globalization;
using MathNet.Numerics.LinearAlgebra;

namespace SeqCourse.Runtime;

/// <summary>
/// A graded test did not pass. The message is the learner's feedback: which test, which element, expected vs got.
/// It never contains solution code.
/// </summary>
public sealed class GradingFailure(string message) : Exception(message);

/// <summary>Helpers for graded exercises (visible and hidden test cells).</summary>
public static class Grading
{
    /// <summary>
    /// Assertions whose failures read as feedback: <c>Grading.Check.Close("a_next, random 5x3", expected, got, 1e-10)</c>
    /// throws <see cref="GradingFailure"/> "a_next, random 5x3: element (2, 1): expected 0.4123, got 0.3977 …".
    /// </summary>
    public static class Check
    {
        private static string F(double v) => v.ToString("G8", CultureInfo.InvariantCulture);

        /// <summary>Fails unless <paramref name="got"/> has the shape of <paramref name="expected"/> and every entry is within
        /// <paramref name="tolerance"/>·(1 + |expected|).</summary>
        public static void Close(string test, Matrix<double> expected, Matrix<double>? got, double tolerance = 1e-8)
            => Close(test, expected, got, tolerance, []);

        /// <summary>
        /// As <see cref="Close(string, Matrix{double}, Matrix{double}?, double)"/>; when it fails and <paramref name="got"/> matches
        /// one of <paramref name="knownMistakes"/> (the output of a typical wrong implementation), the feedback names that mistake.
        /// </summary>
        public static void Close(string test, Matrix<double> expected, Matrix<double>? got, double tolerance, params (string Mistake, Matrix<double> Value)[] knownMistakes)
        {
            try
            {
                CloseCore(test, expected, got, tolerance);
            }
            catch (GradingFailure failure) when (got is not null)
            {
                foreach (var (mistake, value) in knownMistakes)
                {
                    if (value.RowCount == got.RowCount && value.ColumnCount == got.ColumnCount && value.Enumerate().Zip(got.Enumerate()).All(p => Same(p.First, p.Second)))
                    {
                        throw new GradingFailure($"{failure.Message} This is what you get when {mistake}.");
                    }
                }

                throw;
            }
        }

        // An entry of a known mistake matches the learner's: equal (so equal infinities, ln 0 = −∞ in a log-space lattice, match although
        // −∞ − (−∞) is NaN), or a finite difference within 1e-8 (an infinite or NaN difference never matches).
        private static bool Same(double a, double b) => a == b || (double.IsFinite(a - b) && Math.Abs(a - b) <= 1e-8 * (1 + Math.Abs(a - b)));

        /// <summary>A sequence of matrices (e.g. a⟨1⟩…a⟨T⟩): same length, then each step as <see cref="Close(string, Matrix{double}, Matrix{double}?, double)"/>.</summary>
        public static void Steps(string test, IReadOnlyList<Matrix<double>> expected, IReadOnlyList<Matrix<double>?>? got, double tolerance = 1e-8)
        {
            if (got is null)
            {
                throw new GradingFailure($"{test}: your function returned null, expected {expected.Count} time steps.");
            }

            if (got.Count != expected.Count)
            {
                throw new GradingFailure($"{test}: expected {expected.Count} time steps, got {got.Count} (an off-by-one in the time loop?).");
            }

            for (int t = 0; t < expected.Count; t++)
            {
                Close($"{test}, time step t = {t + 1}", expected[t], got[t], tolerance);
            }
        }

        private static void CloseCore(string test, Matrix<double> expected, Matrix<double>? got, double tolerance)
        {
            ArgumentNullException.ThrowIfNull(expected);
            if (got is null)
            {
                throw new GradingFailure($"{test}: your function returned null, expected a {expected.RowCount}x{expected.ColumnCount} matrix.");
            }

            if (got.RowCount != expected.RowCount || got.ColumnCount != expected.ColumnCount)
            {
                throw new GradingFailure($"{test}: wrong shape: expected {expected.RowCount}x{expected.ColumnCount}, got {got.RowCount}x{got.ColumnCount}.");
            }

            int bad = 0, wi = -1, wj = -1;
            double worst = -1;
            for (int j = 0; j < expected.ColumnCount; j++)
            {
                for (int i = 0; i < expected.RowCount; i++)
                {
                    double e = expected[i, j], g = got[i, j];
                    // Infinities (ln 0 = −∞ in log-space lattices) must match exactly.
                    bool differs = double.IsInfinity(e) || double.IsInfinity(g) ? e != g
                        : double.IsNaN(g) || Math.Abs(e - g) > tolerance * (1 + Math.Abs(e));
                    double d = double.IsInfinity(e) || double.IsInfinity(g) || double.IsNaN(g) ? double.PositiveInfinity : Math.Abs(e - g);
                    if (differs)
                    {
                        bad++;
                        if (d > worst)
                        {
                            worst = d; wi = i; wj = j;
                        }
                    }
                }
            }

            if (bad > 0)
            {
                throw new GradingFailure(
                    $"{test}: {bad} of {expected.RowCount * expected.ColumnCount} entries differ; worst at element ({wi}, {wj}): expected {F(expected[wi, wj])}, got {F(got[wi, wj])} (tolerance {tolerance:G2}).");
            }
        }

        /// <summary>Fails unless |expected − got| ≤ tolerance·(1 + |expected|).</summary>
        public static void Close(string test, double expected, double got, double tolerance = 1e-8)
        {
            bool differs = double.IsInfinity(expected) || double.IsInfinity(got) ? expected != got
                : double.IsNaN(got) || Math.Abs(expected - got) > tolerance * (1 + Math.Abs(expected));
            if (differs)
            {
                throw new GradingFailure($"{test}: expected {F(expected)}, got {F(got)} (tolerance {tolerance:G2}).");
            }
        }

        /// <summary>
        /// As <see cref="Close(string, double, double, double)"/>; when it fails and <paramref name="got"/> is within 1e-8 (relative) of one
        /// of <paramref name="knownMistakes"/>, the feedback names that mistake.
        /// </summary>
        public static void Close(string test, double expected, double got, double tolerance, params (string Mistake, double Value)[] knownMistakes)
        {
            try
            {
                Close(test, expected, got, tolerance);
            }
            catch (GradingFailure failure)
            {
                foreach (var (mistake, value) in knownMistakes)
                {
                    if (Math.Abs(value - got) <= 1e-8 * (1 + Math.Abs(value)))
                    {
                        throw new GradingFailure($"{failure.Message} This is what you get when {mistake}.");
                    }
                }

                throw;
            }
        }

        /// <summary>
        /// A list (tokens, indices …): same length and the same items in order. The feedback names the first differing
        /// position, or a known mistake whose output <paramref name="got"/> equals.
        /// </summary>
        public static void Items<T>(string test, IReadOnlyList<T> expected, IReadOnlyList<T>? got, params (string Mistake, IReadOnlyList<T> Value)[] knownMistakes)
        {
            ArgumentNullException.ThrowIfNull(expected);
            if (got is null)
            {
                throw new GradingFailure($"{test}: your function returned null, expected {expected.Count} items.");
            }

            var comparer = EqualityComparer<T>.Default;
            string? problem = null;
            if (got.Count != expected.Count)
            {
                problem = $"{test}: expected {expected.Count} items, got {got.Count}.";
            }
            else
            {
                for (int i = 0; i < expected.Count && problem is null; i++)
                {
                    if (!comparer.Equals(expected[i], got[i]))
                    {
                        problem = $"{test}: item {i}: expected {Show(expected[i])}, got {Show(got[i])}.";
                    }
                }
            }

            if (problem is null)
            {
                return;
            }

            foreach (var (mistake, value) in knownMistakes)
            {
                if (value.Count == got.Count && value.Zip(got).All(p => comparer.Equals(p.First, p.Second)))
                {
                    throw new GradingFailure($"{problem} This is what you get when {mistake}.");
                }
            }

            throw new GradingFailure(problem);
        }

        private static string Show<T>(T value) => value switch
        {
            null => "null",
            string s => "\"" + s.Replace("\n", "\\n", StringComparison.Ordinal) + "\"",
            IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
            _ => value.ToString() ?? string.Empty,
        };

        /// <summary>Fails unless the two values are equal.</summary>
        public static void Equal<T>(string test, T expected, T got)
        {
            if (!EqualityComparer<T>.Default.Equals(expected, got))
            {
                throw new GradingFailure($"{test}: expected {expected}, got {got}.");
            }
        }

        /// <summary>Fails with <paramref name="message"/> unless <paramref name="condition"/> holds.</summary>
        public static void True(string test, bool condition, string message)
        {
            if (!condition)
            {
                throw new GradingFailure($"{test}: {message}");
            }
        }

        /// <summary>
        /// Fails unless the input is left unchanged (functions must not mutate their arguments).
        /// </summary>
        public static void Unchanged(string test, string argument, Matrix<double> before, Matrix<double> after)
        {
            if (!before.Equals(after))
            {
                throw new GradingFailure($"{test}: your function changed its argument {argument}; compute a new matrix instead.");
            }
        }

        /// <summary>
        /// Gradient check (syllabus §3.12) of the learner's gradients <paramref name="grads"/> against centred differences of
        /// <paramref name="J"/> over <paramref name="parameters"/>: fails on the first parameter whose relative error is at least
        /// <paramref name="threshold"/>, naming it, its error and its worst entry.
        /// </summary>
        public static void GradientCheck(string test, Func<double> J, IParameterSet parameters, IParameterSet grads, double threshold = 1e-7)
        {
            ArgumentNullException.ThrowIfNull(parameters);
            if (grads is null)
            {
                throw new GradingFailure($"{test}: your function returned null gradients.");
            }

            if (grads.Items.Count != parameters.Items.Count)
            {
                throw new GradingFailure($"{test}: expected {parameters.Items.Count} gradients, got {grads.Items.Count}.");
            }

            for (int k = 0; k < grads.Items.Count; k++)
            {
                var (name, g) = grads.Items[k];
                var p = parameters.Items[k].Value;
                if (g is null || g.RowCount != p.RowCount || g.ColumnCount != p.ColumnCount)
                {
                    throw new GradingFailure($"{test}: {name} has the wrong shape: expected {p.RowCount}x{p.ColumnCount}, got {(g is null ? "null" : $"{g.RowCount}x{g.ColumnCount}")}.");
                }
            }

            var report = SeqCourse.GradientCheck.Run(J, parameters, grads, threshold: threshold);
            foreach (var e in report.Entries)
            {
                if (!(e.RelativeError < threshold))
                {
                    throw new GradingFailure(
                        $"{test}: gradient check of {e.Name} failed: relative error {e.RelativeError:E2} (must be below {threshold:E0}); " +
                        $"worst entry ({e.WorstRow}, {e.WorstColumn}): numerical {F(e.WorstNumeric)}, yours {F(e.WorstAnalytic)}.");
                }
            }
        }

        /// <summary>
        /// χ² goodness-of-fit of observed <paramref name="counts"/> against <paramref name="probabilities"/>: fails when the
        /// statistic exceeds the 0.999 quantile (a correct sampler fails once in a thousand seeds; tests use fixed seeds).
        /// </summary>
        public static void Frequencies(string test, int[] counts, double[] probabilities)
        {
            ArgumentNullException.ThrowIfNull(counts);
            ArgumentNullException.ThrowIfNull(probabilities);
            if (counts.Length != probabilities.Length)
            {
                throw new GradingFailure($"{test}: expected counts for {probabilities.Length} outcomes, got {counts.Length}.");
            }

            long n = counts.Sum(c => (long)c);
            double chi2 = 0;
            int df = -1;
            for (int i = 0; i < counts.Length; i++)
            {
                double expected = n * probabilities[i];
                if (expected == 0)
                {
                    if (counts[i] != 0)
                    {
                        throw new GradingFailure($"{test}: outcome {i} has probability 0 but was drawn {counts[i]} times.");
                    }

                    continue;
                }

                df++;
                chi2 += (counts[i] - expected) * (counts[i] - expected) / expected;
            }

            double limit = MathNet.Numerics.Distributions.ChiSquared.InvCDF(Math.Max(df, 1), 0.999);
            if (chi2 > limit)
            {
                var observed = string.Join(", ", counts.Select(c => (c / (double)n).ToString("0.0000", CultureInfo.InvariantCulture)));
                var wanted = string.Join(", ", probabilities.Select(p => p.ToString("0.0000", CultureInfo.InvariantCulture)));
                throw new GradingFailure($"{test}: frequencies ({observed}) do not match the probabilities ({wanted}): χ² = {chi2:0.0} > {limit:0.0} ({df} degrees of freedom, {n} draws).");
            }
        }

        /// <summary>A multiple-choice answer: letters compared case-insensitively.</summary>
        public static void Choice(string question, string? answer, string expected)
        {
            if (string.IsNullOrWhiteSpace(answer))
            {
                throw new GradingFailure($"{question}: not answered yet.");
            }

            if (!string.Equals(answer.Trim(), expected.Trim(), StringComparison.OrdinalIgnoreCase))
            {
                throw new GradingFailure($"{question}: answer \"{answer.Trim()}\" is not correct.");
            }
        }

        /// <summary>A numeric answer, within a relative tolerance. NaN means not answered yet.</summary>
        public static void Number(string question, double answer, double expected, double tolerance = 1e-3)
        {
            if (double.IsNaN(answer))
            {
                throw new GradingFailure($"{question}: not answered yet.");
            }

            if (Math.Abs(answer - expected) > tolerance * Math.Max(1, Math.Abs(expected)))
            {
                throw new GradingFailure($"{question}: answer {F(answer)} is not correct.");
            }
        }
    }
}
