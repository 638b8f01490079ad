using System.Text.Json.Nodes;

namespace SeqCourse.Runtime.Tests.Engine;

internal static class EngineTestHelpers
{
    public static async Task<ExecutionResult> Ok(this ExecutionEngine engine, string code)
    {
        var result = await engine.ExecuteAsync(code);
        Assert.True(result.Success, $"cell failed:\n{code}\n---\n{string.Join("\n", result.Error?.Traceback ?? [])}");
        return result;
    }

    public static string Stdout(this ExecutionResult result) =>
        string.Concat(result.Outputs.OfType<StreamOutput>().Where(s => s.Name == "stdout").Select(s => s.Text));

    public static string? ResultText(this ExecutionResult result, string mime = "text/plain") =>
        result.Outputs.OfType<ExecuteResultOutput>().SingleOrDefault()?.Data.GetValueOrDefault(mime)?.GetValue<string>();

    public static IReadOnlyDictionary<string, JsonNode> Displayed(this ExecutionResult result, int index = 0) =>
        result.Outputs.OfType<DisplayDataOutput>().ElementAt(index).Data;

    public static string Text(this IReadOnlyDictionary<string, JsonNode> bundle, string mime) => bundle[mime].GetValue<string>();
}
