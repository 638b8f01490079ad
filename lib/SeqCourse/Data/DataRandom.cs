namespace SeqCourse;

/// <summary>
/// Small helpers for the data generators: a fixed Fisher–Yates shuffle and a Box–Muller normal. They are written
/// out here (instead of <c>Random.Shuffle</c> or a MathNet sampler) so the committed data depend only on the draws of
/// a seeded <see cref="System.Random"/>, whose algorithm .NET keeps fixed for seeded instances.
/// </summary>
public static class DataRandom
{
    /// <summary>
    /// Fisher–Yates shuffle in place, written out so the order depends only on the draws of
    /// <paramref name="rng"/> (not on a framework method whose algorithm could change).
    /// </summary>
    public static void Shuffle<T>(T[] items, Random rng)
    {
        Guard.NotNull(items, nameof(items)); Guard.NotNull(rng, nameof(rng));
        for (int i = items.Length - 1; i > 0; i--)
        {
            int j = rng.Next(i + 1);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }

    /// <summary>A standard-normal draw by Box–Muller (two uniforms, one normal returned).</summary>
    public static double StandardNormal(Random rng)
    {
        Guard.NotNull(rng, nameof(rng));
        double u1 = 1.0 - rng.NextDouble(); // in (0, 1], so the log is finite
        double u2 = rng.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }
}
