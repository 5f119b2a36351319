using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Orleans.ConvoOrchestrator.Runtime;

namespace Orleans.ConvoOrchestrator.UnitTests;

/// <summary>Handlers on threads of their own: off the pool, more threads when calls wait, bounded, nicer when they spin.</summary>
public sealed class HandlerThreadsTests : IDisposable
{
    private static readonly IServiceProvider Services = new ServiceCollection().BuildServiceProvider();
    private readonly List<HandlerThreads> _made = [];
    private readonly List<ManualResetEventSlim> _gates = [];

    public void Dispose()
    {
        foreach (var gate in _gates) gate.Set();
        foreach (var threads in _made) threads.Dispose();
    }

    [Fact]
    public async Task A_handler_runs_on_a_dedicated_thread_not_a_pool_thread()
    {
        var threads = Make(maxThreads: 4);
        var seen = await threads.Run((_, _) =>
        {
            var t = Thread.CurrentThread;
            return Task.FromResult<object?>((t.IsThreadPoolThread, t.IsBackground, t.Name));
        }, Services, Context()).Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal((false, true, "convo-handler"), ((bool, bool, string?))seen!);
    }

    [Fact]
    public async Task Results_exceptions_and_async_handlers_come_back_to_the_caller()
    {
        var threads = Make(maxThreads: 4);
        Assert.Equal(42, await threads.Run((_, _) => Task.FromResult<object?>(42), Services, Context()).Task);
        await Assert.ThrowsAsync<InvalidOperationException>(() => threads.Run((_, _) => throw new InvalidOperationException("x"), Services, Context()).Task);
        Assert.Equal("later", await threads.Run(async (_, _) =>
        {
            await Task.Delay(10);
            return "later";
        }, Services, Context()).Task.WaitAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task The_callers_execution_context_flows_into_the_handler()
    {
        var threads = Make(maxThreads: 4);
        var local = new AsyncLocal<string> { Value = "from the caller" };
        Assert.Equal("from the caller", await threads.Run((_, _) => Task.FromResult<object?>(local.Value), Services, Context()).Task);
    }

    [Fact]
    public async Task A_blocked_handler_makes_the_watchdog_start_another_thread_for_the_next_call()
    {
        var threads = Make(maxThreads: 8, eager: 1);
        var gate = Gate();
        var blocked = threads.Run(Blocking(gate), Services, Context());
        await Until(() => threads.IdleThreads == 0 && threads.Waiting == 0);

        var clock = Stopwatch.StartNew();
        var next = threads.Run((_, _) => Task.FromResult<object?>(clock.Elapsed), Services, Context());
        var startedAfter = (TimeSpan)(await next.Task.WaitAsync(TimeSpan.FromSeconds(10)))!;
        // stuckAfter (20 ms) plus one watchdog period (10 ms) and a thread start; generous for a loaded machine.
        Assert.InRange(startedAfter, TimeSpan.FromMilliseconds(15), TimeSpan.FromMilliseconds(500));
        Assert.Equal(2, threads.Threads);
        Assert.False(blocked.Task.IsCompleted);
    }

    [Fact]
    public async Task A_call_whose_token_is_cancelled_before_a_thread_takes_it_never_starts()
    {
        var threads = Make(maxThreads: 1, eager: 1);
        var started = 0;
        HandlerInvoker count = (_, _) =>
        {
            Interlocked.Increment(ref started);
            return Task.FromResult<object?>(null);
        };

        var already = threads.Run(count, Services, Context(new CancellationToken(canceled: true)));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => already.Task.WaitAsync(TimeSpan.FromSeconds(10)));

        var gate = Gate();
        var blocked = threads.Run(Blocking(gate), Services, Context());
        using var attempt = new CancellationTokenSource();
        var queued = threads.Run(count, Services, Context(attempt.Token));
        await Task.Delay(50);
        await attempt.CancelAsync(); // its attempt timed out while it waited for the only thread
        gate.Set();
        await blocked.Task.WaitAsync(TimeSpan.FromSeconds(10));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => queued.Task.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal(0, Volatile.Read(ref started));
    }

    [Fact]
    public async Task Threads_above_the_kept_ones_end_when_idle()
    {
        var threads = Make(maxThreads: 8, eager: 1, idle: TimeSpan.FromMilliseconds(200));
        var gate = Gate();
        var calls = Enumerable.Range(0, 4).Select(_ => threads.Run(Blocking(gate), Services, Context())).ToList();
        // The kept thread's call must have run past stuckAfter before the gate opens: on a busy machine the watchdog
        // can start the others before it looks at the kept one, and an unlowered kept thread stays.
        await Until(() => threads.Threads == 4 && threads.Waiting == 0 && threads.ThreadsLowered == 1);
        gate.Set();
        await Task.WhenAll(calls.Select(c => c.Task)).WaitAsync(TimeSpan.FromSeconds(10));
        // The added ones end when idle; the kept one, lowered while it was blocked, ended after its call.
        await Until(() => threads.Threads == 0);
        await threads.Run((_, _) => Task.FromResult<object?>(null), Services, Context()).Task.WaitAsync(TimeSpan.FromSeconds(10));
        await Task.Delay(400);
        Assert.Equal(1, threads.Threads); // a new kept one, which stays
    }

    [Fact]
    public async Task Never_more_threads_than_MaxThreads_and_the_rest_wait()
    {
        var threads = Make(maxThreads: 3, eager: 1);
        var gate = Gate();
        var running = 0;
        var most = 0;
        HandlerInvoker hold = (_, _) =>
        {
            var now = Interlocked.Increment(ref running);
            lock (gate) most = Math.Max(most, now);
            gate.Wait();
            Interlocked.Decrement(ref running);
            return Task.FromResult<object?>(null);
        };
        var calls = Enumerable.Range(0, 6).Select(_ => threads.Run(hold, Services, Context())).ToList();
        await Until(() => threads.Threads == 3 && Volatile.Read(ref running) == 3);
        await Task.Delay(200); // several watchdog periods with calls waiting
        Assert.Equal(3, threads.Threads);
        Assert.Equal(3, threads.Waiting);
        gate.Set();
        await Task.WhenAll(calls.Select(c => c.Task)).WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(3, most);
    }

    [Fact]
    public async Task A_spinning_handler_gets_a_nicer_priority_and_its_thread_ends_after_it()
    {
        if (!OperatingSystem.IsLinux()) return; // thread priorities are set on Linux only
        var threads = Make(maxThreads: 4, eager: 1, nice: 7);
        var tid = 0;
        int? niceSeen = null;
        var stop = 0;
        var spin = threads.Run((_, _) =>
        {
            Volatile.Write(ref tid, ThreadNice.CurrentThreadId());
            var until = Stopwatch.StartNew();
            while (Volatile.Read(ref stop) == 0 && until.Elapsed < TimeSpan.FromSeconds(10)) Thread.SpinWait(100);
            return Task.FromResult<object?>(null);
        }, Services, Context());
        await Until(() => Volatile.Read(ref tid) != 0 && ThreadNice.Read(Volatile.Read(ref tid)) == 7);
        niceSeen = ThreadNice.Read(tid);
        Volatile.Write(ref stop, 1);
        await spin.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(7, niceSeen);

        var before = threads.ThreadsStarted;
        var nextTid = await threads.Run((_, _) => Task.FromResult<object?>(ThreadNice.CurrentThreadId()), Services, Context()).Task;
        Assert.NotEqual(tid, (int)nextTid!); // the lowered thread ended; a new one runs at normal priority
        Assert.Equal(0, ThreadNice.Read((int)nextTid!));
        Assert.True(threads.ThreadsStarted > before);
    }

    [Fact]
    public async Task A_kept_thread_starts_at_normal_priority_and_one_the_watchdog_starts_is_nice_at_once()
    {
        if (!OperatingSystem.IsLinux()) return; // thread priorities are set on Linux only
        var threads = Make(maxThreads: 4, eager: 1, nice: 7);
        static Task<object?> OwnNice(IServiceProvider _, EventContext __) => Task.FromResult<object?>(ThreadNice.Read(ThreadNice.CurrentThreadId()));
        Assert.Equal(0, await threads.Run(OwnNice, Services, Context()).Task.WaitAsync(TimeSpan.FromSeconds(10)));

        // The kept thread blocks; the next call waits, and the watchdog starts a thread for it: nice before the call runs.
        using var gate = new ManualResetEventSlim();
        var blocked = threads.Run((_, _) => { gate.Wait(TimeSpan.FromSeconds(10)); return Task.FromResult<object?>(null); }, Services, Context());
        Assert.Equal(7, await threads.Run(OwnNice, Services, Context()).Task.WaitAsync(TimeSpan.FromSeconds(10)));
        gate.Set();
        await blocked.Task.WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task A_handler_proven_short_runs_inline_on_the_callers_thread()
    {
        var threads = Make(maxThreads: 4, eager: 1, inlineAfter: 3);
        HandlerInvoker where = (_, _) => Task.FromResult<object?>(Thread.CurrentThread);
        for (var i = 0; i < 3; i++)
            Assert.Equal("convo-handler", ((Thread)(await threads.Run(where, Services, Context()).Task.WaitAsync(TimeSpan.FromSeconds(10)))!).Name);
        var caller = Thread.CurrentThread;
        var ranOn = (Thread)(await threads.Run(where, Services, Context()).Task)!;
        Assert.Same(caller, ranOn);
        Assert.Equal(1, threads.InlineRuns);
    }

    [Fact]
    public async Task A_long_synchronous_part_starts_the_count_again()
    {
        var threads = Make(maxThreads: 4, eager: 1, inlineAfter: 3);
        var calls = 0;
        HandlerInvoker secondIsSlow = (_, _) =>
        {
            if (Interlocked.Increment(ref calls) == 2) Thread.Sleep(10); // over the 1 ms a short part may take
            return Task.FromResult<object?>(Thread.CurrentThread.Name);
        };
        // quick, slow, then three quick on the threads: only the sixth call runs inline.
        for (var i = 0; i < 5; i++) Assert.Equal("convo-handler", await threads.Run(secondIsSlow, Services, Context()).Task.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal(0, threads.InlineRuns);
        await threads.Run(secondIsSlow, Services, Context()).Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(1, threads.InlineRuns);
    }

    [Fact]
    public async Task An_inline_call_that_blocks_sends_its_handler_back_to_the_threads()
    {
        var threads = Make(maxThreads: 4, eager: 1, inlineAfter: 3);
        var gate = Gate();
        var block = 0;
        HandlerInvoker handler = (_, _) =>
        {
            if (Volatile.Read(ref block) == 1) gate.Wait(TimeSpan.FromSeconds(30));
            return Task.FromResult<object?>(Thread.CurrentThread.Name);
        };
        for (var i = 0; i < 3; i++) await threads.Run(handler, Services, Context()).Task.WaitAsync(TimeSpan.FromSeconds(10));

        // Proven: the next call runs inline, on a pool thread of its own here, and blocks there.
        Volatile.Write(ref block, 1);
        var blocked = Task.Run(() => threads.Run(handler, Services, Context()));
        await Until(() => threads.InlineRuns == 1);
        // The watchdog finds it running past stuckAfter: the handler's next call goes to a handler thread, even while
        // the blocked one still holds its pool thread.
        Volatile.Write(ref block, 0);
        string? name = null;
        await Until(() =>
        {
            name = (string?)threads.Run(handler, Services, Context()).Task.WaitAsync(TimeSpan.FromSeconds(10)).GetAwaiter().GetResult();
            return name == "convo-handler";
        });
        Assert.Equal(1, threads.InlineRuns);
        gate.Set();
        await (await blocked).Task.WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task At_most_one_inline_call_per_kept_thread_at_once()
    {
        // A long stuckAfter: the watchdog does not demote the blocked inline call, so only the bound sends the next away.
        var threads = Make(maxThreads: 4, eager: 1, inlineAfter: 3, stuckAfter: TimeSpan.FromSeconds(30));
        var gate = Gate();
        var block = 0;
        HandlerInvoker handler = (_, _) =>
        {
            if (Interlocked.Exchange(ref block, 0) == 1) gate.Wait(TimeSpan.FromSeconds(30));
            return Task.FromResult<object?>(Thread.CurrentThread.Name);
        };
        for (var i = 0; i < 3; i++) await threads.Run(handler, Services, Context()).Task.WaitAsync(TimeSpan.FromSeconds(10));
        Volatile.Write(ref block, 1);
        var first = Task.Run(() => threads.Run(handler, Services, Context()));
        await Until(() => threads.InlineRuns == 1 && Volatile.Read(ref block) == 0);

        Assert.Equal("convo-handler", await threads.Run(handler, Services, Context()).Task.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal(1, threads.InlineRuns);
        gate.Set();
        await (await first).Task.WaitAsync(TimeSpan.FromSeconds(10));
    }

    private HandlerThreads Make(int maxThreads, int eager = 2, TimeSpan? idle = null, int nice = 10, int inlineAfter = 0, TimeSpan? stuckAfter = null)
    {
        var threads = new HandlerThreads(maxThreads, nice, stuckAfter ?? TimeSpan.FromMilliseconds(20), idle ?? TimeSpan.FromSeconds(20), eager,
            inlineAfter: inlineAfter);
        _made.Add(threads);
        return threads;
    }

    private ManualResetEventSlim Gate()
    {
        var gate = new ManualResetEventSlim();
        _gates.Add(gate);
        return gate;
    }

    private static HandlerInvoker Blocking(ManualResetEventSlim gate) => (_, _) =>
    {
        gate.Wait(TimeSpan.FromSeconds(30));
        return Task.FromResult<object?>(null);
    };

    private static EventContext Context(CancellationToken token = default) =>
        new(new EventId("ev"), null, "job", "null", "corr", DateTimeOffset.UnixEpoch, 1, token);

    private static async Task Until(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException("condition never held");
            await Task.Delay(5);
        }
    }
}
