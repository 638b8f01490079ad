using MathNet.Numerics.LinearAlgebra;
using SeqCourse.Runtime.Exercises;
using SeqCourse.Runtime.Tests.Runner;

namespace SeqCourse.Runtime.Tests.Grading;

/// <summary>The feedback of Grading.Check, in process (no child).</summary>
public sealed class CheckTests
{
    private static Matrix<double> M(double[,] v) => Matrix<double>.Build.DenseOfArray(v);

    [Fact]
    public void Close_names_the_worst_element_and_a_known_mistake()
    {
        var expected = M(new double[,] { { 1, 2 }, { 3, 4 } });
        var e = Assert.Throws<GradingFailure>(() => Runtime.Grading.Check.Close("a⟨t⟩", expected, M(new double[,] { { 1, 2 }, { 3.5, 4 } }), 1e-9));
        Assert.Equal("a⟨t⟩: 1 of 4 entries differ; worst at element (1, 0): expected 3, got 3.5 (tolerance 1E-09).", e.Message);
        var transposed = expected.Transpose();
        e = Assert.Throws<GradingFailure>(() => Runtime.Grading.Check.Close("a⟨t⟩", expected, transposed, 1e-9, ("W is transposed", transposed)));
        Assert.EndsWith("This is what you get when W is transposed.", e.Message);
        e = Assert.Throws<GradingFailure>(() => Runtime.Grading.Check.Close("a⟨t⟩", expected, M(new double[,] { { 1, 2 } })));
        Assert.Equal("a⟨t⟩: wrong shape: expected 2x2, got 1x2.", e.Message);
        Runtime.Grading.Check.Close("a⟨t⟩", expected, expected + 1e-12, 1e-9);
    }

    [Fact]
    public void Close_of_a_number_names_a_known_mistake()
    {
        var e = Assert.Throws<GradingFailure>(() => Runtime.Grading.Check.Close("L", 1.75, 3.25, 1e-9, ("the sign is wrong", -1.75), ("the ½ is left out", 3.25)));
        Assert.Equal("L: expected 1.75, got 3.25 (tolerance 1E-09). This is what you get when the ½ is left out.", e.Message);
        e = Assert.Throws<GradingFailure>(() => Runtime.Grading.Check.Close("L", 1.75, 2, 1e-9, ("the sign is wrong", -1.75)));
        Assert.Equal("L: expected 1.75, got 2 (tolerance 1E-09).", e.Message);
        Runtime.Grading.Check.Close("L", 1.75, 1.75 + 1e-12, 1e-9, ("the sign is wrong", 1.75));   // a pass never reports a mistake
    }

    [Fact]
    public void Close_of_numbers_names_a_known_mistake_within_a_relative_1e_8()
    {
        Runtime.Grading.Check.Close("J", 2.0, 2.0 + 1e-12, 1e-9, ("the 1/m is left out", 8.0));
        var e = Assert.Throws<GradingFailure>(() => Runtime.Grading.Check.Close("J", 2.0, 8.0, 1e-9, ("the 1/m is left out", 8.0)));
        Assert.Equal("J: expected 2, got 8 (tolerance 1E-09). This is what you get when the 1/m is left out.", e.Message);
        e = Assert.Throws<GradingFailure>(() => Runtime.Grading.Check.Close("J", 2.0, 7.0, 1e-9, ("the 1/m is left out", 8.0)));
        Assert.Equal("J: expected 2, got 7 (tolerance 1E-09).", e.Message);
    }

    [Fact]
    public void Items_names_the_first_difference_and_a_known_mistake()
    {
        string[] expected = ["<EOS>", "<UNK>", "Zebra", "apple"];
        Runtime.Grading.Check.Items("vocabulary", expected, ["<EOS>", "<UNK>", "Zebra", "apple"]);
        var e = Assert.Throws<GradingFailure>(() => Runtime.Grading.Check.Items("vocabulary", expected, ["<EOS>", "<UNK>", "apple", "Zebra"],
            ("the tokens are sorted by culture", ["<EOS>", "<UNK>", "apple", "Zebra"])));
        Assert.Equal("vocabulary: item 2: expected \"Zebra\", got \"apple\". This is what you get when the tokens are sorted by culture.", e.Message);
        e = Assert.Throws<GradingFailure>(() => Runtime.Grading.Check.Items("vocabulary", expected, ["<EOS>", "\n"]));
        Assert.Equal("vocabulary: expected 4 items, got 2.", e.Message);
        e = Assert.Throws<GradingFailure>(() => Runtime.Grading.Check.Items<int>("indices", [1, 2], [1, 3]));
        Assert.Equal("indices: item 1: expected 2, got 3.", e.Message);
        e = Assert.Throws<GradingFailure>(() => Runtime.Grading.Check.Items("vocabulary", expected, null));
        Assert.Equal("vocabulary: your function returned null, expected 4 items.", e.Message);
    }

    [Fact]
    public void Close_matches_a_known_mistake_with_infinite_entries()
    {
        // A log-space lattice: ln 0 = −∞ in the same places in the answer and in the known mistake.
        var expected = M(new double[,] { { -1, double.NegativeInfinity }, { -2, -3 } });
        var mistake = M(new double[,] { { -1.5, double.NegativeInfinity }, { -2, -3 } });
        var e = Assert.Throws<GradingFailure>(() => Runtime.Grading.Check.Close("ln β", expected, mistake.Clone(), 1e-9, ("the skip rule is left out", mistake)));
        Assert.EndsWith("This is what you get when the skip rule is left out.", e.Message);
        var other = M(new double[,] { { -1.5, -7 }, { -2, -3 } });
        e = Assert.Throws<GradingFailure>(() => Runtime.Grading.Check.Close("ln β", expected, other, 1e-9, ("the skip rule is left out", mistake)));
        Assert.DoesNotContain("This is what you get", e.Message);
    }

    [Fact]
    public void Steps_reports_an_off_by_one()
    {
        var a = new[] { M(new double[,] { { 1 } }), M(new double[,] { { 2 } }) };
        var e = Assert.Throws<GradingFailure>(() => Runtime.Grading.Check.Steps("RnnForward", a, a[..1]));
        Assert.Equal("RnnForward: expected 2 time steps, got 1 (an off-by-one in the time loop?).", e.Message);
        e = Assert.Throws<GradingFailure>(() => Runtime.Grading.Check.Steps("RnnForward", a, [a[0], a[0]]));
        Assert.StartsWith("RnnForward, time step t = 2: 1 of 1 entries differ", e.Message);
    }

    [Fact]
    public void GradientCheck_names_the_wrong_parameter()
    {
        // J = Σ (W x)² for a fixed x: dW = 2 (W x) xᵀ. A gradient off by a factor 2 in one parameter must be named.
        var W = M(new double[,] { { 0.5, -1 }, { 2, 0.3 } });
        var b = M(new double[,] { { 0.1 }, { -0.2 } });
        var x = M(new double[,] { { 1 }, { 2 } });
        double J() => (W * x + b).Enumerate().Sum(v => v * v);
        var r = W * x + b;
        var dW = 2 * r * x.Transpose();
        var db = 2 * r;
        var parameters = new RnnCellGradients(W, W, b);
        Runtime.Grading.Check.GradientCheck("toy", J, parameters, new RnnCellGradients(dW, dW, db));
        var e = Assert.Throws<GradingFailure>(() => Runtime.Grading.Check.GradientCheck("toy", J, new RnnCellGradients(W, W, b), new RnnCellGradients(dW, dW, db / 2)));
        Assert.StartsWith("toy: gradient check of dba failed: relative error 3.3", e.Message);
    }

    [Fact]
    public void Frequencies_pass_a_fair_sampler_and_fail_a_biased_one()
    {
        var rng = new Random(3);
        var counts = new int[3];
        for (int i = 0; i < 100_000; i++)
        {
            counts[Sampling.Sample([2.0, 1.0, 0.0], 1.0, rng)]++;
        }

        Runtime.Grading.Check.Frequencies("fair", counts, [0.6652410, 0.2447285, 0.09003057]);
        var e = Assert.Throws<GradingFailure>(() => Runtime.Grading.Check.Frequencies("biased", [40_000, 30_000, 30_000], [0.6652410, 0.2447285, 0.09003057]));
        Assert.StartsWith("biased: frequencies (0.4000, 0.3000, 0.3000) do not match the probabilities (0.6652, 0.2447, 0.0900)", e.Message);
    }

    [Fact]
    public void Quiz_feedback_never_reveals_the_answer()
    {
        var e = Assert.Throws<GradingFailure>(() => Runtime.Grading.Check.Choice("Q1", "a", "b"));
        Assert.Equal("Q1: answer \"a\" is not correct.", e.Message);
        Assert.Equal("Q2: not answered yet.", Assert.Throws<GradingFailure>(() => Runtime.Grading.Check.Number("Q2", double.NaN, 0.25)).Message);
        Runtime.Grading.Check.Choice("Q1", " B ", "b");
    }

    [Fact]
    public void An_unreadable_learner_notebook_scores_zero_without_a_child()
    {
        var folder = TestSupport.NewTempFolder();
        var bad = Path.Combine(folder, "week1.ipynb");
        File.WriteAllText(bad, "{ not json");
        var solution = Path.Combine(TestSupport.RepositoryRoot, "exercises", "source", "week1", "week1.ipynb");
        var grade = new Grader(new GraderOptions { WorkerFileName = "/nonexistent" }).Grade("bad", bad, solution);
        Assert.Equal(13 + 10 + 12 + 5, grade.Exercises.Count); // week 1: 13 before, 10 RNN exercises, Q8–Q19, 5 gated/deep exercises
        Assert.All(grade.Exercises, e => Assert.Equal("not graded: the notebook could not be read", e.Feedback));
        Assert.Contains("week1.ipynb", Assert.Single(grade.Notes));
    }

    [Fact]
    public void A_worker_that_cannot_start_is_reported_for_every_exercise()
    {
        var solution = Path.Combine(TestSupport.RepositoryRoot, "exercises", "source", "week2", "week2.ipynb");
        var grade = new Grader(new GraderOptions { WorkerFileName = "/nonexistent/dotnet" }).Grade("w2", solution, solution);
        Assert.Equal(16, grade.Exercises.Count); // the week 2 exercises and its quiz question
        Assert.All(grade.Exercises, e => Assert.StartsWith("not graded: the grader could not run your notebook: the grading process could not be started (/nonexistent/dotnet:", e.Feedback));
    }
}
