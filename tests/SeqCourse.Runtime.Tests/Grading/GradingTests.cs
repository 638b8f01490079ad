using SeqCourse.Runtime.Exercises;
using SeqCourse.Runtime.Notebooks;
using SeqCourse.Runtime.Tests.Runner;

namespace SeqCourse.Runtime.Tests.Grading;

/// <summary>Release format, and grading of the week 1 solution, student, mutant and hostile notebooks.</summary>
[Collection(GradingFixture.Collection)]
public sealed class GradingTests(GradingFixture fixture)
{
    private static readonly string[] Week1 =
        ["RnnCellForward", "RnnForward", "RnnCellBackward", "Clip", "Sample",
         "BuildVocabulary", "OneHotEncode", "SoftmaxCrossEntropy", "RnnBackward", "GradientCheck", "ClipByGlobalNorm", "InitXavier", "InitHe", "LmTrainStep", "BinaryAdditionTrain",
         "LstmCellForward", "LstmCellBackward", "GruCellForward",
         "GruCellBackward", "LstmForward", "LstmBackward", "BrnnForward", "DeepRnnForward", "Q1", "Q2", "Q3", "Q4", "Q5",
         "Q8", "Q9", "Q10", "Q11", "Q12", "Q13", "Q14", "Q15", "Q16", "Q17", "Q18", "Q19"];

    private ExerciseGrade Get(string notebook, string exercise) => fixture.Grades[notebook].Exercises.Single(e => e.Exercise == exercise);

    [Fact]
    public void Committed_exercises_match_a_fresh_deterministic_release()
    {
        var source = Path.Combine(TestSupport.RepositoryRoot, "exercises", "source");
        var first = TestSupport.NewTempFolder();
        var second = TestSupport.NewTempFolder();
        var written = ExerciseRelease.ReleaseAll(source, first);
        ExerciseRelease.ReleaseAll(source, second);
        Assert.Contains("week1/week1.ipynb", written);
        foreach (var relative in written)
        {
            var fresh = File.ReadAllBytes(Path.Combine(first, relative));
            Assert.Equal(fresh, File.ReadAllBytes(Path.Combine(second, relative)));
            var committed = Path.Combine(TestSupport.RepositoryRoot, "exercises", relative);
            Assert.True(File.Exists(committed), $"exercises/{relative} is missing: run ./course release");
            Assert.True(fresh.AsSpan().SequenceEqual(File.ReadAllBytes(committed)), $"exercises/{relative} is out of date with exercises/source: run ./course release");
        }
    }

    [Fact]
    public void Student_version_has_stubs_with_hints_no_hidden_tests_and_no_answers()
    {
        var student = NotebookFile.Read(Path.Combine(TestSupport.RepositoryRoot, "exercises", "week1", "week1.ipynb"));
        var text = string.Join("\n", student.Cells.Select(c => c.Source));
        Assert.DoesNotContain("HIDDEN TESTS", text);
        Assert.DoesNotContain("BEGIN SOLUTION", text);
        Assert.DoesNotContain("Q1 = \"b\"", text);
        Assert.DoesNotContain("p.Waa * aPrev + p.Wax * x;\n", text); // the solution line itself
        Assert.Contains("throw new NotImplementedException(\"Exercise RnnCellForward: write the code here (hint: z = p.Waa * aPrev", text);
        Assert.All(student.Cells, c => Assert.Empty(c.Outputs));
    }

    [Fact]
    public void Solution_blocks_are_replaced_and_bad_markers_are_reported()
    {
        var stub = ExerciseRelease.StripSolutions("int F()\n{\n    // BEGIN SOLUTION\n    // HINT: return \"one\"\n    return 1;\n    // END SOLUTION\n}", "F", quiz: false, "t");
        Assert.Equal("int F()\n{\n    throw new NotImplementedException(\"Exercise F: write the code here (hint: return \\\"one\\\")\");\n}", stub);
        var quiz = ExerciseRelease.StripSolutions("// QUIZ: Q9\nstring Q9 = \"\";\n// BEGIN SOLUTION\nQ9 = \"a\";\n// END SOLUTION", "Q9", quiz: true, "t");
        Assert.Equal("// QUIZ: Q9\nstring Q9 = \"\";", quiz);
        var e = Assert.Throws<NotebookFormatException>(() => ExerciseRelease.StripSolutions("a\n// BEGIN SOLUTION\nb", "F", false, "x.ipynb, cell 3"));
        Assert.Equal("x.ipynb, cell 3, line 2: BEGIN SOLUTION without END SOLUTION", e.Message);
    }

    [Fact]
    public void Every_solution_notebook_gets_full_marks()
    {
        Assert.Equal(Week1, fixture.Grades["solution:week1/week1.ipynb"].Exercises.Select(e => e.Exercise));
        Assert.Equal(22 + 16 + 12 + 12 + 2, fixture.Grades["solution:week1/week1.ipynb"].Max);
        Assert.Equal(["week1/week1.ipynb", "week2/week2.ipynb", "week3/week3.ipynb", "week4/week4.ipynb"], fixture.Released);
        foreach (var relative in fixture.Released)
        {
            var grade = fixture.Grades["solution:" + relative];
            Assert.NotEmpty(grade.Exercises);
            Assert.All(grade.Exercises, e => Assert.Equal((relative, e.Exercise, e.Max, "passed"), (relative, e.Exercise, e.Points, e.Feedback)));
            Assert.Empty(grade.Notes);
        }
    }

    [Fact]
    public void Every_student_notebook_gets_zero_with_not_implemented_feedback()
    {
        foreach (var relative in fixture.Released)
        {
            var grade = fixture.Grades[relative == "week1/week1.ipynb" ? "student" : "student:" + relative];
            Assert.Equal(0, grade.Total);
            Assert.True(grade.Max > 0);
            Assert.Empty(grade.Notes);
            foreach (var e in grade.Exercises)
            {
                Assert.Contains(e.Exercise.StartsWith('Q') ? "not answered yet" : $"not implemented yet (Exercise {e.Exercise}: write the code here", e.Feedback);
            }
        }
    }

    [Fact]
    public void Mutants_lose_points_on_the_right_exercise_with_feedback_naming_the_problem()
    {
        Assert.Contains("W_aa is transposed", Get("mutantA", "RnnCellForward").Feedback);
        Assert.Contains("the output gate Γ_o uses tanh instead of the sigmoid", Get("mutantA", "LstmCellForward").Feedback);
        Assert.Contains("Clip, dby:", Get("mutantA", "Clip").Feedback);
        Assert.Contains("dby is not clipped", Get("mutantA", "Clip").Feedback);

        Assert.Equal("RnnForward, random T = 6, n_a = 5, m = 4: expected 6 time steps, got 5 (an off-by-one in the time loop?).", Get("mutantA", "RnnForward").Feedback);
        Assert.Contains("LstmCellBackward, dc_prev", Get("mutantA", "LstmCellBackward").Feedback);
        Assert.Contains("Γ_u and 1 − Γ_u are swapped", Get("mutantA", "GruCellForward").Feedback);
        Assert.Equal("Q1: answer \"a\" is not correct.", Get("mutantA", "Q1").Feedback);
        Assert.All(new[] { "RnnCellBackward", "Sample", "Q2", "Q3", "Q4", "Q5" }, ok => Assert.Equal("passed", Get("mutantA", ok).Feedback));
        // The RNN exercises pass except LmTrainStep, which uses the broken RnnForward and Clip; of the gated/deep ones only
        // GruCellBackward passes (LstmForward, LstmBackward, BrnnForward, DeepRnnForward build on mutated cells).
        Assert.Equal(0, Get("mutantA", "LmTrainStep").Points);
        Assert.Equal(3 + 2 + 4 + (16 - 3) + 12 + 3 + 2, fixture.Grades["mutantA"].Total); // + BinaryAdditionTrain

        Assert.Equal("CompleteAnalogy excludes the input words: returned \"c\", one of the three input words: exclude a, b and c.", Get("mutantC", "CompleteAnalogy").Feedback);
        Assert.Contains("This is what you get when the projection is not divided by ‖g‖².", Get("mutantC", "Neutralize").Feedback);
        Assert.Equal("passed", Get("mutantC", "CosineSimilarity").Feedback);
        Assert.Equal(30 - 2 - 2 - 2 - 2 - 3 - 1, fixture.Grades["mutantC"].Total); // the week 2 mutations after Neutralize: Week2And4GradingTests

        Assert.Contains("This is what you get when the skip rule l′_s ≠ l′_{s−2} is left out", Get("mutantD", "CtcForward").Feedback);
        Assert.Contains("This is what you get when the brevity penalty is left out.", Get("mutantD", "Bleu").Feedback);
        // CtcForward (3) and Bleu (2) are wrong, and CtcLoss (2) is graded on top of CtcForward; every other week 3 exercise passes.
        Assert.Contains("fix CtcForward first", Get("mutantD", "CtcLoss").Feedback);
        Assert.Equal(fixture.Grades["mutantD"].Max - 3 - 2 - 2, fixture.Grades["mutantD"].Total);
    }

    [Fact]
    public void Hostile_code_costs_only_its_own_exercise()
    {
        var g = fixture.Grades["hostile"];
        Assert.Equal(0, Get("hostile", "GruCellForward").Points);
        Assert.Contains("did not finish within 10 s", Get("hostile", "GruCellForward").Feedback);
        Assert.Contains("overflowed the stack", Get("hostile", "Clip").Feedback);
        Assert.Matches(@"^your code threw InvalidOperationException: Environment.Exit is not allowed in a notebook cell \(exit code 0\)\. .* \(in your cell \d+, line 5\)$", Get("hostile", "Sample").Feedback);
        Assert.Contains(g.Notes, n => n.StartsWith("your cell", StringComparison.Ordinal) && n.Contains("does not compile: error CS0029", StringComparison.Ordinal));
        Assert.DoesNotContain(g.Notes, n => n.Contains("was skipped", StringComparison.Ordinal));
        Assert.Contains("ran out of memory", Get("hostile", "RnnCellBackward").Feedback);
        Assert.Contains("ran out of memory", Get("hostile", "LstmCellForward").Feedback);
        foreach (var ok in new[] { "RnnCellForward", "RnnForward", "LstmCellBackward", "LstmBackward", "BrnnForward", "DeepRnnForward", "Q1", "Q2", "Q3", "Q4", "Q5" })
        {
            Assert.Equal("passed", Get("hostile", ok).Feedback);
        }

        // RnnBackward and LmTrainStep call the hostile RnnCellBackward; the other RNN exercises (10 points), Q8–Q19 and
        // GruCellBackward, LstmBackward, BrnnForward, DeepRnnForward pass (LstmForward calls the hostile LstmCellForward).
        Assert.Contains("ran out of memory", Get("hostile", "RnnBackward").Feedback);
        Assert.Contains("ran out of memory", Get("hostile", "LmTrainStep").Feedback);
        // A write to an absolute path outside the worker's folder: where Landlock exists (Linux 5.13+; CI has it) the worker
        // runs confined, the write is refused and costs its exercise; elsewhere it is not confined (README) and happens.
        int escape;
        if (WriteSandbox.AbiVersion() > 0)
        {
            Assert.Equal(0, Get("hostile", "GruCellBackward").Points);
            Assert.Matches(@"^your code tried to write outside its folder \(.*escaped-absolute\.txt\): graded code may only write files in its own working folder \(in your cell \d+, line \d+\)$",
                Get("hostile", "GruCellBackward").Feedback);
            Assert.False(File.Exists(fixture.EscapePath));
            escape = 0;
        }
        else
        {
            Assert.Equal("passed", Get("hostile", "GruCellBackward").Feedback);
            escape = 3;
        }

        Assert.Equal(2 + 2 + 3 + 5 + 10 + 12 + escape + 3 + 2 + 2 + 2, g.Total); // + BinaryAdditionTrain
        // A relative write lands in the worker's temporary working folder, never next to the submission.
        Assert.False(File.Exists(Path.Combine(Path.GetDirectoryName(fixture.HostilePath)!, "escaped.txt")));
    }

    [Fact]
    public void Cli_grades_serially_like_the_parallel_batch_and_writes_json_and_csv()
    {
        var folder = TestSupport.NewTempFolder();
        var json = Path.Combine(folder, "class.json");
        var csv = Path.Combine(folder, "class.csv");
        var result = TestSupport.Run("dotnet", [TestSupport.CourseDll, "grade", fixture.StudentPath, "--json", json, "--csv", csv, "--timeout", "20"],
            workingDirectory: TestSupport.RepositoryRoot, environment: new Dictionary<string, string?> { ["COURSE_ROOT"] = TestSupport.RepositoryRoot });
        Assert.True(result.ExitCode == 0, result.Stdout + result.Stderr);
        Assert.Contains("exercises/week1/week1.ipynb: 0 / 64", result.Stdout);
        Assert.Matches(@"\n  RnnCellForward +0 / 2   not implemented yet \(Exercise RnnCellForward", result.Stdout);
        var report = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(json))!.AsArray();
        var exercises = report[0]!["exercises"]!.AsArray();
        Assert.Equal(fixture.Grades["student"].Exercises.Select(e => (e.Exercise, e.Points, e.Feedback)),
            exercises.Select(e => (e!["exercise"]!.GetValue<string>(), e["points"]!.GetValue<double>(), e["feedback"]!.GetValue<string>())));
        var lines = File.ReadAllLines(csv);
        Assert.Equal("notebook,exercise,points,max,feedback", lines[0]);
        Assert.Equal(1 + 40 + 1, lines.Length);
        Assert.Equal("exercises/week1/week1.ipynb,TOTAL,0,64,", lines[^1]);
    }
}
