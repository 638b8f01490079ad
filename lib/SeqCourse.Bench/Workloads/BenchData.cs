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

    /// <summary>Seconds per call of <paramref name="step"/>: one warm-up call, then the mean over <paramref name="reps"/> calls.</summary>
    public static double SecondsPerStep(Action step, int reps)
    {
        step();
        var sw = System.Diagnostics.Stopwatch.StartNew();
        for (int r = 0; r < reps; r++) step();
        return sw.Elapsed.TotalSeconds / reps;
    }
}
