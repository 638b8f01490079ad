using MathNet.Numerics.LinearAlgebra;
using static SeqCourse.Tests.GatedTestKit;

namespace SeqCourse.Tests.Deep;

public class DeepExampleTests
{
    /// <summary>
    /// A scalar tanh RNN a⟨t⟩ = tanh(W_a[a⟨t−1⟩; x⟨t⟩] + b) built from the library's simplified GRU with its update
    /// gate pinned open: Γ_u = σ(40) is exactly 1.0 in double, so c⟨t⟩ = c̃⟨t⟩ = tanh(W_c[c⟨t−1⟩; x⟨t⟩] + b_c).
    /// </summary>
    private static GruLayer TanhLayer(double waa, double wax) => new(new GruParameters(GruVariant.Simplified,
        Mat(new double[,] { { 0, 0 } }), GatedTestKit.Scalar(40), null, null, Mat(new double[,] { { waa, wax } }), GatedTestKit.Scalar(0)));

    [Fact]
    public void TwoTanhLayersFromTheSyllabus()
    {
        Assert.Equal(1.0, Activations.Sigmoid(40.0));
        var deep = new StackedLayers(TanhLayer(0.5, 1), TanhLayer(0.5, 1));
        var fwd = deep.Forward(new[] { GatedTestKit.Scalar(1), GatedTestKit.Scalar(1) });
        var states = StackedLayers.AllStates(fwd);
        Assert.Equal(0.7615942, states[0][0][0, 0], 7);   // a^[1]⟨1⟩ = tanh 1
        Assert.Equal(0.6420150, states[1][0][0, 0], 7);   // a^[2]⟨1⟩ = tanh 0.7615942
        Assert.Equal(0.8811296, states[0][1][0, 0], 7);   // a^[1]⟨2⟩
        Assert.Equal(0.8343053, states[1][1][0, 0], 7);   // a^[2]⟨2⟩
        Assert.Equal(0.8343053, fwd.A[1][0, 0], 7);       // the output is the top layer
        Assert.Equal(2, deep.Depth);
    }
}

public class DeepGradientTests
{
    [Fact]
    public void TwoLayerGru() =>
        CheckLayer(new StackedLayers(new GruLayer(GruParameters.Normal(Nx, Na, 0.8, new Random(90))),
            new GruLayer(GruParameters.Normal(Na, Na, 0.8, new Random(91)))), new Random(92));

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void TwoLayerLstm(bool peepholes) =>
        CheckLayer(new StackedLayers(new LstmLayer(LstmParameters.Normal(Nx, Na, 0.8, new Random(93), peepholes)),
            new LstmLayer(LstmParameters.Normal(Na, 4, 0.8, new Random(94), peepholes))), new Random(95));

    [Fact]
    public void ThreeMixedLayers()
    {
        var rng = new Random(96);
        CheckLayer(new StackedLayers(
            new GruLayer(GruParameters.Normal(Nx, 4, 0.8, rng, GruVariant.ResetAfter)),
            new LstmLayer(LstmParameters.Normal(4, Na, 0.8, rng)),
            new GruLayer(GruParameters.Normal(Na, 3, 0.8, rng, GruVariant.Simplified))), rng);
    }

    [Fact]
    public void TwoLayerBidirectional()
    {
        // A deep BRNN: layer 2 reads the 2n_a features of layer 1.
        var rng = new Random(97);
        var l1 = new BidirectionalLayer(new GruLayer(GruParameters.Normal(Nx, 3, 0.8, rng)), new GruLayer(GruParameters.Normal(Nx, 3, 0.8, rng)));
        var l2 = new BidirectionalLayer(new LstmLayer(LstmParameters.Normal(6, 3, 0.8, rng)), new LstmLayer(LstmParameters.Normal(6, 3, 0.8, rng)));
        var deep = new StackedLayers(l1, l2);
        Assert.Equal("l2.bwd.bo", deep.Parameters.Items[^1].Name);
        CheckLayer(deep, rng);
    }
}

public class DeepBadInputTests
{
    [Fact]
    public void LayersMustChain()
    {
        var rng = new Random(1);
        AssertBadArgument(() => new StackedLayers(new GruLayer(3, 5, rng), new GruLayer(4, 5, rng)), "layers", "InputSize 5", "has 4");
        AssertBadArgument(() => new StackedLayers(), "layers", "at least one layer");
        var same = new GruLayer(5, 5, rng);
        AssertBadArgument(() => new StackedLayers(same, same), "layers", "different");
    }

    [Fact]
    public void ForeignForwardResult()
    {
        var rng = new Random(2);
        var deep = new StackedLayers(new GruLayer(Nx, Na, rng), new GruLayer(Na, Na, rng));
        var other = new StackedLayers(new GruLayer(Nx, Na, rng));
        var fwd = other.Forward(RandomSeq(T, Nx, M, rng));
        AssertBadArgument(() => deep.Backward(RandomSeq(T, Na, M, rng), fwd), "forward", "2 layers");
    }
}

public class ParameterCountTests
{
    [Fact]
    public void SyllabusTable()
    {
        // 1.11: n_x = 3, n_a = 5.
        Assert.Equal(45, ParameterCounts.Rnn(3, 5));
        Assert.Equal(135, ParameterCounts.Gru(3, 5));
        Assert.Equal(180, ParameterCounts.Lstm(3, 5));
        Assert.Equal(195, ParameterCounts.Lstm(3, 5, peepholes: true));
        Assert.Equal(150, ParameterCounts.TorchGru(3, 5));
        Assert.Equal(200, ParameterCounts.TorchLstm(3, 5));
        Assert.Equal(90, ParameterCounts.Gru(3, 5, GruVariant.Simplified));
        Assert.Equal(140, ParameterCounts.Gru(3, 5, GruVariant.ResetAfter));
    }

    [Fact]
    public void FormulasAgreeWithTheActualParameterSets()
    {
        var rng = new Random(1);
        foreach (var v in new[] { GruVariant.Lecture, GruVariant.Simplified, GruVariant.ResetAfter })
            Assert.Equal(ParameterCounts.Gru(3, 5, v), GruParameters.Create(3, 5, rng, v).Count());
        Assert.Equal(180, LstmParameters.Create(3, 5, rng).Count());
        Assert.Equal(195, LstmParameters.Create(3, 5, rng, peepholes: true).Count());
        // PyTorch's count from its own layout: weight_ih (3n_a, n_x) + weight_hh (3n_a, n_a) + two (3n_a) biases.
        Assert.Equal(3 * 5 * 3 + 3 * 5 * 5 + 2 * 3 * 5, ParameterCounts.TorchGru(3, 5));
        Assert.Equal(4 * 5 * 3 + 4 * 5 * 5 + 2 * 4 * 5, ParameterCounts.TorchLstm(3, 5));
    }

    [Fact]
    public void BadSizes() => AssertBadArgument(() => ParameterCounts.Gru(0, 5), "nx", "> 0", "0");
}

public class DeepBuilderTests
{
    [Fact]
    public void BuildersChainSizes()
    {
        var rng = new Random(5);
        var gru = DeepRnn.Gru(3, 5, 3, rng);
        Assert.Equal(3, gru.Depth);
        Assert.Equal(new[] { 3, 5, 5 }, gru.Layers.Select(l => l.InputSize));
        Assert.Equal(ParameterCounts.Gru(3, 5) + 2 * ParameterCounts.Gru(5, 5), gru.Parameters.Count());
        var bi = DeepRnn.Bidirectional(3, 2, (nIn, r) => new LstmLayer(nIn, 4, r), rng);
        Assert.Equal(new[] { 3, 8 }, bi.Layers.Select(l => l.InputSize));
        Assert.Equal(8, bi.HiddenSize);
        Assert.Equal(2 * (ParameterCounts.Lstm(3, 4) + ParameterCounts.Lstm(8, 4)), bi.Parameters.Count());
        CheckLayer(DeepRnn.Lstm(Nx, 4, 2, rng, peepholes: true), rng);
        AssertBadArgument(() => DeepRnn.Gru(3, 5, 0, rng), "depth", "> 0", "0");
    }
}

public class DeepVanillaTests
{
    private static RnnLayer Scalar(double waa, double wax) =>
        new(Mat(new double[,] { { waa } }), Mat(new double[,] { { wax } }), GatedTestKit.Scalar(0));

    [Fact]
    public void TwoTanhRnnLayersFromTheSyllabus()
    {
        // §3.4 with the vanilla RnnLayer: W_a^[1] = W_a^[2] = [0.5, 1], b = 0, x = (1, 1).
        var deep = new StackedLayers(Scalar(0.5, 1), Scalar(0.5, 1));
        var states = StackedLayers.AllStates(deep.Forward(new[] { GatedTestKit.Scalar(1), GatedTestKit.Scalar(1) }));
        Assert.Equal(0.7615942, states[0][0][0, 0], 7);
        Assert.Equal(0.6420150, states[1][0][0, 0], 7);
        Assert.Equal(0.8811296, states[0][1][0, 0], 7);
        Assert.Equal(0.8343053, states[1][1][0, 0], 7);
    }

    [Fact]
    public void TwoLayerVanillaGradientCheck()
    {
        var rng = new Random(98);
        CheckLayer(DeepRnn.Build(Nx, 2, (nIn, r) => RnnLayer.Create(nIn, Na, r), rng), rng);
    }

    [Fact]
    public void BidirectionalVanillaGradientCheck()
    {
        var rng = new Random(99);
        CheckLayer(new BidirectionalLayer(RnnLayer.Create(Nx, Na, rng), RnnLayer.Create(Nx, Na, rng)), rng);
    }

    [Fact]
    public void VanillaCountMatchesTable() =>
        Assert.Equal(ParameterCounts.Rnn(3, 5), RnnLayer.Create(3, 5, new Random(1)).Parameters.Count());
}
