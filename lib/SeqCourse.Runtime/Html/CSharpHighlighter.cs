using System.Net;
using System.Text;

namespace SeqCourse.Runtime.Html;

/// <summary>
/// A small C# syntax highlighter for the static site: wraps comments, strings, characters, numbers,
/// keywords, type-like names and notebook directives (<c>#r</c>, <c>#load</c>) in
/// <c>&lt;span class="tok-…"&gt;</c> elements and HTML-escapes everything else. It is a scanner, not a
/// parser: good enough to read code, and it never drops or reorders a character.
/// </summary>
public static class CSharpHighlighter
{
    private static readonly HashSet<string> Keywords = new(StringComparer.Ordinal)
    {
        "abstract", "as", "async", "await", "base", "bool", "break", "byte", "case", "catch", "char", "checked",
        "class", "const", "continue", "decimal", "default", "delegate", "do", "double", "else", "enum", "event",
        "explicit", "extern", "false", "finally", "fixed", "float", "for", "foreach", "goto", "if", "implicit",
        "in", "init", "int", "interface", "internal", "is", "lock", "long", "namespace", "new", "null", "object",
        "operator", "out", "override", "params", "private", "protected", "public", "readonly", "record", "ref",
        "required", "return", "sbyte", "sealed", "short", "sizeof", "stackalloc", "static", "string", "struct",
        "switch", "this", "throw", "true", "try", "typeof", "uint", "ulong", "unchecked", "unsafe", "ushort",
        "using", "var", "virtual", "void", "volatile", "when", "where", "while", "yield", "get", "set", "value",
        "and", "or", "not", "with", "nint", "nuint", "dynamic", "global", "file", "scoped",
    };

    /// <summary>Returns <paramref name="code"/> as HTML with highlighting spans (no surrounding element).</summary>
    public static string Highlight(string code)
    {
        ArgumentNullException.ThrowIfNull(code);
        var html = new StringBuilder(code.Length * 2);
        var i = 0;
        var atLineStart = true;
        while (i < code.Length)
        {
            var c = code[i];
            var start = i;

            if (c == '\n')
            {
                html.Append('\n');
                i++;
                atLineStart = true;
                continue;
            }

            if (char.IsWhiteSpace(c))
            {
                while (i < code.Length && code[i] != '\n' && char.IsWhiteSpace(code[i]))
                {
                    i++;
                }

                html.Append(code, start, i - start);
                continue;
            }

            if (atLineStart && c == '#')
            {
                // Directives (#r "nuget: …", #load, #nullable, #region) run to the end of the line.
                i = EndOfLine(code, i);
                Span(html, "tok-directive", code[start..i]);
                continue;
            }

            atLineStart = false;

            if (c == '/' && Peek(code, i + 1) == '/')
            {
                i = EndOfLine(code, i);
                Span(html, "tok-comment", code[start..i]);
            }
            else if (c == '/' && Peek(code, i + 1) == '*')
            {
                var end = code.IndexOf("*/", i + 2, StringComparison.Ordinal);
                i = end < 0 ? code.Length : end + 2;
                Span(html, "tok-comment", code[start..i]);
            }
            else if (IsStringStart(code, i, out var prefixLength))
            {
                i = ScanString(code, i, prefixLength);
                Span(html, "tok-string", code[start..i]);
            }
            else if (c == '\'')
            {
                i++;
                while (i < code.Length && code[i] != '\'' && code[i] != '\n')
                {
                    i += code[i] == '\\' ? 2 : 1;
                }

                i = Math.Min(code.Length, i + 1);
                Span(html, "tok-string", code[start..i]);
            }
            else if (char.IsDigit(c) || (c == '.' && char.IsDigit(Peek(code, i + 1))))
            {
                i = ScanNumber(code, i);
                Span(html, "tok-number", code[start..i]);
            }
            else if (char.IsLetter(c) || c == '_' || c == '@')
            {
                i++;
                while (i < code.Length && (char.IsLetterOrDigit(code[i]) || code[i] == '_'))
                {
                    i++;
                }

                var word = code[start..i];
                if (Keywords.Contains(word))
                {
                    Span(html, "tok-keyword", word);
                }
                else if (char.IsUpper(word[0]))
                {
                    Span(html, "tok-type", word);
                }
                else
                {
                    html.Append(WebUtility.HtmlEncode(word));
                }
            }
            else
            {
                html.Append(WebUtility.HtmlEncode(c.ToString()));
                i++;
            }
        }

        return html.ToString();
    }

    private static char Peek(string code, int i) => i < code.Length ? code[i] : '\0';

    private static int EndOfLine(string code, int i)
    {
        var end = code.IndexOf('\n', i);
        return end < 0 ? code.Length : end;
    }

    // "…", @"…", $"…", $@"…", @$"…", """…""" and $"""…""" (raw strings, any number of $ and quotes).
    private static bool IsStringStart(string code, int i, out int prefixLength)
    {
        prefixLength = 0;
        var j = i;
        while (j < code.Length && (code[j] == '$' || code[j] == '@') && j - i < 4)
        {
            j++;
        }

        if (j < code.Length && code[j] == '"')
        {
            prefixLength = j - i;
            return true;
        }

        return false;
    }

    private static int ScanString(string code, int i, int prefixLength)
    {
        var prefix = code.AsSpan(i, prefixLength);
        var verbatim = prefix.Contains('@');
        var j = i + prefixLength;

        var quotes = 0;
        while (j + quotes < code.Length && code[j + quotes] == '"')
        {
            quotes++;
        }

        if (quotes >= 3)
        {
            // Raw string literal: ends at the same run of quotes.
            var fence = new string('"', quotes);
            var end = code.IndexOf(fence, j + quotes, StringComparison.Ordinal);
            return end < 0 ? code.Length : end + quotes;
        }

        if (quotes == 2 && !verbatim)
        {
            return j + 2; // the empty string ""
        }

        j++;
        while (j < code.Length)
        {
            var c = code[j];
            if (verbatim)
            {
                if (c == '"')
                {
                    if (Peek(code, j + 1) == '"')
                    {
                        j += 2;
                        continue;
                    }

                    return j + 1;
                }
            }
            else
            {
                if (c == '\\')
                {
                    j += 2;
                    continue;
                }

                if (c == '"')
                {
                    return j + 1;
                }

                if (c == '\n')
                {
                    return j;
                }
            }

            j++;
        }

        return code.Length;
    }

    private static int ScanNumber(string code, int i)
    {
        if (code[i] == '0' && (Peek(code, i + 1) is 'x' or 'X' or 'b' or 'B'))
        {
            i += 2;
            while (i < code.Length && (char.IsAsciiHexDigit(code[i]) || code[i] == '_'))
            {
                i++;
            }
        }
        else
        {
            while (i < code.Length && (char.IsDigit(code[i]) || code[i] == '_' || code[i] == '.'))
            {
                // Stop at ".." (ranges) and member access on a number-like prefix.
                if (code[i] == '.' && !char.IsDigit(Peek(code, i + 1)))
                {
                    break;
                }

                i++;
            }

            if (i < code.Length && (code[i] is 'e' or 'E'))
            {
                var j = i + 1;
                if (j < code.Length && (code[j] is '+' or '-'))
                {
                    j++;
                }

                if (j < code.Length && char.IsDigit(code[j]))
                {
                    i = j;
                    while (i < code.Length && char.IsDigit(code[i]))
                    {
                        i++;
                    }
                }
            }
        }

        while (i < code.Length && (code[i] is 'f' or 'F' or 'd' or 'D' or 'm' or 'M' or 'u' or 'U' or 'l' or 'L'))
        {
            i++;
        }

        return i;
    }

    private static void Span(StringBuilder html, string cssClass, string text) =>
        html.Append("<span class=\"").Append(cssClass).Append("\">").Append(WebUtility.HtmlEncode(text)).Append("</span>");
}
