using System.Diagnostics;

namespace Orleans.ConvoOrchestrator.Runtime.Timers;

/// <summary>
/// The system clock, with timers kept in one <see cref="TimerHeap{T}"/> that one dedicated thread serves: it
/// sleeps until the earliest due timer and hands each due callback to the thread pool. The silo's grain timers
/// run on it (see <see cref="ConvoOrchestratorOptions.HeapGrainTimers"/>), so thousands of triggers, each with a
/// timer armed for its next fire, cost O(log n) per fire rather than a walk over every near timer
/// (docs/adr/0005-heap-grain-timers.md). Times and timestamps are the system's; only timers differ.
/// </summary>
internal sealed class HeapTimerProvider : TimeProvider, IDisposable
{
    private readonly Lock _gate = new();
    private readonly TimerHeap<HeapTimer> _heap = new();
    private readonly List<HeapTimer> _due = [];
    private readonly AutoResetEvent _wake = new(false);
    private readonly Thread _thread;
    // The due time the dispatch thread sleeps until; a timer due earlier than that wakes it.
    private long _sleepingUntil = long.MaxValue;
    private bool _disposed;

    /// <summary>Starts the dispatch thread.</summary>
    public HeapTimerProvider()
    {
        _thread = new Thread(Dispatch) { IsBackground = true, Name = "convo-timers" };
        _thread.Start();
    }

    /// <summary>Timers waiting (for diagnostics and tests).</summary>
    public int WaitingTimers
    {
        get
        {
            lock (_gate) return _heap.Count;
        }
    }

    /// <inheritdoc />
    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        ArgumentNullException.ThrowIfNull(callback);
        CheckSpan(dueTime, nameof(dueTime));
        CheckSpan(period, nameof(period));
        // Like the system's timers, the callback runs in the creator's execution context unless its flow was suppressed.
        var timer = new HeapTimer(this, callback, state, ExecutionContext.Capture());
        Schedule(timer, dueTime, period);
        return timer;
    }

    /// <summary>Stops the dispatch thread; timers then never fire.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed) return;
            _disposed = true;
        }
        _wake.Set();
        _thread.Join();
        _wake.Dispose();
    }

    private static void CheckSpan(TimeSpan span, string name)
    {
        if (span != Timeout.InfiniteTimeSpan && (span < TimeSpan.Zero || span.TotalMilliseconds > uint.MaxValue - 2))
            throw new ArgumentOutOfRangeException(name, span, "must be non-negative (or infinite) and at most ~49 days");
    }

    private long DueAt(TimeSpan after) => GetTimestamp() + (long)(after.Ticks * (TimestampFrequency / (double)TimeSpan.TicksPerSecond));

    private bool Schedule(HeapTimer timer, TimeSpan dueTime, TimeSpan period)
    {
        lock (_gate)
        {
            if (_disposed || timer.Disposed) return false;
            timer.Period = period;
            if (dueTime == Timeout.InfiniteTimeSpan)
            {
                _heap.Remove(timer);
                return true;
            }
            var due = DueAt(dueTime);
            _heap.Set(timer, due);
            if (due < _sleepingUntil)
            {
                _sleepingUntil = long.MinValue; // one wake-up is enough until the thread sleeps again
                // Under the lock: Dispose, which disposes the event, cannot have run in between.
                _wake.Set();
            }
            return true;
        }
    }

    private void Unschedule(HeapTimer timer)
    {
        lock (_gate)
        {
            timer.Disposed = true;
            _heap.Remove(timer);
        }
    }

    private void Dispatch()
    {
        while (true)
        {
            int wait;
            lock (_gate)
            {
                if (_disposed) return;
                var now = GetTimestamp();
                if (_heap.TakeDue(now, _due) > 0)
                {
                    // Periodic timers are due again one period after this fire was taken, as the system's are.
                    foreach (var timer in _due)
                        if (timer.Period > TimeSpan.Zero) _heap.Set(timer, DueAt(timer.Period)); // infinite is -1 ms
                    wait = 0;
                }
                else
                {
                    var next = _heap.NextDue;
                    _sleepingUntil = next ?? long.MaxValue;
                    // Waits round up to whole milliseconds, so a timer fires at most ~1 ms after it is due, never before.
                    wait = next is { } at ? (int)Math.Clamp(Math.Ceiling((at - now) * 1000.0 / TimestampFrequency), 1, int.MaxValue - 1) : Timeout.Infinite;
                }
            }
            if (wait != 0)
            {
                _wake.WaitOne(wait);
                continue;
            }
            // Callbacks run on the thread pool, never on this thread: one that blocks delays no other timer.
            foreach (var timer in _due) ThreadPool.UnsafeQueueUserWorkItem(timer, preferLocal: false);
            _due.Clear();
        }
    }

    private sealed class HeapTimer(HeapTimerProvider owner, TimerCallback callback, object? state, ExecutionContext? context) : ITimer, IThreadPoolWorkItem
    {
        private static readonly ContextCallback RunInContext = s => ((HeapTimer)s!).Run();

        public TimeSpan Period { get; set; } = Timeout.InfiniteTimeSpan;

        // Set under the provider's lock; read without it when a handed-out fire runs.
        public volatile bool Disposed;

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            CheckSpan(dueTime, nameof(dueTime));
            CheckSpan(period, nameof(period));
            return owner.Schedule(this, dueTime, period);
        }

        public void Execute()
        {
            // Like the system's timers, a fire already handed out when the timer is disposed is dropped if it has not started.
            if (Disposed) return;
            if (context is null) Run();
            else ExecutionContext.Run(context, RunInContext, this);
        }

        private void Run() => callback(state);

        public void Dispose() => owner.Unschedule(this);

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
