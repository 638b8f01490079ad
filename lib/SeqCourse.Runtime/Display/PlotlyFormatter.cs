using System.Globalization;
using System.Text.Json.Nodes;

namespace SeqCourse.Runtime;

/// <summary>Whether this engine session has already sent plotly.js in a figure's HTML.</summary>
internal sealed class PlotlyHtmlState(PlotlyMode mode)
{
    public PlotlyMode Mode { get; } = mode;

    public bool BundleSent { get; set; }
}

/// <summary>
/// Plotly.NET charts (from Plotly.NET or Plotly.NET.CSharp, both return <see cref="Plotly.NET.GenericChart"/>) as
/// <c>application/vnd.plotly.v1+json</c> (rendered natively by VS Code and by JupyterLab's Plotly extension) plus a
/// <c>text/html</c> fallback that draws the same figure with the local plotly.js.
/// </summary>
public static class PlotlyFormatter
{
    /// <summary>The Plotly figure MIME type.</summary>
    public const string MimeType = "application/vnd.plotly.v1+json";

    /// <summary>The figure as a JSON object with "data", "layout" and "config".</summary>
    /// <param name="chart">The chart.</param>
    public static JsonObject ToFigure(Plotly.NET.GenericChart chart)
    {
        ArgumentNullException.ThrowIfNull(chart);
        var figure = JsonNode.Parse(Plotly.NET.GenericChart.toJson(chart))!.AsObject();
        figure.TryAdd("data", new JsonArray());
        figure.TryAdd("layout", new JsonObject());
        figure.TryAdd("config", new JsonObject());
        return figure;
    }

    /// <summary>
    /// HTML that draws <paramref name="figure"/> with <c>window.Plotly</c>, waiting for it to be defined.
    /// With <paramref name="includeBundle"/> the HTML first defines plotly.js itself (once per page).
    /// </summary>
    /// <param name="figure">A figure as returned by <see cref="ToFigure"/>.</param>
    /// <param name="includeBundle">Inline plotly.js (about 3.5 MB).</param>
    public static string ToHtml(JsonObject figure, bool includeBundle)
    {
        ArgumentNullException.ThrowIfNull(figure);
        var id = "seqcourse-plot-" + Guid.NewGuid().ToString("N");
        var height = figure["layout"]?["height"] is JsonValue h && h.TryGetValue<double>(out var px) ? px : 450;
        var json = figure.ToJsonString().Replace("</", "<\\/", StringComparison.Ordinal);
        var bundle = includeBundle ? "<script type=\"text/javascript\">" + PlotlyBundle.DefineOnceScript + "</script>\n" : string.Empty;
        return bundle + string.Create(CultureInfo.InvariantCulture, $$"""
            <div id="{{id}}" class="seqcourse-plotly" style="width:100%;height:{{height}}px;"></div>
            <script type="text/javascript">
            (function () {
              var figure = {{json}};
              var tries = 0;
              function draw() {
                var el = document.getElementById('{{id}}');
                if (!el || typeof window.Plotly === 'undefined') {
                  if (tries++ < 200) { setTimeout(draw, 50); }
                  return;
                }
                window.Plotly.newPlot(el, figure.data, figure.layout || {}, figure.config || {});
              }
              draw();
            })();
            </script>
            """);
    }

    internal static void Format(Plotly.NET.GenericChart chart, PlotlyHtmlState state, IDictionary<string, JsonNode> bundle)
    {
        var figure = ToFigure(chart);
        var include = state.Mode switch
        {
            PlotlyMode.InlineEveryFigure => true,
            PlotlyMode.InlineOncePerSession => !state.BundleSent,
            _ => false,
        };
        state.BundleSent |= include;
        bundle[MimeType] = figure;
        bundle["text/html"] = JsonValue.Create(ToHtml(figure, include));
        bundle["text/plain"] = JsonValue.Create($"Plotly figure with {(figure["data"] as JsonArray)?.Count ?? 0} trace(s)");
    }
}
