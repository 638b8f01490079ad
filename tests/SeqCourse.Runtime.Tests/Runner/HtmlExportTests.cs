using System.Net;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using SeqCourse.Runtime.Html;
using SeqCourse.Runtime.Notebooks;
using SeqCourse.Runtime.Runner;

namespace SeqCourse.Runtime.Tests.Runner;

/// <summary>Runs the demo notebook once and exports it as a site (week1/demo.html) with KaTeX.</summary>
public sealed class DemoSiteFixture : IAsyncLifetime
{
    public string Site { get; } = Path.Combine(TestSupport.NewTempFolder(), "site");

    public string Page => Path.Combine(Site, "week1", "demo.html");

    public string? KatexDist { get; private set; }

    public NotebookDocument Executed { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var result = await new NotebookRunner().RunAsync(TestSupport.DemoNotebook, null);
        Assert.True(result.Success, result.Error);
        Executed = result.Executed!;
        KatexDist = SeqCourse.Cli.Tools.Katex.Ensure(TestSupport.RepositoryRoot, TextWriter.Null);
        var broken = new SiteEntry("week1/broken.ipynb", null, "week1/broken.ipynb, cell 2, line 1: Exception: x");
        new HtmlSiteExporter(new HtmlSiteOptions { KatexDistDirectory = KatexDist })
            .Export([new SiteEntry("week1/demo.ipynb", Executed), broken], Site);
    }

    public Task DisposeAsync() => Task.CompletedTask;
}

[Collection(RunnerCollection.Name)]
public partial class HtmlExportTests(DemoSiteFixture site) : IClassFixture<DemoSiteFixture>
{
    [Fact]
    public void SiteHasIndexPagesAndOnePlotlyBundle()
    {
        var plotly = Path.Combine(site.Site, "assets", SiteAssets.PlotlyFileName);
        Assert.True(File.Exists(plotly));
        Assert.Equal(SiteAssets.ReadPlotlyBundle().Length, new FileInfo(plotly).Length);
        Assert.Single(Directory.GetFiles(site.Site, "*.js", SearchOption.AllDirectories), f => Path.GetFileName(f).StartsWith("plotly", StringComparison.Ordinal));

        var index = File.ReadAllText(Path.Combine(site.Site, "index.html"));
        Assert.Contains("<h2>Week 1</h2>", index);
        Assert.Contains("<a href=\"week1/demo.html\">Demo: one RNN step</a>", index);
        Assert.Contains("run failed: week1/broken.ipynb, cell 2, line 1: Exception: x", index);
        Assert.False(File.Exists(Path.Combine(site.Site, "week1", "broken.html")));
    }

    [Fact]
    public void PageReferencesOnlyLocalAssetsAndNeverInlinesPlotly()
    {
        var html = File.ReadAllText(site.Page);

        var sources = ScriptSources().Matches(html).Select(m => m.Groups[1].Value).ToList();
        Assert.Equal(["../assets/plotly-2.28.0.min.js", "../assets/katex/katex.min.js"], sources);
        Assert.DoesNotContain("http://", html);
        Assert.DoesNotContain("https://", html);
        Assert.True(html.Length < 200_000, $"page is {html.Length} chars: plotly.js must not be inlined");
        Assert.Single(Regex.Matches(html, "class=\"output plotly-figure\""));
    }

    [Fact]
    public void CodeIsHighlightedAndOutputsAreShown()
    {
        var html = File.ReadAllText(site.Page);

        Assert.Contains("<span class=\"tok-keyword\">var</span> xs = <span class=\"tok-type\">Enumerable</span>", html);
        Assert.Contains("<span class=\"tok-string\">$&quot;sum = {xs.Sum()}&quot;</span>", html);
        Assert.Contains("<pre class=\"output stream stdout\">sum = 5\n</pre>", html);
        Assert.Contains("<pre class=\"output stream stdout\">det = -2.000\n</pre>", html);
        Assert.Contains("<span class=\"tok-comment\">// A Plotly.NET chart: tanh, the RNN&#39;s activation.</span>", html);
        Assert.Contains("<div class=\"prompt\">In [3]:</div>", html);
    }

    [Fact]
    public void PlotlyJsonIsPreferredOverAnHtmlFallbackAndErrorsAreRed()
    {
        var cell = NotebookCell.CSharp("chart");
        cell.Outputs.Add(new JsonObject
        {
            ["output_type"] = "display_data",
            ["metadata"] = new JsonObject(),
            ["data"] = new JsonObject
            {
                ["text/html"] = "<script>/* the whole plotly.js bundle would be here */</script><div id=\"x\"></div>",
                ["application/vnd.plotly.v1+json"] = new JsonObject { ["data"] = new JsonArray(), ["layout"] = new JsonObject { ["title"] = "</script><b>" } },
            },
        });
        cell.Outputs.Add(OutputConverter.ErrorObject("DivideByZeroException", "Attempted to divide by zero.", ["\u001b[31mDivideByZeroException\u001b[0m: Attempted to divide by zero.", "   at line 3"]));
        var notebook = NotebookDocument.CreateCourseNotebook();
        notebook.Cells.Add(cell);

        var html = new HtmlSiteExporter().RenderPage(notebook, "t");

        Assert.DoesNotContain("whole plotly.js bundle", html);
        Assert.Contains("{\"data\":[],\"layout\":{\"title\":\"\\u003C/script\\u003E\\u003Cb\\u003E\"}}</script>", html); // "</script>" cannot end the JSON block
        Assert.Contains("<pre class=\"output error\">DivideByZeroException: Attempted to divide by zero.\n   at line 3</pre>", html);
    }

    [Fact]
    public void MathIsMarkedForKatex()
    {
        Assert.True(site.KatexDist is not null, "KaTeX could not be installed from npm into build/.npm");
        var html = File.ReadAllText(site.Page);

        Assert.Contains("<span class=\"math\">\\(a^{\\langle t \\rangle} = \\tanh(", html);
        Assert.Contains("<span class=\"math display\">\\[\\hat{y}^{\\langle t \\rangle} = \\operatorname{softmax}(", html);
        Assert.True(File.Exists(Path.Combine(site.Site, "assets", "katex", "katex.min.css")));
        Assert.NotEmpty(Directory.GetFiles(Path.Combine(site.Site, "assets", "katex", "fonts"), "*.woff2"));
    }

    [Fact]
    public void WithoutKatexMathStaysReadableTexSource()
    {
        var exporter = new HtmlSiteExporter(new HtmlSiteOptions { KatexDistDirectory = Path.Combine(TestSupport.NewTempFolder(), "no-katex") });

        var html = exporter.RenderPage(site.Executed, "demo", "../");

        Assert.False(exporter.TypesetsMath);
        Assert.DoesNotContain("assets/katex", html); // neither the stylesheet nor the script
        Assert.DoesNotContain("katex.render", html);
        Assert.Contains("<span class=\"math\">\\(a^{\\langle t \\rangle}", html);
        Assert.Contains("span.math:not(:has(.katex))", html); // styled as TeX source
    }

    [Fact]
    public async Task PageDrawsThePlotlyChartAndTypesetsMathOfflineInChromium()
    {
        var errors = new List<string>();
        var blocked = new List<string>();
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = TestSupport.Chromium,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking", "--disable-component-update", "--disable-default-apps", "--disable-extensions", "--disable-sync", "--no-first-run"],
        });
        var page = await browser.NewPageAsync();
        page.Console += (_, message) =>
        {
            if (message.Type == "error")
            {
                errors.Add(message.Text);
            }
        };
        page.PageError += (_, error) => errors.Add(error);
        await page.RouteAsync("**/*", async route =>
        {
            if (route.Request.Url.StartsWith("file://", StringComparison.Ordinal))
            {
                await route.ContinueAsync();
            }
            else
            {
                blocked.Add(route.Request.Url);
                await route.AbortAsync();
            }
        });

        await page.GotoAsync(new Uri(site.Page).AbsoluteUri, new PageGotoOptions { WaitUntil = WaitUntilState.Load });
        await page.WaitForSelectorAsync("div.plotly-figure .main-svg", new PageWaitForSelectorOptions { State = WaitForSelectorState.Attached, Timeout = 30_000 });

        Assert.Equal(1, await page.Locator("div.plotly-figure .main-svg").First.CountAsync());
        Assert.Equal(1, await page.Locator("div.plotly-figure .scatterlayer .trace").CountAsync());
        Assert.Equal(1, await page.Locator(".katex-display").CountAsync());
        Assert.True(await page.Locator("span.math .katex").CountAsync() >= 1);
        Assert.Empty(errors);
        Assert.Empty(blocked);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(site.Site, "screenshot.png"), FullPage = true });
    }

    [GeneratedRegex("<script src=\"([^\"]+)\"")]
    private static partial Regex ScriptSources();
}

public class CSharpHighlighterTests
{
    [Theory]
    [InlineData("var x = 1;", "<span class=\"tok-keyword\">var</span> x = <span class=\"tok-number\">1</span>;")]
    [InlineData("// a < b", "<span class=\"tok-comment\">// a &lt; b</span>")]
    [InlineData("s = @\"a\"\"b\" + $\"{c}\";", "s = <span class=\"tok-string\">@&quot;a&quot;&quot;b&quot;</span> + <span class=\"tok-string\">$&quot;{c}&quot;</span>;")]
    [InlineData("#r \"nuget: X, 1.0\"", "<span class=\"tok-directive\">#r &quot;nuget: X, 1.0&quot;</span>")]
    [InlineData("1e-5 + 0x1F + 2.5f", "<span class=\"tok-number\">1e-5</span> + <span class=\"tok-number\">0x1F</span> + <span class=\"tok-number\">2.5f</span>")]
    [InlineData("Matrix<double> m", "<span class=\"tok-type\">Matrix</span>&lt;<span class=\"tok-keyword\">double</span>&gt; m")]
    [InlineData("'\\n' /* c */", "<span class=\"tok-string\">&#39;\\n&#39;</span> <span class=\"tok-comment\">/* c */</span>")]
    public void HighlightsTokens(string code, string expected) => Assert.Equal(expected, CSharpHighlighter.Highlight(code));

    [Theory]
    [InlineData("var s = \"\"\"\n  raw \"quoted\" text\n  \"\"\";\nint n = 3;")]
    [InlineData("if (a < b && c > d) { x = \"<script>\"; } // done")]
    [InlineData("unterminated \"string\nnext line 'c")]
    public void KeepsEveryCharacter(string code)
    {
        var html = CSharpHighlighter.Highlight(code);

        Assert.Equal(code, WebUtility.HtmlDecode(Regex.Replace(html, "<[^>]+>", "")));
        Assert.DoesNotContain("<script>", html);
    }
}
