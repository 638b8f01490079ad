using System.Text.Json.Nodes;

namespace SeqCourse.Runtime;

/// <summary>One output produced by a running cell, in the order the cell produced it.</summary>
public abstract record CellOutput;

/// <summary>Text written to <c>Console.Out</c> ("stdout") or <c>Console.Error</c> ("stderr").</summary>
public sealed record StreamOutput(string Name, string Text) : CellOutput;

/// <summary>
/// A rich value shown with <c>display(obj)</c> or <c>obj.Display()</c>. <paramref name="Data"/> maps a MIME type to
/// its nbformat-ready value: a JSON string for text types, a JSON object for JSON MIME types.
/// When <paramref name="IsUpdate"/> is true the output replaces the earlier display with the same <paramref name="DisplayId"/>.
/// </summary>
public sealed record DisplayDataOutput(IReadOnlyDictionary<string, JsonNode> Data, string? DisplayId = null, bool IsUpdate = false) : CellOutput;

/// <summary>The value of the cell's last expression (written without a trailing semicolon).</summary>
public sealed record ExecuteResultOutput(IReadOnlyDictionary<string, JsonNode> Data) : CellOutput;

/// <summary>A compile error, a runtime exception or an interrupt, with the cell's own line numbers.</summary>
public sealed record ErrorOutput(string EName, string EValue, IReadOnlyList<string> Traceback) : CellOutput;

/// <summary>The cell asked to clear its outputs (<c>ClearOutput()</c>); with <paramref name="Wait"/> the client clears when the next output arrives.</summary>
public sealed record ClearOutputRequest(bool Wait) : CellOutput;

/// <summary>The outcome of one <see cref="ExecutionEngine.ExecuteAsync"/> call.</summary>
/// <param name="Success">True when the cell compiled and ran to the end.</param>
/// <param name="ExecutionCount">The cell's execution count (1 for the first cell of a session).</param>
/// <param name="Outputs">Every output, in order, including the error output when there is one.</param>
/// <param name="Error">The error when <paramref name="Success"/> is false.</param>
/// <param name="Cancelled">True when the cell was interrupted.</param>
public sealed record ExecutionResult(bool Success, int ExecutionCount, IReadOnlyList<CellOutput> Outputs, ErrorOutput? Error, bool Cancelled);
