using System.Diagnostics;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace SeqCourse.Runtime.Tests.Engine;

public class ExecutionEngineTests
{
    [Fact]
    public async Task State_is_kept_across_cells()
    {
        using var engine = new ExecutionEngine();
        await engine.Ok("var x = 20;");
        await engine.Ok("int Twice(int v) => 2 * v;\nrecord Point(int X, int Y);");
        var result = await engine.Ok("new Point(Twice(x), 2).X + 2");
        Assert.Equal("42", result.ResultText());
        Assert.Equal(3, result.ExecutionCount);
        Assert.Equal(3, engine.ExecutionCount);
    }

    [Fact]
    public async Task Default_imports_include_linq_collections_and_the_libraries()
    {
        using var engine = new ExecutionEngine();
        var result = await engine.Ok("""
            var m = Matrix<double>.Build.DenseOfArray(new double[,] { { 1, 2 }, { 3, 4 } });
            var sorted = new List<int> { 3, 1, 2 }.OrderBy(i => i).ToArray();
            var sb = new StringBuilder().Append(sorted[0]);
            await Task.Yield();
            m.Determinant() + double.Parse(sb.ToString())
            """);
        Assert.Equal("-1", result.ResultText()); // det = 1*4 - 2*3 = -2, plus 1
    }

    [Fact]
    public async Task Console_output_is_captured_as_streams_in_order_with_displays()
    {
        using var engine = new ExecutionEngine();
        var seen = new List<CellOutput>();
        var result = await engine.ExecuteAsync("Console.WriteLine(\"a\"); Console.Error.WriteLine(\"oops\"); display(7); Console.Write(\"b\");", seen.Add);
        Assert.True(result.Success);
        Assert.Equal(result.Outputs, seen);
        Assert.Collection(
            result.Outputs,
            o => Assert.Equal(new StreamOutput("stdout", "a\n"), o),
            o => Assert.Equal(new StreamOutput("stderr", "oops\n"), o),
            o => Assert.Equal("7", ((DisplayDataOutput)o).Data.Text("text/plain")),
            o => Assert.Equal(new StreamOutput("stdout", "b"), o));
    }

    [Fact]
    public async Task Only_a_last_expression_without_semicolon_and_with_a_value_is_a_result()
    {
        using var engine = new ExecutionEngine();
        Assert.Null((await engine.Ok("var y = 1 + 1;")).ResultText());
        Assert.Null((await engine.Ok("Console.WriteLine(\"x\")")).ResultText());
        Assert.Equal("null", (await engine.Ok("(string?)null")).ResultText());
        Assert.Equal("hello", (await engine.Ok("\"hello\"")).ResultText());
    }

    [Fact]
    public async Task R_directive_loads_a_dll_relative_to_the_working_directory()
    {
        var dir = Directory.CreateTempSubdirectory("seqcourse-r-").FullName;
        var compilation = CSharpCompilation.Create(
            "Greeter",
            [CSharpSyntaxTree.ParseText("namespace Greetings; public static class Greeter { public static string Hi(string who) => \"hi \" + who; }")],
            [MetadataReference.CreateFromFile(typeof(object).Assembly.Location), MetadataReference.CreateFromFile(Path.Combine(Path.GetDirectoryName(typeof(object).Assembly.Location)!, "System.Runtime.dll"))],
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary));
        var emit = compilation.Emit(Path.Combine(dir, "Greeter.dll"));
        Assert.True(emit.Success, string.Join("\n", emit.Diagnostics));

        using var engine = new ExecutionEngine(new EngineOptions { WorkingDirectory = dir, SetCurrentDirectory = false });
        var result = await engine.Ok("#r \"Greeter.dll\"\nGreetings.Greeter.Hi(\"there\")");
        Assert.Equal("hi there", result.ResultText());
    }

    [Fact]
    public async Task Load_directive_runs_a_csx_file_relative_to_the_working_directory()
    {
        var dir = Directory.CreateTempSubdirectory("seqcourse-load-").FullName;
        File.WriteAllText(Path.Combine(dir, "helpers.csx"), "int Triple(int v) => 3 * v;\nvar loaded = true;\n");
        using var engine = new ExecutionEngine(new EngineOptions { WorkingDirectory = dir, SetCurrentDirectory = false });
        await engine.Ok("#load \"helpers.csx\"");
        Assert.Equal("42", (await engine.Ok("loaded ? Triple(14) : 0")).ResultText());
    }

    [Fact]
    public async Task R_nuget_restores_a_package_that_is_not_referenced_yet()
    {
        // Humanizer is not a dependency of anything the engine references; restoring it may take a while the first time.
        Assert.DoesNotContain(AppDomain.CurrentDomain.GetAssemblies(), a => a.GetName().Name == "Humanizer");
        using var engine = new ExecutionEngine();
        var result = await engine.ExecuteAsync("#r \"nuget: Humanizer.Core, 2.14.1\"\nusing Humanizer;\n\"PascalCaseInputString\".Humanize()");
        Assert.True(result.Success, string.Join("\n", result.Error?.Traceback ?? []));
        Assert.Equal("Pascal case input string", result.ResultText());
    }

    [Fact]
    public async Task Compile_errors_report_the_cells_own_line()
    {
        using var engine = new ExecutionEngine();
        await engine.Ok("var a = 1;");
        var result = await engine.ExecuteAsync("var b = a;\nvar c = notDefined + 1;");
        Assert.False(result.Success);
        Assert.Equal("CompilationError", result.Error!.EName);
        Assert.StartsWith("error CS0103: The name 'notDefined' does not exist", result.Error.EValue);
        Assert.StartsWith("Cell 2, line 2, column 9: error CS0103", result.Error.Traceback[0]);
        Assert.Same(result.Error, result.Outputs.Single());
    }

    [Fact]
    public async Task Runtime_errors_report_the_line_of_the_cell_that_threw_and_of_the_caller()
    {
        using var engine = new ExecutionEngine();
        await engine.Ok("int Divide(int p, int q)\n{\n    var r = p / q;\n    return r;\n}");
        var result = await engine.ExecuteAsync("var ok = 1;\nDivide(ok, 0)");
        Assert.False(result.Success);
        Assert.Equal("DivideByZeroException", result.Error!.EName);
        Assert.Equal("Attempted to divide by zero.", result.Error.EValue);
        Assert.Equal("Cell 1, line 3: DivideByZeroException: Attempted to divide by zero.", result.Error.Traceback[0]);
        Assert.Contains(result.Error.Traceback, l => l.Contains("Divide in Cell 1, line 3", StringComparison.Ordinal));
        Assert.Contains(result.Error.Traceback, l => l.Contains("Cell 2, line 2", StringComparison.Ordinal));
        Assert.DoesNotContain(result.Error.Traceback, l => l.Contains("CodeAnalysis", StringComparison.Ordinal) || l.Contains("Submission#", StringComparison.Ordinal));

        // What the failing cell defined before it threw stays defined.
        Assert.Equal("1", (await engine.Ok("ok")).ResultText());
    }

    [Fact]
    public async Task Interrupt_stops_while_true_and_keeps_the_session()
    {
        using var engine = new ExecutionEngine();
        await engine.Ok("var kept = 41;");
        foreach (var loop in new[] { "while (true) { }", "while (true) ;", "for (;;) kept = 41;", "void Spin() { var i = 0; do { i++; } while (i >= 0 || true); }\nSpin();" })
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
            var watch = Stopwatch.StartNew();
            var result = await engine.ExecuteAsync(loop, cancellationToken: cts.Token);
            Assert.True(result.Cancelled, loop);
            Assert.False(result.Success);
            Assert.Equal("Interrupted", result.Error!.EName);
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(4), $"{loop} took {watch.Elapsed}");
        }

        Assert.Equal("42", (await engine.Ok("kept + 1")).ResultText());
    }

    [Fact]
    public async Task Interrupt_stops_a_loop_inside_a_lambda_defined_in_an_earlier_cell()
    {
        using var engine = new ExecutionEngine();
        await engine.Ok("Func<int, int> forever = n => { while (n >= 0) { n = (n + 1) % 10; } return n; };");
        var run = engine.ExecuteAsync("forever(1)");
        await Task.Delay(200);
        engine.Interrupt();
        var result = await run;
        Assert.True(result.Cancelled);
        Assert.Equal("2", (await engine.Ok("1 + 1")).ResultText());
    }

    [Fact]
    public async Task Interrupt_stops_a_library_loop_that_calls_an_expression_lambda_of_the_cell()
    {
        // Enumerable's loops check no token; the selector does, once the cell is rewritten.
        using var engine = new ExecutionEngine();
        await engine.Ok("long Twice(int v) => 2L * v;");
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(500));
        var watch = Stopwatch.StartNew();
        var result = await engine.ExecuteAsync("Enumerable.Repeat(1, int.MaxValue).Select(i => Twice(i)).Sum()", cancellationToken: cts.Token);
        Assert.True(result.Cancelled, string.Join("\n", result.Error?.Traceback ?? []));
        Assert.Equal("Interrupted", result.Error!.EName);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(4), $"took {watch.Elapsed}");
        Assert.Equal("4", (await engine.Ok("Twice(2)")).ResultText());
    }

    [Fact]
    public async Task Expression_bodies_keep_their_meaning_after_rewriting()
    {
        using var engine = new ExecutionEngine();
        var result = await engine.Ok("""
            using System.Linq.Expressions;
            var counter = 0;
            Action bump = () => counter++;
            Func<int, int> square = x => x * x;
            Expression<Func<int, int>> tree = x => x + 1;
            Func<Task> wait = async () => await Task.Delay(1);
            Func<Task<int>> three = async () => await Task.FromResult(3);
            Func<int> fails = () => throw new InvalidOperationException("x");
            int Cube(int v) => v * v * v;
            void Log(string s) => Console.Write(s);
            async Task<int> FourAsync() => await Task.FromResult(4);
            async Task NothingAsync() => await Task.Yield();
            bump(); bump();
            await wait(); await NothingAsync();
            Log("logged");
            var ok = Assert(fails);
            static bool Assert(Func<int> f) { try { f(); return false; } catch (InvalidOperationException) { return true; } }
            $"{counter} {square(5)} {tree.Compile()(1)} {await three()} {Cube(2)} {await FourAsync()} {ok} {await Task.Run(() => 7)}"
            """);
        Assert.Equal("2 25 2 3 8 4 True 7", result.ResultText());
        Assert.Equal("logged", result.Stdout());
    }

    [Fact]
    public async Task Errors_inside_expression_lambdas_keep_their_line()
    {
        using var engine = new ExecutionEngine();
        var result = await engine.ExecuteAsync("var zero = 0;\nFunc<int, int> divide =\n    x => x / zero;\ndivide(1)");
        Assert.Equal("Cell 1, line 3: DivideByZeroException: Attempted to divide by zero.", result.Error!.Traceback[0]);
    }

    [Fact]
    public async Task A_cell_that_ignores_the_interrupt_is_reported_and_the_engine_refuses_further_cells()
    {
        using var engine = new ExecutionEngine(new EngineOptions { InterruptGracePeriod = TimeSpan.FromMilliseconds(300) });
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
        var watch = Stopwatch.StartNew();
        var result = await engine.ExecuteAsync("Thread.Sleep(Timeout.Infinite);", cancellationToken: cts.Token);
        Assert.True(result.Cancelled);
        Assert.Contains("did not stop within 0.3 s", result.Error!.EValue);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), $"took {watch.Elapsed}");

        var next = await engine.ExecuteAsync("1 + 1");
        Assert.False(next.Success);
        Assert.Equal("EngineStuck", next.Error!.EName);
    }

    [Fact]
    public async Task Environment_exit_is_blocked()
    {
        using var engine = new ExecutionEngine();
        var result = await engine.ExecuteAsync("Console.WriteLine(\"before\");\nEnvironment.Exit(3);");
        Assert.False(result.Success);
        Assert.Contains("Environment.Exit is not allowed in a notebook cell", result.Error!.EValue);
        Assert.StartsWith("Cell 1, line 2: InvalidOperationException: Environment.Exit is not allowed", result.Error.Traceback[0]);
        Assert.Equal("before\n", result.Stdout());
        Assert.Equal("3", (await engine.Ok("1 + 2")).ResultText());
    }

    [Fact]
    public async Task Relative_file_paths_resolve_in_the_working_directory()
    {
        var dir = Directory.CreateTempSubdirectory("seqcourse-cwd-").FullName;
        File.WriteAllText(Path.Combine(dir, "data.txt"), "42");
        var before = Environment.CurrentDirectory;
        try
        {
            using var engine = new ExecutionEngine(new EngineOptions { WorkingDirectory = dir });
            Assert.Equal("42", (await engine.Ok("File.ReadAllText(\"data.txt\")")).ResultText());
        }
        finally
        {
            Environment.CurrentDirectory = before;
        }
    }

    [Fact]
    public async Task Deep_recursion_runs_on_the_large_cell_stack()
    {
        using var engine = new ExecutionEngine();
        var result = await engine.Ok("int Depth(int n) => n == 0 ? 0 : 1 + Depth(n - 1);\nDepth(100_000)");
        Assert.Equal("100000", result.ResultText());
    }

    [Fact]
    public async Task Warm_up_does_not_count_as_a_cell()
    {
        using var engine = new ExecutionEngine();
        await engine.WarmUpAsync();
        Assert.Equal(0, engine.ExecutionCount);
        var result = await engine.Ok("6 * 7");
        Assert.Equal(1, result.ExecutionCount);
        Assert.Equal("42", result.ResultText());
    }
}
