namespace SeqCourse.Bench.Workloads;

/// <summary>The same kinds of data the peers use: seeded names, standard-normal inputs, uniform CTC targets.</summary>
internal static class BenchData
{
    /// <summary><paramref name="count"/> random names of 4–13 letters a–z (as charlm_numpy.py makes them).</summary>
    public static string[] Names(int count, int seed)
    {
        var rng = new Random(seed);
        var names = new string[count];
        for (int i = 0; i < count; i++)
        {
            var chars = new char[rng.Next(4, 14)];
            for (int j = 0; j < chars.Length; j++) chars[j] = (char)('a' + rng.Next(26));
            names[i] = new string(chars);
        }
        return names;
    }

    /// <summary>A standard-normal sample (Box–Muller).</summary>
    public static double Normal(Random rng)
    {
        double u1 = 1.0 - rng.NextDouble(), u2 = rng.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }

    /// <summary>
    /// Seconds per call of <paramref name="step"/>: warm-up calls until 0.2 s have passed (at least one, at most 50),
    /// then the mean over <paramref name="reps"/> calls. The warm-up lets .NET's tiered JIT replace the first,
    /// unoptimised code by the optimised one, which is what a training loop runs after its first steps; a short
    /// workload timed over 20 calls would otherwise measure mostly the JIT.
    /// </summary>
    public static double SecondsPerStep(Action step, int reps)
    {
        var warm = System.Diagnostics.Stopwatch.StartNew();
        int calls = 0;
        do
        {
            step();
            calls++;
        }
        while (calls < 50 && warm.Elapsed.TotalSeconds < 0.2);
        var sw = System.Diagnostics.Stopwatch.StartNew();
        for (int r = 0; r < reps; r++) step();
        return sw.Elapsed.TotalSeconds / reps;
    }
}
