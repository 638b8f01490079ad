using SeqCourse.Runtime.Html;
using SeqCourse.Runtime.Notebooks;

namespace SeqCourse.Runtime.Tests.Runner;

/// <summary>TeX inside Markdown cells must reach KaTeX untouched by Markdown's emphasis and escapes.</summary>
public class MarkdownMathTests
{
    private static string Render(string markdown)
    {
        var notebook = NotebookDocument.CreateCourseNotebook();
        notebook.Cells.Add(new NotebookCell(CellType.Markdown, markdown));
        return new HtmlSiteExporter().RenderPage(notebook, "t");
    }

    [Fact]
    public void DisplayMathSpanningLinesInsideAParagraphIsKeptWhole()
    {
        var html = Render("the chain rule gives\n\n$$\\prod_{j=k+1}^{t} W_{aa},\n\\qquad \\Big\\|x\\Big\\|_2 \\le \\big(\\gamma\\big)^{t-k},$$\n\nwhere $a_b * c_d$ holds.");
        Assert.Contains("<span class=\"math display\">\\[\\prod_{j=k+1}^{t} W_{aa},\n\\qquad \\Big\\|x\\Big\\|_2 \\le \\big(\\gamma\\big)^{t-k},\\]</span>", html);
        Assert.Contains("<span class=\"math\">\\(a_b * c_d\\)</span>", html);
        Assert.DoesNotContain("<em>", html);
    }

    [Fact]
    public void DollarsInCodeAndEscapedDollarsAreNotMath()
    {
        var html = Render("price \\$5 and `$x$` here\n\n```csharp\nvar s = $\"{a}\" + $\"{b}\";\n```\n");
        Assert.DoesNotContain("class=\"math", html);
        Assert.Contains("$x$", html);
        Assert.Contains("$5", html);
    }

    [Fact]
    public void TexIsHtmlEscaped()
    {
        var html = Render("$a < b$ and $$x > y$$");
        Assert.Contains("\\(a &lt; b\\)", html);
        Assert.Contains("\\[x &gt; y\\]", html);
    }
}
