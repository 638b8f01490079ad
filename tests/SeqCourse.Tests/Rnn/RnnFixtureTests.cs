using System.Text.Json;
using MathNet.Numerics.LinearAlgebra;

namespace SeqCourse.Tests.Rnn;

/// <summary>
/// Compares the vanilla RNN with PyTorch 1.13 (float64): tests/fixtures/rnn.json, written by
/// tests/fixtures/make_rnn_fixtures.py (torch.nn.RNN with weight_ih = W_ax, weight_hh = W_aa, bias_ih = b_a, bias_hh = 0).
/// </summary>
public class RnnFixtureTests
{
    internal static string FixturePath(string name)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "tests", "fixtures", name);
            if (File.Exists(candidate)) return candidate;
        }
        throw new FileNotFoundException($"tests/fixtures/{name} not found above {AppContext.BaseDirectory}");
    }

    private static Matrix<double> Mat(JsonElement e) =>
        Matrix<double>.Build.DenseOfRowArrays(e.EnumerateArray().Select(r => r.EnumerateArray().Select(v => v.GetDouble()).ToArray()));

    private static Matrix<double>[] Seq(JsonElement e) => e.EnumerateArray().Select(Mat).ToArray();

    public static TheoryData<string> Cases() => new() { "tanh_rsum", "relu_rsum", "tanh_ce" };

    [Theory]
    [MemberData(nameof(Cases))]
    public void MatchesPyTorch(string name)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(FixturePath("rnn.json")));
        var c = doc.RootElement.GetProperty("cases").EnumerateArray().Single(e => e.GetProperty("name").GetString() == name);
        var p = new RnnParameters(Mat(c.GetProperty("Waa")), Mat(c.GetProperty("Wax")), Mat(c.GetProperty("ba")),
            Mat(c.GetProperty("Wya")), Mat(c.GetProperty("by")));
        var g = c.GetProperty("activation").GetString() == "relu" ? Activation.Relu : Activation.Tanh;
        var xs = Seq(c.GetProperty("xs"));
        var a0 = Mat(c.GetProperty("a0"));

        var fwd = SeqCourse.Rnn.Forward(xs, a0, p, g);
        var a = Seq(c.GetProperty("a"));
        var zy = Seq(c.GetProperty("zy"));
        for (int t = 0; t < xs.Length; t++)
        {
            H.AssertClose(a[t], fwd.A[t], 1e-10, $"a[{t}]");
            H.AssertClose(zy[t], fwd.Zy[t], 1e-10, $"zy[{t}]");
        }

        double J; IReadOnlyList<Matrix<double>> dZy;
        if (c.GetProperty("loss").GetString() == "rsum")
        {
            var R = Seq(c.GetProperty("R"));
            J = H.WeightedSum(R, fwd.Zy);
            dZy = R;
        }
        else
        {
            var targets = c.GetProperty("targets").EnumerateArray().Select(r => r.EnumerateArray().Select(v => v.GetInt32()).ToArray()).ToArray();
            (J, var d) = Losses.SoftmaxCrossEntropy(fwd.Zy, targets);
            dZy = d;
        }
        Assert.Equal(c.GetProperty("J").GetDouble(), J, 10);

        var back = SeqCourse.Rnn.Backward(dZy, fwd, p);
        foreach (var (gname, gm) in back.Grads.Items)
            H.AssertClose(Mat(c.GetProperty(gname)), gm, 1e-10, gname);
        var dxs = Seq(c.GetProperty("dxs"));
        for (int t = 0; t < xs.Length; t++) H.AssertClose(dxs[t], back.Dx[t], 1e-10, $"dx[{t}]");
        H.AssertClose(Mat(c.GetProperty("da0")), back.Da0, 1e-10, "da0");
    }
}
