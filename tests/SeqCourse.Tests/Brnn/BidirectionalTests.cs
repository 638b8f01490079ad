using MathNet.Numerics.LinearAlgebra;
using static SeqCourse.Tests.GatedTestKit;

namespace SeqCourse.Tests.Brnn;

/// <summary>
/// The linear cell of the §3.3 example, a⟨t⟩ = a⟨t−1⟩ + s·x⟨t⟩ (no parameters), as a real layer with its own
/// backward pass: ∂J/∂x⟨t⟩ = s Σ_{k ≥ t} ∂J/∂a⟨k⟩.
/// </summary>
internal sealed class LinearAccumulator(int n, double s = 1.0) : IRecurrentLayer
{
    public int InputSize => n;
    public int HiddenSize => n;
    public IParameterSet Parameters { get; } = ParameterSet.Of();

    public RecurrentOutput Forward(IReadOnlyList<Matrix<double>> xs)
    {
        var A = new Matrix<double>[xs.Count];
        var a = Matrix<double>.Build.Dense(n, xs[0].ColumnCount);
        for (int t = 0; t < xs.Count; t++) A[t] = a = a + s * xs[t];
        return new RecurrentOutput(A, xs.Count);
    }

    public RecurrentGradients Backward(IReadOnlyList<Matrix<double>?> dA, RecurrentOutput forward)
    {
        var dX = new Matrix<double>[dA.Count];
        var run = Matrix<double>.Build.Dense(n, forward.A[0].ColumnCount);
        for (int t = dA.Count - 1; t >= 0; t--) { if (dA[t] is { } d) run += d; dX[t] = s * run; }
        return new RecurrentGradients(dX, ParameterSet.Of());
    }
}

public class BidirectionalExampleTests
{
    [Fact]
    public void LinearCellsGiveOneThreeAndThreeTwo()
    {
        // §3.3: x = (1, 2), a→ = (1, 3), a← = (3, 2): features [1; 3] and [3; 2]. Without the second
        // reversal t = 1 would get [1; 2].
        var brnn = new BidirectionalLayer(new LinearAccumulator(1), new LinearAccumulator(1));
        var A = brnn.Forward(new[] { GatedTestKit.Scalar(1), GatedTestKit.Scalar(2) }).A;
        AssertClose(Mat(new double[,] { { 1 }, { 3 } }), A[0], 0, "features at t = 1");
        AssertClose(Mat(new double[,] { { 3 }, { 2 } }), A[1], 0, "features at t = 2");
        Assert.Equal(2, brnn.HiddenSize);
    }

    [Fact]
    public void OutputLayerReadsForwardThenBackward()
    {
        // §3.3: a→ = 0.5, a← = −0.2, W_y = [1, 2], b_y = 0, σ: ŷ = σ(0.1) = 0.5249792.
        var brnn = new BidirectionalLayer(new LinearAccumulator(1, 1.0), new LinearAccumulator(1, -0.4));
        var features = brnn.Forward(new[] { GatedTestKit.Scalar(0.5) }).A[0];
        AssertClose(Mat(new double[,] { { 0.5 }, { -0.2 } }), features, 1e-15, "[a→; a←]");
        var yHat = Activations.Sigmoid(Mat(new double[,] { { 1, 2 } }) * features);
        Assert.Equal(0.5249792, yHat[0, 0], 7);
    }

    [Fact]
    public void LinearBackwardPassIsExact()
    {
        // J = Σ_t r_t · [a→⟨t⟩; a←⟨t⟩]; ∂J/∂x⟨t⟩ = Σ_{k≥t} r→_k + Σ_{k≤t} r←_k.
        var brnn = new BidirectionalLayer(new LinearAccumulator(1), new LinearAccumulator(1));
        var xs = new[] { GatedTestKit.Scalar(1), GatedTestKit.Scalar(2), GatedTestKit.Scalar(-1) };
        var R = new[] { Mat(new double[,] { { 1 }, { 10 } }), Mat(new double[,] { { 2 }, { 20 } }), Mat(new double[,] { { 3 }, { 30 } }) };
        var g = brnn.Backward(R, brnn.Forward(xs));
        Assert.Equal(1 + 2 + 3 + 10, g.DX[0][0, 0], 12);
        Assert.Equal(2 + 3 + 10 + 20, g.DX[1][0, 0], 12);
        Assert.Equal(3 + 10 + 20 + 30, g.DX[2][0, 0], 12);
    }

    [Fact]
    public void EachDirectionSeesOnlyItsSide()
    {
        // a→⟨t⟩ depends on x⟨1…t⟩ and a←⟨t⟩ on x⟨t…T⟩: change x⟨1⟩ and only a→ (all t) and a←⟨1⟩ move.
        var rng = new Random(3);
        var brnn = new BidirectionalLayer(new GruLayer(Nx, Na, rng), new LstmLayer(Nx, Na + 1, rng));
        var xs = RandomSeq(T, Nx, M, rng);
        var before = brnn.Forward(xs).A;
        var changed = xs.Select(x => x.Clone()).ToArray();
        changed[0][0, 0] += 1.0;
        var after = brnn.Forward(changed).A;
        for (int t = 0; t < T; t++)
        {
            var fwdDiff = (after[t].SubMatrix(0, Na, 0, M) - before[t].SubMatrix(0, Na, 0, M)).FrobeniusNorm();
            var bwdDiff = (after[t].SubMatrix(Na, Na + 1, 0, M) - before[t].SubMatrix(Na, Na + 1, 0, M)).FrobeniusNorm();
            Assert.True(fwdDiff > 1e-6, $"a→⟨{t + 1}⟩ should change");
            if (t == 0) Assert.True(bwdDiff > 1e-6, "a←⟨1⟩ should change");
            else Assert.Equal(0.0, bwdDiff);
        }
        // a←⟨T⟩ is one step of the backward layer from a zero state.
        var lastStep = LstmCell.Forward(xs[T - 1], Init.Zeros(Na + 1, M), Init.Zeros(Na + 1, M), ((LstmLayer)brnn.BackwardLayer).P).A;
        AssertClose(lastStep, before[T - 1].SubMatrix(Na, Na + 1, 0, M), 1e-15, "a←⟨T⟩");
    }
}

public class BidirectionalGradientTests
{
    [Theory]
    [InlineData(GruVariant.Lecture)]
    [InlineData(GruVariant.Simplified)]
    [InlineData(GruVariant.ResetAfter)]
    public void OverGru(GruVariant v)
    {
        var rng = new Random(70 + (int)v);
        CheckLayer(new BidirectionalLayer(new GruLayer(GruParameters.Normal(Nx, Na, 0.8, rng, v)),
            new GruLayer(GruParameters.Normal(Nx, Na, 0.8, rng, v))), rng);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void OverLstm(bool peepholes)
    {
        var rng = new Random(80);
        CheckLayer(new BidirectionalLayer(new LstmLayer(LstmParameters.Normal(Nx, Na, 0.8, rng, peepholes)),
            new LstmLayer(LstmParameters.Normal(Nx, Na, 0.8, rng, peepholes))), rng);
    }

    [Fact]
    public void MixedCellsAndSizes()
    {
        var rng = new Random(81);
        var brnn = new BidirectionalLayer(new GruLayer(GruParameters.Normal(Nx, 4, 0.8, rng)), new LstmLayer(LstmParameters.Normal(Nx, 6, 0.8, rng, true)));
        Assert.Equal(10, brnn.HiddenSize);
        CheckLayer(brnn, rng);
    }

    [Fact]
    public void ManyToOneWithNullSteps()
    {
        var rng = new Random(82);
        var brnn = new BidirectionalLayer(new GruLayer(GruParameters.Normal(Nx, Na, 0.8, rng)), new GruLayer(GruParameters.Normal(Nx, Na, 0.8, rng)));
        // Only steps 1 and T are read (a loss on T alone would leave the backward direction's Γ_r without
        // gradient: a←⟨T⟩ is its first step, from a zero state, so Γ_r ⊙ 0 does not matter).
        var xs = RandomSeq(T, Nx, M, rng); var R1 = Init.Normal(2 * Na, M, 1, rng); var RT = Init.Normal(2 * Na, M, 1, rng);
        var dA = new Matrix<double>?[] { R1, null, null, RT };
        var g = brnn.Backward(dA, brnn.Forward(xs));
        double J()
        {
            var A = brnn.Forward(xs).A;
            return R1.PointwiseMultiply(A[0]).Enumerate().Sum() + RT.PointwiseMultiply(A[T - 1]).Enumerate().Sum();
        }
        AssertGradientsPass(J, Join(brnn.Parameters, Seq("x", xs)), Join(g.Grads, Seq("dx", g.DX)));
    }

    [Fact]
    public void ParametersArePrefixedAndCounted()
    {
        var rng = new Random(83);
        var brnn = new BidirectionalLayer(new GruLayer(3, 5, rng), new GruLayer(3, 5, rng));
        Assert.Equal("fwd.Wu", brnn.Parameters.Items[0].Name);
        Assert.Equal("bwd.bc", brnn.Parameters.Items[^1].Name);
        Assert.Equal(ParameterCounts.Bidirectional(135), brnn.Parameters.Count());
    }
}

public class BidirectionalBadInputTests
{
    [Fact]
    public void DirectionsMustReadTheSameInput()
    {
        var rng = new Random(1);
        AssertBadArgument(() => new BidirectionalLayer(new GruLayer(3, 5, rng), new GruLayer(4, 5, rng)), "backward", "InputSize 3", "4");
        var same = new GruLayer(3, 5, rng);
        AssertBadArgument(() => new BidirectionalLayer(same, same), "backward", "different");
    }

    [Fact]
    public void BadSequencesAndGradients()
    {
        var rng = new Random(2);
        var brnn = new BidirectionalLayer(new GruLayer(Nx, Na, rng), new LstmLayer(Nx, Na, rng));
        AssertBadArgument(() => brnn.Forward(Array.Empty<Matrix<double>>()), "xs", "at least one time step");
        var xs = RandomSeq(T, Nx, M, rng); xs[1][0, 0] = double.NaN;
        AssertBadArgument(() => brnn.Forward(xs), "xs[1]", "NaN");
        var fwd = brnn.Forward(RandomSeq(T, Nx, M, rng));
        AssertBadArgument(() => brnn.Backward(RandomSeq(T, Na, M, rng), fwd), "dA[0]", "(10, 4)", "(5, 4)");
        AssertBadArgument(() => brnn.Backward(RandomSeq(2, 2 * Na, M, rng), fwd), "dA", "4 time steps", "2");
        var gruOut = new GruLayer(Nx, Na, rng).Forward(RandomSeq(T, Nx, M, rng));
        AssertBadArgument(() => brnn.Backward(RandomSeq(T, 2 * Na, M, rng), gruOut), "forward", "BidirectionalLayer", "GruCache[]");
    }
}
