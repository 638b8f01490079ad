using SeqCourse.Cli.Tools;
using SeqCourse.Runtime.Html;
using SeqCourse.Runtime.Notebooks;
using SeqCourse.Runtime.Runner;

namespace SeqCourse.Cli.Commands;

/// <summary>`course html [PATHS…] [--out DIR]`: exports already-executed notebooks as the static site.</summary>
public sealed class HtmlCommand : ICommand
{
    public string Name => "html";

    public string Usage => "course html [PATHS…] [--out DIR]";

    public string Summary => "export executed notebooks (default: build/notebooks) as a static HTML site (default: build/site)";

    public int Execute(string[] args)
    {
        var line = CommandLine.Parse(args, ["out"]);
        var root = CourseRoot.Find();
        var executedRoot = Path.Combine(root, "build", "notebooks");
        var siteDir = Path.GetFullPath(line.Value("out") ?? Path.Combine(root, "build", "site"));
        var inputs = line.Positional.Count == 0
            ? NotebookDiscovery.InFolder(executedRoot)
            : NotebookDiscovery.Resolve(line.Positional, [executedRoot, Path.Combine(root, "notebooks"), root]);
        if (inputs.Count == 0)
        {
            Console.Error.WriteLine(line.Positional.Count == 0
                ? $"error: no executed notebooks under {CourseRoot.Show(executedRoot)}; run ./course run first"
                : "error: no notebooks found in the given folders");
            return ExitCodes.Failed;
        }

        var entries = new List<SiteEntry>();
        var failed = 0;
        foreach (var input in inputs)
        {
            try
            {
                entries.Add(new SiteEntry(input.RelativePath, NotebookFile.Read(input.FullPath)));
            }
            catch (NotebookFormatException e)
            {
                Console.Error.WriteLine($"error: {e.Message}");
                entries.Add(new SiteEntry(input.RelativePath, null, e.Message));
                failed++;
            }
        }

        var katex = Katex.Ensure(root, Console.Out);
        var index = new HtmlSiteExporter(new HtmlSiteOptions { KatexDistDirectory = katex }).Export(entries, siteDir);
        Console.WriteLine($"Exported {entries.Count - failed} of {entries.Count} notebooks.");
        Console.WriteLine($"HTML site: {new Uri(index).AbsoluteUri}");
        return failed == 0 ? ExitCodes.Ok : ExitCodes.Failed;
    }
}
