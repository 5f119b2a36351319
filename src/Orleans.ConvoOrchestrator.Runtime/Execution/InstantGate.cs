using System.Runtime.InteropServices;

namespace Orleans.ConvoOrchestrator.Runtime.Execution;

/// <summary>
/// Holds work until an instant and lets it go then, never before: how the worker pool starts a fire taken ahead
/// (<see cref="ConvoOrchestratorOptions.FireLead"/>) at its scheduled instant. On the system clock one dedicated thread
/// keeps the instants in a heap, waits for the earliest (the last stretch with a precise sleep on Linux, a spin
/// elsewhere) and runs the continuation of what waited on it, so nothing but that thread stands between the instant and
/// the hand-over to a handler thread. Never through the thread pool, even when late: behind a flood of work items
/// there a job would wait for all of them. On any other clock (a <c>FakeTimeProvider</c> in tests) the clock's timers
/// do the waiting. Plain class: no Orleans (docs/adr/0012-admit-fires-ahead.md).
/// </summary>
internal sealed class InstantGate : IDisposable
{
    // The coarse wait ends this long before the instant; the rest is slept precisely (or spun).
    private static readonly long FineStretchTicks = TimeSpan.FromMilliseconds(2).Ticks;
    private readonly TimeProvider _clock;
    private readonly bool _system;
    private readonly Lock _lock = new();
    private readonly PriorityQueue<Waiter, (long Ticks, long Seq)> _heap = new();
    private readonly AutoResetEvent _wake = new(false);
    private Thread? _thread;
    private long _seq;
    private long _sleepingUntil = long.MaxValue;
    private bool _disposed;

    /// <summary>Creates a gate on <paramref name="clock"/>; on the system clock its thread starts with the first wait it holds.</summary>
    public InstantGate(TimeProvider clock)
    {
        _clock = clock;
        _system = SystemClock.IsSystem(clock);
    }

    /// <summary>Waits held now (for diagnostics and tests).</summary>
    public int Waiting
    {
        get
        {
            lock (_lock) return _heap.Count;
        }
    }

    /// <summary>
    /// Completes at <paramref name="instant"/> (by this gate's clock), never before; at once when it has passed.
    /// Cancelled by <paramref name="cancellationToken"/>. On the system clock the continuation runs on the gate's thread:
    /// keep what follows the await short until its next real wait.
    /// </summary>
    public Task WaitAsync(DateTimeOffset instant, CancellationToken cancellationToken = default)
    {
        if (cancellationToken.IsCancellationRequested) return Task.FromCanceled(cancellationToken);
        if (_clock.GetUtcNow() >= instant) return Task.CompletedTask;
        return _system ? Enqueue(instant, cancellationToken) : WaitOnClock(instant, cancellationToken);
    }

    /// <summary>Stops the gate's thread; waits still held are cancelled.</summary>
    public void Dispose()
    {
        List<Waiter> left;
        lock (_lock)
        {
            if (_disposed) return;
            _disposed = true;
            left = _heap.UnorderedItems.Select(i => i.Element).ToList();
            _heap.Clear();
        }
        _wake.Set();
        Thread? thread;
        lock (_lock) thread = _thread;
        thread?.Join();
        _wake.Dispose();
        foreach (var w in left) w.Source.TrySetCanceled();
    }

    private Task Enqueue(DateTimeOffset instant, CancellationToken cancellationToken)
    {
        // Not RunContinuationsAsynchronously: the awaiting code continues on the gate's thread at the instant.
        var waiter = new Waiter(instant.UtcTicks, new TaskCompletionSource());
        lock (_lock)
        {
            if (_disposed) return Task.FromCanceled(new CancellationToken(true));
            _heap.Enqueue(waiter, (waiter.Ticks, _seq++));
            waiter.Registration = Register(waiter, cancellationToken);
            // With FireLead off no fire is ever ahead, so a silo never needs the thread.
            if (_thread is null)
            {
                _thread = new Thread(Serve) { IsBackground = true, Name = "convo-instants" };
                _thread.Start();
            }
            if (waiter.Ticks < _sleepingUntil)
            {
                _sleepingUntil = waiter.Ticks;
                _wake.Set();
            }
        }
        return waiter.Source.Task;
    }

    // A cancelled wait completes at once (its entry is dropped when it comes up).
    private static CancellationTokenRegistration Register(Waiter waiter, CancellationToken cancellationToken) =>
        cancellationToken.CanBeCanceled
            ? cancellationToken.UnsafeRegister(static (s, ct) => ((Waiter)s!).Source.TrySetCanceled(ct), waiter)
            : default;

    private async Task WaitOnClock(DateTimeOffset instant, CancellationToken cancellationToken)
    {
        // A fake clock's timers fire as it is advanced; the check keeps "never before" whatever the clock does.
        while (_clock.GetUtcNow() is var now && now < instant)
            await Task.Delay(instant - now, _clock, cancellationToken).ConfigureAwait(false);
    }

    private void Serve()
    {
        SetTimerSlack();
        var due = new List<Waiter>();
        while (true)
        {
            long wait;
            lock (_lock)
            {
                if (_disposed) return;
                var now = _clock.GetUtcNow().UtcTicks;
                while (_heap.TryPeek(out var first, out _) && first.Ticks <= now) due.Add(_heap.Dequeue());
                if (due.Count == 0)
                {
                    _sleepingUntil = _heap.TryPeek(out var next, out _) ? next.Ticks : long.MaxValue;
                    wait = _sleepingUntil == long.MaxValue ? -1 : _sleepingUntil - now;
                }
                else wait = 0;
            }
            if (due.Count > 0)
            {
                Release(due);
                due.Clear();
                continue;
            }
            if (wait < 0) _wake.WaitOne();
            else if (wait > FineStretchTicks) _wake.WaitOne(TimeSpan.FromTicks(wait - FineStretchTicks)); // woken early by an earlier instant
            else SleepUntil(_sleepingUntil);
        }
    }

    private static void Release(List<Waiter> due)
    {
        foreach (var waiter in due)
        {
            waiter.Registration.Dispose();
            waiter.Source.TrySetResult();
        }
    }

    // The last stretch: an absolute sleep on the wall clock the instant is read on (Linux), then a spin for what is left.
    private void SleepUntil(long utcTicks)
    {
        if (_preciseSleep)
        {
            var unix = utcTicks - DateTime.UnixEpoch.Ticks;
            var spec = new TimeSpec { Seconds = unix / TimeSpan.TicksPerSecond, Nanoseconds = unix % TimeSpan.TicksPerSecond * 100 };
            try
            {
                clock_nanosleep(ClockRealtime, TimerAbstime, in spec, IntPtr.Zero);
            }
            catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
            {
                _preciseSleep = false;
            }
        }
        var spin = new SpinWait();
        while (_clock.GetUtcNow().UtcTicks < utcTicks) spin.SpinOnce(sleep1Threshold: -1);
    }

    // Linux lets a thread's timed sleeps end up to 50 µs late by default ("timer slack"); this thread wants them exact.
    private static void SetTimerSlack()
    {
        if (!_preciseSleep) return;
        try
        {
            prctl(PrSetTimerslack, 1, 0, 0, 0);
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
        {
            _preciseSleep = false;
        }
    }

    private static volatile bool _preciseSleep = OperatingSystem.IsLinux() && IntPtr.Size == 8;
    private const int ClockRealtime = 0;
    private const int TimerAbstime = 1;
    private const int PrSetTimerslack = 29;

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [DllImport("libc", EntryPoint = "clock_nanosleep")]
    private static extern int clock_nanosleep(int clockId, int flags, in TimeSpec request, IntPtr remain);

    [DllImport("libc", EntryPoint = "prctl")]
    private static extern int prctl(int option, ulong arg2, ulong arg3, ulong arg4, ulong arg5);

    private sealed class Waiter(long ticks, TaskCompletionSource source)
    {
        public readonly long Ticks = ticks;
        public readonly TaskCompletionSource Source = source;
        public CancellationTokenRegistration Registration;
    }
}
