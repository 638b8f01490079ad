namespace SeqCourse.Cli.Tools;

/// <summary>
/// KaTeX for typesetting math in the static site, installed from the npm registry into
/// build/.npm (a build artefact) the first time a site is written. If npm is missing or the install
/// fails, the site still builds and shows math as TeX source.
/// </summary>
public static class Katex
{
    /// <summary>The pinned KaTeX version.</summary>
    public const string Version = "0.16.22";

    /// <summary>Returns the KaTeX dist folder, installing it when needed; null (after a warning) when unavailable.</summary>
    public static string? Ensure(string root, TextWriter log)
    {
        var prefix = Path.Combine(root, "build", ".npm");
        var dist = Path.Combine(prefix, "node_modules", "katex", "dist");
        if (Runtime.Html.SiteAssets.IsKatexDist(dist))
        {
            return dist;
        }

        var npm = ProcessTools.Which("npm");
        if (npm is null && DebianPackages.EnsureInstalled(["npm"], log))
        {
            npm = ProcessTools.Which("npm");
        }

        if (npm is null)
        {
            log.WriteLine("warning: npm not found; math in the HTML site is shown as TeX source (install npm for typeset math)");
            return null;
        }

        log.WriteLine($"Installing KaTeX {Version} from npm into {CourseRoot.Show(prefix)} (once)…");
        Directory.CreateDirectory(prefix);
        var (code, stdout, stderr) = ProcessTools.RunCaptured(
            npm,
            ["install", "--prefix", prefix, $"katex@{Version}", "--no-audit", "--no-fund", "--no-save", "--loglevel=error"],
            TimeSpan.FromMinutes(5));
        if (code != 0 || !Runtime.Html.SiteAssets.IsKatexDist(dist))
        {
            log.WriteLine($"warning: npm install katex@{Version} failed (exit {code}); math in the HTML site is shown as TeX source");
            var detail = (stderr + stdout).Trim();
            if (detail.Length > 0)
            {
                log.WriteLine("  " + detail.Split('\n')[^1]);
            }

            return null;
        }

        return dist;
    }
}
