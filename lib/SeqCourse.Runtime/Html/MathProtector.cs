using System.Net;
using System.Text;
using System.Text.RegularExpressions;

namespace SeqCourse.Runtime.Html;

/// <summary>
/// Takes TeX out of Markdown before Markdig sees it, as Jupyter does: inside <c>$$…$$</c> (which may
/// span lines) and <c>$…$</c>, characters such as <c>_</c>, <c>*</c> and <c>\\</c> are TeX, not Markdown.
/// Each span becomes an alphanumeric placeholder that Markdown leaves alone, and is put back after
/// rendering as a KaTeX-ready <c>span.math</c>. Code spans and fenced code blocks are left untouched.
/// </summary>
internal static partial class MathProtector
{
    private const string Prefix = "SEQCOURSEMATH";

    /// <summary>Replaces math spans with placeholders; returns the new text and the spans in order.</summary>
    public static (string Text, IReadOnlyList<(string Tex, bool Display)> Spans) Protect(string markdown)
    {
        var spans = new List<(string, bool)>();
        var sb = new StringBuilder(markdown.Length);
        int i = 0;
        bool lineStart = true;
        while (i < markdown.Length)
        {
            // Fenced code block: copy through to the closing fence.
            if (lineStart && StartsFence(markdown, i, out var fence))
            {
                int end = FindFenceEnd(markdown, i, fence);
                sb.Append(markdown, i, end - i);
                i = end;
                continue;
            }

            char c = markdown[i];
            if (c == '`')
            {
                int run = CountRun(markdown, i, '`');
                int close = markdown.IndexOf(new string('`', run), i + run, StringComparison.Ordinal);
                int end = close < 0 ? i + run : close + run;
                sb.Append(markdown, i, end - i);
                i = end;
                lineStart = false;
                continue;
            }

            if (c == '\\' && i + 1 < markdown.Length && markdown[i + 1] == '$')
            {
                sb.Append("\\$");
                i += 2;
                continue;
            }

            if (c == '$')
            {
                bool display = i + 1 < markdown.Length && markdown[i + 1] == '$';
                int open = display ? 2 : 1;
                int close = FindClose(markdown, i + open, display);
                if (close > i + open)
                {
                    spans.Add((markdown[(i + open)..close], display));
                    sb.Append(Prefix).Append(spans.Count - 1).Append('X');
                    i = close + open;
                    lineStart = false;
                    continue;
                }
            }

            sb.Append(c);
            lineStart = c == '\n';
            i++;
        }

        return (sb.ToString(), spans);
    }

    /// <summary>Puts the math back into rendered HTML.</summary>
    public static string Restore(string html, IReadOnlyList<(string Tex, bool Display)> spans)
    {
        if (spans.Count == 0)
        {
            return html;
        }

        return Placeholder().Replace(html, m =>
        {
            int k = int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
            if (k >= spans.Count)
            {
                return m.Value;
            }

            var (tex, display) = spans[k];
            var encoded = WebUtility.HtmlEncode(tex.Trim());
            return display
                ? $"<span class=\"math display\">\\[{encoded}\\]</span>"
                : $"<span class=\"math\">\\({encoded}\\)</span>";
        });
    }

    private static int FindClose(string s, int from, bool display)
    {
        for (int j = from; j < s.Length; j++)
        {
            char c = s[j];
            if (c == '\\')
            {
                j++; // skip the escaped character, e.g. \$ or \\
                continue;
            }

            // Inline math stays on one line; display math may span lines but not a blank line.
            if (c == '\n' && (!display || (j + 1 < s.Length && s[j + 1] == '\n')))
            {
                return -1;
            }

            if (c == '$')
            {
                if (!display)
                {
                    return j;
                }

                if (j + 1 < s.Length && s[j + 1] == '$')
                {
                    return j;
                }
            }
        }

        return -1;
    }

    private static bool StartsFence(string s, int i, out string fence)
    {
        int j = i;
        while (j < s.Length && j - i < 3 && s[j] == ' ')
        {
            j++;
        }

        foreach (var f in new[] { "```", "~~~" })
        {
            if (string.CompareOrdinal(s, j, f, 0, 3) == 0)
            {
                fence = f;
                return true;
            }
        }

        fence = "";
        return false;
    }

    private static int FindFenceEnd(string s, int start, string fence)
    {
        int lineEnd = s.IndexOf('\n', start);
        if (lineEnd < 0)
        {
            return s.Length;
        }

        int close = s.IndexOf("\n" + fence, lineEnd, StringComparison.Ordinal);
        if (close < 0)
        {
            return s.Length;
        }

        int after = s.IndexOf('\n', close + 1);
        return after < 0 ? s.Length : after + 1;
    }

    private static int CountRun(string s, int i, char c)
    {
        int n = 0;
        while (i + n < s.Length && s[i + n] == c)
        {
            n++;
        }

        return n;
    }

    [GeneratedRegex(Prefix + "([0-9]+)X")]
    private static partial Regex Placeholder();
}
