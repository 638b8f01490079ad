namespace SeqCourse.Runtime.Tests.Engine;

public class CodeIntelligenceTests
{
    [Theory]
    [InlineData("var x = 1;", CodeCompleteness.Complete)]
    [InlineData("for (var i = 0; i < 3; i++)\n{\n    Console.WriteLine(i);\n}", CodeCompleteness.Complete)]
    [InlineData("for (var i = 0; i < 3; i++) {", CodeCompleteness.Incomplete)]
    [InlineData("int Square(int v)\n{", CodeCompleteness.Incomplete)]
    [InlineData("var 2x = 1;", CodeCompleteness.Invalid)]
    [InlineData("var s = (1 + ;", CodeCompleteness.Invalid)]
    [InlineData("int x = );", CodeCompleteness.Invalid)]
    public void Is_complete_distinguishes_complete_incomplete_and_invalid(string code, CodeCompleteness expected)
    {
        using var engine = new ExecutionEngine();
        Assert.Equal(expected, engine.IsComplete(code));
    }

    [Fact]
    public async Task Completion_uses_the_session_state_and_member_types()
    {
        using var engine = new ExecutionEngine();
        await engine.Ok("var learningRate = 0.1; var layers = new List<int>();");
        var members = await engine.CompleteAsync("Console.Wri", "Console.Wri".Length);
        Assert.Equal(["Write", "WriteLine"], members.Matches);
        Assert.Equal("Console.".Length, members.CursorStart);
        Assert.Equal("Console.Wri".Length, members.CursorEnd);

        var variable = await engine.CompleteAsync("var y = learn", "var y = learn".Length);
        Assert.Equal(["learningRate"], variable.Matches);

        var instance = await engine.CompleteAsync("layers.AddR", "layers.AddR".Length);
        Assert.Equal(["AddRange"], instance.Matches);

        var extension = await engine.CompleteAsync("layers.OrderByDesc", "layers.OrderByDesc".Length);
        Assert.Equal(["OrderByDescending"], extension.Matches);
    }

    [Fact]
    public async Task Inspect_shows_signature_and_xml_summary()
    {
        using var engine = new ExecutionEngine();
        var result = await engine.InspectAsync("Math.Sqrt", "Math.Sqrt".Length);
        Assert.True(result.Found);
        var text = result.Data["text/plain"].GetValue<string>();
        Assert.Contains("Math.Sqrt(double", text);
        Assert.Contains("square root", text);

        var inCall = await engine.InspectAsync("Math.Max(1, ", "Math.Max(1, ".Length);
        Assert.True(inCall.Found);
        Assert.Contains("Math.Max(", inCall.Data["text/plain"].GetValue<string>());

        var library = await engine.InspectAsync("MathNet.Numerics.SpecialFunctions.Gamma(2.5)", "MathNet.Numerics.SpecialFunctions.Gam".Length);
        Assert.True(library.Found);
        Assert.Contains("Computes the Gamma function.", library.Data["text/plain"].GetValue<string>());

        var nothing = await engine.InspectAsync("   ", 1);
        Assert.False(nothing.Found);
    }
}
