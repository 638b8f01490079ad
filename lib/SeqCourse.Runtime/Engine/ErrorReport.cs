using System.Diagnostics;
using System.Reflection;
using System.Runtime.CompilerServices;
using Microsoft.CodeAnalysis;

namespace SeqCourse.Runtime;

/// <summary>
/// Builds error outputs that speak in the cell's own terms: "Cell 3, line 2: DivideByZeroException: …",
/// with stack frames of the cells and the libraries they call, but none of Roslyn's scripting machinery.
/// </summary>
internal static class ErrorReport
{
    public static ErrorOutput Compilation(IEnumerable<Diagnostic> diagnostics, Func<string, string?> describeFile)
    {
        var errors = diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
        var lines = errors.Select(d =>
        {
            var span = d.Location.GetMappedLineSpan();
            var where = describeFile(span.Path) ?? span.Path;
            return span.IsValid
                ? $"{where}, line {span.StartLinePosition.Line + 1}, column {span.StartLinePosition.Character + 1}: error {d.Id}: {d.GetMessage()}"
                : $"{where}: error {d.Id}: {d.GetMessage()}";
        }).ToList();
        // As in Jupyter, evalue is the message and the traceback says where: "Cell 2, line 3, column 5: error CS0103: …".
        var first = errors.FirstOrDefault();
        var value = first is null ? "compilation failed" : $"error {first.Id}: {first.GetMessage()}";
        return new ErrorOutput("CompilationError", value, lines.Count > 0 ? lines : [value]);
    }

    public static ErrorOutput Runtime(Exception exception, Func<string, string?> describeFile)
    {
        exception = Unwrap(exception);
        var frames = new StackTrace(exception, fNeedFileInfo: true).GetFrames();
        var shown = frames.Where(f => IsUserFrame(f, describeFile)).ToList();
        var name = exception.GetType().Name;
        var firstCell = shown
            .Select(f => f.GetFileName() is { } file && describeFile(file) is { } cell && f.GetFileLineNumber() > 0 ? $"{cell}, line {f.GetFileLineNumber()}" : null)
            .FirstOrDefault(s => s is not null);
        var summary = (firstCell is null ? string.Empty : firstCell + ": ") + $"{name}: {exception.Message}";
        var traceback = new List<string> { summary };
        traceback.AddRange(shown.Select(f => "   at " + Describe(f, describeFile)));
        for (var inner = exception.InnerException; inner is not null; inner = inner.InnerException)
        {
            traceback.Add($" ---> {inner.GetType().Name}: {inner.Message}");
        }

        // As in Jupyter, evalue is the exception's message; the first traceback line carries the cell and line.
        return new ErrorOutput(name, exception.Message, traceback);
    }

    public static Exception Unwrap(Exception exception)
    {
        while (true)
        {
            switch (exception)
            {
                case TargetInvocationException { InnerException: { } inner }:
                    exception = inner;
                    continue;
                case AggregateException { InnerExceptions.Count: 1 } aggregate:
                    exception = aggregate.InnerExceptions[0];
                    continue;
                default:
                    return exception;
            }
        }
    }

    private static bool IsUserFrame(StackFrame frame, Func<string, string?> describeFile)
    {
        var method = frame.GetMethod();
        if (frame.GetFileName() is { } file && describeFile(file) is not null)
        {
            return true;
        }

        var ns = method?.DeclaringType?.Namespace ?? string.Empty;
        if (method is null || method.DeclaringType is null)
        {
            return false;
        }

        return !(ns.StartsWith("Microsoft.CodeAnalysis", StringComparison.Ordinal)
            || ns.StartsWith("System.Runtime.CompilerServices", StringComparison.Ordinal)
            || ns.StartsWith("System.Runtime.ExceptionServices", StringComparison.Ordinal)
            || ns.StartsWith("System.Threading", StringComparison.Ordinal)
            || ns == "SeqCourse.Runtime"
            || method.DeclaringType.Name.StartsWith("Submission#", StringComparison.Ordinal));
    }

    private static string Describe(StackFrame frame, Func<string, string?> describeFile)
    {
        var method = frame.GetMethod()!;
        var type = method.DeclaringType;
        var methodName = method.Name;

        // Async and iterator bodies live in compiler-generated types named <Method>d__N.
        if (type is not null && type.IsDefined(typeof(CompilerGeneratedAttribute)) && type.Name.StartsWith('<'))
        {
            methodName = type.Name[1..type.Name.IndexOf('>')];
            type = type.DeclaringType;
        }

        var typeName = type is null || type.Name.StartsWith("Submission#", StringComparison.Ordinal) ? null : type.Name;
        var display = methodName == "<Initialize>" ? "cell" : (typeName is null ? methodName : typeName + "." + methodName);
        var file = frame.GetFileName();
        if (file is not null && frame.GetFileLineNumber() > 0)
        {
            return $"{display} in {describeFile(file) ?? Path.GetFileName(file)}, line {frame.GetFileLineNumber()}";
        }

        return display;
    }
}
