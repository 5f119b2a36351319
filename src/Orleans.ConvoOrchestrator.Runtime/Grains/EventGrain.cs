using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.ConvoOrchestrator.Grains;
using Orleans.ConvoOrchestrator.Runtime.Jobs;
using Orleans.Runtime;

namespace Orleans.ConvoOrchestrator.Runtime.Grains;

/// <summary>
/// One event: its definition and subscriptions, and the Orleans side of its jobs. What happens to a job is decided by
/// <see cref="EventJobs"/> (states, FIFO, concurrency, rate limit); this grain carries out what it asks for: store
/// writes through a <see cref="JobWriteBatcher"/> (concurrent emits and ends share one write), hand-over to the silo's
/// <see cref="JobRunner"/>, timers, answers. Emit, complete and the reads are always-interleave, so the grain answers
/// them even while a definition change awaits storage; it never awaits a handler. Every accepted job is stored before
/// its emit answers, its delivery count before it is handed to a handler, and its outcome with the deletion of its
/// record when it ends: after a lost silo, only jobs that were handed to a handler and had not ended run again.
/// The parts it calls, each in its own file: <see cref="JobIntake"/> (emits, fires, test runs), <see cref="JobCancels"/>,
/// <see cref="FailedJobActions"/>, <see cref="LastOutcomeWrites"/> and <see cref="EventNextRun"/>.
/// </summary>
internal sealed class EventGrain : Grain, IEventGrain, IEventJobsGrain, IEventSetupGrain, IJobEffects
{
    private readonly IPersistentState<EventState> _state;
    private readonly VersionedState<EventState> _definitionWrites;
    private readonly MetricsCollector _metrics;
    private readonly ConvoOrchestratorOptions _options;
    private readonly TimeProvider _clock;
    private readonly ILogger<EventGrain> _logger;
    private readonly StoreCapabilities _store;
    private readonly IJobStore _jobStore;
    private readonly IHistoryStore _history;
    private readonly ICatalogStore _catalog;
    private readonly JobRunner _runner;
    private readonly AbandonedRuns _abandoned;
    private readonly JobWriteBatcher _writes;
    private readonly EventJobs _jobs;
    private readonly JobIntake _intake;
    private readonly JobCancels _cancels;
    private readonly FailedJobActions _failed;
    private readonly LastOutcomeWrites _lastOutcome;
    private readonly BackfillIntake _backfill;
    // This activation's owner token: every job write carries it, and the store refuses it once a newer activation has
    // taken the event's jobs over (docs/adr/0013-fence-job-writes.md).
    private readonly string _owner = Guid.NewGuid().ToString("N");
    private bool _fenced;
    private bool _removing;
    private bool _adopting;
    private DateTimeOffset _keptAliveUntil;
    private IGrainTimer? _rateTimer;
    private IGrainTimer? _retryTimer;
    private IGrainTimer? _restTimer;

    /// <summary>Created by Orleans.</summary>
    public EventGrain(
        [PersistentState("event", ConvoOrchestratorOptions.StorageName)] IPersistentState<EventState> state,
        [PersistentState("outcomes", ConvoOrchestratorOptions.StorageName)] IPersistentState<OutcomeState> outcomes,
        MetricsCollector metrics,
        IOptions<ConvoOrchestratorOptions> options,
        [FromKeyedServices(ConvoServiceKeys.Clock)] TimeProvider clock,
        SiloStopping stopping,
        StoreCapabilities store,
        IJobStore jobStore,
        IHistoryStore history,
        ICatalogStore catalog,
        JobRunner runner,
        AbandonedRuns abandoned,
        ILogger<EventGrain> logger)
    {
        Id = new EventId(this.GetPrimaryKeyString());
        _state = state;
        _definitionWrites = new VersionedState<EventState>(state,
            s => new EventState { Definition = s.Definition, Subscriptions = new(s.Subscriptions, StringComparer.Ordinal) },
            (a, b) => a.Definition == b.Definition && a.Subscriptions.Count == b.Subscriptions.Count
                && a.Subscriptions.All(kv => b.Subscriptions.TryGetValue(kv.Key, out var t) && t == kv.Value));
        _metrics = metrics;
        _options = options.Value;
        _clock = clock;
        _store = store;
        _jobStore = jobStore;
        _history = history;
        _catalog = catalog;
        _runner = runner;
        _abandoned = abandoned;
        _logger = logger;
        _jobs = new EventJobs(this, clock, () => stopping.IsStopping || _fenced);
        _writes = new JobWriteBatcher(jobStore, Id, _options.HistorySize, _jobs, _owner);
        _cancels = new JobCancels(Id, _jobs, metrics, clock, logger);
        _intake = new JobIntake(Id, _jobs, _cancels, metrics, clock, _options, logger, keyFires: store.OutlivesProcess);
        _backfill = new BackfillIntake(Id, jobStore, _intake, metrics, clock, logger);
        _failed = new FailedJobActions(Id, jobStore, _jobs, metrics, clock, _options.QueueMaxSize, logger, _owner, OnFenced);
        _lastOutcome = new LastOutcomeWrites(outcomes, _jobs, store, stopping, _options.HistoryWriteDelay,
            (tick, due) => this.RegisterGrainTimer(tick, new GrainTimerCreationOptions(due, Timeout.InfiniteTimeSpan)),
            () => _state.State.Definition is not null, OnWriteFailed);
    }

    // Read once: the grain id's key is decoded into a new string on every GetPrimaryKeyString call.
    private EventId Id { get; }

    private Event? Definition => _removing ? null : _state.State.Definition;

    /// <inheritdoc />
    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        IReadOnlyList<QueuedJob> stored;
        try
        {
            // Taken over before they are read: a stale activation elsewhere stores nothing this one would not see.
            stored = await _jobStore.TakeOverAsync(Id, _owner);
        }
        catch (Exception ex)
        {
            // Without its jobs the grain must not start: failing activation makes the caller retry later.
            _logger.LoadFailed(ex, Id.Value);
            throw;
        }
        if (_state.State.Definition is not { } def)
        {
            if (stored.Count > 0) await _jobStore.ClearAsync(Id, _owner); // jobs of a removed event
            return;
        }
        _jobs.Configure(RulesOf(def));
        if (stored.Count == 0) return;
        // A job still in this silo's pool (the grain was deactivated, not lost) will report: it is not delivered twice.
        _jobs.Recover(stored, jobId => _runner.Holds(Id, jobId));
        _logger.Recovered(Id.Value, _jobs.Waiting, _jobs.Active);
    }

    /// <inheritdoc />
    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        var shuttingDown = reason.ReasonCode == DeactivationReasonCode.ShuttingDown;
        // A memory store may already be gone on silo shutdown; a durable one is written to the end.
        if (!shuttingDown || _store.OutlivesProcess) await _lastOutcome.WriteIfDirtyAsync();
        try
        {
            if (_jobs.Count == 0) await _jobStore.ForgetIfEmptyAsync(Id, _owner);
            // Stored jobs left: wake a new activation to run them (on another silo when this one is stopping). A fenced
            // one does not: the activation that took over has them, and a wake-up here could start one that fences it.
            else if (!shuttingDown && !_fenced && _state.State.Definition is not null) _ = GrainFactory.GetGrain<IEventJobsGrain>(Id.Value).WakeAsync();
        }
        catch (Exception ex)
        {
            _logger.WriteFailed(ex, Id.Value);
        }
    }

    /// <inheritdoc />
    public async Task<Result> SaveAsync(Event definition, SaveMode mode)
    {
        var check = DefinitionValidator.Validate(definition);
        if (check.IsErr) return check;
        if (definition.Id != Id) return Result.Err(ErrorKind.VALIDATION, $"event id '{definition.Id}' does not match the grain '{Id}'");
        var existed = Definition is not null;
        if (mode == SaveMode.Create && existed) return Result.Err(ErrorKind.CONFLICT, $"event '{Id}' already exists");
        if (mode == SaveMode.Update && !existed) return Result.Err(ErrorKind.NOT_FOUND, $"event '{Id}' does not exist");

        var previous = _state.State.Definition;
        _state.State.Definition = definition;
        if (!await TryWriteDefinitionAsync())
        {
            _state.State.Definition = previous;
            return Result.Err(ErrorKind.REPOSITORY_ERROR, $"event '{Id}' could not be stored");
        }
        _jobs.Configure(RulesOf(definition)); // a higher max_concurrency may start queued jobs now
        if (!await TryListAsync(definition))
            return Result.Err(ErrorKind.REPOSITORY_ERROR, $"event '{Id}' was stored but could not be listed; save it again");
        return Result.Ok();
    }

    /// <inheritdoc />
    public Task<Result<Event>> GetAsync() =>
        Task.FromResult(Definition is { } def ? Result<Event>.Ok(def) : NotFound<Event>());

    /// <inheritdoc />
    public async Task<Result> RemoveAsync()
    {
        if (Definition is null) return Result.Err(ErrorKind.NOT_FOUND, $"event '{Id}' does not exist");
        _removing = true; // from here on emits see NOT_FOUND, even while we await below
        try
        {
            foreach (var triggerId in _state.State.Subscriptions.Keys.ToList())
                await GrainFactory.GetGrain<ITriggerGrain>(triggerId).UnsubscribeAsync(Id);
            await _catalog.RemoveAsync(CatalogKeys.Events, Id.Value);
            var now = _clock.GetUtcNow();
            _jobs.Clear(new JobOutcome(JobStatus.CANCELLED, now, now, new AppError(ErrorKind.CANCELLED, "the event was removed")));
            try
            {
                await _jobStore.ClearAsync(Id, _owner);
            }
            catch (JobOwnershipLostException)
            {
                // Another activation owns the event now: this one goes, and the removal is the caller's to repeat there.
                OnFenced();
                return Result.Err(ErrorKind.REPOSITORY_ERROR, $"event '{Id}' moved to another activation during its removal; remove it again");
            }
            await _state.ClearStateAsync();
            await _lastOutcome.ClearAsync();
            await _history.ClearAsync(Id);
            _state.State = new EventState();
            return Result.Ok();
        }
        finally
        {
            _removing = false;
        }
    }

    /// <inheritdoc />
    public async Task<Result> SetActiveAsync(bool active)
    {
        if (Definition is not { } def) return Result.Err(ErrorKind.NOT_FOUND, $"event '{Id}' does not exist");
        if (def.Active == active) return Result.Ok();
        _state.State.Definition = def with { Active = active };
        if (await TryWriteDefinitionAsync())
        {
            // Fires taken ahead whose instant has not come would have been skipped at it (FireLead, record 0011).
            if (!active) _cancels.CancelAhead(null, $"event '{Id}' was deactivated before the fire's scheduled instant");
            return await TryListAsync(_state.State.Definition)
                ? Result.Ok()
                : Result.Err(ErrorKind.REPOSITORY_ERROR, $"event '{Id}' was stored but its listing could not be updated; set it again");
        }
        _state.State.Definition = def;
        return Result.Err(ErrorKind.REPOSITORY_ERROR, $"event '{Id}' could not be stored");
    }

    /// <inheritdoc />
    public async Task<Result<SubscriptionId>> AttachAsync(Trigger trigger)
    {
        var check = DefinitionValidator.Validate(trigger);
        if (check.IsErr) return Result<SubscriptionId>.Err(check.Error);
        if (Definition is null) return NotFound<SubscriptionId>();
        var subscriptionId = SubscriptionId.For(Id, trigger.Id);
        if (_state.State.Subscriptions.TryGetValue(trigger.Id.Value, out var attached))
        {
            // The stored copy carries the anchor the trigger grain gave it; an attach without one means "the same".
            return attached == trigger with { Anchor = trigger.Anchor ?? attached.Anchor }
                ? subscriptionId
                : Result<SubscriptionId>.Err(ErrorKind.CONFLICT, $"trigger '{trigger.Id}' is already attached to '{Id}' with another definition; detach it first");
        }
        var triggerGrain = GrainFactory.GetGrain<ITriggerGrain>(trigger.Id.Value);
        var subscribed = await triggerGrain.SubscribeAsync(trigger, Id);
        if (subscribed.IsErr) return Result<SubscriptionId>.Err(subscribed.Error);
        _state.State.Subscriptions[trigger.Id.Value] = subscribed.Unwrap();
        // An existing trigger may be paused; asked here, since the trigger cannot call back into this turn.
        if ((await triggerGrain.StatusAsync()) is { IsOk: true } status && status.Unwrap().Paused) _state.State.PausedTriggers.Add(trigger.Id.Value);
        if (await TryWriteDefinitionAsync()) return subscriptionId;
        _state.State.PausedTriggers.Remove(trigger.Id.Value);
        _state.State.Subscriptions.Remove(trigger.Id.Value);
        await GrainFactory.GetGrain<ITriggerGrain>(trigger.Id.Value).UnsubscribeAsync(Id);
        return Result<SubscriptionId>.Err(ErrorKind.REPOSITORY_ERROR, $"the subscription of '{Id}' to '{trigger.Id}' could not be stored");
    }

    /// <inheritdoc />
    public async Task<Result<bool>> SetUpAsync(Event definition, List<Trigger> triggers)
    {
        // The batch was checked as a whole by the silo's BulkSetupGrain; only the key is this grain's to check.
        if (definition.Id != Id) return Result<bool>.Err(ErrorKind.VALIDATION, $"event id '{definition.Id}' does not match the grain '{Id}'");
        var previous = _state.State.Definition;
        _state.State.Definition = definition;
        var subscribed = await SubscribeAllAsync(triggers);
        // One write for the definition and every new subscription (a save and attaches one by one write once each).
        if (!await TryWriteDefinitionAsync())
        {
            _state.State.Definition = previous;
            foreach (var added in subscribed.Added)
            {
                _state.State.Subscriptions.Remove(added.Value);
                _state.State.PausedTriggers.Remove(added.Value);
                await GrainFactory.GetGrain<ITriggerGrain>(added.Value).UnsubscribeAsync(Id);
            }
            return Result<bool>.Err(ErrorKind.REPOSITORY_ERROR, $"event '{Id}' could not be stored");
        }
        _jobs.Configure(RulesOf(definition));
        if (!await TryListAsync(definition))
            return Result<bool>.Err(ErrorKind.REPOSITORY_ERROR, $"event '{Id}' was stored but could not be listed; set it up again");
        if (subscribed.Error is { } error) return Result<bool>.Err(error);
        // Nothing to run and no trigger due before its wake-up: a fire or a call brings the event back, so a large
        // set-up does not hold an activation per event until Orleans collects idle ones.
        var resting = subscribed.AllRest && _jobs.Count == 0;
        if (resting) SetupRest.Arm(this, ref _restTimer, () => _jobs.Count == 0 && !_removing, DeactivateOnIdle);
        return resting;
    }

    // Subscribes the triggers not attached yet, side by side; the state records each one that took.
    private async Task<(List<TriggerId> Added, bool AllRest, AppError? Error)> SubscribeAllAsync(List<Trigger> triggers)
    {
        var added = new List<TriggerId>();
        var allRest = true;
        AppError? error = null;
        var pending = new List<(Trigger Trigger, Task<Result<SubscribedTrigger>> Call)>(triggers.Count);
        foreach (var trigger in triggers)
        {
            if (_state.State.Subscriptions.TryGetValue(trigger.Id.Value, out var attached))
            {
                // As AttachAsync: the same trigger again is a no-op; another definition under its id is a conflict.
                if (attached != trigger with { Anchor = trigger.Anchor ?? attached.Anchor })
                    error ??= new AppError(ErrorKind.CONFLICT, $"trigger '{trigger.Id}' is already attached to '{Id}' with another definition; detach it first");
                allRest = false; // its grain's state is not known here
                continue;
            }
            pending.Add((trigger, GrainFactory.GetGrain<ITriggerSetupGrain>(trigger.Id.Value).SubscribeForSetupAsync(trigger, Id)));
        }
        foreach (var (trigger, call) in pending)
        {
            Result<SubscribedTrigger> result;
            try
            {
                result = await call;
            }
            catch (Exception ex) when (ex is TimeoutException or OrleansException)
            {
                result = Result<SubscribedTrigger>.Err(ErrorKind.REPOSITORY_ERROR, $"trigger '{trigger.Id}' did not answer ({ex.Message}); set the event up again");
            }
            if (result.IsErr)
            {
                error ??= result.Error;
                continue;
            }
            var sub = result.Unwrap();
            _state.State.Subscriptions[trigger.Id.Value] = sub.Trigger;
            if (sub.Paused) _state.State.PausedTriggers.Add(trigger.Id.Value);
            allRest &= sub.Resting;
            added.Add(trigger.Id);
        }
        return (added, allRest, error);
    }

    /// <inheritdoc />
    public async Task<Result> DetachAsync(TriggerId triggerId)
    {
        if (Definition is null) return Result.Err(ErrorKind.NOT_FOUND, $"event '{Id}' does not exist");
        if (!_state.State.Subscriptions.Remove(triggerId.Value, out var trigger))
            return Result.Err(ErrorKind.NOT_FOUND, $"trigger '{triggerId}' is not attached to '{Id}'");
        var wasPaused = _state.State.PausedTriggers.Remove(triggerId.Value);
        if (!await TryWriteDefinitionAsync())
        {
            if (wasPaused) _state.State.PausedTriggers.Add(triggerId.Value);
            _state.State.Subscriptions[triggerId.Value] = trigger;
            return Result.Err(ErrorKind.REPOSITORY_ERROR, $"the detach of '{triggerId}' from '{Id}' could not be stored");
        }
        await GrainFactory.GetGrain<ITriggerGrain>(triggerId.Value).UnsubscribeAsync(Id);
        return Result.Ok();
    }

    /// <inheritdoc />
    public Task<Result<List<TriggerSubscription>>> ListSubscriptionsAsync()
    {
        if (Definition is null) return Task.FromResult(NotFound<List<TriggerSubscription>>());
        var list = _state.State.Subscriptions.Values
            .OrderBy(t => t.Id.Value, StringComparer.Ordinal)
            .Select(t => new TriggerSubscription(SubscriptionId.For(Id, t.Id), Id, t))
            .ToList();
        return Task.FromResult(Result<List<TriggerSubscription>>.Ok(list));
    }

    /// <inheritdoc />
    public Task<Result<string>> EmitAsync(string payloadJson, EmitOptions? options) =>
        Defined() is { } def ? _intake.EmitAsync(def, _state.State, payloadJson, options) : Task.FromResult(NotFound<string>());

    /// <inheritdoc />
    public Task FireAsync(string payloadJson, EmitOptions options)
    {
        if (Defined() is { } def) _intake.Fire(def, _state.State, payloadJson, options);
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task<Result<JobOutcome>> TestRunAsync(string payloadJson, EmitOptions? options, CancellationToken cancellationToken = default) =>
        Defined() is { } def ? _intake.TestRunAsync(def, _state.State, payloadJson, options, cancellationToken) : Task.FromResult(NotFound<JobOutcome>());

    /// <inheritdoc />
    public Task<BackfillTally> BackfillAsync(TriggerId triggerId, List<DateTimeOffset> instants) =>
        _backfill.RunAsync(triggerId, instants, () => BackfillRefusal(triggerId), () => (Definition!, _state.State));

    // Why this event takes no backfilled fire of the trigger now, or null when it takes them.
    private string? BackfillRefusal(TriggerId triggerId)
    {
        if (Definition is not { } def) return $"event '{Id}' does not exist";
        if (!def.Active) return $"event '{Id}' is inactive";
        return _state.State.Subscriptions.ContainsKey(triggerId.Value) ? null : $"trigger '{triggerId}' is not attached to '{Id}'";
    }

    // The event for an emit, fire or test run; an undefined one with no jobs left need not stay in memory.
    private Event? Defined()
    {
        if (Definition is { } def) return def;
        if (_jobs.Count == 0 && _state.State.Definition is null) DeactivateOnIdle();
        return null;
    }

    /// <inheritdoc />
    public Task CompleteAsync(List<JobCompletion> completions)
    {
        // One write for the batch: its outcomes, and the delivery marks of the queued jobs their slots start
        // (docs/adr/0006-group-commit-of-job-writes.md).
        using (_writes.Hold())
        {
            foreach (var (jobId, outcome) in completions)
            {
                if (!_jobs.Complete(jobId, outcome)) _logger.UnknownCompletion(Id.Value, jobId);
            }
        }
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public async Task WakeAsync()
    {
        // A new activation has just loaded every stored job. An older one checks the store for jobs it does not
        // know: a duplicate activation during a membership change may have accepted them (it deactivates on its
        // first conflicting state write), and nobody else would ever run them.
        if (!_store.OutlivesProcess || Definition is null || _adopting || _fenced) return;
        if (await _jobStore.CountAsync(Id) <= _jobs.Count) return;
        _adopting = true;
        _jobs.BeginAdoption();
        IReadOnlyList<QueuedJob> stored = [];
        try
        {
            stored = await _jobStore.LoadAsync(Id);
        }
        finally
        {
            _adopting = false;
            var adopted = Definition is null ? _jobs.Adopt([]) : _jobs.Adopt(stored);
            if (adopted > 0) _logger.Adopted(Id.Value, adopted);
        }
    }

    /// <inheritdoc />
    public Task<Result> CancelJobAsync(string jobId) =>
        Definition is null ? Task.FromResult(Result.Err(ErrorKind.NOT_FOUND, $"event '{Id}' does not exist")) : _cancels.CancelAsync(jobId);

    /// <inheritdoc />
    public Task<Result<List<InFlightJob>>> JobsAsync(int limit)
    {
        if (Definition is null) return Task.FromResult(NotFound<List<InFlightJob>>());
        if (InFlightJob.ValidateLimit(limit) is { IsErr: true } bad) return Task.FromResult(Result<List<InFlightJob>>.Err(bad.Error));
        // The attempt lives in this silo's worker pool, which runs every job this activation dispatched.
        return Task.FromResult(Result<List<InFlightJob>>.Ok(_jobs.InFlight(limit, jobId => _runner.AttemptOf(Id, jobId))));
    }

    /// <inheritdoc />
    public Task<Result<int>> CancelWaitingAsync() => Definition is null ? Task.FromResult(NotFound<int>()) : _cancels.CancelWaitingAsync();

    /// <inheritdoc />
    public Task<Result<List<FailedJob>>> FailedJobsAsync(int limit) =>
        Definition is null ? Task.FromResult(NotFound<List<FailedJob>>()) : _failed.ListAsync(limit);

    /// <inheritdoc />
    public Task<Result<int>> RequeueFailedAsync(List<string>? jobIds) =>
        Definition is null ? Task.FromResult(NotFound<int>()) : _failed.RequeueAsync(jobIds, () => Definition is null);

    /// <inheritdoc />
    public Task<Result<int>> DiscardFailedAsync(List<string>? jobIds) =>
        Definition is null ? Task.FromResult(NotFound<int>()) : _failed.DiscardAsync(jobIds);

    /// <inheritdoc />
    public async Task TriggerPausedAsync(TriggerId triggerId, bool paused)
    {
        if (Definition is null || !_state.State.Subscriptions.ContainsKey(triggerId.Value)) return;
        var pausedTriggers = _state.State.PausedTriggers;
        if (!(paused ? pausedTriggers.Add(triggerId.Value) : pausedTriggers.Remove(triggerId.Value))) return;
        if (!await TryWriteDefinitionAsync()) throw new InvalidOperationException($"event '{Id}' could not store the pause of trigger '{triggerId}'");
        // A paused trigger fires nothing: its fires taken ahead whose instant has not come do not run (record 0011).
        if (paused) _cancels.CancelAhead(triggerId, $"trigger '{triggerId}' was paused before the fire's scheduled instant");
    }

    /// <inheritdoc />
    public async Task<Result<EventRuntimeStatus>> StatusAsync()
    {
        if (Definition is not { } def) return NotFound<EventRuntimeStatus>();
        var last = _jobs.LastOutcome ?? _lastOutcome.Stored;
        var (waiting, active) = (_jobs.Waiting, _jobs.Active);
        var next = await EventNextRun.EarliestAsync(_state.State, _clock.GetUtcNow(), GrainFactory, (ex, trigger) => _logger.TriggerStatusFailed(ex, Id.Value, trigger.Value));
        // Abandoned runs as this silo counts them: the event's jobs run on the silo of its activation.
        return Result<EventRuntimeStatus>.Ok(new EventRuntimeStatus(def.Active, waiting, active, last, next, _abandoned.Of(Id)));
    }

    /// <inheritdoc />
    public async Task<Result<List<JobRecord>>> HistoryAsync(int limit)
    {
        if (Definition is null) return NotFound<List<JobRecord>>();
        limit = Math.Min(limit, _options.HistorySize);
        if (limit <= 0) return Result<List<JobRecord>>.Ok([]);
        IReadOnlyList<JobRecord> stored;
        try
        {
            stored = await _history.LoadAsync(Id, limit);
        }
        catch (Exception ex)
        {
            // A store exception (a Redis timeout during a failover, say) is an answer, not a crash: the caller's
            // side may not even know the exception's type.
            _logger.HistoryReadFailed(ex, Id.Value);
            return Result<List<JobRecord>>.Err(ErrorKind.REPOSITORY_ERROR, $"the history of '{Id}' could not be read ({ex.Message})");
        }
        return _jobs.History(stored, limit);
    }

    Task IJobEffects.Append(QueuedJob job) => _writes.Append(job);

    void IJobEffects.Mark(IReadOnlyList<QueuedJob> jobs) => _ = _writes.Mark(jobs);

    void IJobEffects.End(JobRecord record)
    {
        _ = _writes.End(record);
        _lastOutcome.JobEnded();
    }

    // To this silo's worker pool, which starts the job off the grain's turn (no grain message: the pool is a silo
    // service, docs/adr/0009-handlers-on-a-silo-local-job-runner.md); the outcome comes back through CompleteAsync.
    void IJobEffects.Dispatch(QueuedJob job)
    {
        if (Definition is not { } def) return;
        var policy = def.EffectivePolicy;
        _runner.Start(new JobRequest(Id, job.JobId, def.HandlerName, policy, job.PayloadJson, job.TriggerId, job.CorrelationId,
            job.EnqueuedAt, job.ScheduledAt, job.Deliveries, job.TraceParent, job.IsBackfill));
        // Keep the activation until the job can have reported (a deactivation would only cost a reload); renewed
        // when half spent, not per job.
        var now = _clock.GetUtcNow();
        if (now + MaxJobTime(policy) / 2 > _keptAliveUntil)
        {
            DelayDeactivation(MaxJobTime(policy));
            _keptAliveUntil = now + MaxJobTime(policy);
        }
    }

    void IJobEffects.StopRun(QueuedJob job)
    {
        if (!_runner.Cancel(Id, job.JobId)) _logger.CancelNotHeld(Id.Value, job.JobId);
    }

    void IJobEffects.Deduplicated(QueuedJob job, string heldBy) => _intake.Deduplicated(job, heldBy);

    void IJobEffects.Enqueued(QueuedJob job) => _metrics.Increment(MetricNames.JobsEnqueued, Id);

    void IJobEffects.Ended(QueuedJob job, JobOutcome outcome)
    {
        if (_removing) _metrics.Finished(Id, outcome); // cancelled by the removal: counted here, never ran
        _intake.Ended(job, outcome);
    }

    // One timer per event, armed only while jobs wait for the rate limit.
    void IJobEffects.ArmRateTimer(TimeSpan due) => Arm(ref _rateTimer, due, static jobs => jobs.Pump());

    // Silent before: a write that kept failing left its jobs queued with nothing in the log.
    void IJobEffects.WriteFailed(Exception failure)
    {
        if (failure is JobOwnershipLostException) OnFenced();
        else _logger.JobWriteFailed(failure, Id.Value);
    }

    // A fenced activation writes nothing more: a retry would be refused again.
    void IJobEffects.ArmRetryTimer(TimeSpan due)
    {
        if (!_fenced) Arm(ref _retryTimer, due, static jobs => jobs.RetryWrites());
    }

    // Another activation took the event's jobs over: this one is stale. It starts nothing more (starts are held, and a
    // start needs a stored delivery mark, which the store refuses) and goes; what it had started may still be running,
    // and the new owner delivers those again, flagged as redeliveries.
    private void OnFenced()
    {
        if (_fenced) return;
        _fenced = true;
        _logger.Fenced(Id.Value);
        DeactivateOnIdle();
    }

    private void Arm(ref IGrainTimer? timer, TimeSpan due, Action<EventJobs> tick)
    {
        if (timer is null)
            timer = this.RegisterGrainTimer(static (state, _) => { state.Tick(state.Jobs); return Task.CompletedTask; }, (Jobs: _jobs, Tick: tick),
                new GrainTimerCreationOptions(due, Timeout.InfiniteTimeSpan));
        else
            timer.Change(due, Timeout.InfiniteTimeSpan);
    }

    private JobRules RulesOf(Event def)
    {
        var policy = def.EffectivePolicy;
        return new JobRules(policy.MaxConcurrency, policy.RateLimitPerSec, _options.QueueMaxSize);
    }

    private TimeSpan MaxJobTime(Policy policy)
    {
        if (policy.Timeout is not { } timeout) return TimeSpan.FromDays(1);
        var attempts = policy.MaxRetries + 1;
        return (timeout + _options.BackoffCap) * attempts + TimeSpan.FromMinutes(5);
    }

    private async Task<bool> TryWriteDefinitionAsync()
    {
        try
        {
            await _definitionWrites.WriteAsync();
            return true;
        }
        catch (Exception ex)
        {
            OnWriteFailed(ex);
            return false;
        }
    }

    // A version conflict that is not this activation's own unanswered write means another activation of this event
    // wrote its state: this one is stale (a duplicate left by a membership change) and goes; its stored jobs are
    // adopted by the live one (see WakeAsync).
    private void OnWriteFailed(Exception ex)
    {
        if (ex is Orleans.Storage.InconsistentStateException)
        {
            _logger.Stale(ex, Id.Value);
            DeactivateOnIdle();
            return;
        }
        _logger.WriteFailed(ex, Id.Value);
    }

    // The listing holds each definition's JSON, so 100,000 events list without activating a grain each.
    private async Task<bool> TryListAsync(Event definition)
    {
        try
        {
            await _catalog.PutAsync(CatalogKeys.Events, Id.Value, System.Text.Json.JsonSerializer.Serialize(definition, ConvoJson.Options));
            return true;
        }
        catch (Exception ex)
        {
            _logger.WriteFailed(ex, Id.Value);
            return false;
        }
    }

    private Result<T> NotFound<T>() => Result<T>.Err(ErrorKind.NOT_FOUND, $"event '{Id}' does not exist");
}
