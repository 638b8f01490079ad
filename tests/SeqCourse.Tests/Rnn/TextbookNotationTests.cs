using MathNet.Numerics.LinearAlgebra;

namespace SeqCourse.Tests.Rnn;

public class TextbookNotationTests
{
    [Fact]
    public void RoundTripMapsEachMatrixToItsCourseName()
    {
        var rng = new Random(7);
        var win = Init.Normal(4, 3, 0.5, rng); var w = Init.Normal(4, 4, 0.5, rng); var wout = Init.Normal(2, 4, 0.5, rng);
        var p = TextbookNotation.FromTextbook(win, w, wout);
        Assert.Equal(win, p.Wax); Assert.Equal(w, p.Waa); Assert.Equal(wout, p.Wya);
        Assert.True(p.ba.ForAll(v => v == 0) && p.by.ForAll(v => v == 0));
        var back = TextbookNotation.ToTextbook(p);
        Assert.Equal(win, back.Win); Assert.Equal(w, back.W); Assert.Equal(wout, back.Wout);
        // Copies, not aliases.
        p.Wax[0, 0] += 1; Assert.NotEqual(p.Wax[0, 0], win[0, 0]);
        var (winRow, wRow, woutRow) = TextbookNotation.ToRowVectorCode(TextbookNotation.FromTextbook(win, w, wout));
        Assert.Equal(win.Transpose(), winRow); Assert.Equal(w.Transpose(), wRow); Assert.Equal(wout.Transpose(), woutRow);
    }

    [Fact]
    public void TextbookForwardEqualsTheCourseRnn()
    {
        var rng = new Random(8);
        var tw = new TextbookRnnWeights(Init.Normal(5, 3, 0.6, rng), Init.Normal(5, 5, 0.6, rng), Init.Normal(2, 5, 0.6, rng));
        var xs = Enumerable.Range(0, 6).Select(_ => Init.Normal(3, 4, 1.0, rng)).ToArray();
        var (u, z, v) = TextbookNotation.Forward(xs, tw);
        var course = SeqCourse.Rnn.Forward(xs, null, TextbookNotation.FromTextbook(tw));
        for (int t = 0; t < xs.Length; t++)
        {
            Assert.True((z[t] - course.A[t]).InfinityNorm() < 1e-14);
            Assert.True((v[t] - course.Zy[t]).InfinityNorm() < 1e-14);
            Assert.True((z[t] - u[t].Map(Math.Tanh)).InfinityNorm() < 1e-15);
        }
        // Hand example, n_a = n_x = n_y = 1: W^(in) = 1, W = 0.5, W^(out) = 2, x = (1, 0): u¹ = 1, z¹ = tanh 1, u² = 0.5 tanh 1.
        var one = new TextbookRnnWeights(M(1), M(0.5), M(2));
        var (u1, z1, v1) = TextbookNotation.Forward([M(1), M(0)], one);
        Assert.Equal(1.0, u1[0][0, 0], 15);
        Assert.Equal(Math.Tanh(1), z1[0][0, 0], 15);
        Assert.Equal(0.5 * Math.Tanh(1), u1[1][0, 0], 15);
        Assert.Equal(2 * Math.Tanh(0.5 * Math.Tanh(1)), v1[1][0, 0], 15);
    }

    [Fact]
    public void BiasesAndBadShapesAreRejected()
    {
        var p = RnnParameters.Create(3, 4, 2, new Random(1));
        p.ba[1, 0] = 0.25;
        var e = Assert.Throws<ArgumentException>(() => TextbookNotation.ToTextbook(p));
        Assert.Equal("p.ba", e.ParamName); Assert.Contains("0.25", e.Message);
        e = Assert.Throws<ArgumentException>(() => TextbookNotation.FromTextbook(Init.Zeros(3, 2), Init.Zeros(4, 4), Init.Zeros(2, 4)));
        Assert.Equal("Win", e.ParamName); Assert.Contains("4 rows", e.Message);
        e = Assert.Throws<ArgumentException>(() => TextbookNotation.FromTextbook(Init.Zeros(4, 2), Init.Zeros(4, 4), Init.Zeros(2, 3)));
        Assert.Equal("Wout", e.ParamName); Assert.Contains("(2, 4)", e.Message);
    }

    private static Matrix<double> M(double v) => Matrix<double>.Build.Dense(1, 1, v);
}
