namespace SeqCourse.Numerics;

/// <summary>
/// Runs independent items (the examples of a batch) on the calling thread plus helper threads from the
/// thread pool, which take the next item from a shared counter. Unlike <see cref="Parallel.For(int, int, Action{int})"/>
/// the caller never waits for a helper that has not started: on a busy machine (our 2 cores are shared
/// with builds) a helper may sit in the run queue for milliseconds, and the caller simply does all the
/// items itself. It only waits for items a helper has already claimed.
/// </summary>
public static class ParallelBatch
{
    /// <summary>
    /// Calls <paramref name="body"/>(i) once for every i in [0, <paramref name="count"/>), on up to
    /// <paramref name="maxWorkers"/> threads including the caller (0: <see cref="Environment.ProcessorCount"/>).
    /// The bodies of different i must not write to the same memory. The first exception thrown by a body
    /// is rethrown on the calling thread after all claimed items have finished.
    /// </summary>
    public static void Run(int count, Action<int> body, int maxWorkers = 0)
    {
        ArgumentNullException.ThrowIfNull(body);
        if (count < 0) throw new ArgumentException($"count must be >= 0 but is {count}.", nameof(count));
        if (maxWorkers < 0) throw new ArgumentException($"maxWorkers must be >= 0 (0 = one per core) but is {maxWorkers}.", nameof(maxWorkers));
        int workers = Math.Min(maxWorkers == 0 ? Environment.ProcessorCount : maxWorkers, count);
        if (workers < 2)
        {
            for (int i = 0; i < count; i++) body(i);
            return;
        }
        var state = new State(count, body);
        for (int w = 1; w < workers; w++) ThreadPool.UnsafeQueueUserWorkItem(static s => s.Work(), state, preferLocal: false);
        state.Work();
        state.WaitForClaimed();
    }

    private sealed class State(int count, Action<int> body)
    {
        private int next = -1, finished;
        private Exception? error;
        private readonly ManualResetEventSlim allDone = new(false);

        public void Work()
        {
            for (int i; (i = Interlocked.Increment(ref next)) < count;)
            {
                try { body(i); }
                catch (Exception e) { Interlocked.CompareExchange(ref error, e, null); }
                if (Interlocked.Increment(ref finished) == count) allDone.Set();
            }
        }

        public void WaitForClaimed()
        {
            // Every item is claimed once the caller's own loop ends; wait only for the ones still running.
            // (No Dispose: the last finisher may still be inside Set; a Wait that never blocks on a kernel
            // handle leaves nothing to release.)
            if (Volatile.Read(ref finished) != count) allDone.Wait();
            if (error is not null) System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(error);
        }
    }
}
