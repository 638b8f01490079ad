using MathNet.Numerics.LinearAlgebra;

namespace SeqCourse.Tests.Rnn;

public class RnnCellTests
{
    private static RnnParameters ScalarParams(double w, double u, double b = 0) =>
        new(H.Scalar(w), H.Scalar(u), H.Scalar(b), H.Scalar(1.0), H.Scalar(0.0));

    [Fact]
    public void ScalarTanhStepsMatchHandValues()
    {
        // §3.11: a⟨t⟩ = tanh(0.5 a⟨t−1⟩ + 1·x⟨t⟩), a⟨0⟩ = 0, x = (1, 1): a⟨1⟩ = tanh 1, a⟨2⟩ = tanh(0.5·0.7615942 + 1).
        var p = ScalarParams(0.5, 1.0);
        var fwd = SeqCourse.Rnn.Forward([H.Scalar(1), H.Scalar(1)], null, p);
        Assert.Equal(0.7615942, fwd.A[0][0, 0], 7);
        Assert.Equal(0.8811296, fwd.A[1][0, 0], 7);
        // z_y = W_ya a + b_y with W_ya = 1, b_y = 0
        Assert.Equal(fwd.A[1][0, 0], fwd.Zy[1][0, 0], 15);
    }

    [Fact]
    public void ScalarReluAndSigmoidStepsMatchHandValues()
    {
        // ReLU, w = 0.5, u = 1, b = 0.1, x = (1, 1): a⟨1⟩ = 1.1, a⟨2⟩ = 0.55 + 1 + 0.1 = 1.65.
        var relu = SeqCourse.Rnn.Forward([H.Scalar(1), H.Scalar(1)], null, ScalarParams(0.5, 1.0, 0.1), Activation.Relu);
        Assert.Equal(1.1, relu.A[0][0, 0], 14);
        Assert.Equal(1.65, relu.A[1][0, 0], 14);
        // x = −1 drives z below 0: ReLU gives exactly 0
        var off = SeqCourse.Rnn.Forward([H.Scalar(-1)], null, ScalarParams(0.5, 1.0, 0.1), Activation.Relu);
        Assert.Equal(0.0, off.A[0][0, 0]);
        // σ, quiz 3 shape: a⟨1⟩ = σ(W_ax x + W_aa s⟨0⟩ + b) = σ(1) = 0.7310586 with s⟨0⟩ = 0.
        var sig = SeqCourse.Rnn.Forward([H.Scalar(1)], null, ScalarParams(0.5, 1.0), Activation.Sigmoid);
        Assert.Equal(0.7310586, sig.A[0][0, 0], 7);
    }

    [Fact]
    public void StackedFormEqualsTwoProducts()
    {
        // §1.2: W_a [a; x] = W_aa a + W_ax x, with W_a = [W_aa | W_ax] of shape (n_a, n_a + n_x).
        var rng = new Random(1);
        var p = H.RandomParams(3, 5, 2, rng);
        var a = Init.Normal(5, 4, 1, rng); var x = Init.Normal(3, 4, 1, rng);
        Assert.Equal(5, p.Wa.RowCount);
        Assert.Equal(8, p.Wa.ColumnCount);
        var (next, cache) = RnnCell.Forward(x, a, p);
        H.AssertClose(cache.Z, p.StackedPreActivation(a, x), 1e-14, "stacked z");
        H.AssertClose(p.Waa * a + p.Wax * x, p.Wa * RnnParameters.StackAx(a, x), 1e-14, "W_a[a; x]");
        H.AssertClose(Activations.Tanh(cache.Z), next, 0, "a = tanh z");
    }

    [Fact]
    public void ShapesFollowTheNotation()
    {
        var rng = new Random(2);
        var p = H.RandomParams(3, 5, 2, rng);
        Assert.Equal((5, 5), (p.Waa.RowCount, p.Waa.ColumnCount));
        Assert.Equal((5, 3), (p.Wax.RowCount, p.Wax.ColumnCount));
        Assert.Equal((2, 5), (p.Wya.RowCount, p.Wya.ColumnCount));
        Assert.Equal(5 * 5 + 5 * 3 + 5 + 2 * 5 + 2, p.Count());
        var fwd = SeqCourse.Rnn.Forward(H.RandomSeq(3, 4, 6, rng), null, p);
        Assert.Equal(6, fwd.A.Length);
        Assert.All(fwd.A, a => Assert.Equal((5, 4), (a.RowCount, a.ColumnCount)));
        Assert.All(fwd.Zy, z => Assert.Equal((2, 4), (z.RowCount, z.ColumnCount)));
        Assert.All(fwd.SoftmaxOutputs(), y => Assert.All(Enumerable.Range(0, 4), j => Assert.Equal(1.0, y.Column(j).Sum(), 12)));
    }

    [Theory]
    [InlineData(Activation.Tanh, 0.0)]
    [InlineData(Activation.Relu, 1.0)]   // shift inputs so no z sits at the kink
    [InlineData(Activation.Sigmoid, 0.0)]
    public void CellBackwardPassesGradientCheck(Activation g, double shift)
    {
        var rng = new Random(3);
        var p = H.RandomParams(3, 5, 2, rng);
        var x = Init.Normal(3, 4, 1, rng).Add(shift);
        var aPrev = Init.Normal(5, 4, 1, rng).Add(shift);
        var R = Init.Normal(5, 4, 1, rng);
        double J() => R.PointwiseMultiply(RnnCell.Forward(x, aPrev, p, g).A).Enumerate().Sum();

        var (_, cache) = RnnCell.Forward(x, aPrev, p, g);
        var (dx, daPrev, grads) = RnnCell.Backward(R, cache);
        Assert.Equal(["dWaa", "dWax", "dba"], grads.Items.Select(i => i.Name));
        H.AssertGradients(J,
            ParameterSet.Of(new("Waa", p.Waa), new("Wax", p.Wax), new("ba", p.ba), new("x", x), new("aPrev", aPrev)),
            ParameterSet.Of(new("dWaa", grads.dWaa), new("dWax", grads.dWax), new("dba", grads.dba), new("dx", dx), new("daPrev", daPrev)));
    }

    [Fact]
    public void CellDoesNotMutateInputs()
    {
        var rng = new Random(4);
        var p = H.RandomParams(3, 5, 2, rng);
        var before = p.DeepCopy();
        var x = Init.Normal(3, 2, 1, rng); var x0 = x.Clone();
        var a = Init.Normal(5, 2, 1, rng); var a0 = a.Clone();
        var (_, cache) = RnnCell.Forward(x, a, p);
        RnnCell.Backward(Init.Normal(5, 2, 1, rng), cache);
        Assert.Equal(x0, x); Assert.Equal(a0, a);
        Assert.Equal(before.Waa, p.Waa); Assert.Equal(before.ba, p.ba);
    }
}

public class RnnSequenceTests
{
    private const int Nx = 3, Na = 5, Ny = 4, Mb = 4, T = 4;   // §3.12's small shapes

    [Fact]
    public void SequenceWithSoftmaxLossPassesGradientCheck()
    {
        var rng = new Random(10);
        var p = H.RandomParams(Nx, Na, Ny, rng);
        var xs = H.RandomSeq(Nx, Mb, T, rng);
        var a0 = Init.Normal(Na, Mb, 0.5, rng);
        var targets = H.RandomTargets(Ny, Mb, T, rng);
        targets[3][1] = -1;   // one padded position
        double J() => Losses.SoftmaxCrossEntropy(SeqCourse.Rnn.Forward(xs, a0, p).Zy, targets).J;

        var fwd = SeqCourse.Rnn.Forward(xs, a0, p);
        var (_, dZy) = Losses.SoftmaxCrossEntropy(fwd.Zy, targets);
        var back = SeqCourse.Rnn.Backward(dZy, fwd, p);
        H.AssertGradients(J, ParameterSet.Concat(("", p), ("", H.Named("x", xs)), ("", ParameterSet.Of(new NamedMatrix("a0", a0)))),
            ParameterSet.Concat(("", back.Grads), ("", H.Named("dx", back.Dx)), ("", ParameterSet.Of(new NamedMatrix("da0", back.Da0)))));

        var (J2, grads2) = RnnArchitectures.ManyToMany(xs, targets, p, a0);
        Assert.Equal(J(), J2, 14);
        H.AssertClose(back.Grads.dWaa, grads2.dWaa, 1e-15, "ManyToMany = Forward + loss + Backward");
    }

    [Theory]
    [InlineData(Activation.Tanh, 0.0)]
    [InlineData(Activation.Relu, 1.0)]
    public void WeightedOutputSumPassesGradientCheck(Activation g, double shift)
    {
        // J = Σ R ⊙ z_y (§3.12) with upstream dA on the states as well (used by BRNN/deep wrappers).
        var rng = new Random(11);
        var p = H.RandomParams(Nx, Na, Ny, rng);
        if (g == Activation.Relu) p.ba.MapInplace(v => v + 0.5);
        var xs = H.RandomSeq(Nx, Mb, T, rng, shift: shift);
        var R = H.RandomSeq(Ny, Mb, T, rng);
        var S = H.RandomSeq(Na, Mb, T, rng);
        double J()
        {
            var f = SeqCourse.Rnn.Forward(xs, null, p, g);
            return H.WeightedSum(R, f.Zy) + H.WeightedSum(S, f.A);
        }
        var fwd = SeqCourse.Rnn.Forward(xs, null, p, g);
        Assert.All(fwd.Caches, c => Assert.True(c.Z.Enumerate().All(z => Math.Abs(z) > 1e-4), "ReLU kink too close"));
        var back = SeqCourse.Rnn.Backward(R, fwd, p, S);
        H.AssertGradients(J, ParameterSet.Concat(("", p), ("", H.Named("x", xs))),
            ParameterSet.Concat(("", back.Grads), ("", H.Named("dx", back.Dx))));
    }

    [Fact]
    public void ManyToOnePassesGradientCheckAndUsesOnlyTheLastOutput()
    {
        var rng = new Random(12);
        var p = H.RandomParams(Nx, Na, Ny, rng);
        var xs = H.RandomSeq(Nx, Mb, 6, rng);
        var target = new[] { 0, 3, 1, 2 };
        var (J0, grads) = RnnArchitectures.ManyToOne(xs, target, p);
        H.AssertGradients(() => RnnArchitectures.ManyToOne(xs, target, p).J, p, grads);
        // the loss is the CE of ŷ⟨T⟩ alone
        var yT = RnnArchitectures.ManyToOnePredict(xs, p);
        double expected = -target.Select((k, i) => Math.Log(yT[k, i])).Sum() / Mb;
        Assert.Equal(expected, J0, 12);
    }

    [Fact]
    public void SigmoidOutputsWithBinaryCrossEntropyPassGradientCheck()
    {
        // σ hidden units and σ outputs with BCE, as in S3's binary addition (n_x = 2, n_y = 1).
        var rng = new Random(13);
        var p = H.RandomParams(2, 6, 1, rng, std: 1.0);
        var xs = Enumerable.Range(0, 8).Select(_ => Matrix<double>.Build.Dense(2, 3, (i, j) => rng.Next(2))).ToArray();
        var ys = Enumerable.Range(0, 8).Select(_ => Matrix<double>.Build.Dense(1, 3, (i, j) => rng.Next(2))).ToArray();
        var (_, grads) = RnnArchitectures.ManyToManyBinary(xs, ys, p, g: Activation.Sigmoid);
        H.AssertGradients(() => RnnArchitectures.ManyToManyBinary(xs, ys, p, g: Activation.Sigmoid).J, p, grads);
    }

    [Fact]
    public void OneToManyFeedsOutputsBack()
    {
        var rng = new Random(14);
        var p = H.RandomParams(4, 6, 4, rng, std: 1.0);
        var x1 = OneHot.Vector(2, 4);
        var greedy = RnnArchitectures.OneToMany(x1, p, 5);
        // recompute by hand: x⟨t+1⟩ = one-hot(argmax z_y⟨t⟩)
        var a = Init.Zeros(6, 1); var x = x1;
        for (int t = 0; t < 5; t++)
        {
            (a, _) = RnnCell.Forward(x, a, p);
            int k = RnnCell.Output(a, p).Column(0).MaximumIndex();
            Assert.Equal(k, greedy[t]);
            x = OneHot.Vector(k, 4);
        }
        var s1 = RnnArchitectures.OneToMany(x1, p, 20, new Random(5));
        var s2 = RnnArchitectures.OneToMany(x1, p, 20, new Random(5));
        Assert.Equal(s1, s2);   // explicit generator: reproducible
        Assert.All(s1, k => Assert.InRange(k, 0, 3));
    }

    [Fact]
    public void BadInputNamesArgumentExpectedAndActual()
    {
        var rng = new Random(15);
        var p = H.RandomParams(Nx, Na, Ny, rng);
        var ex = Assert.Throws<ArgumentException>(() => SeqCourse.Rnn.Forward([Init.Normal(2, 4, 1, rng)], null, p));
        Assert.StartsWith("xs", ex.ParamName);
        Assert.Contains("3 rows", ex.Message); Assert.Contains("(2, 4)", ex.Message);

        ex = Assert.Throws<ArgumentException>(() => SeqCourse.Rnn.Forward([], null, p));
        Assert.Equal("xs", ex.ParamName); Assert.Contains("empty", ex.Message);

        var bad = Init.Normal(Nx, 4, 1, rng); bad[1, 2] = double.NaN;
        ex = Assert.Throws<ArgumentException>(() => SeqCourse.Rnn.Forward([Init.Normal(Nx, 4, 1, rng), bad], null, p));
        Assert.Contains("xs[1]", ex.ParamName); Assert.Contains("NaN", ex.Message); Assert.Contains("[1, 2]", ex.Message);

        ex = Assert.Throws<ArgumentException>(() => SeqCourse.Rnn.Forward([Init.Normal(Nx, 4, 1, rng)], Init.Zeros(Na, 3), p));
        Assert.Equal("a0", ex.ParamName); Assert.Contains("(5, 4)", ex.Message); Assert.Contains("(5, 3)", ex.Message);

        ex = Assert.Throws<ArgumentException>(() => RnnCell.Forward(Init.Normal(Nx, 4, 1, rng), Init.Zeros(Na, 2), p));
        Assert.Equal("aPrev", ex.ParamName); Assert.Contains("(5, 4)", ex.Message); Assert.Contains("(5, 2)", ex.Message);

        var wrong = p with { ba = Init.Zeros(Na + 1, 1) };
        ex = Assert.Throws<ArgumentException>(() => SeqCourse.Rnn.Forward([Init.Normal(Nx, 4, 1, rng)], null, wrong));
        Assert.Equal("ba", ex.ParamName); Assert.Contains("(5, 1)", ex.Message); Assert.Contains("(6, 1)", ex.Message);

        var fwd = SeqCourse.Rnn.Forward(H.RandomSeq(Nx, 4, 3, rng), null, p);
        ex = Assert.Throws<ArgumentException>(() => SeqCourse.Rnn.Backward(H.RandomSeq(Ny, 4, 2, rng), fwd, p));
        Assert.Equal("dZy", ex.ParamName); Assert.Contains("3", ex.Message); Assert.Contains("2", ex.Message);
    }
}

public class RnnLayerTests
{
    [Fact]
    public void LayerMatchesTheSequenceFunctionsAndPassesGradientCheck()
    {
        var rng = new Random(20);
        var p = H.RandomParams(3, 5, 2, rng);
        var layer = new RnnLayer(p.Waa, p.Wax, p.ba);
        Assert.Equal(3, layer.InputSize); Assert.Equal(5, layer.HiddenSize);
        Assert.Equal(["Waa", "Wax", "ba"], layer.Parameters.Items.Select(i => i.Name));
        var xs = H.RandomSeq(3, 4, 5, rng);
        var outp = layer.Forward(xs);
        var fwd = SeqCourse.Rnn.Forward(xs, null, p);
        for (int t = 0; t < 5; t++) H.AssertClose(fwd.A[t], outp.A[t], 0, $"a[{t}]");

        // dA only at some steps (null elsewhere), as a many-to-one head would give
        var S = H.RandomSeq(5, 4, 5, rng);
        var dA = new Matrix<double>?[] { null, S[1], null, S[3], S[4] };
        double J()
        {
            var o = layer.Forward(xs);
            return Enumerable.Range(0, 5).Where(t => dA[t] is not null).Sum(t => dA[t]!.PointwiseMultiply(o.A[t]).Enumerate().Sum());
        }
        var back = layer.Backward(dA, outp);
        H.AssertGradients(J, ParameterSet.Concat(("", layer.Parameters), ("", H.Named("x", xs))),
            ParameterSet.Concat(("", back.Grads), ("", H.Named("dx", back.DX))));
    }

    [Fact]
    public void CreateUsesGivenInitialiserAndRejectsForeignCache()
    {
        var layer = RnnLayer.Create(3, 4, new Random(1), Activation.Relu, Init.He);
        Assert.Equal(Activation.Relu, layer.G);
        Assert.Equal(0.0, layer.ba.Enumerate().Sum());
        var ex = Assert.Throws<ArgumentException>(() => layer.Backward([null], new RecurrentOutput([Init.Zeros(4, 1)], "x")));
        Assert.Equal("forward", ex.ParamName);
    }
}

public class TruncatedBpttTests
{
    [Fact]
    public void CarriesStateButCutsTheGradient()
    {
        var rng = new Random(30);
        var p = H.RandomParams(3, 5, 4, rng);
        var xs = H.RandomSeq(3, 2, 8, rng);
        var targets = H.RandomTargets(4, 2, 8, rng);
        var runner = new TruncatedBptt(p, 4);

        var (J1, g1) = runner.Step(xs[..4], targets[..4]);
        var carried = runner.State!.Clone();
        var (J2, g2) = runner.Step(xs[4..], targets[4..]);

        // Forward: the state is carried, so the chunks see exactly what one long forward pass sees.
        var full = SeqCourse.Rnn.Forward(xs, null, p);
        H.AssertClose(full.A[3], carried, 1e-15, "state after chunk 1");
        H.AssertClose(full.A[7], runner.State!, 1e-15, "state after chunk 2");
        var (Jfull, gFull) = RnnArchitectures.ManyToMany(xs, targets, p);
        Assert.Equal(Jfull, J1 + J2, 12);

        // Output weights have no path through time: same gradient. W_aa does: the cut changes it.
        H.AssertClose(gFull.dWya, g1.dWya + g2.dWya, 1e-13, "dWya");
        Assert.True(H.MaxAbsDiff(gFull.dWaa, g1.dWaa + g2.dWaa) > 1e-6, "truncation must drop the cross-chunk terms");

        // The chunk gradient is exact for the chunk loss with the carried state held constant.
        double Jchunk() => Losses.SoftmaxCrossEntropy(SeqCourse.Rnn.Forward(xs[4..], carried, p).Zy, targets[4..]).J;
        Assert.Equal(Jchunk(), J2, 13);
        H.AssertGradients(Jchunk, p, g2);
    }

    [Fact]
    public void RunUpdatesBetweenChunksAndLowersTheLoss()
    {
        var rng = new Random(31);
        var p = H.RandomParams(4, 8, 4, rng);
        // a periodic sequence 0,1,2,3,0,1,… : predict the next symbol
        int Tn = 40;
        var seq = Enumerable.Range(0, Tn + 1).Select(t => t % 4).ToArray();
        var xs = Enumerable.Range(0, Tn).Select(t => OneHot.Vector(seq[t], 4)).ToArray();
        var targets = Enumerable.Range(0, Tn).Select(t => new[] { seq[t + 1] }).ToArray();
        var runner = new TruncatedBptt(p, 5);
        var opt = new Adam(0.05);
        var first = runner.Run(xs, targets, opt, clipValue: 5);
        Assert.Equal(8, first.Count);
        List<double> last = first;
        for (int e = 0; e < 30; e++) { runner.Reset(); last = runner.Run(xs, targets, opt, clipValue: 5); }
        Assert.True(last.Average() < 0.1 * first.Average(), $"{first.Average()} → {last.Average()}");
        Assert.Equal([(0, 4), (4, 4), (8, 2)], TruncatedBptt.Chunks(10, 4));
    }
}
