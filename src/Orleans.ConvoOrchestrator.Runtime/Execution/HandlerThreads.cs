using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Orleans.ConvoOrchestrator.Runtime.Execution;

/// <summary>
/// Where handlers run: threads of its own, so a handler that blocks or spins never takes a .NET thread-pool thread,
/// which Orleans turns, timers and the silo's I/O need (docs/adr/0002-handler-isolation.md). A handler's synchronous
/// part runs on one of these threads; its asynchronous continuations go where its awaits send them (the pool), where
/// waiting holds no thread.
/// <list type="bullet">
/// <item>One thread per processor is kept, at normal priority; more start when calls wait: a watchdog thread (not a
/// pool timer, since the pool may be the starved part) checks every half <c>stuckAfter</c> and, when the oldest call
/// waited that long, starts as many threads as calls wait beyond the free ones, up to <see cref="MaxThreads"/>. Those
/// end after an idle timeout.</item>
/// <item>A thread whose call ran longer than <c>stuckAfter</c> gets a nicer OS priority
/// (<see cref="ConvoOrchestratorOptions.HandlerThreadNice"/>, Linux), so a spinning handler cannot starve the silo's
/// threads; such a kept thread ends after its call and the next call starts a new one. The threads the watchdog
/// starts (calls wait: handlers block, spin or are slow) are nice from their start, so many handlers at once cannot
/// outnumber the silo's threads either; quick handlers run on the kept ones at full speed.</item>
/// <item>Waiting calls are taken round-robin between events, in order within one: one event's burst does not put
/// another event's call behind all of its own while threads are being started.</item>
/// <item>A call whose token is cancelled before a thread takes it (its attempt timed out, was cancelled, the silo
/// stops) never starts.</item>
/// <item>A handler whose synchronous part has proven short (<see cref="HandlerProfile"/>: 16 calls in a row under
/// 1 ms) is called inline on the caller's pool thread, at most one such call per kept thread at once: handing each
/// job to a sleeping thread cost ~80 µs of CPU a job on this project's machines and the precision of 10,000
/// one-second schedules (docs/benchmarks.md, "What the handler threads cost spread fires"). A long synchronous part
/// starts its count again; an inline call the watchdog finds running past <c>stuckAfter</c> sends the handler back
/// to the threads for good. A handler that blocks from its first call never runs inline.</item>
/// </list>
/// The threads are background threads: a handler that never returns does not keep the process alive.
/// </summary>
internal sealed partial class HandlerThreads : IDisposable
{
    private readonly HandlerQueue _queue = new();
    private readonly SemaphoreSlim _wake = new(0);
    private readonly ManualResetEventSlim _stop = new();
    private readonly Lock _workersLock = new();
    private readonly List<Worker> _workers = [];
    private readonly int _eager;
    private readonly int _nice;
    private readonly long _stuckTicks;
    private readonly TimeSpan _stuckAfter;
    private readonly TimeSpan _idleTimeout;
    private readonly ILogger _logger;
    private readonly Lock _startLock = new();
    private int _threads;
    private int _kept;
    private int _idle;
    private int _watchdog;
    private long _started;
    private long _lowered;
    private bool _atMax;
    private volatile bool _disposed;
    private readonly System.Runtime.CompilerServices.ConditionalWeakTable<HandlerInvoker, HandlerProfile> _profiles = new();
    private readonly InlineSlot[] _inline;
    private readonly int _inlineAfter;
    // Made once: a lambda reading _inlineAfter captures this, and would be a new delegate on every call.
    private readonly System.Runtime.CompilerServices.ConditionalWeakTable<HandlerInvoker, HandlerProfile>.CreateValueCallback _newProfile;
    private readonly long _quickTicks = Stopwatch.Frequency / 1000;
    private long _inlineRuns;

    /// <summary>Created by DI: <see cref="MaxThreads"/> is twice <see cref="ConvoOrchestratorOptions.MaxConcurrentRuns"/> (at least 2).</summary>
    public HandlerThreads(IOptions<ConvoOrchestratorOptions> options, ILogger<HandlerThreads>? logger = null)
        : this(Math.Max(2, 2 * options.Value.MaxConcurrentRuns), options.Value.HandlerThreadNice, logger: logger)
    {
        // Inline calls (and the pool-thread loops of a CPU-heavy handler they start) can hold pool threads: the pool
        // must start threads for the silo's own work at once, not after its starvation delay (~0.5 s a thread), or a
        // busy silo's fires stall (the failover scenario's busy silo: 1.6 s gaps at the default minimum, 1.0 s at 8).
        ThreadPool.GetMinThreads(out var workers, out var io);
        var wanted = 4 * Environment.ProcessorCount;
        if (workers < wanted) ThreadPool.SetMinThreads(wanted, io);
    }

    /// <summary>Handler threads with explicit bounds (tests, tools).</summary>
    /// <param name="maxThreads">Most threads at once (kept and started ones).</param>
    /// <param name="nice">Nice value given to a thread whose call runs longer than <paramref name="stuckAfter"/>; 0 never lowers.</param>
    /// <param name="stuckAfter">How long a call may wait for a thread, or run on one, before the watchdog acts (20 ms).</param>
    /// <param name="idleTimeout">How long a thread above the kept ones waits for work before it ends (20 s).</param>
    /// <param name="eagerThreads">Threads kept even when idle (one per processor); started as calls come.</param>
    /// <param name="logger">The log.</param>
    /// <param name="inlineAfter">Short synchronous parts in a row after which a handler is called inline (0: never).</param>
    public HandlerThreads(int maxThreads, int nice = 10, TimeSpan? stuckAfter = null, TimeSpan? idleTimeout = null, int? eagerThreads = null,
        ILogger? logger = null, int inlineAfter = 16)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(inlineAfter);
        _inlineAfter = inlineAfter;
        _newProfile = _ => new HandlerProfile(_inlineAfter);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxThreads, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(nice);
        MaxThreads = maxThreads;
        _nice = nice;
        _stuckAfter = stuckAfter ?? TimeSpan.FromMilliseconds(20);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(_stuckAfter, TimeSpan.Zero, nameof(stuckAfter));
        _stuckTicks = (long)(_stuckAfter.TotalSeconds * Stopwatch.Frequency);
        _idleTimeout = idleTimeout ?? TimeSpan.FromSeconds(20);
        _eager = Math.Clamp(eagerThreads ?? Environment.ProcessorCount, 1, maxThreads);
        _logger = logger ?? NullLogger.Instance;
        _inline = [.. Enumerable.Range(0, _eager).Select(_ => new InlineSlot())];
    }

    /// <summary>Most threads at once.</summary>
    public int MaxThreads { get; }

    /// <summary>Threads alive now.</summary>
    public int Threads => Volatile.Read(ref _threads);

    /// <summary>Threads waiting for a call now.</summary>
    public int IdleThreads => Volatile.Read(ref _idle);

    /// <summary>Calls waiting for a thread now.</summary>
    public int Waiting => _queue.Count;

    /// <summary>Threads started since creation (tests, diagnostics).</summary>
    public long ThreadsStarted => Interlocked.Read(ref _started);

    /// <summary>Calls run inline on the caller's thread since creation (tests, diagnostics).</summary>
    public long InlineRuns => Interlocked.Read(ref _inlineRuns);

    /// <summary>Kept threads the watchdog lowered because their call ran long, since creation (tests, diagnostics).</summary>
    public long ThreadsLowered => Interlocked.Read(ref _lowered);

    /// <summary>
    /// Queues one attempt of <paramref name="handler"/>; its task ends with the handler's result. A call whose context's
    /// token is cancelled before a thread takes it ends cancelled without starting.
    /// </summary>
    internal HandlerCall Run(HandlerInvoker handler, IServiceProvider services, EventContext context)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var call = new HandlerCall(handler, services, context);
        var profile = _profiles.GetValue(handler, _newProfile);
        call.Profile = profile;
        if (profile.Proven && TakeInlineSlot(profile) is { } slot)
        {
            Interlocked.Increment(ref _inlineRuns);
            try
            {
                call.Execute();
            }
            finally
            {
                profile.Observe(slot.Leave(), _quickTicks);
            }
            return call;
        }
        _queue.Enqueue(call);
        if (Volatile.Read(ref _idle) > 0) _wake.Release();
        // The kept threads start with the first calls; more only through the watchdog, once calls really wait.
        if (Volatile.Read(ref _kept) < _eager) TryStartThread(nice: false);
        if (Volatile.Read(ref _watchdog) == 0) StartWatchdog();
        return call;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        _stop.Set();
        // Idle threads wake and end; threads inside a handler end after it (they are background threads, never waited for).
        _wake.Release(Math.Max(1, Volatile.Read(ref _threads)));
        while (_queue.TryDequeue(out var call)) call.Drop();
    }

    // A kept thread (normal priority, at most one per processor) or one the watchdog adds (nice, ends when idle).
    private bool TryStartThread(bool nice)
    {
        lock (_startLock)
        {
            if (Volatile.Read(ref _threads) >= MaxThreads || !nice && Volatile.Read(ref _kept) >= _eager) return false;
            Interlocked.Increment(ref _threads);
            if (!nice) Interlocked.Increment(ref _kept);
        }
        var worker = new Worker { Added = nice };
        lock (_workersLock) _workers.Add(worker);
        Interlocked.Increment(ref _started);
        try
        {
            new Thread(() => Loop(worker)) { IsBackground = true, Name = "convo-handler" }.UnsafeStart();
        }
        catch
        {
            Forget(worker);
            throw;
        }
        return true;
    }

    private void Loop(Worker worker)
    {
        worker.Tid = ThreadNice.CurrentThreadId();
        // Lowered by the thread itself: a new thread inherits its creator's priority, whoever that was.
        if (worker.Added && _nice > 0) ThreadNice.TryLower(worker.Tid, _nice);
        try
        {
            while (!_disposed)
            {
                if (_queue.TryDequeue(out var call))
                {
                    Execute(worker, call);
                    // A lowered kept thread cannot be raised back without privilege: it ends. Its replacement is started
                    // by a call, never by it: a new thread inherits its creator's priority.
                    if (worker.Lowered) return;
                    continue;
                }
                Interlocked.Increment(ref _idle);
                bool woken;
                try
                {
                    // Counted idle first, then looked again: a call queued in between is seen here or wakes us.
                    if (!_queue.IsEmpty) continue;
                    woken = _wake.Wait(_idleTimeout);
                }
                finally
                {
                    Interlocked.Decrement(ref _idle);
                }
                if (!woken && worker.Added) return; // an added thread idle that long ends; the kept ones stay
            }
        }
        finally
        {
            Forget(worker);
        }
    }

    private void Forget(Worker worker)
    {
        lock (_startLock)
        {
            Interlocked.Decrement(ref _threads);
            if (!worker.Added) Interlocked.Decrement(ref _kept);
        }
        lock (_workersLock) _workers.Remove(worker);
    }

    private void Execute(Worker worker, HandlerCall call)
    {
        long since;
        lock (worker)
        {
            worker.Current = call;
            worker.Since = since = Stopwatch.GetTimestamp();
        }
        try
        {
            call.Execute();
        }
        finally
        {
            lock (worker) worker.Current = null;
            call.Profile?.Observe(Stopwatch.GetTimestamp() - since, _quickTicks);
        }
    }

    private InlineSlot? TakeInlineSlot(HandlerProfile profile)
    {
        foreach (var slot in _inline)
            if (slot.TryEnter(profile)) return slot;
        return null;
    }

    private void StartWatchdog()
    {
        if (Interlocked.Exchange(ref _watchdog, 1) != 0) return;
        new Thread(static s => ((HandlerThreads)s!).Watch()) { IsBackground = true, Name = "convo-handler-watchdog" }.UnsafeStart(this);
    }

    // Its own thread, not a pool timer: it must act precisely when the pool is the starved part.
    private void Watch()
    {
        var period = _stuckAfter / 2;
        while (!_stop.Wait(period))
        {
            try
            {
                Check(Stopwatch.GetTimestamp());
            }
            catch (Exception ex)
            {
                LogWatchdogFailed(ex);
            }
        }
    }

    private void Check(long now)
    {
        if (_queue.OldestQueuedAt() is { } oldest && now - oldest >= _stuckTicks)
        {
            var idle = Volatile.Read(ref _idle);
            // Free threads that missed their wake-up get another.
            if (idle > 0) _wake.Release(Math.Min(idle, _queue.Count));
            var missing = _queue.Count - idle;
            var started = 0;
            while (started < missing && TryStartThread(nice: true)) started++;
            var atMax = started < missing;
            if (atMax && !_atMax) LogAtMax(MaxThreads, _queue.Count);
            _atMax = atMax;
        }
        else _atMax = false;

        // An inline call running long blocks a pool thread: its handler goes to the threads from its next call on.
        foreach (var slot in _inline) slot.DemoteIfLong(now, _stuckTicks);

        if (_nice <= 0) return;
        Worker[] workers;
        lock (_workersLock) workers = [.. _workers];
        foreach (var worker in workers)
        {
            lock (worker)
            {
                if (worker.Current is null || worker.Added || worker.Lowered || now - worker.Since < _stuckTicks) continue;
                // Under the worker's lock: the call cannot end (and the thread take another) while it is lowered.
                worker.Lowered = true;
                ThreadNice.TryLower(worker.Tid, _nice);
                Interlocked.Increment(ref _lowered);
            }
        }
    }

    // One inline call at a time, watched by the watchdog.
    private sealed class InlineSlot
    {
        private int _busy;
        private HandlerProfile? _profile;
        private long _since;

        public bool TryEnter(HandlerProfile profile)
        {
            if (Interlocked.CompareExchange(ref _busy, 1, 0) != 0) return false;
            lock (this) (_profile, _since) = (profile, Stopwatch.GetTimestamp());
            return true;
        }

        // How long the call ran.
        public long Leave()
        {
            long since;
            lock (this) (since, _profile) = (_since, null);
            Volatile.Write(ref _busy, 0);
            return Stopwatch.GetTimestamp() - since;
        }

        public void DemoteIfLong(long now, long stuckTicks)
        {
            lock (this)
            {
                if (_profile is { } profile && now - _since >= stuckTicks) profile.Demote();
            }
        }
    }

    // One thread's state, shared with the watchdog under the worker's own lock.
    private sealed class Worker
    {
        public int Tid;
        public HandlerCall? Current;
        public long Since;
        public bool Lowered;
        // Started by the watchdog: nice from its start, ends when idle.
        public bool Added;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "All {MaxThreads} handler threads are busy; {Waiting} handler call(s) wait for one")]
    private partial void LogAtMax(int maxThreads, int waiting);

    [LoggerMessage(Level = LogLevel.Error, Message = "The handler threads' watchdog failed a check")]
    private partial void LogWatchdogFailed(Exception ex);
}
