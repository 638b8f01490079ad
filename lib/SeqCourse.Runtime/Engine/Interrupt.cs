namespace SeqCourse.Runtime;

/// <summary>
/// Cooperative interruption of notebook cells. The engine rewrites every loop body and method body of a cell
/// to start with <see cref="Check"/>, so an interrupt stops even <c>while (true) { }</c>. Long-running library
/// code can call <see cref="Check"/> too, or pass <see cref="Token"/> along.
/// </summary>
public static class Interrupt
{
    // Count of running cells whose cancellation was requested. Check() reads only this field in the common case,
    // so the check inserted into hot loops costs one volatile read.
    private static int s_pending;

    /// <summary>Throws <see cref="CellInterruptedException"/> when the running cell was interrupted.</summary>
    public static void Check()
    {
        if (Volatile.Read(ref s_pending) != 0)
        {
            CheckSlow();
        }
    }

    /// <summary>The cancellation token of the running cell (<see cref="CancellationToken.None"/> outside a cell).</summary>
    public static CancellationToken Token => CellContext.Current?.Token ?? CancellationToken.None;

    /// <summary>Replaces <c>Environment.Exit</c> in cells: a notebook cell must not end the kernel or runner process.</summary>
    /// <param name="exitCode">The exit code the cell asked for.</param>
    public static void BlockedExit(int exitCode) =>
        throw new InvalidOperationException($"Environment.Exit is not allowed in a notebook cell (exit code {exitCode}). Throw an exception to stop the cell instead.");

    /// <summary>Replaces <c>Environment.FailFast</c> in cells.</summary>
    /// <param name="message">The message the cell passed.</param>
    public static void BlockedFailFast(string? message) =>
        throw new InvalidOperationException($"Environment.FailFast is not allowed in a notebook cell: {message}");

    /// <summary>Replaces <c>Environment.FailFast</c> in cells.</summary>
    /// <param name="message">The message the cell passed.</param>
    /// <param name="exception">The exception the cell passed.</param>
    public static void BlockedFailFast(string? message, Exception? exception) =>
        throw new InvalidOperationException($"Environment.FailFast is not allowed in a notebook cell: {message}", exception);

    private static void CheckSlow()
    {
        var context = CellContext.Current;
        if (context is not null && context.Token.IsCancellationRequested)
        {
            throw new CellInterruptedException();
        }
    }

    internal static void AddPending() => Interlocked.Increment(ref s_pending);

    internal static void RemovePending() => Interlocked.Decrement(ref s_pending);
}

/// <summary>Thrown inside a cell when it is interrupted.</summary>
public sealed class CellInterruptedException : OperationCanceledException
{
    /// <summary>Creates the exception.</summary>
    public CellInterruptedException() : base("The cell was interrupted.") { }
}
