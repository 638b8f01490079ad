using MathNet.Numerics.LinearAlgebra;
using SeqCourse.Numerics;

namespace SeqCourse.Tests.Numerics;

using Ctc = SeqCourse.Ctc;

/// <summary>
/// The fast CTC path (<see cref="CtcWorkspace"/>: rescaled probabilities, vectorised over s) for every
/// vector width, against the log-space reference of §3.7 (<see cref="Ctc.CtcLossAndGradientLogSpace"/>)
/// and against exact values (40 digits, tests/fixtures/ctc_exact.json).
/// <para>
/// Tolerances: the loss to 1e-12 relative. Gradient entries (all in [−1, 1]) to 1e-12 plus the log-space
/// reference's own rounding: each of its ln γ_t(k) = ln α + ln β − ln y − ln p subtracts numbers of size
/// |ln p|, which costs it about 1.4e-15·|ln p| (measured against the 40-digit values: 1.5e-12 at
/// |ln p| = 1200, 2e-12 at 3300), while the fast path stays within 2e-15 of them. So the bound is
/// 1e-12 + 4e-15·|ln p| against log space, and a flat 1e-14 against the exact fixture.
/// </para>
/// </summary>
public class CtcWorkspaceTests
{
    private static (double Loss, double[] Grad) Fast(CtcWorkspace ws, Matrix<double> u, int[] target, bool wantGradient = true)
    {
        int C = u.RowCount, T = u.ColumnCount;
        var cols = u.AsColumnMajorArray();
        ws.Begin(C, T, target);
        for (int t = 0; t < T; t++) ws.SetFrame(t, cols.AsSpan(t * C, C));
        Assert.True(ws.TryLossAndGradient(wantGradient, 1.0, out double logP), "the fast path declined a well-scaled case");
        var g = new double[C * T];
        if (wantGradient) for (int t = 0; t < T; t++) ws.GradientFrame(t).CopyTo(g.AsSpan(t * C, C));
        return (-logP, g);
    }

    private static void AssertMatchesLogSpace(CtcWorkspace ws, Matrix<double> u, int[] target, string what)
    {
        var (l1, g1) = Fast(ws, u, target);
        var (l2, g2) = Ctc.CtcLossAndGradientLogSpace(u, target);
        Assert.True(Math.Abs(l1 - l2) <= 1e-12 * Math.Max(1, Math.Abs(l2)), $"{what}: loss {l1} vs log space {l2}");
        var r = g2.AsColumnMajorArray();
        double tol = 1e-12 + 4e-15 * Math.Abs(l2);
        for (int j = 0; j < g1.Length; j++)
            Assert.True(Math.Abs(g1[j] - r[j]) <= tol, $"{what}: gradient[{j % u.RowCount}, {j / u.RowCount}] = {g1[j]} vs log space {r[j]} (loss {l2})");
        var (l3, _) = Fast(ws, u, target, wantGradient: false);   // the loss-only route stops after α
        Assert.Equal(l1, l3);
    }

    /// <summary>A random feasible target of length ≤ maxL over a small alphabet, so repeats are common.</summary>
    private static int[] RandomTarget(Random rng, int C, int T, int maxL)
    {
        int alphabet = Math.Min(C - 1, rng.Next(1, 5) == 1 ? 2 : C - 1);
        var target = Enumerable.Range(0, rng.Next(0, maxL + 1)).Select(_ => rng.Next(1, alphabet + 1)).ToList();
        while (!Ctc.IsFeasible(target, T)) target.RemoveAt(target.Count - 1);
        return target.ToArray();
    }

    [Theory]
    [InlineData(SimdLevel.Vector512)]
    [InlineData(SimdLevel.Vector256)]
    [InlineData(SimdLevel.Scalar)]
    [InlineData(SimdLevel.Auto)]
    public void RandomCasesMatchLogSpace(SimdLevel simd)
    {
        // One workspace for all cases, so buffers are reused across growing and shrinking shapes.
        var ws = new CtcWorkspace(simd);
        var rng = new Random(40 + (int)simd);
        for (int n = 0; n < 60; n++)
        {
            int C = rng.Next(2, 41), T = rng.Next(1, 151);
            double scale = new[] { 0.5, 2.0, 6.0 }[rng.Next(3)];
            var u = Init.Normal(C, T, scale, rng);
            var target = RandomTarget(rng, C, T, Math.Min(T, 40));
            AssertMatchesLogSpace(ws, u, target, $"case {n}: C={C} T={T} L={target.Length} scale {scale}");
        }
    }

    [Theory]
    [InlineData(SimdLevel.Vector512)]
    [InlineData(SimdLevel.Vector256)]
    [InlineData(SimdLevel.Scalar)]
    public void EdgeShapesMatchLogSpace(SimdLevel simd)
    {
        var ws = new CtcWorkspace(simd);
        var rng = new Random(7);
        AssertMatchesLogSpace(ws, Init.Normal(3, 1, 1, rng), [], "T = 1, empty target");
        AssertMatchesLogSpace(ws, Init.Normal(3, 1, 1, rng), [2], "T = 1, one label");
        AssertMatchesLogSpace(ws, Init.Normal(2, 9, 1, rng), [1, 1, 1, 1, 1], "T = L + R: the single path of a repeated label");
        AssertMatchesLogSpace(ws, Init.Normal(5, 7, 1, rng), [1, 2, 2, 3], "T = L + R with one repeat");
        AssertMatchesLogSpace(ws, Init.Normal(9, 20, 1, rng), [1, 2, 3], "S = 7, below one Vector512");
        AssertMatchesLogSpace(ws, Init.Normal(9, 20, 1, rng), [1, 2, 3, 4], "S = 9, just over one Vector512");
        AssertMatchesLogSpace(ws, Init.Normal(8, 20, 1, rng), [1, 2, 3, 4], "C = 8: no padding in the softmax row");
        AssertMatchesLogSpace(ws, Init.Normal(30, 100, 1, rng), RandomTarget(new Random(1), 30, 100, 20), "the bench shape");
    }

    [Theory]
    [InlineData(SimdLevel.Vector512)]
    [InlineData(SimdLevel.Vector256)]
    [InlineData(SimdLevel.Scalar)]
    public void T1000MatchesLogSpace(SimdLevel simd)
    {
        // p(l|x) ≈ e^-2000, far below 1e-308: the running product of the scales is logged as it goes.
        var rng = new Random(1000);
        var u = Init.Normal(30, 1000, 2.0, rng);
        var target = Enumerable.Range(0, 300).Select(_ => rng.Next(1, 4)).ToArray();   // many repeats
        Assert.True(Ctc.IsFeasible(target, 1000));
        AssertMatchesLogSpace(new CtcWorkspace(simd), u, target, "T = 1000");
    }

    [Theory]
    [InlineData(SimdLevel.Vector512)]
    [InlineData(SimdLevel.Vector256)]
    [InlineData(SimdLevel.Scalar)]
    public void MatchesExactValuesWhereLogSpaceCannotJudge(SimdLevel simd)
    {
        using var doc = System.Text.Json.JsonDocument.Parse(File.ReadAllText(SeqCourse.Tests.Ctc.CtcTorchFixtureTests.FixturePath("ctc_exact.json")));
        var ws = new CtcWorkspace(simd);
        foreach (var c in doc.RootElement.GetProperty("cases").EnumerateArray())
        {
            int C = c.GetProperty("C").GetInt32(), T = c.GetProperty("T").GetInt32();
            var u = Matrix<double>.Build.Dense(C, T, c.GetProperty("logits").EnumerateArray().Select(v => v.GetDouble()).ToArray());
            var target = c.GetProperty("target").EnumerateArray().Select(v => v.GetInt32()).ToArray();
            double loss = c.GetProperty("loss").GetDouble();
            var g = c.GetProperty("gradient").EnumerateArray().Select(v => v.GetDouble()).ToArray();
            var (l1, g1) = Fast(ws, u, target);
            Assert.True(Math.Abs(l1 - loss) <= 1e-14 * loss, $"{c.GetProperty("name")}: loss {l1} vs exact {loss}");
            double d = g1.Zip(g, (a, b) => Math.Abs(a - b)).Max();
            Assert.True(d <= 1e-14, $"{c.GetProperty("name")}: max |Δgrad| = {d} against the exact values (|ln p| = {loss})");
        }
    }

    [Theory]
    [InlineData(SimdLevel.Vector512)]
    [InlineData(SimdLevel.Scalar)]
    public void DeclinesWhatItCannotRepresent(SimdLevel simd)
    {
        var ws = new CtcWorkspace(simd);
        // infeasible (two equal labels need three frames): p = 0, so the caller must not use the result
        ws.Begin(3, 2, [1, 1]);
        ws.SetFrame(0, [0.0, 0.0, 0.0]); ws.SetFrame(1, [0.0, 0.0, 0.0]);
        Assert.False(ws.TryLossAndGradient(true, 1.0, out _));
        // every frame says "blank" by 2000 nats but the target forces two labels: y underflows to 0
        var u = Matrix<double>.Build.Dense(3, 40, (k, t) => k == 0 ? 2000.0 : 0.0);
        ws.Begin(3, 40, [1, 2]);
        for (int t = 0; t < 40; t++) ws.SetFrame(t, u.Column(t).AsArray());
        Assert.False(ws.TryLossAndGradient(true, 1.0, out _));
    }

    [Fact]
    public void BadArgumentsNameTheArgument()
    {
        var ws = new CtcWorkspace();
        Assert.Equal("classes", Assert.Throws<ArgumentException>(() => ws.Begin(1, 5, [])).ParamName);
        Assert.Equal("frameCount", Assert.Throws<ArgumentException>(() => ws.Begin(3, 0, [])).ParamName);
        Assert.Equal("target", Assert.Throws<ArgumentException>(() => ws.Begin(3, 5, [1, 3])).ParamName);
        ws.Begin(3, 5, [1]);
        Assert.Equal("t", Assert.Throws<ArgumentException>(() => ws.SetFrame(5, [0.0, 0.0, 0.0])).ParamName);
        Assert.Equal("logits", Assert.Throws<ArgumentException>(() => ws.SetFrame(0, [0.0, 0.0])).ParamName);
        Assert.Throws<InvalidOperationException>(() => new CtcWorkspace().TryLossAndGradient(true, 1.0, out _));
    }

    [Fact]
    public void WarmWorkspaceAllocatesNothing()
    {
        var ws = new CtcWorkspace();
        var rng = new Random(3);
        var u = Init.Normal(30, 100, 1.0, rng).AsColumnMajorArray();
        int[] target = RandomTarget(rng, 30, 100, 20);
        void Step()
        {
            ws.Begin(30, 100, target);
            for (int t = 0; t < 100; t++) ws.SetFrame(t, u.AsSpan(t * 30, 30));
            Assert.True(ws.TryLossAndGradient(true, 0.5, out _));
        }
        Step();
        long before = GC.GetAllocatedBytesForCurrentThread();
        Step();
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}

/// <summary>The batched entry points, which run the fast path on per-thread workspaces, against the log-space reference.</summary>
public class CtcBatchFastPathTests
{
    private static (Matrix<double>[] Zy, int[] Lengths, int[][] Targets) SequenceBatch(int seed, int m, int C, int Tmax)
    {
        var rng = new Random(seed);
        var zy = Enumerable.Range(0, Tmax).Select(_ => Init.Normal(C, m, 2.0, rng)).ToArray();
        var lengths = Enumerable.Range(0, m).Select(_ => rng.Next(Tmax / 2, Tmax + 1)).ToArray();
        var targets = lengths.Select(T => Enumerable.Range(0, rng.Next(0, Math.Min(T, 25))).Select(_ => rng.Next(1, 6)).ToArray())
            .Select((l, i) => Ctc.IsFeasible(l, lengths[i]) ? l : l.Take(lengths[i] / 2).ToArray()).ToArray();
        return (zy, lengths, targets);
    }

    [Theory]
    [InlineData(32)]   // parallel over the cores
    [InlineData(3)]    // serial (too small to share)
    public void SequenceBatchMatchesLogSpacePerExample(int m)
    {
        int C = 12, Tmax = 80;
        var (zy, lengths, targets) = SequenceBatch(m, m, C, Tmax);
        // one example whose logits make the rescaled path decline: it goes through the log-space fallback
        for (int t = 0; t < lengths[1]; t++) for (int k = 0; k < C; k++) zy[t][k, 1] = k == 0 ? 2000.0 : 0.0;
        targets[1] = [3, 4];
        var r = Ctc.CtcSequenceBatch(zy, lengths, targets);
        for (int i = 0; i < m; i++)
        {
            var (li, gi) = Ctc.CtcLossAndGradientLogSpace(Ctc.ExampleLogits(zy, i, lengths[i]), targets[i]);
            Assert.True(Math.Abs(li - r.Losses[i]) <= 1e-12 * Math.Max(1, li), $"example {i}: {r.Losses[i]} vs log space {li}");
            for (int t = 0; t < Tmax; t++)
                for (int k = 0; k < C; k++)
                {
                    double expected = t < lengths[i] ? gi[k, t] / m : 0.0;
                    Assert.True(Math.Abs(expected - r.Gradients[t][k, i]) <= 1e-12 / m, $"example {i}, frame {t}, class {k}: {r.Gradients[t][k, i]} vs {expected}");
                }
        }
        Assert.True(r.Losses[1] > 3000, $"the forced example costs two 2000-nat emissions: {r.Losses[1]}");
    }

    [Fact]
    public void SerialSequenceBatchAllocatesOnlyItsResult()
    {
        int m = 3, C = 30, T = 100;
        var (zy, lengths, targets) = SequenceBatch(5, m, C, T);
        Ctc.CtcSequenceBatch(zy, lengths, targets);   // warm up this thread's workspace
        long before = GC.GetAllocatedBytesForCurrentThread();
        Ctc.CtcSequenceBatch(zy, lengths, targets);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        // The result: T gradient matrices of C × m (array + matrix + storage objects) and the per-example
        // arrays; everything else — softmax, lattices, γ — lives in the reused workspace.
        long result = T * (C * m * 8L + 200);
        Assert.True(allocated < result + 4096, $"allocated {allocated} bytes, the result alone is ≈ {result}");
    }
}
