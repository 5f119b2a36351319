using Orleans.ConvoOrchestrator.Runtime.Jobs;

namespace Orleans.ConvoOrchestrator.Runtime.Grains;

/// <summary>
/// An event's last outcome in its own grain state (so a job's end never rewrites the definition): written at most once
/// per <see cref="ConvoOrchestratorOptions.HistoryWriteDelay"/> while jobs end, or only when the activation ends, as
/// the store declares (<see cref="StoreCapabilities.Progress"/>). Its version check is also what tells a stale
/// duplicate activation. Called from the event grain's turns only.
/// </summary>
internal sealed class LastOutcomeWrites
{
    private readonly IPersistentState<OutcomeState> _state;
    private readonly VersionedState<OutcomeState> _writes;
    private readonly EventJobs _jobs;
    private readonly StoreCapabilities _store;
    private readonly SiloStopping _stopping;
    private readonly TimeSpan _delay;
    private readonly Func<Func<CancellationToken, Task>, TimeSpan, IGrainTimer> _registerTimer;
    private readonly Func<bool> _eventExists;
    private readonly Action<Exception> _writeFailed;
    private IGrainTimer? _timer;
    private bool _dirty;
    private bool _armed;

    /// <param name="state">The grain's outcome state.</param>
    /// <param name="jobs">The event's jobs, whose last outcome is written.</param>
    /// <param name="store">What the store declares about progress writes.</param>
    /// <param name="stopping">The silo's stop: a stopping silo may have lost a grain-based store already.</param>
    /// <param name="delay">How long ends gather before one write.</param>
    /// <param name="registerTimer">Registers a one-shot grain timer of the event grain.</param>
    /// <param name="eventExists">Whether the event is defined (a removed one writes nothing).</param>
    /// <param name="writeFailed">The grain's handling of a failed state write (a conflict means it is stale).</param>
    public LastOutcomeWrites(IPersistentState<OutcomeState> state, EventJobs jobs, StoreCapabilities store, SiloStopping stopping, TimeSpan delay,
        Func<Func<CancellationToken, Task>, TimeSpan, IGrainTimer> registerTimer, Func<bool> eventExists, Action<Exception> writeFailed)
    {
        _state = state;
        _writes = new VersionedState<OutcomeState>(state, s => new OutcomeState { LastOutcome = s.LastOutcome }, (a, b) => a.LastOutcome == b.LastOutcome);
        _jobs = jobs;
        _store = store;
        _stopping = stopping;
        _delay = delay;
        _registerTimer = registerTimer;
        _eventExists = eventExists;
        _writeFailed = writeFailed;
    }

    /// <summary>The last outcome as stored (before this activation's jobs ended).</summary>
    public JobOutcome? Stored => _state.State.LastOutcome;

    /// <summary>A job ended: its outcome is the last one to write.</summary>
    public void JobEnded()
    {
        if (_store.Progress == ProgressWrites.Periodically) Schedule();
        else _dirty = true;
    }

    /// <summary>Writes the last outcome if a job ended since the last write.</summary>
    public async Task WriteIfDirtyAsync()
    {
        if (!_dirty || !_eventExists() || _jobs.LastOutcome is not { } last) return;
        _dirty = false;
        _state.State.LastOutcome = last;
        try
        {
            await _writes.WriteAsync();
        }
        catch (Exception ex)
        {
            _dirty = true;
            _writeFailed(ex);
            if (!_stopping.IsStopping && _store.Progress == ProgressWrites.Periodically) Schedule(); // a stale activation is deactivating by now
        }
    }

    /// <summary>Removes the stored state (the event is removed).</summary>
    public async Task ClearAsync()
    {
        await _state.ClearStateAsync();
        _state.State = new OutcomeState();
        _dirty = false;
    }

    // At most one write per delay, not one per job.
    private void Schedule()
    {
        _dirty = true;
        if (_armed) return;
        _armed = true;
        if (_timer is null) _timer = _registerTimer(OnTimerAsync, _delay);
        else _timer.Change(_delay, Timeout.InfiniteTimeSpan);
    }

    private async Task OnTimerAsync(CancellationToken ct)
    {
        _armed = false;
        if (!_stopping.IsStopping) await WriteIfDirtyAsync();
    }
}
