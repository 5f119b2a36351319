using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.ConvoOrchestrator.Grains;
using Orleans.ConvoOrchestrator.Runtime.Jobs;
using Orleans.ConvoOrchestrator.Runtime.Triggers;
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
/// </summary>
public sealed partial class EventGrain : Grain, IEventGrain, IEventJobsGrain, IJobEffects
{
    private readonly IPersistentState<EventState> _state;
    private readonly IPersistentState<OutcomeState> _outcomes;
    private readonly VersionedState<EventState> _definitionWrites;
    private readonly VersionedState<OutcomeState> _outcomeWrites;
    private readonly MetricsCollector _metrics;
    private readonly ConvoOrchestratorOptions _options;
    private readonly TimeProvider _clock;
    private readonly ILogger<EventGrain> _logger;
    private readonly SiloStopping _stopping;
    private readonly StoreCapabilities _store;
    private readonly IJobStore _jobStore;
    private readonly IHistoryStore _history;
    private readonly ICatalogStore _catalog;
    private readonly JobRunner _runner;
    private readonly JobWriteBatcher _writes;
    private readonly EventJobs _jobs;
    private readonly Dictionary<string, TaskCompletionSource<JobOutcome>> _waiters = new(StringComparer.Ordinal);
    // Jobs the store refused for their idempotency key, and the job holding it: read (and removed) by their emit.
    private readonly Dictionary<string, string> _deduplicated = new(StringComparer.Ordinal);
    private long _seq;
    private bool _removing;
    private bool _adopting;
    private bool _outcomeDirty;
    private bool _outcomeWriteArmed;
    private DateTimeOffset _keptAliveUntil;
    private IGrainTimer? _outcomeTimer;
    private IGrainTimer? _rateTimer;
    private IGrainTimer? _retryTimer;

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
        ILogger<EventGrain> logger)
    {
        Id = new EventId(this.GetPrimaryKeyString());
        _state = state;
        _outcomes = outcomes;
        _definitionWrites = new VersionedState<EventState>(state,
            s => new EventState { Definition = s.Definition, Subscriptions = new(s.Subscriptions, StringComparer.Ordinal) },
            (a, b) => a.Definition == b.Definition && a.Subscriptions.Count == b.Subscriptions.Count
                && a.Subscriptions.All(kv => b.Subscriptions.TryGetValue(kv.Key, out var t) && t == kv.Value));
        _outcomeWrites = new VersionedState<OutcomeState>(outcomes,
            s => new OutcomeState { LastOutcome = s.LastOutcome }, (a, b) => a.LastOutcome == b.LastOutcome);
        _metrics = metrics;
        _options = options.Value;
        _clock = clock;
        _stopping = stopping;
        _store = store;
        _jobStore = jobStore;
        _history = history;
        _catalog = catalog;
        _runner = runner;
        _logger = logger;
        _jobs = new EventJobs(this, clock, () => stopping.IsStopping);
        _writes = new JobWriteBatcher(jobStore, Id, _options.HistorySize, _jobs);
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
            stored = await _jobStore.LoadAsync(Id);
        }
        catch (Exception ex)
        {
            // Without its jobs the grain must not start: failing activation makes the caller retry later.
            LogLoadFailed(ex, Id.Value);
            throw;
        }
        if (_state.State.Definition is not { } def)
        {
            if (stored.Count > 0) await _jobStore.ClearAsync(Id); // jobs of a removed event
            return;
        }
        _jobs.Configure(RulesOf(def));
        if (stored.Count == 0) return;
        // A job still in this silo's pool (the grain was deactivated, not lost) will report: it is not delivered twice.
        _seq = _jobs.Recover(stored, jobId => _runner.Holds(Id, jobId));
        LogRecovered(Id.Value, _jobs.Waiting, _jobs.Active);
    }

    /// <inheritdoc />
    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        var shuttingDown = reason.ReasonCode == DeactivationReasonCode.ShuttingDown;
        // A memory store may already be gone on silo shutdown; a durable one is written to the end.
        if (!shuttingDown || _store.OutlivesProcess) await WriteOutcomeIfDirtyAsync();
        try
        {
            if (_jobs.Count == 0) await _jobStore.ForgetIfEmptyAsync(Id);
            // Stored jobs left: wake a new activation to run them (on another silo when this one is stopping).
            else if (!shuttingDown && _state.State.Definition is not null) _ = GrainFactory.GetGrain<IEventJobsGrain>(Id.Value).WakeAsync();
        }
        catch (Exception ex)
        {
            LogWriteFailed(ex, Id.Value);
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
            await _jobStore.ClearAsync(Id);
            await _state.ClearStateAsync();
            await _outcomes.ClearStateAsync();
            await _history.ClearAsync(Id);
            _state.State = new EventState();
            _outcomes.State = new OutcomeState();
            _outcomeDirty = false;
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
    public Task<Result<string>> EmitAsync(string payloadJson, EmitOptions? options)
    {
        var accepted = Accept(payloadJson, options, requireActive: true);
        if (accepted.IsErr) return Task.FromResult(Result<string>.Err(accepted.Error));
        var (job, stored) = accepted.Unwrap();
        // The memory store answers synchronously: no await, no allocation on the hot path.
        return stored.IsCompletedSuccessfully ? Task.FromResult(Result<string>.Ok(AnswerFor(job))) : AwaitStoredAsync(job, stored);
    }

    /// <inheritdoc />
    public Task FireAsync(string payloadJson, EmitOptions options)
    {
        if (Accept(payloadJson, options, requireActive: true) is { IsOk: true } accepted)
        {
            var (job, stored) = accepted.Unwrap();
            if (stored.IsCompleted) AnswerFor(job);
            else _ = AwaitStoredAsync(job, stored);
        }
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public async Task<BackfillTally> BackfillAsync(TriggerId triggerId, List<DateTimeOffset> instants)
    {
        if (instants.Count == 0) return BackfillTally.None;
        if (Refusal(triggerId) is { } refused)
        {
            // Told to the caller, who asked; a SKIPPED record per instant would push the event's real history out.
            LogBackfillRefused(Id.Value, triggerId.Value, instants.Count, refused);
            return BackfillTally.AllRefused(instants.Count);
        }
        var keys = instants.Select(i => BackfillKeys.For(triggerId, i)).ToList();
        IReadOnlyDictionary<string, string> held;
        try
        {
            held = await _jobStore.HeldKeysAsync(Id, keys, _clock.GetUtcNow());
        }
        catch (Exception ex)
        {
            LogBackfillKeysUnreadable(ex, Id.Value, triggerId.Value, instants.Count);
            return BackfillTally.AllRefused(instants.Count);
        }
        // Looked at again: the event may have been paused, removed or detached while the store answered.
        if (Refusal(triggerId) is { } late)
        {
            LogBackfillRefused(Id.Value, triggerId.Value, instants.Count, late);
            return BackfillTally.AllRefused(instants.Count);
        }
        var (skipped, already, refusedCount) = (0, 0, 0);
        var accepted = new List<(QueuedJob Job, Task Stored)>(instants.Count);
        // One synchronous pass, oldest first: the jobs take their places in the queue in the instants' order.
        for (var i = 0; i < instants.Count; i++)
        {
            // Already queued by an earlier backfill: not run again, and not judged by the overlap policy either.
            if (held.ContainsKey(keys[i]))
            {
                already++;
                continue;
            }
            var options = new EmitOptions(TriggerId: triggerId, ScheduledAt: instants[i], IdempotencyKey: keys[i]);
            var result = Accept("null", options, requireActive: true, backfill: true);
            if (result.IsOk) accepted.Add(result.Unwrap());
            else if (result.Error.Kind == ErrorKind.CONFLICT) skipped++; // the overlap policy; recorded SKIPPED like a live fire
            else refusedCount++;
        }
        if (already > 0) _metrics.Increment(MetricNames.JobsDeduplicated, Id, already);
        var queued = 0;
        foreach (var (job, stored) in accepted)
        {
            var answer = await AwaitStoredAsync(job, stored);
            if (answer.IsErr) refusedCount++;
            else if (answer.Unwrap() != job.JobId) already++; // a concurrent backfill took the key first
            else queued++;
        }
        return new BackfillTally(queued, skipped, already, refusedCount);
    }

    // Why this event takes no backfilled fire of the trigger now, or null when it takes them.
    private string? Refusal(TriggerId triggerId)
    {
        if (Definition is not { } def) return $"event '{Id}' does not exist";
        if (!def.Active) return $"event '{Id}' is inactive";
        return _state.State.Subscriptions.ContainsKey(triggerId.Value) ? null : $"trigger '{triggerId}' is not attached to '{Id}'";
    }

    // The id an emit answers once its job's write is stored: its own, or that of the job holding its idempotency key.
    private string AnswerFor(QueuedJob job) =>
        job.IdempotencyKey is not null && _deduplicated.Remove(job.JobId, out var heldBy) ? heldBy : job.JobId;

    /// <inheritdoc />
    public async Task<Result<JobOutcome>> TestRunAsync(string payloadJson, EmitOptions? options)
    {
        // A test run is never deduplicated: it waits for its own outcome.
        var accepted = Accept(payloadJson, options is null ? null : options with { IdempotencyKey = null }, requireActive: false, waitForOutcome: true);
        if (accepted.IsErr) return Result<JobOutcome>.Err(accepted.Error);
        var (job, stored) = accepted.Unwrap();
        if (!_waiters.TryGetValue(job.JobId, out var waiter)) return Result<JobOutcome>.Err(ErrorKind.UNKNOWN, "the job ended before it could be awaited");
        var result = await AwaitStoredAsync(job, stored);
        if (result.IsErr)
        {
            _waiters.Remove(job.JobId);
            return Result<JobOutcome>.Err(result.Error);
        }
        return await waiter.Task;
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
                if (!_jobs.Complete(jobId, outcome)) LogUnknownCompletion(Id.Value, jobId);
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
        if (!_store.OutlivesProcess || Definition is null || _adopting) return;
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
            if (adopted > 0) LogAdopted(Id.Value, adopted);
        }
    }

    /// <inheritdoc />
    public async Task<Result> CancelJobAsync(string jobId)
    {
        if (Definition is null) return Result.Err(ErrorKind.NOT_FOUND, $"event '{Id}' does not exist");
        var waiting = _jobs.StateOf(jobId) is { } known && EventJobs.IsWaiting(known);
        if (CancelCounted(jobId, waiting ? "cancelled before it started" : "cancelled by an operator while it ran", out var state) is not { } end)
        {
            return state switch
            {
                null => Result.Err(ErrorKind.NOT_FOUND, $"job '{jobId}' of event '{Id}' is not waiting or running (unknown, or already ended)"),
                JobState.Cancelling => Result.Err(ErrorKind.CONFLICT, $"job '{jobId}' of event '{Id}' is already being cancelled"),
                _ => Result.Err(ErrorKind.CONFLICT, $"job '{jobId}' of event '{Id}' has already ended"),
            };
        }
        return await CancelStoredAsync([end], 1) is { IsErr: true } failed ? Result.Err(failed.Error) : Result.Ok();
    }

    /// <inheritdoc />
    public async Task<Result<int>> CancelWaitingAsync()
    {
        if (Definition is null) return NotFound<int>();
        var cancelled = CancelledByOperator("cancelled before it started");
        var ends = _jobs.CancelAllWaiting(cancelled);
        foreach (var _ in ends) _metrics.Finished(Id, cancelled);
        return await CancelStoredAsync(ends, ends.Count);
    }

    /// <inheritdoc />
    public async Task<Result<List<FailedJob>>> FailedJobsAsync(int limit)
    {
        if (Definition is null) return NotFound<List<FailedJob>>();
        return (await _jobStore.LoadFailedAsync(Id, limit)).ToList();
    }

    /// <inheritdoc />
    public async Task<Result<int>> RequeueFailedAsync(List<string>? jobIds)
    {
        if (Definition is null) return NotFound<int>();
        var failed = await _jobStore.LoadFailedAsync(Id, int.MaxValue);
        var wanted = jobIds?.ToHashSet(StringComparer.Ordinal);
        // Oldest failure first, so they queue in the order they first failed; each keeps its id and its last delivery
        // count (its next run is a new delivery, ctx.Delivery says so).
        var now = _clock.GetUtcNow();
        var jobs = failed.Where(f => wanted is null || wanted.Contains(f.JobId)).Reverse()
            .Select(f => new QueuedJob(f.JobId, _seq++, f.PayloadJson, f.TriggerId, f.CorrelationId, now, f.ScheduledAt, Math.Max(1, f.Outcome.Delivery),
                IsBackfill: f.IsBackfill))
            .Where(j => _jobs.StateOf(j.JobId) is null)
            .ToList();
        if (Definition is null) return NotFound<int>();
        if (_options.QueueMaxSize is { } limit && _jobs.Waiting + jobs.Count > limit)
            return Result<int>.Err(ErrorKind.QUEUE_FULL, $"requeueing {jobs.Count} jobs would overfill the queue of event '{Id}' ({limit} jobs waiting at most)");
        IReadOnlyList<string> moved;
        try
        {
            moved = await _jobStore.RequeueFailedAsync(Id, jobs);
        }
        catch (Exception ex)
        {
            LogWriteFailed(ex, Id.Value);
            return Result<int>.Err(ErrorKind.REPOSITORY_ERROR, $"the failed jobs could not be requeued ({ex.Message}); nothing was, or requeue again");
        }
        var movedIds = moved.ToHashSet(StringComparer.Ordinal);
        var requeued = 0;
        foreach (var job in jobs)
        {
            if (movedIds.Contains(job.JobId) && _jobs.TryRequeue(job)) requeued++;
        }
        if (requeued > 0)
        {
            _metrics.Increment(MetricNames.JobsRequeued, Id, requeued);
            _jobs.Pump();
        }
        return requeued;
    }

    /// <inheritdoc />
    public async Task<Result<int>> DiscardFailedAsync(List<string>? jobIds)
    {
        if (Definition is null) return NotFound<int>();
        try
        {
            var discarded = await _jobStore.DiscardFailedAsync(Id, jobIds);
            if (discarded > 0) _metrics.Increment(MetricNames.JobsDiscarded, Id, discarded);
            return discarded;
        }
        catch (Exception ex)
        {
            LogWriteFailed(ex, Id.Value);
            return Result<int>.Err(ErrorKind.REPOSITORY_ERROR, $"the failed jobs could not be discarded ({ex.Message})");
        }
    }

    private JobOutcome CancelledByOperator(string why)
    {
        var now = _clock.GetUtcNow();
        return new JobOutcome(JobStatus.CANCELLED, now, now, new AppError(ErrorKind.CANCELLED, why));
    }

    // Cancels one job (see EventJobs.Cancel). A job that never ran is counted here; a running one's run counts its
    // own end (the worker pool's executor).
    private Task? CancelCounted(string jobId, string why, out JobState? state)
    {
        var cancelled = CancelledByOperator(why);
        var end = _jobs.Cancel(jobId, cancelled, out state);
        if (end is not null && state is { } before && EventJobs.IsWaiting(before)) _metrics.Finished(Id, cancelled);
        return end;
    }

    // The answer waits for the stored ends: an OK means the jobs are gone for good, even after a crash.
    private async Task<Result<int>> CancelStoredAsync(List<Task> ends, int count)
    {
        try
        {
            await Task.WhenAll(ends);
            return count;
        }
        catch (Exception ex)
        {
            LogWriteFailed(ex, Id.Value);
            return Result<int>.Err(ErrorKind.REPOSITORY_ERROR,
                $"cancelled, but not stored yet ({ex.Message}); the write is repeated, and until it lands a crash would run the jobs again");
        }
    }

    /// <inheritdoc />
    public async Task TriggerPausedAsync(TriggerId triggerId, bool paused)
    {
        if (Definition is null || !_state.State.Subscriptions.ContainsKey(triggerId.Value)) return;
        var pausedTriggers = _state.State.PausedTriggers;
        if (!(paused ? pausedTriggers.Add(triggerId.Value) : pausedTriggers.Remove(triggerId.Value))) return;
        if (!await TryWriteDefinitionAsync()) throw new InvalidOperationException($"event '{Id}' could not store the pause of trigger '{triggerId}'");
    }

    /// <inheritdoc />
    public async Task<Result<EventRuntimeStatus>> StatusAsync()
    {
        if (Definition is not { } def) return NotFound<EventRuntimeStatus>();
        var last = _jobs.LastOutcome ?? _outcomes.State.LastOutcome;
        var (waiting, active) = (_jobs.Waiting, _jobs.Active);
        return Result<EventRuntimeStatus>.Ok(new EventRuntimeStatus(def.Active, waiting, active, last, await NextRunAsync()));
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
            LogHistoryReadFailed(ex, Id.Value);
            return Result<List<JobRecord>>.Err(ErrorKind.REPOSITORY_ERROR, $"the history of '{Id}' could not be read ({ex.Message})");
        }
        // Ended jobs whose outcome write is still on its way are listed too, once (a write may land during the read).
        var all = new List<JobRecord>(stored);
        foreach (var record in _jobs.Unstored())
        {
            if (!stored.Any(r => r.JobId == record.JobId && r.Outcome.Delivery == record.Outcome.Delivery)) all.Add(record);
        }
        return Result<List<JobRecord>>.Ok(all.Skip(Math.Max(0, all.Count - limit)).Reverse().ToList());
    }

    Task IJobEffects.Append(QueuedJob job) => _writes.Append(job);

    void IJobEffects.Mark(IReadOnlyList<QueuedJob> jobs) => _ = _writes.Mark(jobs);

    void IJobEffects.End(JobRecord record)
    {
        _ = _writes.End(record);
        // The last outcome's state: written in batches (its version check is also what tells a stale duplicate
        // activation), or when the activation ends, as the store declares.
        if (_store.Progress == ProgressWrites.Periodically) ScheduleOutcomeWrite();
        else _outcomeDirty = true;
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
        if (!_runner.Cancel(Id, job.JobId)) LogCancelNotHeld(Id.Value, job.JobId);
    }

    void IJobEffects.Deduplicated(QueuedJob job, string heldBy)
    {
        _deduplicated[job.JobId] = heldBy;
        _metrics.Increment(MetricNames.JobsDeduplicated, Id);
    }

    void IJobEffects.Enqueued(QueuedJob job) => _metrics.Increment(MetricNames.JobsEnqueued, Id);

    void IJobEffects.Ended(QueuedJob job, JobOutcome outcome)
    {
        if (_removing) _metrics.Finished(Id, outcome); // cancelled by the removal: counted here, never ran
        if (_waiters.Remove(job.JobId, out var waiter)) waiter.TrySetResult(outcome);
    }

    // One timer per event, armed only while jobs wait for the rate limit.
    void IJobEffects.ArmRateTimer(TimeSpan due) => Arm(ref _rateTimer, due, static jobs => jobs.Pump());

    void IJobEffects.ArmRetryTimer(TimeSpan due) => Arm(ref _retryTimer, due, static jobs => jobs.RetryWrites());

    private void Arm(ref IGrainTimer? timer, TimeSpan due, Action<EventJobs> tick)
    {
        if (timer is null)
            timer = this.RegisterGrainTimer(static (state, _) => { state.Tick(state.Jobs); return Task.CompletedTask; }, (Jobs: _jobs, Tick: tick),
                new GrainTimerCreationOptions(due, Timeout.InfiniteTimeSpan));
        else
            timer.Change(due, Timeout.InfiniteTimeSpan);
    }

    private Result<(QueuedJob Job, Task Stored)> Accept(string payloadJson, EmitOptions? options, bool requireActive, bool waitForOutcome = false,
        bool backfill = false)
    {
        if (Definition is not { } def)
        {
            if (_jobs.Count == 0 && _state.State.Definition is null) DeactivateOnIdle();
            return NotFound<(QueuedJob, Task)>();
        }
        payloadJson = string.IsNullOrEmpty(payloadJson) ? "null" : payloadJson;
        var size = Encoding.UTF8.GetByteCount(payloadJson);
        if (size > _options.MaxPayloadBytes)
            return Reject(ErrorKind.VALIDATION, $"payload is {size} bytes; the limit is {_options.MaxPayloadBytes}");
        var now = _clock.GetUtcNow();
        var jobId = JobIds.Next();
        // Without a caller's correlation id the job's own id correlates its runs, logs and spans.
        var correlationId = options?.CorrelationId ?? jobId;
        if (requireActive && !def.Active)
        {
            // A trigger firing into a paused event leaves a trace: a SKIPPED outcome in the history.
            if (options?.TriggerId is not null) SkipFire(jobId, payloadJson, options, correlationId, now, ErrorKind.NOT_ACTIVE, $"event '{Id}' is inactive");
            return Reject(ErrorKind.NOT_ACTIVE, $"event '{Id}' is inactive");
        }
        if (options?.TriggerId is { } replacing && _state.State.Subscriptions.TryGetValue(replacing.Value, out var replacer)
            && replacer.Overlap == OverlapPolicy.CancelOther)
            CancelEarlierFires(replacing);
        if (options?.TriggerId is { } firedBy && _state.State.Subscriptions.TryGetValue(firedBy.Value, out var trigger)
            && _jobs.Overlaps(firedBy, trigger.Overlap))
        {
            var why = $"trigger '{firedBy}' has overlap policy {trigger.Overlap} and a job of an earlier fire is still {(trigger.Overlap == OverlapPolicy.Skip ? "queued or running" : "waiting")}";
            SkipFire(jobId, payloadJson, options, correlationId, now, ErrorKind.CONFLICT, why);
            return Reject(ErrorKind.CONFLICT, why);
        }
        var admission = _jobs.Admit();
        if (admission == Admission.QueueFull)
            return Reject(ErrorKind.QUEUE_FULL, $"the queue of event '{Id}' is full ({_options.QueueMaxSize} jobs waiting)");

        var key = waitForOutcome ? null : options?.IdempotencyKey ?? KeyFromPayload(def.EffectivePolicy, payloadJson);
        var traceParent = ConvoTracing.RecordEmit(Id, jobId, options?.TriggerId);
        // A backfilled instant's key is held longer than an emit's: a repeat weeks later still runs nothing twice.
        var window = backfill ? BackfillKeys.HoldFor(def.EffectivePolicy) : def.EffectivePolicy.IdempotencyWindow;
        var job = new QueuedJob(jobId, _seq++, payloadJson, options?.TriggerId, correlationId, now, options?.ScheduledAt,
            admission == Admission.StartNow ? 1 : 0, traceParent, key, key is null ? null : now + window, backfill);
        // Lateness is a live fire's; a backfilled one is as late as the operator chose.
        if (!backfill && options is { TriggerId: { } triggerId, ScheduledAt: { } scheduledAt })
            _metrics.Lateness(triggerId, Id, now - scheduledAt);
        if (waitForOutcome) _waiters[job.JobId] = new TaskCompletionSource<JobOutcome>(TaskCreationOptions.RunContinuationsAsynchronously);
        // Queued or dispatched by the table once the write lands: a job never runs before it is stored.
        return (job, _jobs.Accept(job, admission));
    }

    // The policy's key path read from the payload; a payload that cannot be read has no key (it was checked as JSON on
    // its way in, so only a path into something that is not an object ends here).
    private static string? KeyFromPayload(Policy policy, string payloadJson)
    {
        if (policy.IdempotencyKeyPath is not { } path || PayloadKeyPath.Parse(path, out _) is not { } names) return null;
        try
        {
            return PayloadKeyPath.Read(payloadJson, names);
        }
        catch (System.Text.Json.JsonException)
        {
            return null;
        }
    }

    // Overlap policy CancelOther: the earlier fires' jobs end CANCELLED (their ends are written like any cancel's; the
    // fire does not wait for them), and the new job queues behind the slots they free.
    private void CancelEarlierFires(TriggerId trigger)
    {
        var ids = _jobs.Unended(trigger);
        if (ids.Count == 0) return;
        var why = $"a newer fire of trigger '{trigger}' replaced it (overlap policy CancelOther)";
        foreach (var jobId in ids)
        {
            if (CancelCounted(jobId, why, out _) is { } end)
            {
                _ = end.ContinueWith(static (t, s) => ((EventGrain)s!).LogCancelNotStored(t.Exception!.GetBaseException()), this,
                    CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Current);
            }
        }
    }

    // A fire that runs nothing is recorded SKIPPED in the history and counted.
    private void SkipFire(string jobId, string payloadJson, EmitOptions options, string correlationId, DateTimeOffset now, ErrorKind kind, string why)
    {
        var skipped = new JobOutcome(JobStatus.SKIPPED, now, now, new AppError(kind, why));
        _metrics.Finished(Id, skipped);
        _jobs.Skip(new QueuedJob(jobId, _seq++, payloadJson, options.TriggerId, correlationId, now, options.ScheduledAt), skipped);
    }

    private Result<(QueuedJob, Task)> Reject(ErrorKind kind, string message)
    {
        _metrics.Rejected(Id, kind);
        return Result<(QueuedJob, Task)>.Err(kind, message);
    }

    private async Task<Result<string>> AwaitStoredAsync(QueuedJob job, Task stored)
    {
        try
        {
            await stored;
            return Result<string>.Ok(AnswerFor(job));
        }
        catch (Exception ex)
        {
            // The table has let the job go (its write's failure was reported to it).
            LogWriteFailed(ex, Id.Value);
            _metrics.Rejected(Id, ErrorKind.REPOSITORY_ERROR);
            return Result<string>.Err(ErrorKind.REPOSITORY_ERROR, $"the job could not be stored; it was not accepted ({ex.Message})");
        }
    }

    private JobRules RulesOf(Event def)
    {
        var policy = def.EffectivePolicy;
        return new JobRules(policy.MaxConcurrency, policy.RateLimitPerSec, _options.QueueMaxSize);
    }

    // The earliest next fire of the active triggers, from their definitions: schedules are pure functions of
    // them (anchor, interval, cron, jitter), so no trigger grain is asked, except those with calendars, which
    // live in other grains and change on their own.
    private async Task<DateTimeOffset?> NextRunAsync()
    {
        var now = _clock.GetUtcNow();
        DateTimeOffset? earliest = null;
        List<TriggerId>? withCalendars = null;
        foreach (var trigger in _state.State.Subscriptions.Values)
        {
            if (!trigger.Active || _state.State.PausedTriggers.Contains(trigger.Id.Value)) continue;
            if (trigger.HasCalendars)
            {
                (withCalendars ??= []).Add(trigger.Id);
                continue;
            }
            if (TriggerSchedule.NextFire(trigger, now) is not { } next) continue;
            if (earliest is null || next < earliest) earliest = next;
        }
        foreach (var id in withCalendars ?? [])
        {
            try
            {
                if ((await GrainFactory.GetGrain<ITriggerGrain>(id.Value).StatusAsync()) is { IsOk: true } status
                    && status.Unwrap().NextFire is { } next && (earliest is null || next < earliest)) earliest = next;
            }
            catch (Exception ex)
            {
                LogTriggerStatusFailed(ex, Id.Value, id.Value); // the status answers without that trigger's next fire
            }
        }
        return earliest;
    }

    private TimeSpan MaxJobTime(Policy policy)
    {
        if (policy.Timeout is not { } timeout) return TimeSpan.FromDays(1);
        var attempts = policy.MaxRetries + 1;
        return (timeout + _options.BackoffCap) * attempts + TimeSpan.FromMinutes(5);
    }

    // The last outcome's state: at most one write per HistoryWriteDelay, not one per job.
    private void ScheduleOutcomeWrite()
    {
        _outcomeDirty = true;
        if (_outcomeWriteArmed) return;
        _outcomeWriteArmed = true;
        var due = _options.HistoryWriteDelay;
        if (_outcomeTimer is null)
            _outcomeTimer = this.RegisterGrainTimer(WriteOutcomeAsync, new GrainTimerCreationOptions(due, Timeout.InfiniteTimeSpan));
        else
            _outcomeTimer.Change(due, Timeout.InfiniteTimeSpan);
    }

    private async Task WriteOutcomeAsync(CancellationToken ct)
    {
        _outcomeWriteArmed = false;
        // A stopping silo may already have lost a grain-based store (the memory store); writes from before stand.
        if (!_stopping.IsStopping) await WriteOutcomeIfDirtyAsync();
    }

    private async Task WriteOutcomeIfDirtyAsync()
    {
        if (!_outcomeDirty || _state.State.Definition is null || _jobs.LastOutcome is not { } last) return;
        _outcomeDirty = false;
        _outcomes.State.LastOutcome = last;
        try
        {
            await _outcomeWrites.WriteAsync();
        }
        catch (Exception ex)
        {
            _outcomeDirty = true;
            OnWriteFailed(ex);
            if (!_stopping.IsStopping && _store.Progress == ProgressWrites.Periodically) ScheduleOutcomeWrite(); // a stale activation is deactivating by now
        }
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
            LogStale(ex, Id.Value);
            DeactivateOnIdle();
            return;
        }
        LogWriteFailed(ex, Id.Value);
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
            LogWriteFailed(ex, Id.Value);
            return false;
        }
    }

    private Result<T> NotFound<T>() => Result<T>.Err(ErrorKind.NOT_FOUND, $"event '{Id}' does not exist");

    private void LogCancelNotStored(Exception ex) => LogWriteFailed(ex, Id.Value);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Event {EventId}: job {JobId} was cancelled after its handler had reported; its report is on its way")]
    private partial void LogCancelNotHeld(string eventId, string jobId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Event {EventId}: trigger {TriggerId} did not give its next fire; the next run leaves it out")]
    private partial void LogTriggerStatusFailed(Exception ex, string eventId, string triggerId);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Event {EventId}: outcome for unknown job {JobId} ignored")]
    private partial void LogUnknownCompletion(string eventId, string jobId);

    [LoggerMessage(Level = LogLevel.Error, Message = "Event {EventId}: loading its stored jobs failed")]
    private partial void LogLoadFailed(Exception ex, string eventId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Event {EventId}: resumed {Queued} stored jobs; {Running} still running on this silo")]
    private partial void LogRecovered(string eventId, int queued, int running);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Event {EventId}: adopted {Count} stored jobs that no activation was running")]
    private partial void LogAdopted(string eventId, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Event {EventId}: another activation wrote this event's state; this stale one deactivates")]
    private partial void LogStale(Exception ex, string eventId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Event {EventId}: reading its history failed")]
    private partial void LogHistoryReadFailed(Exception ex, string eventId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Event {EventId}: refused {Count} backfilled fire(s) of trigger {TriggerId}: {Reason}")]
    private partial void LogBackfillRefused(string eventId, string triggerId, int count, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Event {EventId}: reading which of {Count} backfilled fire(s) of trigger {TriggerId} it holds failed; they are refused, and a repeated backfill queues them")]
    private partial void LogBackfillKeysUnreadable(Exception ex, string eventId, string triggerId, int count);

    [LoggerMessage(Level = LogLevel.Error, Message = "Event {EventId}: state write failed")]
    private partial void LogWriteFailed(Exception ex, string eventId);
}
