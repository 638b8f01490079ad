namespace SeqCourse.Runtime.Html;

/// <summary>
/// The JavaScript/CSS the static site needs, written once per site under <c>assets/</c>:
/// plotly.js from the bundle embedded in Plotly.NET.dll, and KaTeX (when a KaTeX <c>dist</c> folder
/// is available, e.g. installed from npm by the CLI) for LaTeX math. No page ever refers to a CDN.
/// </summary>
public static class SiteAssets
{
    /// <summary>The plotly.js version embedded in Plotly.NET 6.0.0.</summary>
    public const string PlotlyVersion = "2.28.0";

    /// <summary>File name of plotly.js inside the site's assets folder.</summary>
    public const string PlotlyFileName = "plotly-" + PlotlyVersion + ".min.js";

    private const string PlotlyResourceName = "Plotly.NET.plotly-" + PlotlyVersion + ".min.js";

    /// <summary>Reads the minified plotly.js bundle embedded in Plotly.NET.dll.</summary>
    public static byte[] ReadPlotlyBundle()
    {
        var assembly = typeof(Plotly.NET.GenericChart).Assembly;
        using var stream = assembly.GetManifestResourceStream(PlotlyResourceName)
            ?? throw new InvalidOperationException(
                $"Plotly.NET.dll has no embedded resource '{PlotlyResourceName}' (resources: {string.Join(", ", assembly.GetManifestResourceNames())}).");
        using var memory = new MemoryStream();
        stream.CopyTo(memory);
        return memory.ToArray();
    }

    /// <summary>True when <paramref name="katexDist"/> holds katex.min.js, katex.min.css and fonts/.</summary>
    public static bool IsKatexDist(string? katexDist) =>
        katexDist is not null
        && File.Exists(Path.Combine(katexDist, "katex.min.js"))
        && File.Exists(Path.Combine(katexDist, "katex.min.css"))
        && Directory.Exists(Path.Combine(katexDist, "fonts"));

    /// <summary>Writes <c>assets/plotly-2.28.0.min.js</c> (and KaTeX when given) under <paramref name="siteDirectory"/>.</summary>
    internal static void Write(string siteDirectory, string? katexDist)
    {
        var assets = Path.Combine(siteDirectory, "assets");
        Directory.CreateDirectory(assets);
        var plotly = ReadPlotlyBundle();
        var plotlyPath = Path.Combine(assets, PlotlyFileName);
        if (!File.Exists(plotlyPath) || new FileInfo(plotlyPath).Length != plotly.Length)
        {
            Notebooks.AtomicFile.Write(plotlyPath, s => s.Write(plotly));
        }

        if (IsKatexDist(katexDist))
        {
            var katex = Path.Combine(assets, "katex");
            var fonts = Path.Combine(katex, "fonts");
            Directory.CreateDirectory(fonts);
            File.Copy(Path.Combine(katexDist!, "katex.min.js"), Path.Combine(katex, "katex.min.js"), overwrite: true);
            File.Copy(Path.Combine(katexDist!, "katex.min.css"), Path.Combine(katex, "katex.min.css"), overwrite: true);

            // katex.min.css lists woff2 first; every browser that runs plotly.js 2.x reads woff2.
            foreach (var font in Directory.EnumerateFiles(Path.Combine(katexDist!, "fonts"), "*.woff2"))
            {
                File.Copy(font, Path.Combine(fonts, Path.GetFileName(font)), overwrite: true);
            }
        }
    }
}
