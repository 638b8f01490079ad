using SeqCourse.Numerics;

namespace SeqCourse.Tests.Numerics;

public class ParallelBatchTests
{
    [Theory]
    [InlineData(0, 0)]
    [InlineData(1, 0)]
    [InlineData(1000, 0)]   // caller + one helper per other core
    [InlineData(1000, 1)]   // serial
    [InlineData(37, 8)]     // more workers than this machine has cores
    public void EveryItemRunsExactlyOnce(int count, int maxWorkers)
    {
        var hits = new int[count];
        ParallelBatch.Run(count, i => Interlocked.Increment(ref hits[i]), maxWorkers);
        Assert.All(hits, h => Assert.Equal(1, h));
    }

    [Fact]
    public void AllClaimedItemsHaveFinishedWhenRunReturns()
    {
        // Slow items on the helpers: Run must still wait for every claimed one before returning.
        for (int rep = 0; rep < 20; rep++)
        {
            var done = new bool[64];
            ParallelBatch.Run(64, i => { if (i % 7 == 0) Thread.SpinWait(20_000); Volatile.Write(ref done[i], true); }, 4);
            Assert.All(done, d => Assert.True(d));
        }
    }

    [Fact]
    public void AnExceptionInAnItemReachesTheCaller()
    {
        var ran = new int[100];
        var e = Assert.Throws<InvalidOperationException>(() => ParallelBatch.Run(100, i =>
        {
            Interlocked.Increment(ref ran[i]);
            if (i == 57) throw new InvalidOperationException("item 57");
        }, 4));
        Assert.Equal("item 57", e.Message);
        Assert.All(ran, r => Assert.Equal(1, r));   // the other items still ran, once each
    }

    [Fact]
    public void BadArgumentsNameTheArgument()
    {
        Assert.Equal("count", Assert.Throws<ArgumentException>(() => ParallelBatch.Run(-1, _ => { })).ParamName);
        Assert.Equal("maxWorkers", Assert.Throws<ArgumentException>(() => ParallelBatch.Run(3, _ => { }, -2)).ParamName);
        Assert.Throws<ArgumentNullException>(() => ParallelBatch.Run(3, null!));
    }
}
