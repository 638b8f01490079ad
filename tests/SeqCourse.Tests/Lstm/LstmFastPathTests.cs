using System.Runtime.Intrinsics;
using MathNet.Numerics.LinearAlgebra;
using SeqCourse.Numerics;
using static SeqCourse.Tests.GatedTestKit;

namespace SeqCourse.Tests.Gated;

/// <summary>
/// <see cref="Lstm.Forward"/> / <see cref="Lstm.Backward"/> run the whole-sequence engine (stacked products, packed
/// W_a, fused SIMD cell kernels, threads per step); <see cref="Lstm.ForwardStepwise"/> / <see cref="Lstm.BackwardStepwise"/>
/// are the straightforward step-by-step <see cref="LstmCell"/> version. Every path of the engine must agree with it.
/// </summary>
public class LstmFastPathTests
{
    public static TheoryData<SimdLevel, int> Paths()
    {
        var d = new TheoryData<SimdLevel, int>();
        foreach (var level in new[] { SimdLevel.Vector512, SimdLevel.Vector256, SimdLevel.Scalar })
        {
            if (level == SimdLevel.Vector512 && !System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated) continue;
            d.Add(level, 1);
            d.Add(level, 2);
        }
        return d;
    }

    // (n_x, n_a, m, T): tiny and odd sizes (n_a not a multiple of the kernel's 16 or 8 rows, tails in the SIMD
    // loops, edge tiles), and one large enough (4·n_a²·m ≥ 2²¹) that each step is split over threads.
    private static readonly (int Nx, int Na, int M, int T)[] Shapes = [(3, 5, 4, 4), (7, 37, 9, 3), (1, 1, 1, 1), (20, 128, 33, 2)];

    // The stepwise results per case, shared by the six paths (inputs come from a seed per case, so they are the same).
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, (Matrix<double>[], Matrix<double>[], LstmCache[],
        Matrix<double>[], Matrix<double>, Matrix<double>, LstmGradients)> Reference = new();

    [Theory]
    [MemberData(nameof(Paths))]
    public void MatchesTheStepwiseLstm(SimdLevel level, int threads)
    {
        foreach (var (nx, na, m, T) in Shapes)
        {
            foreach (bool peepholes in new[] { false, true })
            {
                var rng = new Random(nx * 1000 + na * 10 + T + (peepholes ? 7 : 0));
                var p = LstmParameters.Normal(nx, na, 0.5, rng, peepholes);
                var xs = RandomSeq(T, nx, m, rng);
                var a0 = Init.Normal(na, m, 0.5, rng); var c0 = Init.Normal(na, m, 0.5, rng);
                var dA = RandomSeq(T, na, m, rng).Select((d, t) => t == 1 ? null : d).ToArray();   // one step without a loss
                var dC = RandomSeq(T, na, m, rng);
                string what = $"{level}/{threads} nx={nx} na={na} m={m} T={T} peep={peepholes}";

                var (aRef, cRef, kRef, dxRef, da0Ref, dc0Ref, gRef) = Reference.GetOrAdd(what[(what.IndexOf(' ') + 1)..], _ =>
                {
                    var (aR, cR, kR) = Lstm.ForwardStepwise(xs, p, a0, c0);
                    var (dxR, da0R, dc0R, gR) = Lstm.BackwardStepwise(dA, kR, dC);
                    return (aR, cR, kR, dxR, da0R, dc0R, gR);
                });
                var (aFast, cFast, kFast) = Lstm.ForwardWith(xs, p, a0, c0, new LstmEngineOptions(level, threads));
                for (int t = 0; t < T; t++)
                {
                    Close(aRef[t], aFast[t], $"{what} a[{t}]"); Close(cRef[t], cFast[t], $"{what} c[{t}]");
                    Close(kRef[t].GammaU, kFast[t].GammaU, $"{what} GammaU[{t}]"); Close(kRef[t].GammaF, kFast[t].GammaF, $"{what} GammaF[{t}]");
                    Close(kRef[t].CTilde, kFast[t].CTilde, $"{what} CTilde[{t}]"); Close(kRef[t].GammaO, kFast[t].GammaO, $"{what} GammaO[{t}]");
                    Close(kRef[t].TanhC, kFast[t].TanhC, $"{what} TanhC[{t}]");
                    Assert.Same(t == 0 ? a0 : aFast[t - 1], kFast[t].APrev);
                }

                var (dxFast, da0Fast, dc0Fast, gFast) = Lstm.Backward(dA, kFast, dC);
                for (int t = 0; t < T; t++) Close(dxRef[t], dxFast[t], $"{what} dx[{t}]");
                Close(da0Ref, da0Fast, $"{what} da0"); Close(dc0Ref, dc0Fast, $"{what} dc0");
                var named = gFast.Items.ToDictionary(i => i.Name, i => i.Value);
                Assert.Equal(gRef.Items.Count, named.Count);
                foreach (var item in gRef.Items) Close(item.Value, named[item.Name], $"{what} {item.Name}");
            }
        }
    }

    [Fact]
    public void StepwiseBackwardOfFastCachesMatches()
    {
        // Caches that are not one whole Forward (here: a sub-list) take the step-by-step path, reading the views.
        var rng = new Random(5);
        var p = LstmParameters.Normal(Nx, Na, 0.6, rng, peepholes: true);
        var xs = RandomSeq(T, Nx, M, rng); var R = RandomSeq(T - 1, Na, M, rng);
        var (_, _, kFast) = Lstm.Forward(xs, p);
        var (_, _, kRef) = Lstm.ForwardStepwise(xs, p);
        var (dxF, da0F, _, gF) = Lstm.Backward(R, kFast.Skip(1).ToArray());
        var (dxR, da0R, _, gR) = Lstm.BackwardStepwise(R, kRef.Skip(1).ToArray());
        Close(da0R, da0F, "da0");
        for (int t = 0; t < T - 1; t++) Close(dxR[t], dxF[t], $"dx[{t}]");
        foreach (var (r, f) in gR.Items.Zip(gF.Items)) Close(r.Value, f.Value, r.Name);
    }

    [Fact]
    public void ExtremePreActivationsSaturate()
    {
        // σ and tanh through Vector512/256.Exp at ±800: no NaN, the same saturated values as the scalar functions.
        var p = LstmParameters.Normal(2, 16, 0.0, new Random(1));
        p.Wu[0, 16] = 800; p.Wf[1, 16] = -800; p.Wc[2, 16] = 800; p.Wc[3, 16] = -800; p.Wo[4, 16] = -800;
        var xs = new[] { Matrix<double>.Build.DenseOfArray(new double[,] { { 1, -1 }, { 0, 0 } }) };
        foreach (var level in new[] { SimdLevel.Vector512, SimdLevel.Vector256 })
        {
            if (level == SimdLevel.Vector512 && !System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated) continue;
            var (aRef, cRef, kRef) = Lstm.ForwardStepwise(xs, p);
            var (aF, cF, kF) = Lstm.ForwardWith(xs, p, null, null, new LstmEngineOptions(level, 1));
            Close(aRef[0], aF[0], "a"); Close(cRef[0], cF[0], "c");
            Close(kRef[0].GammaU, kF[0].GammaU, "GammaU"); Close(kRef[0].GammaF, kF[0].GammaF, "GammaF");
            Close(kRef[0].CTilde, kF[0].CTilde, "CTilde"); Close(kRef[0].GammaO, kF[0].GammaO, "GammaO");
        }
    }

    [Fact]
    public void VectorExpMatchesMathExp()
    {
        // VectorExp (the cell kernels' e^x) against Math.Exp: ≤ 2 ulp-ish relative error on [−708, 709], clamped outside.
        var rng = new Random(3);
        var xs = Enumerable.Range(0, 4000).Select(_ => rng.NextDouble() * 1417 - 708)
            .Concat(Enumerable.Range(0, 4000).Select(_ => rng.NextDouble() * 4 - 2))
            .Concat([0, 1e-300, -1e-12, 0.34657359, -0.34657359, 0.5, 1, -1, 20, -20, 708, -708, 709, 709.5, -745, 1e5, -1e5]).ToArray();
        foreach (var x in xs)
        {
            double expected = Math.Exp(Math.Clamp(x, VectorExp.Lo, VectorExp.Hi));
            double got512 = M512.Exp(System.Runtime.Intrinsics.Vector512.Create(x)).GetElement(0);
            double got256 = M256.Exp(System.Runtime.Intrinsics.Vector256.Create(x)).GetElement(0);
            Assert.True(Math.Abs(got512 - expected) <= 4e-16 * expected, $"Vector512 e^{x:R}: {got512:R} vs {expected:R}");
            Assert.True(Math.Abs(got256 - expected) <= 4e-16 * expected, $"Vector256 e^{x:R}: {got256:R} vs {expected:R}");
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void TimeLoopsAllocateNothing(bool peepholes)
    {
        // Sequential engine (the per-step Parallel.For allocates a few small objects of its own): after a warm-up
        // call has grown the workspaces, the forward and backward time loops allocate nothing.
        var rng = new Random(11);
        int nx = 16, na = 32, m = 8, T = 6;
        var p = LstmParameters.Normal(nx, na, 0.5, rng, peepholes);
        var xs = RandomSeq(T, nx, m, rng); var dA = RandomSeq(T, na, m, rng);
        var (_, _, caches) = Lstm.ForwardWith(xs, p, null, null, new LstmEngineOptions(SimdLevel.Auto, 1));
        var seq = caches[0].Sequence!;
        var engine = LstmEngine.ForCurrentThread();
        var dX = xs.Select(x => Init.Zeros(nx, m)).ToArray();
        engine.Forward(seq); engine.BackwardSteps(seq, dA, null, dX);      // warm-up
        long before = GC.GetAllocatedBytesForCurrentThread();
        engine.Forward(seq);
        engine.BackwardSteps(seq, dA, dA, dX);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    private static void Close(Matrix<double> expected, Matrix<double> actual, string what)
    {
        double scale = 1 + expected.Enumerate().Select(Math.Abs).DefaultIfEmpty(0).Max();
        AssertClose(expected, actual, 1e-12 * scale, what);
    }
}
