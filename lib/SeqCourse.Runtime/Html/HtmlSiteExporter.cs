using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Markdig;
using Markdig.Extensions.Mathematics;
using Markdig.Renderers;
using Markdig.Renderers.Html;
using SeqCourse.Runtime.Notebooks;

namespace SeqCourse.Runtime.Html;

/// <summary>One notebook of the site.</summary>
/// <param name="RelativePath">Path of the notebook relative to the course's notebooks folder, e.g. <c>week1/01-rnn.ipynb</c>.</param>
/// <param name="Notebook">The executed notebook; null when its run failed (listed on the index, no page).</param>
/// <param name="Error">Why the run failed, shown on the index; null on success.</param>
public sealed record SiteEntry(string RelativePath, NotebookDocument? Notebook, string? Error = null);

/// <summary>Options of the static site.</summary>
public sealed class HtmlSiteOptions
{
    /// <summary>Title of the index page.</summary>
    public string Title { get; init; } = "SeqCourse — Sequence Models in C#";

    /// <summary>
    /// A KaTeX <c>dist</c> folder (katex.min.js, katex.min.css, fonts/). When null or incomplete, math is
    /// shown as its TeX source in a styled span instead of being typeset.
    /// </summary>
    public string? KatexDistDirectory { get; init; }
}

/// <summary>
/// Writes a static HTML site from executed notebooks: one page per notebook (Markdown with math,
/// highlighted C#, all outputs including interactive Plotly figures) plus <c>index.html</c> grouped by week.
/// Pages work offline from <c>file://</c>: CSS is inline, plotly.js and KaTeX are written once under
/// <c>assets/</c> and referenced by relative paths.
/// </summary>
public sealed partial class HtmlSiteExporter
{
    private readonly HtmlSiteOptions options;
    private readonly MarkdownPipeline markdown;
    private readonly bool katex;

    /// <summary>Creates an exporter.</summary>
    public HtmlSiteExporter(HtmlSiteOptions? options = null)
    {
        this.options = options ?? new HtmlSiteOptions();
        katex = SiteAssets.IsKatexDist(this.options.KatexDistDirectory);
        markdown = new MarkdownPipelineBuilder()
            .UseAdvancedExtensions() // tables, footnotes, auto ids, task lists … and $math$ / $$math$$
            .Build();
    }

    /// <summary>True when math is typeset with KaTeX; false when it is shown as TeX source.</summary>
    public bool TypesetsMath => katex;

    /// <summary>Writes the site into <paramref name="siteDirectory"/> and returns the path of its index.html.</summary>
    public string Export(IReadOnlyList<SiteEntry> entries, string siteDirectory)
    {
        ArgumentNullException.ThrowIfNull(entries);
        ArgumentException.ThrowIfNullOrEmpty(siteDirectory);
        var site = Path.GetFullPath(siteDirectory);
        Directory.CreateDirectory(site);
        SiteAssets.Write(site, options.KatexDistDirectory);

        foreach (var entry in entries)
        {
            var pagePath = Path.Combine(site, PageRelativePath(entry.RelativePath));
            if (entry.Notebook is null)
            {
                // No page for a failed notebook; remove one left from an earlier successful run.
                if (File.Exists(pagePath))
                {
                    File.Delete(pagePath);
                }

                continue;
            }

            var html = RenderPage(entry.Notebook, TitleOf(entry), AssetsPrefix(entry.RelativePath));
            AtomicFile.WriteAllText(pagePath, html);
        }

        var indexPath = Path.Combine(site, "index.html");
        AtomicFile.WriteAllText(indexPath, RenderIndex(entries));
        return indexPath;
    }

    /// <summary>The page path inside the site for a notebook path: <c>week1/a.ipynb</c> → <c>week1/a.html</c>.</summary>
    public static string PageRelativePath(string notebookRelativePath) =>
        Path.ChangeExtension(notebookRelativePath.Replace('\\', '/'), ".html");

    /// <summary>Renders one notebook as a complete HTML page; <paramref name="assetsPrefix"/> leads from the page to the site root.</summary>
    public string RenderPage(NotebookDocument notebook, string title, string assetsPrefix = "")
    {
        ArgumentNullException.ThrowIfNull(notebook);
        var body = new StringBuilder();
        var figures = 0;
        var hasMath = false;
        foreach (var cell in notebook.Cells)
        {
            switch (cell.CellType)
            {
                case CellType.Markdown:
                    var rendered = RenderMarkdown(ResolveAttachments(cell));
                    hasMath |= rendered.Contains("class=\"math", StringComparison.Ordinal);
                    body.Append("<section class=\"cell markdown-cell\">\n").Append(rendered).Append("</section>\n");
                    break;
                case CellType.Code:
                    RenderCodeCell(body, cell, ref figures);
                    break;
                default:
                    body.Append("<section class=\"cell raw-cell\"><pre>").Append(Encode(cell.Source)).Append("</pre></section>\n");
                    break;
            }
        }

        var page = new StringBuilder();
        page.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
            .Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
            .Append("<title>").Append(Encode(title)).Append("</title>\n");
        if (katex && hasMath)
        {
            page.Append("<link rel=\"stylesheet\" href=\"").Append(assetsPrefix).Append("assets/katex/katex.min.css\">\n");
        }

        page.Append("<style>\n").Append(Css).Append("</style>\n</head>\n<body>\n")
            .Append("<nav><a href=\"").Append(assetsPrefix).Append("index.html\">&larr; All notebooks</a></nav>\n")
            .Append("<main>\n").Append(body).Append("</main>\n");
        if (figures > 0)
        {
            page.Append("<script src=\"").Append(assetsPrefix).Append("assets/").Append(SiteAssets.PlotlyFileName).Append("\"></script>\n")
                .Append("<script>\n").Append(PlotlyScript).Append("</script>\n");
        }

        if (katex && hasMath)
        {
            page.Append("<script src=\"").Append(assetsPrefix).Append("assets/katex/katex.min.js\"></script>\n")
                .Append("<script>\n").Append(KatexScript).Append("</script>\n");
        }

        page.Append("</body>\n</html>\n");
        return page.ToString();
    }

    /// <summary>Renders the index page: notebooks grouped by their first folder (week1, week2, …).</summary>
    public string RenderIndex(IReadOnlyList<SiteEntry> entries)
    {
        var body = new StringBuilder();
        var groups = entries
            .OrderBy(e => e.RelativePath, StringComparer.Ordinal)
            .GroupBy(e => GroupName(e.RelativePath))
            .OrderBy(g => GroupOrder(g.Key));
        foreach (var group in groups)
        {
            body.Append("<section class=\"week\">\n<h2>").Append(Encode(group.Key)).Append("</h2>\n<ul>\n");
            foreach (var entry in group)
            {
                var title = Encode(TitleOf(entry));
                var file = Encode(entry.RelativePath.Replace('\\', '/'));
                if (entry.Notebook is null)
                {
                    body.Append("<li class=\"failed\">").Append(title).Append(" <span class=\"file\">").Append(file)
                        .Append("</span><div class=\"run-error\">run failed: ").Append(Encode(entry.Error ?? "unknown error"))
                        .Append("</div></li>\n");
                }
                else
                {
                    body.Append("<li><a href=\"").Append(Encode(PageRelativePath(entry.RelativePath))).Append("\">").Append(title)
                        .Append("</a> <span class=\"file\">").Append(file).Append("</span></li>\n");
                }
            }

            body.Append("</ul>\n</section>\n");
        }

        if (entries.Count == 0)
        {
            body.Append("<p>No notebooks.</p>\n");
        }

        return "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
            + "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
            + $"<title>{Encode(options.Title)}</title>\n<style>\n{Css}</style>\n</head>\n<body>\n<main>\n"
            + $"<h1>{Encode(options.Title)}</h1>\n{body}</main>\n</body>\n</html>\n";
    }

    private string RenderMarkdown(string text)
    {
        using var writer = new StringWriter();
        var renderer = new HtmlRenderer(writer);
        markdown.Setup(renderer);
        renderer.ObjectRenderers.ReplaceOrAdd<HtmlMathInlineRenderer>(new DisplayAwareMathInlineRenderer());
        var (protectedText, math) = MathProtector.Protect(text);
        renderer.Render(Markdown.Parse(protectedText, markdown));
        writer.Flush();
        return MathProtector.Restore(writer.ToString(), math);
    }

    /// <summary>
    /// Markdig renders <c>$$…$$</c> written inside a paragraph (as Jupyter users do) like <c>$…$</c>;
    /// Jupyter shows it as display math, so mark it <c>math display</c> with <c>\[…\]</c>.
    /// </summary>
    private sealed class DisplayAwareMathInlineRenderer : HtmlObjectRenderer<MathInline>
    {
        protected override void Write(HtmlRenderer renderer, MathInline obj)
        {
            var display = obj.DelimiterCount >= 2;
            renderer.Write(display ? "<span class=\"math display\">\\[" : "<span class=\"math\">\\(");
            renderer.WriteEscape(ref obj.Content);
            renderer.Write(display ? "\\]</span>" : "\\)</span>");
        }
    }

    private void RenderCodeCell(StringBuilder body, NotebookCell cell, ref int figures)
    {
        var prompt = cell.ExecutionCount is { } n ? n.ToString(CultureInfo.InvariantCulture) : " ";
        body.Append("<section class=\"cell code-cell\">\n<div class=\"input\"><div class=\"prompt\">In [").Append(prompt)
            .Append("]:</div><pre class=\"source\"><code class=\"language-csharp\">")
            .Append(CSharpHighlighter.Highlight(cell.Source.TrimEnd('\n')))
            .Append("</code></pre></div>\n");
        if (cell.Outputs.Count > 0)
        {
            body.Append("<div class=\"outputs\">\n");
            foreach (var output in cell.Outputs)
            {
                RenderOutput(body, output, ref figures);
            }

            body.Append("</div>\n");
        }

        body.Append("</section>\n");
    }

    private static void RenderOutput(StringBuilder body, JsonObject output, ref int figures)
    {
        switch ((string?)output["output_type"])
        {
            case "stream":
                var name = (string?)output["name"] == "stderr" ? "stderr" : "stdout";
                body.Append("<pre class=\"output stream ").Append(name).Append("\">")
                    .Append(Encode(StripAnsi(NotebookFile.JoinLines(output["text"])))).Append("</pre>\n");
                break;
            case "display_data":
            case "execute_result":
                if (output["data"] is JsonObject data)
                {
                    RenderMimeBundle(body, data, ref figures);
                }

                break;
            case "error":
                var traceback = output["traceback"] is JsonArray lines
                    ? string.Join("\n", lines.Select(l => l?.GetValue<string>() ?? ""))
                    : "";
                var ename = (string?)output["ename"] ?? "Error";
                var evalue = (string?)output["evalue"] ?? "";
                var text = traceback.Length > 0 ? traceback : $"{ename}: {evalue}";
                body.Append("<pre class=\"output error\">").Append(Encode(StripAnsi(text))).Append("</pre>\n");
                break;
        }
    }

    // Richest first, as Jupyter does; the Plotly JSON wins over its HTML fallback (which may inline plotly.js).
    private static void RenderMimeBundle(StringBuilder body, JsonObject data, ref int figures)
    {
        if (data["application/vnd.plotly.v1+json"] is JsonObject figure)
        {
            figures++;
            var id = $"figure-{figures}";
            var json = figure.ToJsonString().Replace("</", "<\\/", StringComparison.Ordinal);
            body.Append("<div class=\"output plotly-figure\" id=\"").Append(id).Append("\" data-figure=\"").Append(id)
                .Append("-data\"></div>\n<script type=\"application/json\" id=\"").Append(id).Append("-data\">")
                .Append(json).Append("</script>\n");
            return;
        }

        if (data["text/html"] is { } html)
        {
            body.Append("<div class=\"output html\">").Append(NotebookFile.JoinLines(html)).Append("</div>\n");
            return;
        }

        foreach (var mime in new[] { "image/png", "image/jpeg", "image/gif" })
        {
            if (data[mime] is { } image)
            {
                var base64 = NotebookFile.JoinLines(image).Replace("\n", "", StringComparison.Ordinal);
                body.Append("<div class=\"output image\"><img alt=\"output\" src=\"data:").Append(mime).Append(";base64,")
                    .Append(base64).Append("\"></div>\n");
                return;
            }
        }

        if (data["image/svg+xml"] is { } svg)
        {
            body.Append("<div class=\"output image\">").Append(NotebookFile.JoinLines(svg)).Append("</div>\n");
            return;
        }

        if (data["text/markdown"] is { } md)
        {
            body.Append("<div class=\"output markdown\">").Append(Markdown.ToHtml(NotebookFile.JoinLines(md))).Append("</div>\n");
            return;
        }

        if (data["text/latex"] is { } latex)
        {
            body.Append("<div class=\"output math\">").Append(Encode(NotebookFile.JoinLines(latex))).Append("</div>\n");
            return;
        }

        if (data["text/plain"] is { } plain)
        {
            body.Append("<pre class=\"output text\">").Append(Encode(StripAnsi(NotebookFile.JoinLines(plain)))).Append("</pre>\n");
        }
    }

    // Markdown images pasted into Jupyter are stored as cell attachments and referenced as attachment:NAME.
    private static string ResolveAttachments(NotebookCell cell)
    {
        if (cell.Attachments is null || cell.Attachments.Count == 0)
        {
            return cell.Source;
        }

        return AttachmentReference().Replace(cell.Source, match =>
        {
            var name = Uri.UnescapeDataString(match.Groups[1].Value);
            if (cell.Attachments[name] is JsonObject bundle)
            {
                foreach (var (mime, value) in bundle)
                {
                    return $"data:{mime};base64,{NotebookFile.JoinLines(value).Replace("\n", "", StringComparison.Ordinal)}";
                }
            }

            return match.Value;
        });
    }

    private static string TitleOf(SiteEntry entry) =>
        entry.Notebook?.Title(Path.GetFileNameWithoutExtension(entry.RelativePath))
        ?? Path.GetFileNameWithoutExtension(entry.RelativePath);

    private static string AssetsPrefix(string relativePath)
    {
        var depth = relativePath.Replace('\\', '/').Count(c => c == '/');
        return string.Concat(Enumerable.Repeat("../", depth));
    }

    private static string GroupName(string relativePath)
    {
        var parts = relativePath.Replace('\\', '/').Split('/');
        if (parts.Length < 2)
        {
            return "Notebooks";
        }

        var folder = parts[0];
        var week = WeekFolder().Match(folder);
        return week.Success ? $"Week {int.Parse(week.Groups[1].Value, CultureInfo.InvariantCulture)}" : folder;
    }

    private static (int, string) GroupOrder(string group) =>
        group.StartsWith("Week ", StringComparison.Ordinal) && int.TryParse(group[5..], CultureInfo.InvariantCulture, out var n)
            ? (n, group)
            : (int.MaxValue, group);

    private static string Encode(string text) => WebUtility.HtmlEncode(text);

    private static string StripAnsi(string text) => AnsiEscape().Replace(text, "");

    [GeneratedRegex(@"attachment:([^)\s""']+)")]
    private static partial Regex AttachmentReference();

    [GeneratedRegex(@"^week[-_ ]?(\d+)$", RegexOptions.IgnoreCase)]
    private static partial Regex WeekFolder();

    [GeneratedRegex(@"\x1b\[[0-9;]*[A-Za-z]")]
    private static partial Regex AnsiEscape();

    private const string PlotlyScript = """
        document.querySelectorAll('div.plotly-figure').forEach(function (div) {
          var figure = JSON.parse(document.getElementById(div.dataset.figure).textContent);
          var config = Object.assign({ responsive: true, displaylogo: false }, figure.config || {});
          Plotly.newPlot(div, figure.data || [], figure.layout || {}, config);
        });

        """;

    // Markdig writes $x$ as <span class="math">\(x\)</span> and $$x$$ as <div class="math">\[x\]</div>.
    private const string KatexScript = """
        document.querySelectorAll('.math').forEach(function (el) {
          var tex = el.textContent.trim();
          var display = el.tagName === 'DIV' || el.classList.contains('display');
          if ((tex.startsWith('\\(') && tex.endsWith('\\)')) || (tex.startsWith('\\[') && tex.endsWith('\\]'))) {
            tex = tex.slice(2, -2);
          }
          katex.render(tex, el, { displayMode: display, throwOnError: false });
        });

        """;

    private const string Css = """
        :root { --fg: #1f2328; --muted: #656d76; --border: #d0d7de; --code-bg: #f6f8fa; --accent: #0969da; }
        body { margin: 0; color: var(--fg); font: 16px/1.6 -apple-system, "Segoe UI", "Noto Sans", Helvetica, Arial, sans-serif; }
        main { max-width: 960px; margin: 0 auto; padding: 1rem 1.5rem 4rem; }
        nav { max-width: 960px; margin: 0 auto; padding: .75rem 1.5rem 0; font-size: .9rem; }
        a { color: var(--accent); text-decoration: none; } a:hover { text-decoration: underline; }
        h1, h2, h3 { line-height: 1.25; }
        .cell { margin: 1rem 0; }
        .input { display: flex; gap: .5rem; align-items: flex-start; }
        .prompt { flex: 0 0 4.5rem; color: var(--muted); font: 12px/1.9 ui-monospace, "DejaVu Sans Mono", monospace; text-align: right; padding-top: .5rem; }
        pre { margin: 0; overflow-x: auto; font: 13.5px/1.45 ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace; }
        pre.source { flex: 1; background: var(--code-bg); border: 1px solid var(--border); border-radius: 6px; padding: .6rem .8rem; }
        .outputs { margin-left: 5rem; margin-top: .4rem; }
        .output { margin: .3rem 0; }
        pre.output { padding: .3rem .1rem; white-space: pre-wrap; }
        pre.stderr { background: #fff8e6; }
        pre.error { background: #ffebe9; color: #a40e26; border-left: 3px solid #cf222e; padding: .5rem .8rem; }
        .output.html table, .markdown-cell table { border-collapse: collapse; font-size: .9rem; }
        .output.html td, .output.html th, .markdown-cell td, .markdown-cell th { border: 1px solid var(--border); padding: .2rem .5rem; }
        .output.html td { text-align: right; } .markdown-cell th { background: var(--code-bg); }
        .output img { max-width: 100%; }
        .plotly-figure { width: 100%; min-height: 420px; }
        .math { font-family: "Latin Modern Math", "STIX Two Math", "Cambria Math", serif; }
        span.math:not(:has(.katex)) { background: #f4f1e8; border-radius: 3px; padding: 0 .2rem; }
        span.math.display { display: block; text-align: center; margin: .8rem 0; }
        div.math:not(:has(.katex)) { background: #f4f1e8; border-radius: 6px; padding: .5rem; white-space: pre-wrap; }
        .tok-keyword { color: #cf222e; } .tok-string { color: #0a3069; } .tok-comment { color: #6e7781; font-style: italic; }
        .tok-number { color: #0550ae; } .tok-type { color: #8250df; } .tok-directive { color: #953800; }
        .week ul { list-style: none; padding-left: 0; } .week li { margin: .35rem 0; }
        .file { color: var(--muted); font-size: .85rem; margin-left: .4rem; }
        li.failed { color: var(--muted); } .run-error { color: #a40e26; font-size: .85rem; }

        """;
}
