using System.Text;
using System.Text.Json.Nodes;
using SeqCourse.Runtime.Notebooks;

namespace SeqCourse.Runtime.Exercises;

/// <summary>
/// The exercise format and <c>course release</c>: one solution notebook (exercises/source/weekN/x.ipynb) gives the
/// student notebook (exercises/weekN/x.ipynb).
/// <list type="bullet">
/// <item>Code between <c>// BEGIN SOLUTION</c> and <c>// END SOLUTION</c> lines becomes
/// <c>throw new NotImplementedException("Exercise Name: write the code here (hint: …)");</c> — the hint from a
/// <c>// HINT: …</c> line inside the block. In a quiz cell (first line <c>// QUIZ: Qn</c>) the block is removed,
/// leaving the answer variable at its "not answered" value.</item>
/// <item>A cell whose first line is <c>// HIDDEN TESTS: Name</c> is removed (it holds the graded tests and quiz answers).</item>
/// <item>Graded cells carry metadata <c>{"seqcourse": {"exercise": "Name", "points": 2}}</c>.</item>
/// <item>Outputs and execution counts are cleared; everything else is kept, so the release is deterministic.</item>
/// </list>
/// </summary>
public static class ExerciseRelease
{
    /// <summary>First-line marker of a hidden test cell.</summary>
    public const string HiddenMarker = "// HIDDEN TESTS:";

    /// <summary>First-line marker of a quiz cell.</summary>
    public const string QuizMarker = "// QUIZ:";

    /// <summary>True when the cell is a hidden test cell.</summary>
    public static bool IsHidden(NotebookCell cell) =>
        cell.CellType == CellType.Code && FirstLine(cell.Source).StartsWith(HiddenMarker, StringComparison.Ordinal);

    /// <summary>The exercise named in the cell's metadata (<c>seqcourse.exercise</c>), else in its hidden/quiz marker.</summary>
    public static string? ExerciseName(NotebookCell cell)
    {
        if (cell.Metadata["seqcourse"] is JsonObject meta && meta["exercise"]?.GetValue<string>() is { } name)
        {
            return name;
        }

        var first = FirstLine(cell.Source);
        foreach (var marker in new[] { HiddenMarker, QuizMarker })
        {
            if (first.StartsWith(marker, StringComparison.Ordinal))
            {
                return first[marker.Length..].Trim();
            }
        }

        return null;
    }

    /// <summary>Points of a graded cell (metadata <c>seqcourse.points</c>, default 1).</summary>
    public static double Points(NotebookCell cell) =>
        cell.Metadata["seqcourse"] is JsonObject meta && meta["points"] is JsonValue v ? v.GetValue<double>() : 1;

    /// <summary>The student version of a solution notebook.</summary>
    /// <exception cref="NotebookFormatException">A BEGIN SOLUTION without END SOLUTION (or the reverse).</exception>
    public static NotebookDocument ToStudent(NotebookDocument solution, string sourceName)
    {
        var student = new NotebookDocument { NbFormat = solution.NbFormat, NbFormatMinor = solution.NbFormatMinor, Metadata = (JsonObject)solution.Metadata.DeepClone() };
        for (int i = 0; i < solution.Cells.Count; i++)
        {
            var cell = solution.Cells[i];
            if (IsHidden(cell))
            {
                continue;
            }

            var copy = new NotebookCell(cell.CellType, cell.Source, cell.Id)
            {
                Metadata = (JsonObject)cell.Metadata.DeepClone(),
                Attachments = (JsonObject?)cell.Attachments?.DeepClone(),
            };
            if (cell.CellType == CellType.Code)
            {
                copy.Source = StripSolutions(cell.Source, ExerciseName(cell), FirstLine(cell.Source).StartsWith(QuizMarker, StringComparison.Ordinal), $"{sourceName}, cell {i + 1}");
            }

            student.Cells.Add(copy);
        }

        return student;
    }

    /// <summary>Replaces each BEGIN/END SOLUTION block of a code cell (see the class summary).</summary>
    public static string StripSolutions(string source, string? exercise, bool quiz, string where)
    {
        var lines = source.Split('\n');
        var output = new StringBuilder();
        int begin = -1;
        string? hint = null;
        for (int n = 0; n < lines.Length; n++)
        {
            var line = lines[n];
            var trimmed = line.Trim();
            if (trimmed.StartsWith("// BEGIN SOLUTION", StringComparison.Ordinal))
            {
                if (begin >= 0)
                {
                    throw new NotebookFormatException(where, $"{where}, line {n + 1}: BEGIN SOLUTION inside another solution block (opened on line {begin + 1})");
                }

                begin = n;
                hint = null;
                continue;
            }

            if (trimmed.StartsWith("// END SOLUTION", StringComparison.Ordinal))
            {
                if (begin < 0)
                {
                    throw new NotebookFormatException(where, $"{where}, line {n + 1}: END SOLUTION without BEGIN SOLUTION");
                }

                if (!quiz)
                {
                    var indent = lines[begin][..(lines[begin].Length - lines[begin].TrimStart().Length)];
                    var text = $"Exercise {exercise ?? "this exercise"}: write the code here" + (hint is null ? "." : $" (hint: {hint})");
                    output.Append(indent).Append("throw new NotImplementedException(").Append(Literal(text)).Append(");\n");
                }

                begin = -1;
                continue;
            }

            if (begin >= 0)
            {
                if (trimmed.StartsWith("// HINT:", StringComparison.Ordinal))
                {
                    hint = trimmed["// HINT:".Length..].Trim();
                }

                continue;
            }

            output.Append(line);
            if (n < lines.Length - 1)
            {
                output.Append('\n');
            }
        }

        if (begin >= 0)
        {
            throw new NotebookFormatException(where, $"{where}, line {begin + 1}: BEGIN SOLUTION without END SOLUTION");
        }

        // A block at the very end of the cell leaves the newline of the line before it; drop it.
        var result = output.ToString();
        return source.EndsWith('\n') ? result : result.TrimEnd('\n');
    }

    /// <summary>
    /// Writes the student version of every exercises/source/**/*.ipynb to the same relative path under
    /// <paramref name="outputRoot"/>. Returns the relative paths written, sorted.
    /// </summary>
    public static IReadOnlyList<string> ReleaseAll(string sourceRoot, string outputRoot)
    {
        var written = new List<string>();
        foreach (var path in Directory.EnumerateFiles(sourceRoot, "*.ipynb", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            var relative = Path.GetRelativePath(sourceRoot, path).Replace('\\', '/');
            if (relative.Split('/').Any(p => p.StartsWith('.')))
            {
                continue; // .ipynb_checkpoints and the like
            }

            var student = ToStudent(NotebookFile.Read(path), relative);
            var target = Path.Combine(outputRoot, relative);
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            NotebookFile.Write(target, student);
            written.Add(relative);
        }

        return written;
    }

    private static string FirstLine(string source)
    {
        var end = source.IndexOf('\n');
        return (end < 0 ? source : source[..end]).Trim();
    }

    private static string Literal(string text)
    {
        var sb = new StringBuilder("\"");
        foreach (var c in text)
        {
            sb.Append(c switch
            {
                '"' => "\\\"",
                '\\' => "\\\\",
                '\n' => "\\n",
                _ => c.ToString(),
            });
        }

        return sb.Append('"').ToString();
    }
}
