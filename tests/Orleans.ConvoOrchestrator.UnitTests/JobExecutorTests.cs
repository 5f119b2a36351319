using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Orleans.ConvoOrchestrator.Grains;
using Orleans.ConvoOrchestrator.Runtime;

namespace Orleans.ConvoOrchestrator.UnitTests;

/// <summary>The policy engine on a fake clock: timeouts and backoff are exact.</summary>
public sealed class JobExecutorTests
{
    private static readonly DateTimeOffset Start = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private readonly CountingFakeTimeProvider _clock = new(Start);
    private readonly HandlerRegistry _registry = new();
    private readonly MetricsCollector _metrics = new();

    private JobExecutor Executor(double cancelGraceSec = 10) => new(_registry, new ServiceCollection().BuildServiceProvider(), _clock,
        new BackoffCalculator(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30)), _metrics, NullLogger<JobExecutor>.Instance,
        TimeSpan.FromSeconds(cancelGraceSec));

    private static JobRequest Job(string handler, Policy policy) =>
        new(new EventId("ev"), "job-1", handler, policy, "null", null, "corr", Start);

    private static async Task Until(Func<bool> condition, Func<string>? state = null)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException("condition never held " + state?.Invoke());
            await Task.Delay(5);
        }
    }

    [Fact]
    public async Task Timeout_cancels_the_token_at_exactly_the_policy_time()
    {
        var entered = 0;
        var sawCancel = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        _registry.Register("wait", async ctx =>
        {
            Interlocked.Increment(ref entered);
            try { await Task.Delay(Timeout.Infinite, ctx.CancellationToken); }
            catch (OperationCanceledException) { sawCancel.TrySetResult(true); throw; }
        });

        var run = Executor().RunAsync(Job("wait", new Policy(TimeoutSec: 2)), CancellationToken.None);
        await Until(() => Volatile.Read(ref entered) == 1);
        _clock.Advance(TimeSpan.FromSeconds(1.999));
        await Task.Delay(50);
        Assert.False(run.IsCompleted);
        _clock.Advance(TimeSpan.FromMilliseconds(1));
        var outcome = await run.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(JobStatus.ERR, outcome.Status);
        Assert.Equal(ErrorKind.TIMEOUT, outcome.Error!.Kind);
        Assert.Equal(TimeSpan.FromSeconds(2), outcome.Duration);
        Assert.True(await sawCancel.Task.WaitAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task Exp_backoff_waits_1_2_4_seconds_between_four_attempts()
    {
        var calls = 0;
        var attempts = new List<int>();
        _registry.Register("fail", ctx =>
        {
            lock (attempts) attempts.Add(ctx.Attempt);
            Interlocked.Increment(ref calls);
            throw new InvalidOperationException("nope");
        });

        // No timeout: the only timers are the backoff delays, so "timers created" tells when a delay is armed.
        var run = Executor().RunAsync(Job("fail", new Policy(TimeoutSec: null, MaxRetries: 3, Backoff: BackoffKind.EXP)), CancellationToken.None);
        foreach (var (after, wait) in new[] { (1, 1.0), (2, 2.0), (3, 4.0) })
        {
            await Until(() => Volatile.Read(ref calls) == after && _clock.TimersCreated == after,
                () => $"(waiting for {after}: calls {Volatile.Read(ref calls)}, timers {_clock.TimersCreated})");
            _clock.Advance(TimeSpan.FromSeconds(wait - 0.001));
            await Task.Delay(30);
            Assert.Equal(after, Volatile.Read(ref calls)); // not a moment early
            _clock.Advance(TimeSpan.FromMilliseconds(1));
        }
        var outcome = await run.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(JobStatus.ERR, outcome.Status);
        Assert.Equal(ErrorKind.HANDLER_EXEC_ERROR, outcome.Error!.Kind);
        Assert.Equal(3, outcome.Retries);
        Assert.Equal([1, 2, 3, 4], attempts);
        Assert.Equal(TimeSpan.FromSeconds(7), outcome.Duration);
        var batch = _metrics.Drain();
        Assert.Equal(3, batch.Counters.Single(c => c.Name == MetricNames.JobsRetried).Value);
        Assert.Equal(1, batch.Counters.Single(c => c.Name == MetricNames.JobsFailed).Value);
        Assert.Equal(1, batch.Counters.Single(c => c.Name == MetricNames.JobsStarted).Value);
    }

    [Fact]
    public async Task A_handler_that_returns_after_its_deadline_still_timed_out()
    {
        _registry.Register("late", ctx =>
        {
            _clock.Advance(TimeSpan.FromSeconds(3)); // the attempt takes 3 s of a 2 s budget, then returns
            return "late";
        });

        var outcome = await Executor().RunAsync(Job("late", new Policy(TimeoutSec: 2)), CancellationToken.None);

        Assert.Equal(JobStatus.ERR, outcome.Status);
        Assert.Equal(ErrorKind.TIMEOUT, outcome.Error!.Kind);
    }

    [Theory]
    [InlineData(null)]
    [InlineData(60.0)] // the attempt's one source is cancelled by shutdown as well as by its timeout
    public async Task Shutdown_cancels_a_running_job_and_its_token_as_CANCELLED(double? timeoutSec)
    {
        var entered = 0;
        var tokenCancelled = false;
        _registry.Register("wait", async ctx =>
        {
            Interlocked.Increment(ref entered);
            try
            {
                await Task.Delay(Timeout.Infinite, ctx.CancellationToken);
            }
            finally
            {
                Volatile.Write(ref tokenCancelled, ctx.CancellationToken.IsCancellationRequested);
            }
        });
        using var shutdown = new CancellationTokenSource();

        var run = Executor().RunAsync(Job("wait", new Policy(TimeoutSec: timeoutSec)), shutdown.Token);
        await Until(() => Volatile.Read(ref entered) == 1);
        await shutdown.CancelAsync();
        var outcome = await run.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(JobStatus.CANCELLED, outcome.Status);
        Assert.Equal(ErrorKind.CANCELLED, outcome.Error!.Kind);
        await Until(() => Volatile.Read(ref tokenCancelled));
    }

    [Fact]
    public async Task Unknown_handler_fails_at_once_without_retries()
    {
        var outcome = await Executor().RunAsync(Job("ghost", new Policy(MaxRetries: 5)), CancellationToken.None);

        Assert.Equal(JobStatus.ERR, outcome.Status);
        Assert.Equal(ErrorKind.HANDLER_NOT_FOUND, outcome.Error!.Kind);
        Assert.Equal(0, outcome.Retries);
        Assert.Contains("ghost", outcome.Error.Message);
    }

    [Fact]
    public async Task Handlers_run_off_the_callers_synchronization_context()
    {
        SynchronizationContext? seen = new();
        _registry.Register("where", ctx => { seen = SynchronizationContext.Current; return (object?)null; });

        var outcome = await Executor().RunAsync(Job("where", new Policy()), CancellationToken.None);

        Assert.Equal(JobStatus.OK, outcome.Status);
        Assert.Null(seen);
    }

    /// <summary>A fake clock that counts the timers armed on it, so a test advances time only once a delay is waiting.</summary>
    [Fact]
    public async Task A_retry_waits_out_its_backoff_without_its_slot_and_takes_it_again_in_turn()
    {
        var calls = 0;
        _registry.Register("fail", (Action<EventContext>)(_ =>
        {
            Interlocked.Increment(ref calls);
            throw new InvalidOperationException("nope");
        }));
        var slots = new FairSlots(1);
        using var slot = new RunSlot(slots, new EventId("ev"));
        await slot.AcquireAsync(CancellationToken.None);

        var run = Executor().RunAsync(Job("fail", new Policy(TimeoutSec: null, MaxRetries: 1)), CancellationToken.None, slot: slot);
        await Until(() => Volatile.Read(ref calls) == 1 && _clock.TimersCreated == 1);
        Assert.False(slot.Held); // no slot through the backoff: another event's job takes it
        await slots.AcquireAsync(new EventId("other"), CancellationToken.None).AsTask().WaitAsync(TimeSpan.FromSeconds(10));
        _clock.Advance(TimeSpan.FromSeconds(1));
        await Task.Delay(50);
        Assert.Equal(1, Volatile.Read(ref calls)); // the retry waits its turn behind it
        slots.Release();

        var outcome = await run.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(2, Volatile.Read(ref calls));
        Assert.Equal(1, outcome.Retries);
        Assert.True(slot.Held);
    }

    [Fact]
    public async Task A_timed_out_handler_that_still_holds_its_thread_is_counted_abandoned_until_it_returns()
    {
        using var gate = new ManualResetEventSlim();
        var entered = 0;
        _registry.Register("stuck", (Action<EventContext>)(_ =>
        {
            Interlocked.Increment(ref entered);
            gate.Wait(TimeSpan.FromSeconds(30)); // ignores its token
        }));
        var executor = Executor();
        var run = executor.RunAsync(Job("stuck", new Policy(TimeoutSec: 1)), CancellationToken.None);
        await Until(() => Volatile.Read(ref entered) == 1 && _clock.TimersCreated >= 1);
        _clock.Advance(TimeSpan.FromSeconds(1));

        var outcome = await run.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(ErrorKind.TIMEOUT, outcome.Error!.Kind);
        Assert.Equal(1, executor.Abandoned.Of(new EventId("ev")));
        Assert.Contains(_metrics.Drain().Counters, c => c.Name == MetricNames.JobsAbandoned && c.Value == 1);

        gate.Set();
        await Until(() => executor.Abandoned.Of(new EventId("ev")) == 0);
        Assert.Equal(0, executor.Abandoned.Total);
    }

    private sealed class CountingFakeTimeProvider(DateTimeOffset start) : FakeTimeProvider(start)
    {
        private int _timers;

        public int TimersCreated => Volatile.Read(ref _timers);

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            // Counted only once armed: counted first, a test could advance the clock before the timer took its due
            // time from it, and the timer would then wait past the advance (seen once under load).
            var timer = base.CreateTimer(callback, state, dueTime, period);
            Interlocked.Increment(ref _timers);
            return timer;
        }
    }

    [Theory]
    [InlineData(30.0)]
    [InlineData(null)] // no timeout: the control alone gives the attempt a token to cancel
    public async Task A_cancelled_run_cancels_its_token_and_ends_CANCELLED_without_retrying(double? timeoutSec)
    {
        var entered = 0;
        _registry.Register("wait", async ctx =>
        {
            Interlocked.Increment(ref entered);
            await Task.Delay(Timeout.Infinite, ctx.CancellationToken);
        });
        var control = new RunControl();
        Assert.True(control.TryStart());

        var run = Executor().RunAsync(Job("wait", new Policy(TimeoutSec: timeoutSec, MaxRetries: 3)), CancellationToken.None, control);
        await Until(() => Volatile.Read(ref entered) == 1);
        Assert.False(control.Cancel()); // it had started: nothing for the canceller to report
        var outcome = await run.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(JobStatus.CANCELLED, outcome.Status);
        Assert.Equal("cancelled by an operator", outcome.Error!.Message);
        Assert.Equal(0, outcome.Retries);
        Assert.Equal(1, Volatile.Read(ref entered)); // no retry after a cancel
    }

    [Fact]
    public async Task A_cancelled_handler_that_ignores_its_token_is_abandoned_after_the_grace_period()
    {
        var entered = 0;
        using var release = new ManualResetEventSlim();
        _registry.Register("stubborn", _ =>
        {
            Interlocked.Increment(ref entered);
            release.Wait(TimeSpan.FromSeconds(30)); // blocks, ignoring the token
        });
        var control = new RunControl();
        control.TryStart();

        var run = Executor(cancelGraceSec: 5).RunAsync(Job("stubborn", new Policy(TimeoutSec: 60)), CancellationToken.None, control);
        await Until(() => Volatile.Read(ref entered) == 1);
        var timers = _clock.TimersCreated;
        control.Cancel();
        await Until(() => _clock.TimersCreated > timers); // the grace period's timer is armed
        _clock.Advance(TimeSpan.FromSeconds(4.999));
        await Task.Delay(50);
        Assert.False(run.IsCompleted); // waits out the grace period
        _clock.Advance(TimeSpan.FromMilliseconds(1));
        var outcome = await run.WaitAsync(TimeSpan.FromSeconds(10));
        release.Set();

        Assert.Equal(JobStatus.CANCELLED, outcome.Status);
        Assert.Contains("ignored its token and was abandoned after 5 s", outcome.Error!.Message);
    }

    [Fact]
    public async Task A_run_cancelled_while_it_waits_to_retry_ends_at_once()
    {
        var calls = 0;
        _registry.Register("fail", _ =>
        {
            Interlocked.Increment(ref calls);
            throw new InvalidOperationException("nope");
        });
        var control = new RunControl();
        control.TryStart();

        var run = Executor().RunAsync(Job("fail", new Policy(TimeoutSec: null, MaxRetries: 3)), CancellationToken.None, control);
        await Until(() => Volatile.Read(ref calls) == 1 && _clock.TimersCreated >= 1); // waiting out the first backoff
        control.Cancel();
        var outcome = await run.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(JobStatus.CANCELLED, outcome.Status);
        Assert.Equal(1, Volatile.Read(ref calls));
    }

    [Fact]
    public void A_run_cancelled_before_it_starts_is_the_cancellers_and_never_starts()
    {
        var control = new RunControl();
        Assert.True(control.Cancel()); // claimed: the canceller reports it
        Assert.False(control.TryStart());
        Assert.False(control.Cancel()); // only once
    }
}
