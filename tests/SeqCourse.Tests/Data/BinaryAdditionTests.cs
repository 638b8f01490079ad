using MathNet.Numerics.LinearAlgebra;

namespace SeqCourse.Tests.Data;

public class BinaryAdditionTests
{
    [Fact]
    public void AllPairsAreEnumeratedOnce()
    {
        var pairs = BinaryAddition.AllPairs();
        Assert.Equal(16384, pairs.Length);
        Assert.Equal(16384, pairs.Distinct().Count());
        Assert.All(pairs, p => { Assert.InRange(p.A, 0, 127); Assert.InRange(p.B, 0, 127); });
    }

    [Fact]
    public void SplitHoldsOutTenPercentDisjointly()
    {
        var (train, test) = BinaryAddition.Split();
        Assert.Equal(1638, test.Length); // round(0.1 · 16384)
        Assert.Equal(16384 - 1638, train.Length);
        Assert.Empty(train.Intersect(test));
        Assert.Equal(16384, train.Union(test).Count());
        var again = BinaryAddition.Split();
        Assert.Equal(test, again.Test); // seeded: the same every run
        Assert.NotEqual(test, BinaryAddition.Split(seed: 1).Test);
    }

    [Fact]
    public void EveryTargetDecodesToTheSum()
    {
        var pairs = BinaryAddition.AllPairs();
        var (X, Y) = BinaryAddition.Batch(pairs);
        Assert.Equal(8, X.Length);
        Assert.Equal(8, Y.Length);
        Assert.All(X, x => { Assert.Equal(2, x.RowCount); Assert.Equal(16384, x.ColumnCount); });
        Assert.All(Y, y => { Assert.Equal(1, y.RowCount); Assert.Equal(16384, y.ColumnCount); });
        // Read the bits back independently of Decode: Σ_t bit_t · 2^t.
        var y = Y.Select(m => m.Row(0).ToArray()).ToArray();
        var xa = X.Select(m => m.Row(0).ToArray()).ToArray();
        var xb = X.Select(m => m.Row(1).ToArray()).ToArray();
        for (int j = 0; j < pairs.Length; j++)
        {
            int sum = 0, a = 0, b = 0;
            for (int t = 0; t < 8; t++)
            {
                sum += (int)y[t][j] << t; a += (int)xa[t][j] << t; b += (int)xb[t][j] << t;
            }
            if (sum != pairs[j].A + pairs[j].B || a != pairs[j].A || b != pairs[j].B)
                Assert.Fail($"pair {j} = {pairs[j]}: decoded a = {a}, b = {b}, y = {sum}");
        }
        for (int j = 0; j < pairs.Length; j += 97)
        {
            Assert.Equal(pairs[j].A + pairs[j].B, BinaryAddition.Decode(Y, j));
            Assert.Equal(pairs[j].A, BinaryAddition.DecodeOperand(X, 0, j));
            Assert.Equal(pairs[j].B, BinaryAddition.DecodeOperand(X, 1, j));
        }
    }

    [Fact]
    public void HandExampleIsLeastSignificantBitFirst()
    {
        // 5 + 3 = 8: a = 00000101, b = 00000011, sum = 00001000 (MSB first); LSB first the columns read
        // a: 1,0,1,0,...  b: 1,1,0,0,...  y: 0,0,0,1,0,...
        var (X, Y) = BinaryAddition.Batch([(5, 3)]);
        double[] a = [1, 0, 1, 0, 0, 0, 0, 0], b = [1, 1, 0, 0, 0, 0, 0, 0], y = [0, 0, 0, 1, 0, 0, 0, 0];
        for (int t = 0; t < 8; t++)
        {
            Assert.Equal(a[t], X[t][0, 0]);
            Assert.Equal(b[t], X[t][1, 0]);
            Assert.Equal(y[t], Y[t][0, 0]);
        }
        // 127 + 127 = 254 uses the top bit.
        var (_, Ymax) = BinaryAddition.Batch([(127, 127)]);
        Assert.Equal(1.0, Ymax[7][0, 0]);
        Assert.Equal(0.0, Ymax[0][0, 0]);
    }

    [Fact]
    public void DecodeThresholdsSigmoidOutputs()
    {
        var yhat = Enumerable.Range(0, 8).Select(t => Matrix<double>.Build.Dense(1, 1, t is 1 or 4 ? 0.9 : 0.2)).ToArray();
        Assert.Equal(2 + 16, BinaryAddition.Decode(yhat, 0));
    }

    [Fact]
    public void BadInputNamesTheArgument()
    {
        var ex = Assert.Throws<ArgumentException>(() => BinaryAddition.Batch([(1, 2), (128, 0)]));
        Assert.Equal("pairs", ex.ParamName);
        Assert.Contains("pairs[1]", ex.Message);
        Assert.Contains("(128, 0)", ex.Message);
        Assert.Equal("pairs", Assert.Throws<ArgumentException>(() => BinaryAddition.Batch([])).ParamName);
        Assert.Equal("heldOutFraction", Assert.Throws<ArgumentException>(() => BinaryAddition.Split(1, 1.0)).ParamName);
        var (_, Y) = BinaryAddition.Batch([(1, 1)]);
        Assert.Equal("column", Assert.Throws<ArgumentException>(() => BinaryAddition.Decode(Y, 1)).ParamName);
    }
}
