using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.ConvoOrchestrator.Grains;
using Orleans.Runtime;

namespace Orleans.ConvoOrchestrator.Runtime.Grains;

/// <summary>
/// One event: definition, active flag, FIFO queue, concurrency, status, history and subscriptions.
/// Emit, complete and the reads are marked always-interleave, so the grain answers them even while a definition
/// change awaits storage or a trigger grain; it never awaits a handler. Every accepted job is in the
/// <see cref="IJobStore"/> before its emit answers, and a job's delivery count is stored before it is handed to a
/// handler; concurrent emits share one store write (<see cref="JobWriteBatcher"/>). A new activation (after a
/// deactivation or a lost silo) loads the stored jobs and runs them: jobs run at least once.
/// </summary>
public sealed partial class EventGrain : Grain, IEventGrain
{
    private readonly IPersistentState<EventState> _state;
    private readonly IPersistentState<OutcomeState> _outcomes;
    private readonly MetricsCollector _metrics;
    private readonly ConvoOrchestratorOptions _options;
    private readonly TimeProvider _clock;
    private readonly ILogger<EventGrain> _logger;
    private readonly SiloStopping _stopping;
    private readonly IJobStore _jobStore;
    private readonly IHistoryStore _history;
    private readonly ICatalogStore _catalog;
    private readonly JobRunner _runner;
    private readonly JobWriteBatcher _writes;
    private readonly LinkedList<QueuedJob> _queue = new();
    // Jobs whose delivery count is being stored: they hold a concurrency slot but are not handed over yet.
    private readonly Dictionary<string, QueuedJob> _starting = new(StringComparer.Ordinal);
    // Jobs admitted as they were accepted (in _starting, their delivery count stored with the append), write pending.
    private int _admittedAppending;
    private readonly List<QueuedJob> _admitted = [];
    private readonly Dictionary<string, QueuedJob> _running = new(StringComparer.Ordinal);
    // Ended jobs whose outcome is not stored yet: their job records go once it is, so a lost silo never loses an outcome.
    private List<string> _endedUnsaved = [];
    // Outcomes not yet appended to the history store, oldest first. A write moves them out and bumps the generation,
    // so a history read that overlapped the start of a write reads again; _historyAppend is the append in flight.
    private List<JobRecord> _unsavedHistory = [];
    private long _historyGeneration;
    private Task? _historyAppend;
    // Every job this activation answers for, from acceptance (or load) until its record is deleted: a stored job
    // outside this set was written by another activation (see WakeAsync). Kept with a durable store only: a memory
    // store has no other activation's jobs to find, and each new id in this long-lived set is a reference from an
    // old object to a young one, which the garbage collector rescans (its card) at every young collection.
    private readonly HashSet<string> _live = new(StringComparer.Ordinal);
    // The last outcome, as values in the grain rather than a reference to each new outcome object (the same card
    // rescan): copied into the persisted state when that is written.
    private CompactJobOutcome? _lastOutcome;
    // While WakeAsync reads the store: ids whose records were deleted meanwhile (absent from _live, yet maybe read).
    private HashSet<string>? _deletedDuringLoad;
    private long _seq;
    private IGrainTimer? _retryTimer;
    private readonly Dictionary<string, TaskCompletionSource<JobOutcome>> _waiters = new(StringComparer.Ordinal);
    private bool _removing;
    private bool _historyDirty;
    private bool _historyWriteArmed;
    private IGrainTimer? _historyTimer;
    private IGrainTimer? _rateTimer;
    private RateGate? _rateGate;

    /// <summary>Created by Orleans.</summary>
    public EventGrain(
        [PersistentState("event", ConvoOrchestratorOptions.StorageName)] IPersistentState<EventState> state,
        [PersistentState("outcomes", ConvoOrchestratorOptions.StorageName)] IPersistentState<OutcomeState> outcomes,
        MetricsCollector metrics,
        IOptions<ConvoOrchestratorOptions> options,
        [FromKeyedServices(ConvoServiceKeys.Clock)] TimeProvider clock,
        SiloStopping stopping,
        IJobStore jobStore,
        IHistoryStore history,
        ICatalogStore catalog,
        JobRunner runner,
        ILogger<EventGrain> logger)
    {
        _jobStore = jobStore;
        _history = history;
        _catalog = catalog;
        _runner = runner;
        Id = new EventId(this.GetPrimaryKeyString());
        _writes = new JobWriteBatcher(jobStore, Id, Stored, MarksFailed);
        _stopping = stopping;
        _state = state;
        _outcomes = outcomes;
        _metrics = metrics;
        _options = options.Value;
        _clock = clock;
        _logger = logger;
    }

    // Read once: the grain id's key is decoded into a new string on every GetPrimaryKeyString call.
    private EventId Id { get; }

    // Jobs this activation answers for: accepted and not stored yet, queued, being marked, or running.
    private int Pending => Waiting + _starting.Count + _running.Count;

    // This activation's last outcome, else the one stored by an activation before it.
    private JobOutcome? LastOutcome => _lastOutcome is { } last ? last.ToOutcome() : _outcomes.State.LastOutcome;

    // The queue's depth: queued jobs and accepted ones whose write is pending (unless admitted already). After a
    // failed append the batcher's count drops before the failed admitted jobs are let go, hence the floor.
    private int Waiting => _queue.Count + Math.Max(0, _writes.Appending - _admittedAppending);

    private Event? Definition => _removing ? null : _state.State.Definition;

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
        if (!await TryWriteAsync())
        {
            _state.State.Definition = previous;
            return Result.Err(ErrorKind.REPOSITORY_ERROR, $"event '{Id}' could not be stored");
        }
        if (!await TryListAsync(definition))
            return Result.Err(ErrorKind.REPOSITORY_ERROR, $"event '{Id}' was stored but could not be listed; save it again");
        Pump(); // a higher max_concurrency may admit queued jobs now
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
            CancelQueued("the event was removed");
            await _jobStore.ClearAsync(Id);
            await _state.ClearStateAsync();
            await _outcomes.ClearStateAsync();
            await _history.ClearAsync(Id);
            _state.State = new EventState();
            _outcomes.State = new OutcomeState();
            _lastOutcome = null;
            _historyDirty = false;
            _endedUnsaved.Clear();
            _unsavedHistory.Clear();
            _live.Clear();
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
        if (await TryWriteAsync())
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
        var subscribed = await GrainFactory.GetGrain<ITriggerGrain>(trigger.Id.Value).SubscribeAsync(trigger, Id);
        if (subscribed.IsErr) return Result<SubscriptionId>.Err(subscribed.Error);
        _state.State.Subscriptions[trigger.Id.Value] = subscribed.Unwrap();
        if (await TryWriteAsync()) return subscriptionId;
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
        if (!await TryWriteAsync())
        {
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
        return stored.IsCompletedSuccessfully ? Task.FromResult(Result<string>.Ok(job.JobId)) : AwaitStoredAsync(job, stored);
    }

    /// <inheritdoc />
    public Task FireAsync(string payloadJson, EmitOptions options)
    {
        if (Accept(payloadJson, options, requireActive: true) is { IsOk: true } accepted && !accepted.Unwrap().Stored.IsCompleted)
            _ = AwaitStoredAsync(accepted.Unwrap().Job, accepted.Unwrap().Stored);
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public async Task<Result<JobOutcome>> TestRunAsync(string payloadJson, EmitOptions? options)
    {
        var accepted = Accept(payloadJson, options, requireActive: false, waitForOutcome: true);
        if (accepted.IsErr) return Result<JobOutcome>.Err(accepted.Error);
        var (job, stored) = accepted.Unwrap();
        var waiter = _waiters[job.JobId];
        var result = await AwaitStoredAsync(job, stored);
        if (result.IsErr)
        {
            _waiters.Remove(job.JobId);
            return Result<JobOutcome>.Err(result.Error);
        }
        return await waiter.Task;
    }

    /// <inheritdoc />
    public async Task WakeAsync()
    {
        // A new activation has just loaded every stored job. An older one checks the store for jobs it does not
        // know: a duplicate activation during a membership change may have accepted them (it deactivates on its
        // first conflicting state write), and nobody else would ever run them.
        if (!_jobStore.IsDurable || Definition is null || _deletedDuringLoad is not null) return;
        if (await _jobStore.CountAsync(Id) <= _live.Count) return;
        IReadOnlyList<QueuedJob> stored;
        _deletedDuringLoad = new HashSet<string>(StringComparer.Ordinal);
        HashSet<string> deleted;
        try
        {
            stored = await _jobStore.LoadAsync(Id);
        }
        finally
        {
            deleted = _deletedDuringLoad;
            _deletedDuringLoad = null;
        }
        if (Definition is null) return;
        var adopted = 0;
        foreach (var job in stored.OrderBy(j => j.EnqueuedAt).ThenBy(j => j.Seq))
        {
            if (_live.Contains(job.JobId) || deleted.Contains(job.JobId)) continue;
            _live.Add(job.JobId);
            _queue.AddLast(job);
            adopted++;
        }
        if (adopted == 0) return;
        LogAdopted(Id.Value, adopted);
        Pump();
    }

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
        if (stored.Count == 0) return;
        if (_state.State.Definition is null)
        {
            await _jobStore.ClearAsync(Id); // jobs of a removed event
            return;
        }
        foreach (var job in stored.OrderBy(j => j.EnqueuedAt).ThenBy(j => j.Seq))
        {
            _seq = Math.Max(_seq, job.Seq + 1);
            _live.Add(job.JobId);
            // Still in this silo's pool (the grain was deactivated, not lost): its outcome will come; don't deliver it twice.
            if (_runner.Holds(Id, job.JobId)) _running[job.JobId] = job;
            else _queue.AddLast(job);
        }
        LogRecovered(Id.Value, _queue.Count, _running.Count);
        Pump();
    }

    private async Task<Result<string>> AwaitStoredAsync(QueuedJob job, Task stored)
    {
        try
        {
            await stored;
            return Result<string>.Ok(job.JobId);
        }
        catch (Exception ex)
        {
            _live.Remove(job.JobId);
            if (_starting.Remove(job.JobId)) _admittedAppending--;
            LogWriteFailed(ex, Id.Value);
            _metrics.Rejected(Id, ErrorKind.REPOSITORY_ERROR);
            return Result<string>.Err(ErrorKind.REPOSITORY_ERROR, $"the job could not be stored; it was not accepted ({ex.Message})");
        }
    }

    // A successful store write: appended jobs join the queue in acceptance order; marked jobs go to a handler.
    private void Stored(IReadOnlyList<QueuedJob> appended, IReadOnlyList<QueuedJob> marked)
    {
        // Index loops: these run once per job, and foreach over the interface would allocate an enumerator each time.
        for (var i = 0; i < appended.Count; i++)
        {
            var job = appended[i];
            var admitted = _starting.ContainsKey(job.JobId);
            if (admitted) _admittedAppending--;
            if (_state.State.Definition is null) // removed while the write was in flight
            {
                _starting.Remove(job.JobId);
                continue;
            }
            _metrics.Increment(MetricNames.JobsEnqueued, Id);
            if (admitted) _admitted.Add(job);
            else _queue.AddLast(job);
        }
        if (_admitted.Count > 0)
        {
            Dispatch(_admitted);
            _admitted.Clear();
        }
        if (marked.Count > 0) Dispatch(marked);
        if (appended.Count > 0) Pump();
    }

    // The delivery marks could not be stored: the jobs wait at the head of the queue and are tried again shortly.
    private void MarksFailed(IReadOnlyList<QueuedJob> marked)
    {
        for (var i = marked.Count - 1; i >= 0; i--)
        {
            if (!_starting.Remove(marked[i].JobId)) continue;
            _queue.AddFirst(marked[i] with { Deliveries = marked[i].Deliveries - 1 });
        }
        _retryTimer ??= this.RegisterGrainTimer(_ => { Pump(); return Task.CompletedTask; }, new GrainTimerCreationOptions(TimeSpan.FromSeconds(1), Timeout.InfiniteTimeSpan));
        _retryTimer.Change(TimeSpan.FromSeconds(1), Timeout.InfiniteTimeSpan);
    }

    /// <inheritdoc />
    public Task CompleteAsync(List<JobCompletion> completions)
    {
        foreach (var (jobId, outcome) in completions)
        {
            if (!_running.Remove(jobId, out var job) && !TryTakeQueued(jobId, out job))
            {
                LogUnknownCompletion(Id.Value, jobId);
                continue;
            }
            Record(job, outcome, stored: true);
        }
        Pump();
        return Task.CompletedTask;
    }

    // An outcome for a job this activation recovered as queued: a run from before a deactivation finished after all.
    private bool TryTakeQueued(string jobId, out QueuedJob job)
    {
        for (var node = _queue.First; node is not null; node = node.Next)
        {
            if (node.Value.JobId != jobId) continue;
            job = node.Value;
            _queue.Remove(node);
            return true;
        }
        job = null!;
        return false;
    }

    /// <inheritdoc />
    public Task<Result<EventRuntimeStatus>> StatusAsync()
    {
        if (Definition is not { } def) return Task.FromResult(NotFound<EventRuntimeStatus>());
        return Task.FromResult(Result<EventRuntimeStatus>.Ok(
            new EventRuntimeStatus(def.Active, Waiting, _running.Count + _starting.Count, LastOutcome, NextRun())));
    }

    /// <inheritdoc />
    public async Task<Result<List<JobRecord>>> HistoryAsync(int limit)
    {
        if (Definition is null) return NotFound<List<JobRecord>>();
        limit = Math.Min(limit, _options.HistorySize);
        if (limit <= 0) return Result<List<JobRecord>>.Ok([]);
        while (true)
        {
            // Stored records, then the ones not written yet; a write that starts meanwhile moves records from one to
            // the other, so the read is taken again.
            if (_historyAppend is { } inFlight) await inFlight.ContinueWith(static _ => { }, TaskScheduler.Current);
            var generation = _historyGeneration;
            var stored = await _history.LoadAsync(Id, limit);
            if (generation != _historyGeneration) continue;
            var all = new List<JobRecord>(stored.Count + _unsavedHistory.Count);
            all.AddRange(stored);
            all.AddRange(_unsavedHistory);
            var newestFirst = all.Skip(Math.Max(0, all.Count - limit)).Reverse().ToList();
            return Result<List<JobRecord>>.Ok(newestFirst);
        }
    }

    /// <inheritdoc />
    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        var shuttingDown = reason.ReasonCode == DeactivationReasonCode.ShuttingDown;
        // A memory store may already be gone on silo shutdown; a durable one is written to the end.
        if (!shuttingDown || _jobStore.IsDurable) await WriteHistoryIfDirtyAsync();
        var pending = Pending > 0;
        try
        {
            if (!pending) await _jobStore.ForgetIfEmptyAsync(Id);
            // Stored jobs left: wake a new activation to run them (on another silo when this one is stopping).
            else if (!shuttingDown && _state.State.Definition is not null) _ = GrainFactory.GetGrain<IEventGrain>(Id.Value).WakeAsync();
        }
        catch (Exception ex)
        {
            LogWriteFailed(ex, Id.Value);
        }
    }

    private Result<(QueuedJob Job, Task Stored)> Accept(string payloadJson, EmitOptions? options, bool requireActive, bool waitForOutcome = false)
    {
        if (Definition is not { } def)
        {
            if (Pending == 0 && _state.State.Definition is null) DeactivateOnIdle();
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
            if (options?.TriggerId is not null)
            {
                var skipped = new JobOutcome(JobStatus.SKIPPED, now, now, new AppError(ErrorKind.NOT_ACTIVE, $"event '{Id}' is inactive"));
                _metrics.Finished(Id, skipped);
                Record(new QueuedJob(jobId, _seq++, payloadJson, options.TriggerId, correlationId, now, options.ScheduledAt), skipped);
            }
            return Reject(ErrorKind.NOT_ACTIVE, $"event '{Id}' is inactive");
        }
        if (_options.QueueMaxSize is { } max && Waiting >= max)
            return Reject(ErrorKind.QUEUE_FULL, $"the queue of event '{Id}' is full ({max} jobs waiting)");

        var traceParent = ConvoTracing.RecordEmit(Id, jobId, options?.TriggerId);
        var admitted = TryAdmitNow(def);
        var job = new QueuedJob(jobId, _seq++, payloadJson, options?.TriggerId, correlationId, now, options?.ScheduledAt, admitted ? 1 : 0, traceParent);
        if (admitted)
        {
            _starting[jobId] = job;
            _admittedAppending++;
        }
        if (options is { TriggerId: { } triggerId, ScheduledAt: { } scheduledAt })
            _metrics.Lateness(triggerId, Id, now - scheduledAt);
        if (waitForOutcome) _waiters[job.JobId] = new TaskCompletionSource<JobOutcome>(TaskCreationOptions.RunContinuationsAsynchronously);
        // Queued (and pumped) by Stored once the write lands: a job never runs before it is stored.
        if (_jobStore.IsDurable) _live.Add(job.JobId);
        return (job, _writes.Append(job));
    }

    private Result<(QueuedJob, Task)> Reject(ErrorKind kind, string message)
    {
        _metrics.Rejected(Id, kind);
        return Result<(QueuedJob, Task)>.Err(kind, message);
    }

    // A job that would be the next to start, with a free slot, starts as soon as its append is stored: its delivery
    // count goes into the append, so it needs no second write. Only when nothing accepted earlier waits (FIFO).
    private bool TryAdmitNow(Event def)
    {
        if (Waiting > 0 || _stopping.IsStopping) return false;
        var policy = def.EffectivePolicy;
        if (_running.Count + _starting.Count >= policy.MaxConcurrency) return false;
        return RateGateFor(policy) is not { } gate || gate.TryTake(out _);
    }

    private void Pump()
    {
        if (Definition is not { } def) return;
        var policy = def.EffectivePolicy;
        var gate = RateGateFor(policy);
        // A stopping silo starts nothing new: its queued jobs stay stored and run on a surviving silo.
        if (_stopping.IsStopping) return;
        List<QueuedJob>? marks = null;
        while (_running.Count + _starting.Count < policy.MaxConcurrency && _queue.First is { } next)
        {
            if (gate is not null && !gate.TryTake(out var retryAfter))
            {
                ArmRateTimer(retryAfter);
                break;
            }
            _queue.RemoveFirst();
            var job = next.Value with { Deliveries = next.Value.Deliveries + 1 };
            _starting[job.JobId] = job;
            (marks ??= []).Add(job);
        }
        // Dispatched by Stored once the delivery counts are stored (one write for all admitted now), so a
        // redelivery always knows it is one.
        if (marks is not null) _ = _writes.Mark(marks);
    }

    // The jobs whose delivery counts one write stored go to this silo's worker pool, which starts them
    // off the grain's turn (no grain message: the pool is a silo service); outcomes come back through CompleteAsync.
    private void Dispatch(IReadOnlyList<QueuedJob> marked)
    {
        var def = Definition;
        var started = false;
        for (var i = 0; i < marked.Count; i++)
        {
            var job = marked[i];
            if (!_starting.Remove(job.JobId) || def is null) continue; // removed meanwhile: not run
            _running[job.JobId] = job;
            _runner.Start(new JobRequest(Id, job.JobId, def.HandlerName, def.EffectivePolicy, job.PayloadJson, job.TriggerId, job.CorrelationId,
                job.EnqueuedAt, job.ScheduledAt, job.Deliveries, job.TraceParent));
            started = true;
        }
        // Keep the activation until the jobs can have reported (a deactivation would only cost a reload).
        if (started) DelayDeactivation(MaxJobTime(def!.EffectivePolicy));
    }

    // The earliest next fire of the active triggers, from their definitions: schedules are pure functions of
    // them (anchor, interval, cron, jitter), so no trigger grain is asked.
    private DateTimeOffset? NextRun()
    {
        var now = _clock.GetUtcNow();
        DateTimeOffset? earliest = null;
        foreach (var trigger in _state.State.Subscriptions.Values)
        {
            if (!trigger.Active || TriggerSchedule.NextFire(trigger, now) is not { } next) continue;
            if (earliest is null || next < earliest) earliest = next;
        }
        return earliest;
    }

    private RateGate? RateGateFor(Policy policy)
    {
        if (policy.RateLimitPerSec is not { } rate) return _rateGate = null;
        if (_rateGate?.PerSecond != rate) _rateGate = new RateGate(rate, _clock);
        return _rateGate;
    }

    // One timer per event, armed only while jobs wait for the rate limit.
    private void ArmRateTimer(TimeSpan due)
    {
        if (_rateTimer is null)
            _rateTimer = this.RegisterGrainTimer(_ => { Pump(); return Task.CompletedTask; }, new GrainTimerCreationOptions(due, Timeout.InfiniteTimeSpan));
        else
            _rateTimer.Change(due, Timeout.InfiniteTimeSpan);
    }

    private TimeSpan MaxJobTime(Policy policy)
    {
        if (policy.Timeout is not { } timeout) return TimeSpan.FromDays(1);
        var attempts = policy.MaxRetries + 1;
        return (timeout + _options.BackoffCap) * attempts + TimeSpan.FromMinutes(5);
    }

    private void Record(QueuedJob job, JobOutcome outcome, bool stored = false)
    {
        if (_waiters.Remove(job.JobId, out var waiter)) waiter.TrySetResult(outcome);
        if (_state.State.Definition is null)
        {
            if (stored) _ = DeleteRecordsAsync([job.JobId]);
            return; // removed meanwhile: nothing to record into
        }
        // A durable record goes once the outcome is stored, so a lost silo never loses an outcome. A memory record
        // dies with the process anyway: it goes at once rather than lingering (and aging in the heap) until then.
        if (stored && _jobStore.IsDurable) _endedUnsaved.Add(job.JobId);
        else if (stored) ForgetRecord(job.JobId);
        _lastOutcome = new CompactJobOutcome(outcome);
        _unsavedHistory.Add(new JobRecord(job.JobId, job.TriggerId, job.EnqueuedAt, outcome));
        // Only the newest HistorySize are ever kept; a store that stays down must not grow this without bound.
        if (_unsavedHistory.Count > _options.HistorySize) _unsavedHistory.RemoveRange(0, _unsavedHistory.Count - _options.HistorySize);
        if (_history.AppendsInline) AppendHistoryNow();
        _historyDirty = true; // the last outcome is still written in a batch: its version check spots a stale activation
        // With stores that die with the process, and every record already appended, what is left (the last outcome)
        // is written when the activation ends: a timer tick and a state write every HistoryWriteDelay per event would
        // protect nothing, and at thousands of events they were a sixth of the bytes allocated per trigger fire.
        if (_jobStore.IsDurable || _unsavedHistory.Count > 0) ScheduleHistoryWrite();
    }

    // An in-process history store takes each record as it comes; held back for a batched write, records would only
    // outlive the garbage collector's young generation.
    private void AppendHistoryNow()
    {
        var append = _history.AppendAsync(Id, _unsavedHistory, _options.HistorySize);
        if (append.IsFaulted)
        {
            _ = append.Exception; // observed; the batched write tries these records again
            return;
        }
        _unsavedHistory.Clear();
        _historyGeneration++;
    }

    // Outcomes are written in batches, at most one write per HistoryWriteDelay, not one per job.
    private void ScheduleHistoryWrite()
    {
        if (_historyWriteArmed) return;
        _historyWriteArmed = true;
        var due = _options.HistoryWriteDelay;
        if (_historyTimer is null)
            _historyTimer = this.RegisterGrainTimer(WriteHistoryAsync, new GrainTimerCreationOptions(due, Timeout.InfiniteTimeSpan));
        else
            _historyTimer.Change(due, Timeout.InfiniteTimeSpan);
    }

    private async Task WriteHistoryAsync(CancellationToken ct)
    {
        _historyWriteArmed = false;
        // A stopping silo may already have lost a grain-based store (the memory store); writes from before stand.
        if (!_stopping.IsStopping) await WriteHistoryIfDirtyAsync();
    }

    // Appends the new outcomes to the history store (their records only, never the whole history), then stores
    // the last outcome (its version check is what tells a stale duplicate activation), then deletes the ended jobs.
    private async Task WriteHistoryIfDirtyAsync()
    {
        if (!_historyDirty || _state.State.Definition is null) return;
        _historyDirty = false;
        // Moved out only when there is something to move: with the memory stores both are empty here, and new lists
        // every HistoryWriteDelay per event would live just long enough to age in the heap.
        IReadOnlyList<string> ended = [];
        if (_endedUnsaved.Count > 0) (ended, _endedUnsaved) = (_endedUnsaved, []);
        IReadOnlyList<JobRecord> records = [];
        if (_unsavedHistory.Count > 0) (records, _unsavedHistory) = (_unsavedHistory, []);
        _historyGeneration++;
        var appended = false;
        try
        {
            if (records.Count > 0)
            {
                var append = _history.AppendAsync(Id, records, _options.HistorySize);
                _historyAppend = append;
                try
                {
                    await append;
                }
                finally
                {
                    _historyAppend = null;
                }
            }
            appended = true;
            if (_lastOutcome is { } last) _outcomes.State.LastOutcome = last.ToOutcome();
            await _outcomes.WriteStateAsync();
        }
        catch (Exception ex)
        {
            if (!appended) _unsavedHistory.InsertRange(0, records);
            _endedUnsaved.InsertRange(0, ended);
            _historyDirty = true;
            OnWriteFailed(ex);
            if (!_stopping.IsStopping) ScheduleHistoryWrite(); // try again; a stale activation is deactivating by now
            return;
        }
        // Outcomes stored: the ended jobs' records can go. If this delete is lost with its silo, a job runs once
        // more after recovery (at least once), its outcome recorded again.
        if (ended.Count > 0) await DeleteRecordsAsync(ended);
    }

    // A memory store's record: its removal cannot fail (nor outlive the process), so the id goes with it at once.
    private void ForgetRecord(string jobId)
    {
        _ = _writes.Remove(jobId);
        _live.Remove(jobId);
    }

    private async Task DeleteRecordsAsync(IReadOnlyList<string> jobIds)
    {
        Task removed = Task.CompletedTask;
        foreach (var jobId in jobIds) removed = _writes.Remove(jobId);
        try
        {
            await removed;
        }
        catch (Exception ex)
        {
            // The records stay (their jobs run again on a later activation: at least once); so do their ids here.
            LogWriteFailed(ex, Id.Value);
            return;
        }
        foreach (var jobId in jobIds)
        {
            _live.Remove(jobId);
            _deletedDuringLoad?.Add(jobId);
        }
    }

    // A version conflict means another activation of this event wrote its state: this one is stale (a duplicate
    // left by a membership change) and goes; its stored jobs are adopted by the live one (see WakeAsync).
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

    private void CancelQueued(string why)
    {
        var now = _clock.GetUtcNow();
        while (_queue.First is { } node)
        {
            _queue.RemoveFirst();
            var job = node.Value;
            var outcome = new JobOutcome(JobStatus.CANCELLED, now, now, new AppError(ErrorKind.CANCELLED, why));
            _metrics.Finished(Id, outcome);
            if (_waiters.Remove(job.JobId, out var waiter)) waiter.TrySetResult(outcome);
        }
    }

    private async Task<bool> TryWriteAsync()
    {
        try
        {
            await _state.WriteStateAsync();
            return true;
        }
        catch (Exception ex)
        {
            OnWriteFailed(ex);
            return false;
        }
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

    [LoggerMessage(Level = LogLevel.Error, Message = "Event {EventId}: state write failed")]
    private partial void LogWriteFailed(Exception ex, string eventId);
}
