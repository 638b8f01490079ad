using SeqCourse.Runtime.Exercises;

namespace SeqCourse.Runtime.Tests.Grading;

/// <summary>
/// The RNN part of the week 1 exercises (vocabulary, one-hot, softmax cross-entropy, BPTT, gradient check, global-norm
/// clipping, initialization, a language-model training step, quiz Q8–Q19): realistic mistakes lose points on the right
/// exercise, with feedback that names the mistake.
/// </summary>
[Collection(GradingFixture.Collection)]
public sealed class Week1RnnGradingTests(GradingFixture fixture)
{
    private static readonly string[] Rnn =
        ["BuildVocabulary", "OneHotEncode", "SoftmaxCrossEntropy", "RnnBackward", "GradientCheck", "ClipByGlobalNorm", "InitXavier", "InitHe", "LmTrainStep", "BinaryAdditionTrain"];

    private static readonly string[] Quiz = ["Q8", "Q9", "Q10", "Q11", "Q12", "Q13", "Q14", "Q15", "Q16", "Q17", "Q18", "Q19"];

    private ExerciseGrade Get(string notebook, string exercise) => fixture.Grades[notebook].Exercises.Single(e => e.Exercise == exercise);

    [Fact]
    public void The_rnn_exercises_and_quiz_questions_are_graded_after_sample_and_after_q5()
    {
        var names = fixture.Grades["solution:week1/week1.ipynb"].Exercises.Select(e => e.Exercise).ToList();
        Assert.Equal(Rnn, names.Skip(names.IndexOf("Sample") + 1).Take(Rnn.Length));
        Assert.Equal(Quiz, names.Skip(names.IndexOf("Q5") + 1).Take(Quiz.Length));
        Assert.Equal([1, 2, 2, 3, 2, 1, 1, 1, 3, 2], Rnn.Select(n => Get("solution:week1/week1.ipynb", n).Max));
        Assert.All(Rnn.Concat(Quiz), n => Assert.Equal("passed", Get("solution:week1/week1.ipynb", n).Feedback));
        Assert.All(Rnn, n => Assert.StartsWith($"not implemented yet (Exercise {n}: write the code here (hint: ", Get("student", n).Feedback));
        Assert.All(Quiz, n => Assert.Equal($"{n}: not answered yet.", Get("student", n).Feedback));
    }

    [Fact]
    public void Bptt_without_da_next_a_loss_without_the_mean_value_clipping_and_the_xavier_std_for_he_are_named()
    {
        const string m = "mutantW1R";
        Assert.Contains("RnnBackward, n_x = 3, n_a = 5, n_y = 4, m = 3, T = 4: dWaa:", Get(m, "RnnBackward").Feedback);
        Assert.Contains("This is what you get when da_next is not added", Get(m, "RnnBackward").Feedback);
        // The language-model step uses the learner's RnnBackward, so it fails too.
        Assert.Equal(0, Get(m, "LmTrainStep").Points);
        Assert.Contains("LmTrainStep, Waa after one step", Get(m, "LmTrainStep").Feedback);
        Assert.StartsWith("SoftmaxCrossEntropy, J for n_y = 5, m = 3, T = 4 with padding:", Get(m, "SoftmaxCrossEntropy").Feedback);
        Assert.EndsWith("This is what you get when J is not divided by m (the loss is averaged over the batch).", Get(m, "SoftmaxCrossEntropy").Feedback);
        Assert.StartsWith("ClipByGlobalNorm, dWaa (‖g‖ = ", Get(m, "ClipByGlobalNorm").Feedback);
        Assert.EndsWith("This is what you get when each entry is clipped by value (that is Clip, which changes the direction).", Get(m, "ClipByGlobalNorm").Feedback);
        Assert.Matches(@"^InitHe, W \(250, 400\): the std of the entries is 0\.0\d+, expected 0\.07071 ± 2 %\. This is what you get when the Xavier std √\(1/n_in\) is used", Get(m, "InitHe").Feedback);
        Assert.Equal("Q12: answer \"a\" is not correct.", Get(m, "Q12").Feedback);
        foreach (var ok in new[] { "RnnCellBackward", "Clip", "BuildVocabulary", "OneHotEncode", "GradientCheck", "InitXavier", "Q10", "Q11" })
        {
            Assert.Equal("passed", Get(m, ok).Feedback);
        }

        Assert.Equal(64 - 3 - 3 - 2 - 1 - 1 - 1, fixture.Grades[m].Total);
        Assert.Empty(fixture.Grades[m].Notes);
    }

    [Fact]
    public void A_step_without_clipping_a_one_sided_difference_eos_padding_unsorted_tokens_and_n_out_are_named()
    {
        const string m = "mutantW1R2";
        Assert.StartsWith("LmTrainStep, Waa after one step (α = 0.3, N = 0.15):", Get(m, "LmTrainStep").Feedback);
        Assert.EndsWith("This is what you get when the gradients are not clipped before the update.", Get(m, "LmTrainStep").Feedback);
        Assert.Matches(@"^CheckGradient, a smooth J with the right gradient: the right gradient must give a relative error below 1e-9 here, got 2\.\d\dE-006\. " +
            @"This is what you get when the difference is one-sided, \(J\(θ \+ ε\) − J\(θ\)\) / ε, instead of centred\.$", Get(m, "GradientCheck").Feedback);
        Assert.StartsWith("OneHotEncode, X[1]:", Get(m, "OneHotEncode").Feedback);
        Assert.EndsWith("This is what you get when padded positions get the one-hot of <EOS> (index 0) instead of an all-zero column.", Get(m, "OneHotEncode").Feedback);
        Assert.Equal("BuildVocabulary, 27 tokens, minCount = 1: item 2: expected \",\", got \"the\". " +
            "This is what you get when the tokens are left in the order they first appear (sort them with StringComparer.Ordinal).", Get(m, "BuildVocabulary").Feedback);
        Assert.Contains("This is what you get when n_out is used instead of n_in", Get(m, "InitXavier").Feedback);
        Assert.Equal("Q10: answer 2 is not correct.", Get(m, "Q10").Feedback);
        foreach (var ok in new[] { "RnnBackward", "SoftmaxCrossEntropy", "ClipByGlobalNorm", "InitHe", "Clip", "Q12" })
        {
            Assert.Equal("passed", Get(m, ok).Feedback);
        }

        Assert.StartsWith("BinaryAdditionTrain, the losses of 150 updates", Get(m, "BinaryAdditionTrain").Feedback);
        Assert.EndsWith("This is what you get when the parameters are never updated (θ ← θ − α dθ in place: theta.Subtract(…, theta)).", Get(m, "BinaryAdditionTrain").Feedback);
        Assert.Equal(64 - 3 - 2 - 2 - 1 - 1 - 1 - 2, fixture.Grades[m].Total);
        Assert.Empty(fixture.Grades[m].Notes);
    }
}
