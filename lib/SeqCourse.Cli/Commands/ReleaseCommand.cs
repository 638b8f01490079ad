using SeqCourse.Runtime.Exercises;
using SeqCourse.Runtime.Notebooks;

namespace SeqCourse.Cli.Commands;

/// <summary>
/// `course release [--source DIR] [--out DIR]`: writes the student notebooks (exercises/weekN/*.ipynb) from the solution
/// notebooks (exercises/source/weekN/*.ipynb): solution blocks become NotImplementedException stubs with hints, hidden
/// test cells are removed, outputs cleared. Deterministic: the same sources give the same bytes.
/// </summary>
public sealed class ReleaseCommand : ICommand
{
    public string Name => "release";

    public string Usage => "course release [--source DIR] [--out DIR]";

    public string Summary => "write the student exercise notebooks (exercises/weekN) from the solutions (exercises/source)";

    public int Execute(string[] args)
    {
        var line = CommandLine.Parse(args, ["source", "out"]);
        if (line.Positional.Count > 0)
        {
            throw new UsageException($"unexpected argument '{line.Positional[0]}'");
        }

        var root = CourseRoot.Find();
        var source = Path.GetFullPath(line.Value("source") ?? Path.Combine(root, "exercises", "source"));
        var output = Path.GetFullPath(line.Value("out") ?? Path.Combine(root, "exercises"));
        if (!Directory.Exists(source))
        {
            Console.Error.WriteLine($"error: no solution notebooks: {CourseRoot.Show(source)} does not exist");
            return ExitCodes.Failed;
        }

        try
        {
            var written = ExerciseRelease.ReleaseAll(source, output);
            foreach (var relative in written)
            {
                Console.WriteLine($"released {CourseRoot.Show(Path.Combine(output, relative))}");
            }

            Console.WriteLine($"Released {written.Count} exercise notebook{(written.Count == 1 ? string.Empty : "s")}.");
            return written.Count > 0 ? ExitCodes.Ok : ExitCodes.Failed;
        }
        catch (NotebookFormatException e)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return ExitCodes.Failed;
        }
    }
}
