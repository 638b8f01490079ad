using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace SeqCourse.Runtime.Tests.Engine;

public class DisplayTests
{
    private const string TwoPointChart = "Plotly.NET.CSharp.Chart.Point<double, double, string>(x: new[] { 1.0, 2.0 }, y: new[] { 3.0, 5.0 })";

    [Fact]
    public async Task Plotly_chart_is_a_plotly_figure_with_an_offline_html_fallback_that_ships_plotly_js_once()
    {
        using var engine = new ExecutionEngine();
        var first = (await engine.Ok($"display({TwoPointChart});")).Displayed();
        var figure = first[PlotlyFormatter.MimeType].AsObject();
        var trace = figure["data"]![0]!;
        Assert.Equal("scatter", trace["type"]!.GetValue<string>());
        Assert.Equal([1.0, 2.0], trace["x"]!.AsArray().Select(v => v!.GetValue<double>()));
        Assert.Equal([3.0, 5.0], trace["y"]!.AsArray().Select(v => v!.GetValue<double>()));
        Assert.NotNull(figure["layout"]);
        Assert.NotNull(figure["config"]);

        var html = first.Text("text/html");
        Assert.Contains(PlotlyBundle.Script[..2000], html);
        Assert.Contains("typeof window.Plotly === 'undefined'", html);
        Assert.Contains("Plotly.newPlot", html);
        // Nothing is fetched: apart from the inlined bundle itself the HTML names no URL and loads no script file.
        var wrapper = html.Replace(PlotlyBundle.DefineOnceScript, string.Empty, StringComparison.Ordinal);
        Assert.True(wrapper.Length < 10_000, $"HTML around the bundle is {wrapper.Length} chars");
        Assert.DoesNotContain("http", wrapper, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<script src", html, StringComparison.OrdinalIgnoreCase);
        Assert.True(PlotlyBundle.Script.Length > 1_000_000);

        // The F# API returns the same GenericChart type; the second figure of the session reuses window.Plotly.
        var second = (await engine.Ok("Plotly.NET.GenericChart.combine(new[] { Plotly.NET.CSharp.Chart.Line<int, int, string>(x: new[] { 1, 2, 3 }, y: new[] { 2, 4, 8 }), " + TwoPointChart + " })")).Outputs.OfType<ExecuteResultOutput>().Single().Data;
        Assert.Equal(2, second[PlotlyFormatter.MimeType]["data"]!.AsArray().Count);
        Assert.Equal([2, 4, 8], second[PlotlyFormatter.MimeType]["data"]![0]!["y"]!.AsArray().Select(v => v!.GetValue<int>()));
        var secondHtml = second["text/html"].GetValue<string>();
        Assert.True(secondHtml.Length < 10_000, $"second figure's HTML is {secondHtml.Length} chars");
        Assert.Contains("Plotly.newPlot", secondHtml);
        Assert.DoesNotContain("http", secondHtml, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Matrix_and_vector_are_html_tables_and_plain_text()
    {
        using var engine = new ExecutionEngine();
        var bundle = (await engine.Ok("Matrix<double>.Build.DenseOfArray(new double[,] { { 1, 2.5, 3 }, { 4, 5, 6 } }).Display();")).Displayed();
        var html = bundle.Text("text/html");
        Assert.Equal(2, Regex.Matches(html, "<tr>").Count);
        Assert.Contains("<td>1</td><td>2.5</td><td>3</td>", html);
        Assert.Contains("<td>4</td><td>5</td><td>6</td>", html);
        Assert.DoesNotContain("…", html);
        Assert.Contains("DenseMatrix 2x3-Double", bundle.Text("text/plain"));

        var vector = (await engine.Ok("Vector<double>.Build.Dense(new[] { 0.5, -1.0 })")).Outputs.OfType<ExecuteResultOutput>().Single().Data;
        Assert.Contains("<td>0.5</td><td>-1</td>", vector["text/html"].GetValue<string>());
        Assert.Contains("DenseVector 2-Double", vector["text/plain"].GetValue<string>());
    }

    [Fact]
    public async Task Large_matrix_is_truncated_past_12_by_12()
    {
        using var engine = new ExecutionEngine();
        var html = (await engine.Ok("display(Matrix<double>.Build.Dense(20, 30, (i, j) => 100 * i + j));")).Displayed().Text("text/html");
        var rows = Regex.Matches(html, "<tr>(.*?)</tr>").Select(m => m.Groups[1].Value).ToList();
        Assert.Equal(13, rows.Count); // 12 rows and the "…" row
        var firstRow = Regex.Matches(rows[0], "<td>(.*?)</td>").Select(m => m.Groups[1].Value).ToList();
        Assert.Equal([.. Enumerable.Range(0, 12).Select(j => j.ToString()), "…"], firstRow);
        Assert.Equal("1100", Regex.Matches(rows[11], "<td>(.*?)</td>")[0].Groups[1].Value);
        Assert.All(Regex.Matches(rows[12], "<td>(.*?)</td>"), m => Assert.Equal("…", m.Groups[1].Value));
    }

    [Fact]
    public async Task Sequence_of_records_is_a_table_with_one_column_per_property()
    {
        using var engine = new ExecutionEngine();
        var bundle = (await engine.Ok("record Word(string Text, int Count);\nnew List<Word> { new(\"the\", 3), new(\"a<b\", 1) }")).Outputs.OfType<ExecuteResultOutput>().Single().Data;
        var html = bundle["text/html"].GetValue<string>();
        Assert.Contains("<th>Text</th><th>Count</th>", html);
        Assert.Contains("<td>the</td><td>3</td>", html);
        Assert.Contains("<td>a&lt;b</td><td>1</td>", html);
        Assert.Equal("[Word { Text = the, Count = 3 }, Word { Text = a<b, Count = 1 }]", bundle["text/plain"].GetValue<string>());
    }

    [Fact]
    public async Task Strings_and_other_values_are_plain_text()
    {
        using var engine = new ExecutionEngine();
        var text = (await engine.Ok("display(\"<b>not html</b>\");")).Displayed();
        Assert.Equal(["text/plain"], text.Keys);
        Assert.Equal("<b>not html</b>", text.Text("text/plain"));
        var number = (await engine.Ok("display(1.5);")).Displayed();
        Assert.Equal("1.5", number.Text("text/plain"));
        var html = (await engine.Ok("display(Html(\"<b>bold</b>\"));")).Displayed();
        Assert.Equal("<b>bold</b>", html.Text("text/html"));
    }

    [Fact]
    public async Task Registered_formatter_wins_and_json_mime_types_are_objects()
    {
        using var engine = new ExecutionEngine();
        await engine.Ok("""
            record Temperature(double Celsius);
            Formatter.Register<Temperature>("text/html", t => $"<i>{t.Celsius} °C</i>");
            Formatter.Register<Temperature>("application/json", t => $"{{\"celsius\": {t.Celsius}}}");
            """);
        var bundle = (await engine.Ok("display(new Temperature(21.5));")).Displayed();
        Assert.Equal("<i>21.5 °C</i>", bundle.Text("text/html"));
        Assert.Equal(21.5, bundle["application/json"]["celsius"]!.GetValue<double>());
        Assert.Equal("Temperature { Celsius = 21.5 }", bundle.Text("text/plain"));
    }

    [Fact]
    public async Task Display_handle_updates_the_same_display_and_clear_output_is_an_output()
    {
        using var engine = new ExecutionEngine();
        var result = await engine.Ok("var handle = display(1);\nhandle.Update(2);\nClearOutput(wait: true);");
        var displays = result.Outputs.OfType<DisplayDataOutput>().ToList();
        Assert.Equal(2, displays.Count);
        Assert.False(displays[0].IsUpdate);
        Assert.True(displays[1].IsUpdate);
        Assert.NotNull(displays[0].DisplayId);
        Assert.Equal(displays[0].DisplayId, displays[1].DisplayId);
        Assert.Equal("2", displays[1].Data.Text("text/plain"));
        Assert.Equal(new ClearOutputRequest(true), result.Outputs.Last());

        // A handle kept in a variable updates from a later cell too.
        var later = await engine.Ok("handle.Update(3);");
        var update = Assert.IsType<DisplayDataOutput>(Assert.Single(later.Outputs));
        Assert.True(update.IsUpdate);
        Assert.Equal(displays[0].DisplayId, update.DisplayId);
    }
}
