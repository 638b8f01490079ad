using SeqCourse.Runtime.Exercises;

namespace SeqCourse.Runtime.Tests.Grading;

/// <summary>
/// The week 1 gated, bidirectional and deep exercises (8a–8e: GruCellBackward, LstmForward, LstmBackward, BrnnForward,
/// DeepRnnForward): each mutation of the mutantW1G notebook costs its own exercise, with feedback naming the mistake.
/// </summary>
[Collection(GradingFixture.Collection)]
public sealed class Week1GatedGradingTests(GradingFixture fixture)
{
    private static readonly (string Exercise, int Points)[] Gated =
        [("GruCellBackward", 3), ("LstmForward", 2), ("LstmBackward", 3), ("BrnnForward", 2), ("DeepRnnForward", 2)];

    private ExerciseGrade Get(string notebook, string exercise) => fixture.Grades[notebook].Exercises.Single(e => e.Exercise == exercise);

    [Fact]
    public void Solution_gets_full_marks_and_student_stubs_get_zero_on_the_gated_exercises()
    {
        foreach (var (exercise, points) in Gated)
        {
            var solution = Get("solution:week1/week1.ipynb", exercise);
            Assert.Equal((exercise, points, points, "passed"), (exercise, solution.Max, solution.Points, solution.Feedback));
            var student = Get("student", exercise);
            Assert.Equal(0, student.Points);
            Assert.StartsWith($"not implemented yet (Exercise {exercise}: write the code here (hint: ", student.Feedback);
        }
    }

    [Fact]
    public void GruCellBackward_with_the_sigmoid_derivative_for_tanh_is_named()
    {
        var e = Get("mutantW1G", "GruCellBackward");
        Assert.Equal(0, e.Points);
        Assert.StartsWith("GruCellBackward (Lecture, n_x = 3, n_a = 4, m = 2), dc_prev: ", e.Feedback);
        Assert.EndsWith("This is what you get when the derivative of tanh in dz_c is replaced by the sigmoid's σ′ = c̃(1 − c̃) (c̃ comes from a tanh: use 1 − c̃²).", e.Feedback);
    }

    [Fact]
    public void LstmForward_off_by_one_in_time_is_named()
    {
        var e = Get("mutantW1G", "LstmForward");
        Assert.Equal(0, e.Points);
        Assert.StartsWith("LstmForward, random T = 5, n_x = 3, n_a = 4, m = 2, a⟨1⟩: ", e.Feedback);
        Assert.EndsWith("This is what you get when result[t − 1] holds the state before step t (a⟨t−1⟩ instead of a⟨t⟩: an off-by-one in time).", e.Feedback);
    }

    [Fact]
    public void LstmBackward_dropping_the_cell_gradient_carried_to_t_minus_1_is_named()
    {
        var e = Get("mutantW1G", "LstmBackward");
        Assert.Equal(0, e.Points);
        Assert.StartsWith("LstmBackward, random T = 4, n_x = 3, n_a = 4, m = 2, da⟨0⟩: ", e.Feedback);
        Assert.EndsWith("This is what you get when dc_prev is not carried to step t − 1 (the gradient through the memory cell c⟨t−1⟩ is dropped).", e.Feedback);
    }

    [Fact]
    public void BrnnForward_without_reversing_the_backward_states_again_is_named()
    {
        var e = Get("mutantW1G", "BrnnForward");
        Assert.Equal(0, e.Points);
        Assert.StartsWith("BrnnForward, random T = 5, n_x = 3, n_a→ = 4, n_a← = 3, n_y = 5, m = 2, [a→⟨1⟩; a←⟨1⟩]: ", e.Feedback);
        Assert.EndsWith("This is what you get when the backward direction's outputs are not reversed again (step t is paired with a←⟨T+1−t⟩).", e.Feedback);
    }

    [Fact]
    public void DeepRnnForward_feeding_x_to_every_layer_is_named()
    {
        var e = Get("mutantW1G", "DeepRnnForward");
        Assert.Equal(0, e.Points);
        Assert.StartsWith("DeepRnnForward, random L = 3, n_x = 4, n_a = (4, 4, 4), T = 4, m = 2, a^[2]⟨1⟩: ", e.Feedback);
        Assert.EndsWith("This is what you get when every layer reads x⟨t⟩ instead of the activations a^[l−1]⟨t⟩ of the layer below.", e.Feedback);
    }

    [Fact]
    public void Each_mutation_costs_only_its_own_exercise()
    {
        var grade = fixture.Grades["mutantW1G"];
        Assert.Empty(grade.Notes);
        var failed = grade.Exercises.Where(e => e.Feedback != "passed").Select(e => e.Exercise).Order(StringComparer.Ordinal);
        Assert.Equal(Gated.Select(g => g.Exercise).Order(StringComparer.Ordinal), failed);
        Assert.Equal(grade.Max - Gated.Sum(g => g.Points), grade.Total);
    }
}
