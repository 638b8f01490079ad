using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using SeqCourse.Runtime.Exercises;
using SeqCourse.Runtime.Notebooks;
using SeqCourse.Runtime.Tests.Runner;

namespace SeqCourse.Runtime.Tests.Grading;

/// <summary>
/// Grades, once for all grading tests, a batch of week 1 notebooks in child processes with --parallel 2: every solution
/// and student notebook, one mutant per week and a hostile notebook.
/// </summary>
public sealed class GradingFixture
{
    /// <summary>The collection that shares one graded batch among all grading test classes (one file per week).</summary>
    public const string Collection = "grading";

    public GradingFixture()
    {
        Folder = TestSupport.NewTempFolder();
        SolutionPath = Path.Combine(TestSupport.RepositoryRoot, "exercises", "source", "week1", "week1.ipynb");
        StudentPath = Path.Combine(TestSupport.RepositoryRoot, "exercises", "week1", "week1.ipynb");

        var mutantA = NotebookFile.Read(SolutionPath);
        Replace(mutantA, "RnnCellForward", "var z = p.Waa * aPrev + p.Wax * x;", "var z = p.Waa.Transpose() * aPrev + p.Wax * x;");
        Replace(mutantA, "LstmCellForward", "var GammaO = Activations.Sigmoid(Affine(p.Wo, p.bo));", "var GammaO = Activations.Tanh(Affine(p.Wo, p.bo));");
        Replace(mutantA, "Clip", "C(g.dby)", "g.dby.Clone()");

        // The second group of mutations goes into the same notebook (one child less): none of them feeds another.
        var mutantB = mutantA;
        Replace(mutantB, "RnnForward", "var a = new Matrix<double>[xs.Length];", "var a = new Matrix<double>[xs.Length - 1];");
        Replace(mutantB, "RnnForward", "for (int t = 0; t < xs.Length; t++)", "for (int t = 0; t < xs.Length - 1; t++)");
        Replace(mutantB, "LstmCellBackward", "var dcHat = dc + da", "var dcHat = da");
        Replace(mutantB, "GruCellForward", "return GammaU.PointwiseMultiply(CTilde) + GammaU.Map(g => 1 - g).PointwiseMultiply(cPrev);",
            "return GammaU.Map(g => 1 - g).PointwiseMultiply(CTilde) + GammaU.PointwiseMultiply(cPrev);");
        Replace(mutantB, "Q1", "Q1 = \"b\";", "Q1 = \"a\";");
        var mutantAPath = Write("mutantA", mutantA);

        // Week 1 gated, bidirectional and deep exercises (8a–8e): one realistic mistake each, none feeding another.
        var mutantW1G = NotebookFile.Read(SolutionPath);
        Replace(mutantW1G, "GruCellBackward", "var dzc = dCTilde.PointwiseMultiply(CTilde.Map(v => 1 - v * v));", "var dzc = dCTilde.PointwiseMultiply(CTilde.Map(v => v * (1 - v)));");
        Replace(mutantW1G, "LstmForward", "(a[t], c[t]) = LstmCellForward(xs[t], aPrev, cPrev, p);\n        (aPrev, cPrev) = (a[t], c[t]);",
            "(a[t], c[t]) = (aPrev, cPrev);\n        (aPrev, cPrev) = LstmCellForward(xs[t], aPrev, cPrev, p);");
        Replace(mutantW1G, "LstmBackward", "        dcNext = dcPrev;\n", "");
        Replace(mutantW1G, "BrnnForward", "a[t] = aF[t].Stack(aR[T - 1 - t]);", "a[t] = aF[t].Stack(aR[t]);");
        Replace(mutantW1G, "DeepRnnForward", "result[l] = RnnForward(input,", "result[l] = RnnForward(xs,");
        var mutantW1GPath = Write("mutantW1G", mutantW1G);

        // Hostile: visible tests deleted (a learner may do that), and one hostile body per exercise.
        var hostile = NotebookFile.Read(SolutionPath);
        hostile.Cells.RemoveAll(c => c.Source.StartsWith("// Visible test", StringComparison.Ordinal));
        ReplaceBody(hostile, "RnnCellForward", "File.WriteAllText(\"escaped.txt\", \"written by a graded cell\");\n" + Body(hostile, "RnnCellForward"));
        ReplaceBody(hostile, "RnnCellBackward", "var chunks = new List<byte[]>();\nfor (int i = 0; i < 10; i++) chunks.Add(new byte[2_000_000_000]); // 20 GB\nreturn default;");
        ReplaceBody(hostile, "Clip", "int Down(int n) => Down(n + 1) + 1;\nDown(0);\nreturn g;");
        ReplaceBody(hostile, "Sample", "Environment.Exit(0);\nreturn 0;");
        ReplaceBody(hostile, "LstmCellForward", "var hoard = new List<double[]>();\nwhile (true) hoard.Add(new double[1 << 22]);");
        ReplaceBody(hostile, "GruCellForward", "while (true) { }");
        // An absolute path outside the worker's folder: refused where Landlock confines the worker (see GradingTests).
        EscapePath = Path.Combine(Folder, "escaped-absolute.txt");
        ReplaceBody(hostile, "GruCellBackward", $"File.WriteAllText(@\"{EscapePath}\", \"written outside the folder\");\n" + Body(hostile, "GruCellBackward"));
        hostile.Cells.Add(NotebookCell.CSharp("// scratch work that does not compile\nint Broken() => \"not a number\";"));
        HostilePath = Write("hostile", hostile);

        var grader = new Grader(new GraderOptions
        {
            Timeout = TimeSpan.FromSeconds(10),
            MemoryMegabytes = 1024,
            WorkerFileName = "dotnet",
            WorkerArguments = [TestSupport.CourseDll, "grade-worker"],
        });
        var week2 = Path.Combine(TestSupport.RepositoryRoot, "exercises", "source", "week2", "week2.ipynb");
        var mutantC = NotebookFile.Read(week2);
        Replace(mutantC, "CompleteAnalogy", "if (word == a || word == b || word == c)", "if (word == a || word == b)");
        Replace(mutantC, "Neutralize", "var eB = e.DotProduct(g) / g.DotProduct(g) * g;", "var eB = e.DotProduct(g) * g;");
        Replace(mutantC, "Equalize", "return nu + scale * (eB - muB) / (eB - muB).L2Norm();", "return nu + (eB - muB);");
        Replace(mutantC, "EmbeddingBackward", "dE.SetColumn(indices[i], dE.Column(indices[i]) + de.Column(i));", "dE.SetColumn(indices[i], de.Column(i));");
        Replace(mutantC, "NegativeSamplingLoss", "L += Softplus(s);", "L += Softplus(-s);");
        Replace(mutantC, "NegativeSamplingLoss", "double g = Sigmoid(s);", "double g = Sigmoid(s) - 1;");
        Replace(mutantC, "GloveWeight", "return x < xMax ? Math.Pow(x / xMax, alpha) : 1;", "return Math.Pow(x / xMax, alpha);");
        var mutantCPath = Write("mutantC", mutantC, "week2");

        var week3 = Path.Combine(TestSupport.RepositoryRoot, "exercises", "source", "week3", "week3.ipynb");
        var mutantD = NotebookFile.Read(week3);
        Replace(mutantD, "CtcForward", "if (s >= 2 && ext[s] != ext[s - 2])", "if (s >= 2)");
        Replace(mutantD, "Bleu", "double bp = c > r ? 1 : Math.Exp(1 - (double)r / c);", "double bp = 1;");
        var mutantDPath = Write("mutantD", mutantD, "week3");

        var week4 = Path.Combine(TestSupport.RepositoryRoot, "exercises", "source", "week4", "week4.ipynb");
        var mutantE = NotebookFile.Read(week4);
        Replace(mutantE, "Reparameterize", "var sigma = logVar.Map(v => Math.Exp(0.5 * v));", "var sigma = logVar.Map(v => Math.Exp(v));");
        Replace(mutantE, "GaussianKl", "s2 - 1 - logVar[i, j]);", "s2 - 1 - 0.5 * logVar[i, j]);");
        Replace(mutantE, "HredForward", "var h = model.Context.Forward(u[..(N - 1)]).A;", "var h = model.Context.Forward(u).A;");
        var mutantEPath = Write("mutantE", mutantE, "week4");
        // Week 1, RNN part (Week1RnnGradingTests): W1R breaks BPTT and three other functions; W1R2 breaks functions that nothing else uses.
        var mutantW1R = NotebookFile.Read(SolutionPath);
        Replace(mutantW1R, "RnnBackward", "var da = p.Wya.Transpose() * dZy[t] + daNext;", "var da = p.Wya.Transpose() * dZy[t];");
        Replace(mutantW1R, "SoftmaxCrossEntropy", "dZy[t][k, i] = Math.Exp(z[k] - logSum) / m;", "dZy[t][k, i] = Math.Exp(z[k] - logSum);");
        Replace(mutantW1R, "SoftmaxCrossEntropy", "dZy[t][y, i] -= 1.0 / m;", "dZy[t][y, i] -= 1.0;");
        Replace(mutantW1R, "SoftmaxCrossEntropy", "return (J / m, dZy);", "return (J, dZy);");
        Replace(mutantW1R, "ClipByGlobalNorm", "return (new RnnGradients(g.dWaa * scale, g.dWax * scale, g.dba * scale, g.dWya * scale, g.dby * scale), norm);",
            "Matrix<double> C(Matrix<double> m) => m.Map(v => Math.Min(Math.Max(v, -threshold), threshold));\n    return (new RnnGradients(C(g.dWaa), C(g.dWax), C(g.dba), C(g.dWya), C(g.dby)), norm);");
        Replace(mutantW1R, "InitHe", "double std = Math.Sqrt(2.0 / nIn);", "double std = Math.Sqrt(1.0 / nIn);");
        Replace(mutantW1R, "Q12", "Q12 = \"d\";", "Q12 = \"a\";");
        var mutantW1RPath = Write("mutantW1R", mutantW1R);
        var mutantW1R2 = NotebookFile.Read(SolutionPath);
        Replace(mutantW1R2, "LmTrainStep", "var clipped = Clip(grads, clipValue);", "var clipped = grads;");
        Replace(mutantW1R2, "GradientCheck", "theta[i, j] = old - epsilon; double minus = J();", "theta[i, j] = old; double minus = J();");
        Replace(mutantW1R2, "GradientCheck", "gNum[i, j] = (plus - minus) / (2 * epsilon);", "gNum[i, j] = (plus - minus) / epsilon;");
        Replace(mutantW1R2, "OneHotEncode", "continue; // padding: a zero column, mask 0", "X[t][0, i] = 1; continue;");
        Replace(mutantW1R2, "BuildVocabulary", ".Select(kv => kv.Key).OrderBy(k => k, StringComparer.Ordinal);", ".Select(kv => kv.Key);");
        Replace(mutantW1R2, "InitXavier", "double std = Math.Sqrt(1.0 / nIn);", "double std = Math.Sqrt(1.0 / nOut);");
        Replace(mutantW1R2, "Q10", "Q10 = 6;", "Q10 = 2;");
        Replace(mutantW1R2, "BinaryAdditionTrain", "theta.Subtract(learningRate * model.Gradients.Items[k].Value, theta);",
            "theta.Subtract(learningRate * model.Gradients.Items[k].Value);");   // the result is dropped: nothing changes
        var mutantW1R2Path = Write("mutantW1R2", mutantW1R2);
        // Week 3, the rest of the notebook (assertions in Week3GradingTests): none of these exercises feeds another.
        var mutantW3 = NotebookFile.Read(week3);
        Replace(mutantW3, "BeamSearch", "var best = done.MaxBy(h => NormalizedScore(h.LogProbs, alpha));", "var best = done.MaxBy(h => h.LogProbs.Sum());");
        Replace(mutantW3, "OneStepAttention", "var alpha = Activations.Softmax(e);", "var alpha = Activations.Softmax(e.Transpose()).Transpose();");
        Replace(mutantW3, "AttentionForward", "var alpha = Activations.Softmax(e);", "var alpha = Activations.Softmax(e.Transpose()).Transpose();");
        Replace(mutantW3, "CtcBackward", "if (s + 2 < S && ext[s] != ext[s + 2])", "if (s + 2 < S)");
        Replace(mutantW3, "CtcGreedyDecode", "return DropBlanks(Merge(path));", "return Merge(DropBlanks(path));");
        Replace(mutantW3, "BrevityPenalty", "return c > r ? 1 : Math.Exp(1 - (double)r / c);", "return c > r ? 1 : Math.Exp(1 - (double)c / r);");
        Replace(mutantW3, "EditDistance", "for (int i = 0; i <= n; i++) d[i, 0] = i;", "for (int i = 0; i < n; i++) d[i, 0] = i;");
        Replace(mutantW3, "Q21", "Q21 = \"b\";", "Q21 = \"a\";");
        var mutantW3Path = Write("mutantW3", mutantW3, "week3");

        var jobs = new List<(string, string, string)>
        {
            ("student", StudentPath, SolutionPath), ("mutantA", mutantAPath, SolutionPath), ("hostile", HostilePath, SolutionPath), ("mutantC", mutantCPath, week2), ("mutantD", mutantDPath, week3),
            ("mutantW1G", mutantW1GPath, SolutionPath),
            ("mutantE", mutantEPath, week4),
            ("mutantW1R", mutantW1RPath, SolutionPath), ("mutantW1R2", mutantW1R2Path, SolutionPath),
        };
        jobs.Add(("mutantW3", mutantW3Path, week3));

        // Every solution notebook and its released student notebook.
        var sourceRoot = Path.Combine(TestSupport.RepositoryRoot, "exercises", "source");
        foreach (var solution in Directory.EnumerateFiles(sourceRoot, "*.ipynb", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            var relative = Path.GetRelativePath(sourceRoot, solution).Replace('\\', '/');
            Released.Add(relative);
            jobs.Add(("solution:" + relative, solution, solution));
            if (relative != "week1/week1.ipynb")
            {
                jobs.Add(("student:" + relative, Path.Combine(TestSupport.RepositoryRoot, "exercises", relative), solution));
            }
        }

        var results = grader.GradeAll(jobs, parallel: 2);
        Grades = results.ToDictionary(r => r.Notebook);
    }

    public string Folder { get; }

    public string SolutionPath { get; }

    public string StudentPath { get; }

    public string HostilePath { get; }

    /// <summary>Where the hostile notebook's GruCellBackward tries to write (outside the worker's folder).</summary>
    public string EscapePath { get; }

    public IReadOnlyDictionary<string, NotebookGrade> Grades { get; }

    public List<string> Released { get; } = [];

    private string Write(string name, NotebookDocument notebook, string week = "week1")
    {
        var dir = Path.Combine(Folder, name, week);
        Directory.CreateDirectory(dir);
        var path = Path.Combine(dir, week + ".ipynb");
        NotebookFile.Write(path, notebook);
        return path;
    }

    private static NotebookCell ExerciseCell(NotebookDocument notebook, string exercise) =>
        notebook.Cells.Single(c => c.CellType == CellType.Code && !ExerciseRelease.IsHidden(c)
            && c.Metadata["seqcourse"] is JsonObject m && m["exercise"]?.GetValue<string>() == exercise);

    private static void Replace(NotebookDocument notebook, string exercise, string old, string replacement)
    {
        var cell = ExerciseCell(notebook, exercise);
        Assert.Contains(old, cell.Source);
        cell.Source = cell.Source.Replace(old, replacement, StringComparison.Ordinal);
    }

    private static readonly Regex Block = new(@"// BEGIN SOLUTION\n(.*?)\s*// END SOLUTION", RegexOptions.Singleline);

    private static string Body(NotebookDocument notebook, string exercise) => Block.Match(ExerciseCell(notebook, exercise).Source).Groups[1].Value;

    private static void ReplaceBody(NotebookDocument notebook, string exercise, string body)
    {
        var cell = ExerciseCell(notebook, exercise);
        Assert.Matches(Block, cell.Source);
        cell.Source = Block.Replace(cell.Source, _ => body);
    }
}

/// <summary>One <see cref="GradingFixture"/> for every test class marked <c>[Collection(GradingFixture.Collection)]</c>.</summary>
[CollectionDefinition(GradingFixture.Collection)]
public sealed class GradingCollection : ICollectionFixture<GradingFixture>
{
}
