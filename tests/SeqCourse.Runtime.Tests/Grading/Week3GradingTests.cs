using SeqCourse.Runtime.Exercises;

namespace SeqCourse.Runtime.Tests.Grading;

/// <summary>Week 3 (encoder–decoder, search, BLEU, attention, CTC): the exercise list, and the mutant notebook with one realistic mistake per exercise.</summary>
[Collection(GradingFixture.Collection)]
public sealed class Week3GradingTests(GradingFixture fixture)
{
    private static readonly string[] Week3 =
    [
        "EncoderForward", "DecoderStep", "NormalizedScore", "GreedyDecode", "BeamSearch", "ModifiedPrecision", "BrevityPenalty", "Bleu", "OneStepAttention", "AttentionForward",
        "AttentionBackward", "CtcForward", "CtcBackward", "CtcLoss", "CtcGradient", "CtcGreedyDecode", "CtcPrefixBeamSearch", "EditDistance", "TriggerLabels", "Q7", "Q20", "Q21",
    ];

    private ExerciseGrade Get(string notebook, string exercise) => fixture.Grades[notebook].Exercises.Single(e => e.Exercise == exercise);

    [Fact]
    public void Solution_and_student_notebooks_list_every_week3_exercise()
    {
        var solution = fixture.Grades["solution:week3/week3.ipynb"];
        Assert.Equal(Week3, solution.Exercises.Select(e => e.Exercise));
        Assert.Equal(41, solution.Max);
        Assert.Equal(41, solution.Total);
        var student = fixture.Grades["student:week3/week3.ipynb"];
        Assert.Equal(Week3, student.Exercises.Select(e => e.Exercise));
        Assert.Equal(0, student.Total);
    }

    [Fact]
    public void Week3_mutants_lose_points_on_the_right_exercise_with_feedback_naming_the_problem()
    {
        const string m = "mutantW3";
        Assert.Contains("This is what you get when the final choice uses the raw ln P instead of NormalizedScore", Get(m, "BeamSearch").Feedback);
        Assert.StartsWith("OneStepAttention, syllabus scalar example: ctx", Get(m, "OneStepAttention").Feedback);
        Assert.Contains("This is what you get when the softmax is taken over the wrong axis", Get(m, "OneStepAttention").Feedback);
        Assert.StartsWith("AttentionForward, random n_s = 3, 2n_a = 4, n_h = 5, T_x = 6, m = 3: α:", Get(m, "AttentionForward").Feedback);
        Assert.Contains("This is what you get when the softmax is taken over the wrong axis (over the examples of a row instead of over the input positions t′ of a column).",
            Get(m, "AttentionForward").Feedback);
        Assert.StartsWith("CtcBackward, T = C = 3, uniform, \"aa\": ln β:", Get(m, "CtcBackward").Feedback);
        Assert.Contains("This is what you get when the skip rule l′_s ≠ l′_{s+2} is left out", Get(m, "CtcBackward").Feedback);
        Assert.Equal("CtcGreedyDecode, path a a ∅ a b b ∅ ∅ b: expected labels 1 1 2 2, got 1 2. This is what you get when the blanks are deleted before the repeats are merged (merge first: a ∅ a is \"aa\").",
            Get(m, "CtcGreedyDecode").Feedback);
        Assert.Contains("This is what you get when r and c are swapped (exp(1 − c/r)).", Get(m, "BrevityPenalty").Feedback);
        Assert.Equal("EditDistance(abc, empty): delete all three: expected 3, got 0. This is what you get when the first column of the table stops one short (d(i, 0) = i for every i = 0 … n, including n).",
            Get(m, "EditDistance").Feedback);
        Assert.Equal("Q21: answer \"a\" is not correct.", Get(m, "Q21").Feedback);

        string[] broken = ["BeamSearch", "OneStepAttention", "AttentionForward", "CtcBackward", "CtcGreedyDecode", "BrevityPenalty", "EditDistance", "Q21"];
        Assert.All(broken, e => Assert.Equal(0, Get(m, e).Points));
        Assert.All(Week3.Except(broken), ok => Assert.Equal((ok, "passed"), (ok, Get(m, ok).Feedback)));
        Assert.Equal(41 - 3 - 2 - 2 - 3 - 1 - 1 - 1 - 1, fixture.Grades[m].Total);
        Assert.Empty(fixture.Grades[m].Notes);
    }
}
