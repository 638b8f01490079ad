using SeqCourse.Runtime.Exercises;
using SeqCourse.Runtime.Notebooks;
using SeqCourse.Runtime.Tests.Runner;

namespace SeqCourse.Runtime.Tests.Grading;

/// <summary>
/// Week 2 (embeddings, word2vec, GloVe, debiasing, average classifier) and week 4 (VAE, HRED, VHRED's KL): the exercise lists, the
/// released student notebooks, and the mutants of <see cref="GradingFixture"/> (mutantC for week 2, mutantE for week 4).
/// </summary>
[Collection(GradingFixture.Collection)]
public sealed class Week2And4GradingTests(GradingFixture fixture)
{
    private static readonly string[] Week2 =
    [
        "CosineSimilarity", "CompleteAnalogy", "Neutralize", "Equalize", "EmbeddingForward", "EmbeddingBackward", "SkipGramPairs",
        "SkipGramSoftmaxLoss", "NoiseDistribution", "NegativeSamplingLoss", "CooccurrenceCounts", "GloveWeight", "GloveLoss",
        "AverageEmbeddingForward", "AverageEmbeddingBackward", "Q6",
    ];

    private static readonly string[] Week4 = ["Reparameterize", "GaussianKl", "GaussianKlBetween", "VaeLoss", "HredForward", "Q22", "Q23"];

    private ExerciseGrade Get(string notebook, string exercise) => fixture.Grades[notebook].Exercises.Single(e => e.Exercise == exercise);

    [Fact]
    public void Week2_and_week4_list_their_exercises_and_get_full_marks()
    {
        var week2 = fixture.Grades["solution:week2/week2.ipynb"];
        Assert.Equal(Week2, week2.Exercises.Select(e => e.Exercise));
        Assert.Equal(30, week2.Max);
        Assert.Equal(30, week2.Total);
        var week4 = fixture.Grades["solution:week4/week4.ipynb"];
        Assert.Equal(Week4, week4.Exercises.Select(e => e.Exercise));
        Assert.Equal(15, week4.Max);
        Assert.Equal(15, week4.Total);
        Assert.Equal(0, fixture.Grades["student:week2/week2.ipynb"].Total);
        Assert.Equal(0, fixture.Grades["student:week4/week4.ipynb"].Total);
    }

    [Fact]
    public void Week4_student_notebook_has_stubs_for_both_reparameterize_overloads_and_no_answers()
    {
        var student = NotebookFile.Read(Path.Combine(TestSupport.RepositoryRoot, "exercises", "week4", "week4.ipynb"));
        Assert.DoesNotContain(student.Cells, ExerciseRelease.IsHidden);
        var text = string.Join("\n", student.Cells.Select(c => c.Source));
        Assert.DoesNotContain("BEGIN SOLUTION", text);
        Assert.DoesNotContain("Q22 = \"b\"", text);
        Assert.DoesNotContain("Q23 = \"c\"", text);
        Assert.DoesNotContain("Math.Exp(0.5 * v)", text); // the σ line of the solution
        var reparameterize = student.Cells.Single(c => ExerciseRelease.ExerciseName(c) == "Reparameterize").Source;
        Assert.Equal(2, reparameterize.Split("throw new NotImplementedException(\"Exercise Reparameterize: write the code here").Length - 1);
    }

    [Fact]
    public void Week2_mutants_lose_points_on_the_right_exercise_with_feedback_naming_the_problem()
    {
        Assert.Equal(0, Get("mutantC", "Equalize").Points);
        Assert.Contains("This is what you get when e_wB − μ_B is not re-scaled", Get("mutantC", "Equalize").Feedback);
        Assert.Equal(0, Get("mutantC", "EmbeddingBackward").Points);
        Assert.Contains("This is what you get when a repeated word's column is overwritten instead of accumulated.", Get("mutantC", "EmbeddingBackward").Feedback);
        Assert.Equal(0, Get("mutantC", "NegativeSamplingLoss").Points);
        Assert.Contains("This is what you get when the negatives are scored with −ln σ(θᵀe_c) instead of −ln σ(−θᵀe_c) (wrong sign on the negatives).",
            Get("mutantC", "NegativeSamplingLoss").Feedback);
        Assert.Equal(0, Get("mutantC", "GloveWeight").Points);
        Assert.StartsWith("GloveWeight(500): ", Get("mutantC", "GloveWeight").Feedback);
        Assert.Contains("This is what you get when the weight is not capped at 1 for x ≥ x_max.", Get("mutantC", "GloveWeight").Feedback);

        // GloveLoss calls the learner's GloveWeight, but its graded counts stay below x_max: the missing cap costs only GloveWeight.
        foreach (var ok in new[] { "EmbeddingForward", "SkipGramPairs", "SkipGramSoftmaxLoss", "NoiseDistribution", "CooccurrenceCounts", "GloveLoss",
            "AverageEmbeddingForward", "AverageEmbeddingBackward", "Q6" })
        {
            Assert.Equal((ok, "passed"), (ok, Get("mutantC", ok).Feedback));
        }
    }

    [Fact]
    public void Week4_mutants_lose_points_on_the_right_exercise_with_feedback_naming_the_problem()
    {
        Assert.Equal(0, Get("mutantE", "Reparameterize").Points);
        Assert.Contains("This is what you get when σ² = exp(ln σ²) is used instead of σ = exp(½ ln σ²).", Get("mutantE", "Reparameterize").Feedback);
        Assert.Equal(0, Get("mutantE", "GaussianKl").Points);
        Assert.Contains("This is what you get when the KL uses ln σ instead of ln σ².", Get("mutantE", "GaussianKl").Feedback);
        // VaeLoss builds on the learner's GaussianKl, and its feedback says so.
        Assert.Contains("This is what you get when the KL term uses ln σ instead of ln σ² (check your GaussianKl).", Get("mutantE", "VaeLoss").Feedback);
        Assert.Equal(0, Get("mutantE", "HredForward").Points);
        Assert.Equal("HredForward, 3 turns, GRU encoder and context: h_1 … h_(N−1) (the context RNN over u_1 … u_(N−1)): expected 2 time steps, got 3 " +
            "(an off-by-one in the time loop?).", Get("mutantE", "HredForward").Feedback);
        Assert.All(new[] { "GaussianKlBetween", "Q22", "Q23" }, ok => Assert.Equal("passed", Get("mutantE", ok).Feedback));
        Assert.Equal(15 - 2 - 2 - 3 - 3, fixture.Grades["mutantE"].Total);
    }
}
