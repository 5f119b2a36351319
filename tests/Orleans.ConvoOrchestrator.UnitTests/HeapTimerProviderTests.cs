using System.Collections.Concurrent;
using System.Diagnostics;
using Orleans.ConvoOrchestrator.Runtime;
using Orleans.ConvoOrchestrator.Tests.Support;

namespace Orleans.ConvoOrchestrator.UnitTests;

// Real time, generous bounds: the provider's job is to wait on the real clock.
public sealed class HeapTimerProviderTests
{
    private static readonly TimeSpan Within = TimeSpan.FromSeconds(10);

    private static Task UntilAsync(Func<bool> holds, string what) => Eventually.MatchAsync(() => Task.FromResult(holds()), h => h, Within, what);

    [Fact]
    public async Task Timers_fire_in_due_order_never_before_they_are_due()
    {
        using var provider = new HeapTimerProvider();
        var fired = new ConcurrentQueue<(int Id, TimeSpan At)>();
        var all = new CountdownEvent(3);
        var clock = Stopwatch.StartNew();
        var timers = new[] { 300, 100, 200 }.Select(ms => provider.CreateTimer(_ =>
        {
            fired.Enqueue((ms, clock.Elapsed));
            all.Signal();
        }, null, TimeSpan.FromMilliseconds(ms), Timeout.InfiniteTimeSpan)).ToList();

        Assert.True(all.Wait(Within));
        Assert.Equal([100, 200, 300], fired.Select(f => f.Id).Order());
        Assert.All(fired, f => Assert.True(f.At >= TimeSpan.FromMilliseconds(f.Id), $"timer {f.Id} fired at {f.At}"));
        // In due order, except callbacks due together (a stalled machine): the provider hands them to the pool in due
        // order, and the pool may run them in any. So a timer runs after a later one only if that one was due by then.
        var seen = fired.ToList();
        for (var i = 0; i < seen.Count; i++)
        for (var j = i + 1; j < seen.Count; j++)
        {
            if (seen[i].Id < seen[j].Id) continue;
            Assert.True(seen[j].At >= TimeSpan.FromMilliseconds(seen[i].Id),
                $"timer {seen[j].Id} ran at {seen[j].At}, after timer {seen[i].Id}, which was not due before {seen[i].Id} ms");
        }
        await Task.Delay(200); // one-shot: nothing more
        Assert.Equal(3, fired.Count);
        Assert.Equal(0, provider.WaitingTimers);
        foreach (var timer in timers) timer.Dispose();
    }

    [Fact]
    public async Task Change_moves_a_timer_and_dispose_or_an_infinite_due_time_stops_it()
    {
        using var provider = new HeapTimerProvider();
        var fires = 0;
        var moved = provider.CreateTimer(_ => Interlocked.Increment(ref fires), null, TimeSpan.FromMinutes(10), Timeout.InfiniteTimeSpan);
        var disposed = provider.CreateTimer(_ => Interlocked.Add(ref fires, 100), null, TimeSpan.FromMilliseconds(100), Timeout.InfiniteTimeSpan);
        var paused = provider.CreateTimer(_ => Interlocked.Add(ref fires, 1000), null, TimeSpan.FromMilliseconds(100), Timeout.InfiniteTimeSpan);
        disposed.Dispose();
        Assert.True(paused.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan));
        Assert.True(moved.Change(TimeSpan.FromMilliseconds(50), Timeout.InfiniteTimeSpan)); // from ten minutes to now

        await UntilAsync(() => Volatile.Read(ref fires) == 1, "the moved timer fires");
        await Task.Delay(300);
        Assert.Equal(1, Volatile.Read(ref fires));
        Assert.False(disposed.Change(TimeSpan.Zero, Timeout.InfiniteTimeSpan)); // a disposed timer stays stopped
        Assert.Equal(0, provider.WaitingTimers);
        moved.Dispose();
        paused.Dispose();
    }

    [Fact]
    public async Task A_periodic_timer_repeats_until_disposed()
    {
        using var provider = new HeapTimerProvider();
        var fires = 0;
        var timer = provider.CreateTimer(_ => Interlocked.Increment(ref fires), null, TimeSpan.Zero, TimeSpan.FromMilliseconds(20));
        await UntilAsync(() => Volatile.Read(ref fires) >= 5, "five ticks");
        await timer.DisposeAsync();
        await Task.Delay(100); // a tick already handed out may still land
        var after = Volatile.Read(ref fires);
        await Task.Delay(200);
        Assert.Equal(after, Volatile.Read(ref fires));
    }

    [Fact]
    public void A_blocked_callback_holds_up_no_other_timer()
    {
        using var provider = new HeapTimerProvider();
        using var release = new ManualResetEventSlim();
        using var other = new ManualResetEventSlim();
        using var blocker = provider.CreateTimer(_ => release.Wait(Within), null, TimeSpan.Zero, Timeout.InfiniteTimeSpan);
        using var next = provider.CreateTimer(_ => other.Set(), null, TimeSpan.FromMilliseconds(50), Timeout.InfiniteTimeSpan);
        Assert.True(other.Wait(Within));
        release.Set();
    }

    [Fact]
    public void Callbacks_run_in_the_creators_execution_context_and_bad_spans_are_refused()
    {
        using var provider = new HeapTimerProvider();
        var flowing = new AsyncLocal<string> { Value = "creator" };
        string? seen = null;
        using var done = new ManualResetEventSlim();
        using var timer = provider.CreateTimer(_ =>
        {
            seen = flowing.Value;
            done.Set();
        }, null, TimeSpan.FromMilliseconds(10), Timeout.InfiniteTimeSpan);
        Assert.True(done.Wait(Within));
        Assert.Equal("creator", seen);

        Assert.Throws<ArgumentOutOfRangeException>(() => provider.CreateTimer(_ => { }, null, TimeSpan.FromMilliseconds(-5), Timeout.InfiniteTimeSpan));
        Assert.Throws<ArgumentOutOfRangeException>(() => timer.Change(TimeSpan.FromDays(60), Timeout.InfiniteTimeSpan));
        Assert.Equal(0, provider.WaitingTimers);
    }
}
