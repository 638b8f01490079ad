using System.Collections;
using System.Globalization;
using System.Net;
using System.Reflection;
using System.Text;
using System.Text.Json.Nodes;
using MathNet.Numerics.LinearAlgebra;

namespace SeqCourse.Runtime;

/// <summary>
/// Turns values into MIME bundles (MIME type → nbformat-ready JSON). Formatters registered with
/// <see cref="Register{T}"/> win over the built-in ones: Plotly.NET charts, MathNet matrices and vectors,
/// sequences (as tables), strings, and <see cref="object.ToString"/> for everything else.
/// </summary>
public static class Formatter
{
    /// <summary>Matrices and vectors larger than this are truncated with "…".</summary>
    public const int MaxMatrixRowsAndColumns = 12;

    /// <summary>Sequences show at most this many rows in their HTML table.</summary>
    public const int MaxTableRows = 100;

    private static readonly object s_lock = new();
    private static readonly List<Registration> s_registrations = [];

    /// <summary>Registers a formatter for values of type <typeparamref name="T"/> (and derived types) under <paramref name="mimeType"/>.</summary>
    /// <param name="mimeType">For example "text/html"; JSON MIME types ("application/json", "…+json") must return JSON text.</param>
    /// <param name="format">Renders the value.</param>
    public static void Register<T>(string mimeType, Func<T, string> format)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(mimeType);
        ArgumentNullException.ThrowIfNull(format);
        lock (s_lock)
        {
            s_registrations.RemoveAll(r => r.Type == typeof(T) && r.MimeType == mimeType);
            s_registrations.Add(new Registration(typeof(T), mimeType, value => format((T)value)));
        }
    }

    /// <summary>Removes the formatters registered for <typeparamref name="T"/>.</summary>
    public static void Unregister<T>()
    {
        lock (s_lock)
        {
            s_registrations.RemoveAll(r => r.Type == typeof(T));
        }
    }

    /// <summary>Formats <paramref name="value"/>; Plotly figures carry plotly.js in their HTML fallback.</summary>
    /// <param name="value">Any value, null included.</param>
    public static IReadOnlyDictionary<string, JsonNode> ToMimeBundle(object? value) =>
        ToMimeBundle(value, new PlotlyHtmlState(PlotlyMode.InlineEveryFigure));

    internal static Dictionary<string, JsonNode> ToMimeBundle(object? value, PlotlyHtmlState plotly)
    {
        var bundle = new Dictionary<string, JsonNode>();
        if (value is null)
        {
            bundle["text/plain"] = JsonValue.Create("null");
            return bundle;
        }

        var custom = FindRegistrations(value.GetType());
        if (custom.Count > 0)
        {
            foreach (var registration in custom)
            {
                var text = registration.Format(value);
                bundle[registration.MimeType] = IsJsonMime(registration.MimeType) ? JsonNode.Parse(text)! : JsonValue.Create(text);
            }

            if (!bundle.ContainsKey("text/plain"))
            {
                bundle["text/plain"] = JsonValue.Create(PlainText(value));
            }

            return bundle;
        }

        switch (value)
        {
            case Plotly.NET.GenericChart chart:
                PlotlyFormatter.Format(chart, plotly, bundle);
                break;
            case HtmlContent html:
                bundle["text/html"] = JsonValue.Create(html.Html);
                bundle["text/plain"] = JsonValue.Create(html.Html);
                break;
            case Matrix<double> matrix:
                bundle["text/html"] = JsonValue.Create(MatrixHtml(matrix));
                bundle["text/plain"] = JsonValue.Create(matrix.ToString());
                break;
            case Vector<double> vector:
                bundle["text/html"] = JsonValue.Create(VectorHtml(vector));
                bundle["text/plain"] = JsonValue.Create(vector.ToString());
                break;
            case string s:
                bundle["text/plain"] = JsonValue.Create(s);
                break;
            case IEnumerable sequence when value is not IFormattable:
                bundle["text/html"] = JsonValue.Create(SequenceHtml(sequence));
                bundle["text/plain"] = JsonValue.Create(PlainText(value));
                break;
            default:
                bundle["text/plain"] = JsonValue.Create(PlainText(value));
                break;
        }

        return bundle;
    }

    /// <summary>The text/plain form: invariant culture, sequences as <c>[a, b, …]</c>.</summary>
    /// <param name="value">Any value.</param>
    public static string PlainText(object? value) => value switch
    {
        null => "null",
        string s => s,
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        IEnumerable sequence when !HasOwnToString(value.GetType()) => SequencePlain(sequence),
        _ => value.ToString() ?? string.Empty,
    };

    internal static bool IsJsonMime(string mimeType) =>
        mimeType == "application/json" || mimeType.EndsWith("+json", StringComparison.Ordinal);

    private static List<Registration> FindRegistrations(Type type)
    {
        lock (s_lock)
        {
            // The most specific registered type wins: walk the base classes first, then interfaces.
            for (var t = type; t is not null; t = t.BaseType)
            {
                var exact = s_registrations.Where(r => r.Type == t).ToList();
                if (exact.Count > 0)
                {
                    return exact;
                }
            }

            return s_registrations.Where(r => r.Type.IsInterface && r.Type.IsAssignableFrom(type)).ToList();
        }
    }

    private static bool HasOwnToString(Type type)
    {
        var method = type.GetMethod(nameof(ToString), Type.EmptyTypes);
        return method is not null && method.DeclaringType != typeof(object);
    }

    private static string SequencePlain(IEnumerable sequence)
    {
        var builder = new StringBuilder("[");
        var count = 0;
        foreach (var item in sequence)
        {
            if (count > 0)
            {
                builder.Append(", ");
            }

            if (count == 20)
            {
                builder.Append('…');
                break;
            }

            builder.Append(PlainText(item));
            count++;
        }

        return builder.Append(']').ToString();
    }

    private static string Cell(double value) => value.ToString("G6", CultureInfo.InvariantCulture);

    private static string MatrixHtml(Matrix<double> m)
    {
        var rows = Math.Min(m.RowCount, MaxMatrixRowsAndColumns);
        var cols = Math.Min(m.ColumnCount, MaxMatrixRowsAndColumns);
        var html = new StringBuilder();
        html.Append("<table class=\"seqcourse-matrix\" style=\"font-family:monospace;text-align:right\">");
        html.Append(CultureInfo.InvariantCulture, $"<caption>Matrix {m.RowCount}×{m.ColumnCount}</caption>");
        for (var i = 0; i < rows; i++)
        {
            html.Append("<tr>");
            for (var j = 0; j < cols; j++)
            {
                html.Append("<td>").Append(Cell(m[i, j])).Append("</td>");
            }

            if (cols < m.ColumnCount)
            {
                html.Append("<td>…</td>");
            }

            html.Append("</tr>");
        }

        if (rows < m.RowCount)
        {
            html.Append("<tr>");
            for (var j = 0; j < cols + (cols < m.ColumnCount ? 1 : 0); j++)
            {
                html.Append("<td>…</td>");
            }

            html.Append("</tr>");
        }

        return html.Append("</table>").ToString();
    }

    private static string VectorHtml(Vector<double> v)
    {
        var count = Math.Min(v.Count, MaxMatrixRowsAndColumns);
        var html = new StringBuilder();
        html.Append("<table class=\"seqcourse-vector\" style=\"font-family:monospace;text-align:right\">");
        html.Append(CultureInfo.InvariantCulture, $"<caption>Vector {v.Count}</caption><tr>");
        for (var i = 0; i < count; i++)
        {
            html.Append("<td>").Append(Cell(v[i])).Append("</td>");
        }

        if (count < v.Count)
        {
            html.Append("<td>…</td>");
        }

        return html.Append("</tr></table>").ToString();
    }

    private static bool IsScalar(Type type) =>
        type.IsPrimitive || type.IsEnum || type == typeof(string) || type == typeof(decimal)
        || type == typeof(DateTime) || type == typeof(DateTimeOffset) || type == typeof(TimeSpan) || type == typeof(Guid);

    private static string SequenceHtml(IEnumerable sequence)
    {
        var items = new List<object?>();
        var more = false;
        foreach (var item in sequence)
        {
            if (items.Count == MaxTableRows)
            {
                more = true;
                break;
            }

            items.Add(item);
        }

        var first = items.FirstOrDefault(i => i is not null);
        var properties = first is null || IsScalar(first.GetType())
            ? []
            : first.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance)
                .Where(p => p.CanRead && p.GetIndexParameters().Length == 0 && p.Name != "EqualityContract")
                .ToArray();

        var html = new StringBuilder("<table class=\"seqcourse-table\"><thead><tr><th><i>index</i></th>");
        if (properties.Length == 0)
        {
            html.Append("<th>value</th>");
        }

        foreach (var property in properties)
        {
            html.Append("<th>").Append(WebUtility.HtmlEncode(property.Name)).Append("</th>");
        }

        html.Append("</tr></thead><tbody>");
        for (var i = 0; i < items.Count; i++)
        {
            html.Append(CultureInfo.InvariantCulture, $"<tr><td><i>{i}</i></td>");
            if (properties.Length == 0)
            {
                html.Append("<td>").Append(WebUtility.HtmlEncode(PlainText(items[i]))).Append("</td>");
            }

            foreach (var property in properties)
            {
                object? cell;
                try
                {
                    cell = items[i] is { } item && property.DeclaringType!.IsInstanceOfType(item) ? property.GetValue(item) : null;
                }
                catch (TargetInvocationException e)
                {
                    cell = e.InnerException?.Message;
                }

                html.Append("<td>").Append(WebUtility.HtmlEncode(PlainText(cell))).Append("</td>");
            }

            html.Append("</tr>");
        }

        if (more)
        {
            html.Append("<tr><td>…</td></tr>");
        }

        return html.Append("</tbody></table>").ToString();
    }

    private sealed record Registration(Type Type, string MimeType, Func<object, string> Format);
}

/// <summary>Raw HTML to display as is (create with <c>Html("…")</c> in a cell).</summary>
/// <param name="Html">The HTML fragment.</param>
public sealed record HtmlContent(string Html);
