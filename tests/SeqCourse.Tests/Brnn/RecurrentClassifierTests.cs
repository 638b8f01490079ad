using MathNet.Numerics.LinearAlgebra;
using static SeqCourse.Tests.GatedTestKit;

namespace SeqCourse.Tests.Brnn;

public class RecurrentClassifierTests
{
    private static int[] Labels(int m, int ny, Random rng) => Enumerable.Range(0, m).Select(_ => rng.Next(ny)).ToArray();

    [Fact]
    public void ManyToOneGradientCheckOverDeepGru()
    {
        // (Not over a BRNN: reading only a⟨T⟩, the backward direction's recurrent weights get exactly zero
        // gradient, because a←⟨T⟩ is its first step from a zero state; the check would be vacuous there.)
        var rng = new Random(1);
        var model = new RecurrentClassifier(new StackedLayers(new GruLayer(GruParameters.Normal(Nx, Na, 0.8, rng)),
            new GruLayer(GruParameters.Normal(Na, 4, 0.8, rng, GruVariant.ResetAfter))), 3, rng);
        Assert.Equal((3, 4), (model.Wy.RowCount, model.Wy.ColumnCount));
        var xs = RandomSeq(T, Nx, M, rng); var y = Labels(M, 3, rng);
        var (_, grads) = model.ManyToOne(xs, y);
        AssertGradientsPass(() => model.ManyToOne(xs, y).J, model, grads);
        Assert.Equal("dWy", grads.Items[^2].Name);
    }

    [Fact]
    public void ManyToManyGradientCheckOverDeepLstm()
    {
        var rng = new Random(2);
        var model = new RecurrentClassifier(DeepRnn.Build(Nx, 2, (nIn, r) => new LstmLayer(LstmParameters.Normal(nIn, Na, 0.8, r, true)), rng), 4, rng);
        var xs = RandomSeq(T, Nx, M, rng);
        var y = Enumerable.Range(0, T).Select(t => t == 1 ? new[] { 0, -1, 2, 3 } : Labels(M, 4, rng)).ToArray();   // one padded entry
        var (_, grads) = model.ManyToMany(xs, y);
        AssertGradientsPass(() => model.ManyToMany(xs, y).J, model, grads);
    }

    [Fact]
    public void ManyToManyBinaryGradientCheckOverVanillaRnn()
    {
        var rng = new Random(3);
        var model = new RecurrentClassifier(new BidirectionalLayer(RnnLayer.Create(Nx, Na, rng), RnnLayer.Create(Nx, Na, rng)), 1, rng);
        var xs = RandomSeq(T, Nx, M, rng);
        var y = Enumerable.Range(0, T).Select(_ => Matrix<double>.Build.Dense(1, M, (i, j) => rng.Next(2))).ToArray();
        var (_, grads) = model.ManyToManyBinary(xs, y);
        AssertGradientsPass(() => model.ManyToManyBinary(xs, y).J, model, grads);
    }

    [Fact]
    public void LossAndPredictionsByHand()
    {
        // One scalar GRU step with everything zero except W_y: a⟨1⟩ = 0.5·0 + 0.5·tanh(0) = 0, so z_y = b_y and the
        // loss is ln 2 for two classes with b_y = 0; with b_y = (1, 0) it predicts class 0.
        var p = new GruParameters(GruVariant.Lecture, Init.Zeros(1, 2), Init.Zeros(1, 1), Init.Zeros(1, 2), Init.Zeros(1, 1), Init.Zeros(1, 2), Init.Zeros(1, 1));
        var model = new RecurrentClassifier(new GruLayer(p), Mat(new double[,] { { 1 }, { -1 } }), Init.Zeros(2, 1));
        var xs = new[] { GatedTestKit.Scalar(3) };
        Assert.Equal(Math.Log(2), model.ManyToOne(xs, new[] { 1 }).J, 12);
        model.by[0, 0] = 1;
        Assert.Equal(new[] { 0 }, model.PredictLast(xs));
        Assert.Equal(Activations.Sigmoid(1.0), model.PredictBinary(xs)[0][0, 0], 15);
    }

    [Fact]
    public void BadArguments()
    {
        var rng = new Random(4);
        var layer = new GruLayer(Nx, Na, rng);
        AssertBadArgument(() => new RecurrentClassifier(layer, Init.Zeros(2, Na + 1), Init.Zeros(2, 1)), "Wy", "5 columns", "(2, 6)");
        AssertBadArgument(() => new RecurrentClassifier(layer, 0, rng), "ny", "> 0");
        var model = new RecurrentClassifier(layer, 3, rng);
        AssertBadArgument(() => model.ManyToOne(RandomSeq(T, Nx, M, rng), new[] { 0, 1, 2 }), "targets", "4 entries", "3");
        AssertBadArgument(() => model.ManyToOne(RandomSeq(T, Nx, M, rng), new[] { 0, 1, 2, 3 }), "targets", "[0, 2]", "3");
    }
}
