using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.ConvoOrchestrator.Grains;
using Orleans.Runtime;

namespace Orleans.ConvoOrchestrator.Runtime.Grains;

/// <summary>
/// One trigger: its definition, subscribers and schedule. Precision comes from a grain timer armed for the
/// exact next fire (re-armed from the schedule each time, so it never drifts); durability from a reminder that
/// brings the grain back when it was deactivated or its silo was lost, and from the persisted
/// <see cref="TriggerState.HandledUpTo"/>, which makes every wake-up idempotent: fires are computed from the
/// schedule and what was already handled, never from counting ticks. A trigger whose next fire is near keeps its
/// grain in memory and its own periodic reminder; a far one lists itself in a <see cref="WakeBucketGrain"/> (one
/// reminder for many triggers) and lets its grain go. Missed fires follow the trigger's <see cref="MisfirePolicy"/>
/// and are always counted.
/// </summary>
public sealed partial class TriggerGrain : Grain, ITriggerGrain, IRemindable
{
    private const string ReminderName = "convo-trigger";
    private readonly IPersistentState<TriggerState> _state;
    private readonly MetricsCollector _metrics;
    private readonly ConditionRegistry _conditions;
    private readonly ConvoOrchestratorOptions _options;
    private readonly TimeProvider _clock;
    private readonly ILogger<TriggerGrain> _logger;
    private readonly SiloStopping _stopping;
    private readonly ICatalogStore _catalog;
    // References to the subscribed events, made once (GetGrain costs reflection on every call).
    private readonly Dictionary<string, IEventJobsGrain> _events = new(StringComparer.Ordinal);
    private IGrainTimer? _timer;
    private DateTimeOffset _lastWrite = DateTimeOffset.MinValue;
    private bool _dirty;
    // Whether the stores outlive the process (they come as a set: the job store says it).
    private readonly bool _writesPeriodically;
    private bool _timerKeepsAlive;
    private bool _reminderEnsured;
    // The wake bucket this activation listed the trigger in (null: none, or its own reminder keeps it).
    private long? _wakeBucket;
    // The latest change of how the trigger is woken (its own reminder, or a bucket): each waits for the one before,
    // and ResumeAsync answers with its result.
    private Task<bool>? _wakeUp;
    private SortedDictionary<string, string>? _labels;

    /// <summary>Created by Orleans.</summary>
    public TriggerGrain(
        [PersistentState("trigger", ConvoOrchestratorOptions.StorageName)] IPersistentState<TriggerState> state,
        MetricsCollector metrics,
        ConditionRegistry conditions,
        IOptions<ConvoOrchestratorOptions> options,
        [FromKeyedServices(ConvoServiceKeys.Clock)] TimeProvider clock,
        SiloStopping stopping,
        ICatalogStore catalog,
        StoreCapabilities store,
        ILogger<TriggerGrain> logger)
    {
        _catalog = catalog;
        _writesPeriodically = store.Progress == ProgressWrites.Periodically;
        Id = new TriggerId(this.GetPrimaryKeyString());
        _stopping = stopping;
        _state = state;
        _metrics = metrics;
        _conditions = conditions;
        _options = options.Value;
        _clock = clock;
        _logger = logger;
    }

    // Read once: the grain id's key is decoded into a new string on every GetPrimaryKeyString call.
    private TriggerId Id { get; }

    private SortedDictionary<string, string> Labels =>
        _labels ??= new SortedDictionary<string, string>(StringComparer.Ordinal) { [MetricNames.TriggerIdLabel] = Id.Value };

    /// <inheritdoc />
    public override Task OnActivateAsync(CancellationToken cancellationToken) => ScheduleAsync();

    /// <inheritdoc />
    public Task WakeAsync() => Task.CompletedTask; // activation already reconciled the schedule

    /// <inheritdoc />
    public async Task<bool> ResumeAsync(long bucket)
    {
        // Activation scheduled already; again here so that a wake-up whose registration failed is tried again.
        await ScheduleAsync();
        var durable = _wakeUp is null || await _wakeUp;
        // A bucket wakes its triggers once it has started, when their fires are near: none should still rest on it.
        return durable && _wakeBucket != bucket;
    }

    /// <inheritdoc />
    public async Task<Result<Trigger>> SubscribeAsync(Trigger trigger, EventId eventId)
    {
        var check = DefinitionValidator.Validate(trigger);
        if (check.IsErr) return Result<Trigger>.Err(check.Error);
        if (trigger.Id != Id) return Result<Trigger>.Err(ErrorKind.VALIDATION, $"trigger id '{trigger.Id}' does not match the grain '{Id}'");
        var state = _state.State;
        // The anchor is part of the definition: set once, at the first attach, unless the caller fixed it.
        var anchored = trigger with { Anchor = trigger.Anchor ?? state.Definition?.Anchor ?? _clock.GetUtcNow() };
        if (state.Definition is { } existing && existing != anchored)
            return Result<Trigger>.Err(ErrorKind.CONFLICT, $"trigger '{Id}' already exists with another definition; attach it unchanged or use a new id");
        if (state.Definition is not null && state.Subscribers.Contains(eventId.Value)) return anchored;

        var created = state.Definition is null;
        if (created)
        {
            await _catalog.PutAsync(CatalogKeys.Triggers, Id.Value, System.Text.Json.JsonSerializer.Serialize(anchored, ConvoJson.Options));
            // Recurring schedules start now: fires of an anchor in the past that fell before the attach are not
            // misses. (An AT in the past still fires once, at once.)
            if (anchored.Kind is TriggerKind.INTERVAL or TriggerKind.Cron) state.HandledUpTo = _clock.GetUtcNow();
        }
        state.Definition = anchored;
        state.Subscribers.Add(eventId.Value);
        try
        {
            await _state.WriteStateAsync();
        }
        catch (Exception ex)
        {
            LogWriteFailed(ex, Id.Value);
            state.Subscribers.Remove(eventId.Value);
            if (created) (state.Definition, state.HandledUpTo) = (null, null);
            return Result<Trigger>.Err(ErrorKind.REPOSITORY_ERROR, $"trigger '{Id}' could not be stored");
        }
        if (created) await ScheduleAsync();
        return anchored;
    }

    /// <inheritdoc />
    public async Task<Result> UnsubscribeAsync(EventId eventId)
    {
        var state = _state.State;
        if (state.Definition is null || !state.Subscribers.Remove(eventId.Value))
            return Result.Err(ErrorKind.NOT_FOUND, $"event '{eventId}' is not subscribed to trigger '{Id}'");
        if (state.Subscribers.Count > 0)
        {
            await _state.WriteStateAsync();
            return Result.Ok();
        }
        // The last subscriber went: the trigger goes with it.
        StopTimer();
        await ForgetWakeUpsAsync();
        await _state.ClearStateAsync();
        _state.State = new TriggerState();
        await _catalog.RemoveAsync(CatalogKeys.Triggers, Id.Value);
        DeactivateOnIdle();
        return Result.Ok();
    }

    /// <inheritdoc />
    public Task<Result<TriggerInfo>> GetAsync() => Task.FromResult(_state.State.Definition is { } def
        ? Result<TriggerInfo>.Ok(new TriggerInfo(def, Subscribers()))
        : Result<TriggerInfo>.Err(ErrorKind.NOT_FOUND, $"trigger '{Id}' does not exist"));

    /// <inheritdoc />
    public Task<Result<TriggerStatus>> StatusAsync()
    {
        var s = _state.State;
        if (s.Definition is not { } def) return Task.FromResult(Result<TriggerStatus>.Err(ErrorKind.NOT_FOUND, $"trigger '{Id}' does not exist"));
        return Task.FromResult(Result<TriggerStatus>.Ok(new TriggerStatus(def, Subscribers(), NextFire(def, _clock.GetUtcNow()),
            s.LastFiredAt, s.LastScheduledFor, s.FireCount, s.MissCount)));
    }

    /// <inheritdoc />
    public async Task<Result<int>> FireAsync(string payloadJson)
    {
        if (_state.State.Definition is not { } def) return Result<int>.Err(ErrorKind.NOT_FOUND, $"trigger '{Id}' does not exist");
        if (def.Kind != TriggerKind.EXTERNAL)
            return Result<int>.Err(ErrorKind.VALIDATION, $"trigger '{Id}' is {def.Kind}; only EXTERNAL triggers are fired from outside");
        if (!def.Active) return Result<int>.Err(ErrorKind.NOT_ACTIVE, $"trigger '{Id}' is inactive");
        var accepted = await FanOutAsync(payloadJson);
        _state.State.FireCount++;
        _state.State.LastFiredAt = _clock.GetUtcNow();
        await TryWriteAsync();
        return accepted;
    }

    /// <inheritdoc />
    public Task ReceiveReminder(string reminderName, TickStatus status) =>
        // A reminder that outlived its trigger (its removal failed to unregister it) goes now.
        _state.State.Definition is null ? ForgetWakeUpsAsync() : ScheduleAsync();

    // Looks at the clock, fires what is due (or counts it missed), and arms the timer for the next fire.
    private async Task ScheduleAsync()
    {
        // A stopping silo fires nothing new; whatever comes due meanwhile is picked up where the trigger lives next.
        if (_stopping.IsStopping || _state.State.Definition is not { Active: true } def) return;
        switch (def.Kind)
        {
            case TriggerKind.AT or TriggerKind.INTERVAL or TriggerKind.Cron:
                await FireDueAsync(def);
                ArmForNextFire(def);
                break;
            case TriggerKind.CONDITION:
                ArmPolling(def);
                break;
            default:
                return; // EXTERNAL: fired from outside only
        }
    }

    private async Task FireDueAsync(Trigger def)
    {
        var state = _state.State;
        var now = _clock.GetUtcNow();
        var plan = MisfirePlanner.Plan(def, state.HandledUpTo, now, def.MisfireThreshold ?? _options.MisfireThreshold);
        if (plan.HandledUpTo == state.HandledUpTo) return;
        if (plan.Missed > 0)
        {
            state.MissCount += plan.Missed;
            _metrics.Increment(MetricNames.TriggerMisfires, Labels, plan.Missed);
            LogMissed(Id.Value, plan.Missed, plan.Coalesced);
        }
        state.HandledUpTo = plan.HandledUpTo;
        if (plan.FireFor is { } scheduled)
        {
            FireScheduled(scheduled);
            state.FireCount++;
            state.LastFiredAt = now;
            state.LastScheduledFor = scheduled;
        }
        // After the fan-out, so persisting never delays a fire. A fired AT is marked fired here for good;
        // frequent fires are written at most every TriggerStateWriteInterval, or when the activation ends, as the
        // store declares (ProgressWrites).
        _dirty = true;
        if (def.Kind == TriggerKind.AT || (_writesPeriodically && now - _lastWrite >= _options.TriggerStateWriteInterval)) await TryWriteAsync();
    }

    /// <inheritdoc />
    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        if (_dirty && reason.ReasonCode != DeactivationReasonCode.ShuttingDown) await TryWriteAsync();
    }

    // Scheduled fires are one-way: the trigger's turn ends as soon as the fires are sent.
    private void FireScheduled(DateTimeOffset scheduledFor)
    {
        _metrics.Increment(MetricNames.TriggerFires, Labels);
        var options = new EmitOptions(TriggerId: Id, ScheduledAt: scheduledFor);
        foreach (var id in _state.State.Subscribers) _ = EventGrain(id).FireAsync("null", options);
    }

    // An EXTERNAL fire answers how many events accepted it, so it waits for each one.
    private async Task<int> FanOutAsync(string payloadJson)
    {
        _metrics.Increment(MetricNames.TriggerFires, Labels);
        var options = new EmitOptions(TriggerId: Id);
        var subscribers = _state.State.Subscribers;
        if (subscribers.Count == 1)
            return (await GrainFactory.GetGrain<IEventGrain>(subscribers[0]).EmitAsync(payloadJson, options)).IsOk ? 1 : 0;
        var results = await Task.WhenAll(subscribers.Select(id => GrainFactory.GetGrain<IEventGrain>(id).EmitAsync(payloadJson, options)));
        return results.Count(r => r.IsOk);
    }

    private void ArmForNextFire(Trigger def)
    {
        var now = _clock.GetUtcNow();
        if (NextFire(def, now) is not { } next)
        {
            // Nothing left to fire (a fired AT): no timer, no wake-up.
            StopTimer();
            _ = ForgetWakeUpsAsync();
            return;
        }
        var due = next > now ? next - now : TimeSpan.Zero;
        // Close fires keep the grain in memory; far ones let it go and trust their wake bucket to wake it in time.
        var near = due <= _options.ReminderPeriod + _options.WakeLead;
        Arm(due, Timeout.InfiniteTimeSpan, keepAlive: near, _ => ScheduleAsync());
        if (near) EnsureReminder();
        else EnsureWakeBucket(WakeBuckets.KeyFor(next - _options.WakeLead, _options.ReminderPeriod));
    }

    private void ArmPolling(Trigger def)
    {
        if (_timer is not null) return;
        var every = def.Interval ?? _options.SchedulerTick;
        Arm(every, every, keepAlive: true, _ => PollAsync(def, every));
        EnsureReminder();
    }

    private async Task PollAsync(Trigger def, TimeSpan every)
    {
        if (_stopping.IsStopping) return;
        var value = await _conditions.EvaluateAsync(def.Condition!, every, _clock);
        var state = _state.State;
        if (value == state.ConditionValue) return;
        state.ConditionValue = value;
        if (value)
        {
            var now = _clock.GetUtcNow();
            FireScheduled(now);
            state.FireCount++;
            state.LastFiredAt = now;
            state.LastScheduledFor = now;
        }
        await TryWriteAsync();
    }

    private DateTimeOffset? NextFire(Trigger def, DateTimeOffset now)
    {
        if (!def.Active) return null;
        var after = _state.State.HandledUpTo is { } handled && handled > now ? handled : now;
        // A fire that is due but not yet made (the timer is about to run) is the next one.
        var (pending, latest) = TriggerSchedule.Due(def, _state.State.HandledUpTo, now);
        return pending > 0 ? latest : TriggerSchedule.NextFire(def, after);
    }

    private void Arm(TimeSpan due, TimeSpan period, bool keepAlive, Func<CancellationToken, Task> tick)
    {
        if (_timer is not null && _timerKeepsAlive == keepAlive && period == Timeout.InfiniteTimeSpan)
        {
            _timer.Change(due, period);
            return;
        }
        StopTimer();
        _timerKeepsAlive = keepAlive;
        _timer = this.RegisterGrainTimer(tick, new GrainTimerCreationOptions(due, period) { KeepAlive = keepAlive });
    }

    private void StopTimer()
    {
        _timer?.Dispose();
        _timer = null;
    }

    // A reminder ticking every ReminderPeriod from now on: for fires close enough that the grain stays in memory.
    // Registered once per activation, in the background: a reminder service still loading must not hold up
    // attaching or firing. Until it lands, the timer alone drives the trigger.
    private void EnsureReminder()
    {
        if (_reminderEnsured) return;
        (_reminderEnsured, _wakeBucket) = (true, null);
        Then(RegisterReminderAsync);
    }

    // A far fire: the trigger lists itself in the bucket that wakes it WakeLead (plus up to a bucket's width) before
    // the fire, then drops its own reminder, whose ticks would keep its grain in memory. The bucket's width is
    // ReminderPeriod, so a woken trigger's fire is near and it keeps its own reminder until then. Listed again
    // only when the next fire moves to another bucket; the old entry goes when the old bucket wakes it.
    private void EnsureWakeBucket(long bucket)
    {
        if (_wakeBucket == bucket) return;
        (_wakeBucket, _reminderEnsured) = (bucket, false);
        Then(() => JoinBucketAsync(bucket));
    }

    private void Then(Func<Task<bool>> change) => _wakeUp = After(_wakeUp, change);

    private static async Task<bool> After(Task<bool>? previous, Func<Task<bool>> change)
    {
        if (previous is not null) await previous;
        return await change();
    }

    private async Task<bool> RegisterReminderAsync()
    {
        if (!_reminderEnsured) return true; // a later change took over before this one ran
        try
        {
            await this.RegisterOrUpdateReminder(ReminderName, _options.ReminderPeriod, _options.ReminderPeriod);
            return true;
        }
        catch (Exception ex)
        {
            _reminderEnsured = false; // try again at the next wake-up
            LogReminderFailed(ex, Id.Value);
            return false;
        }
    }

    private async Task<bool> JoinBucketAsync(long bucket)
    {
        if (_wakeBucket != bucket) return true; // a later change took over before this one ran
        try
        {
            // The entry first, then the bucket's reminder, then the trigger's own reminder goes: a crash in between
            // leaves one wake-up too many, never none.
            await _catalog.PutAsync(WakeBuckets.CatalogOf(bucket), Id.Value, "");
            await GrainFactory.GetGrain<IWakeBucketGrain>(bucket).EnsureAsync();
            await this.ForgetReminderAsync(ReminderName);
            return true;
        }
        catch (Exception ex)
        {
            if (_wakeBucket == bucket) _wakeBucket = null; // try again at the next wake-up
            LogReminderFailed(ex, Id.Value);
            return false;
        }
    }

    // The trigger is gone or has nothing left to fire: no reminder, no bucket entry.
    private async Task ForgetWakeUpsAsync()
    {
        var bucket = _wakeBucket;
        (_reminderEnsured, _wakeBucket) = (false, null);
        if (_wakeUp is { } pending) await pending; // let a registration under way land first, then undo it
        try
        {
            await this.ForgetReminderAsync(ReminderName);
            if (bucket is { } key) await _catalog.RemoveAsync(WakeBuckets.CatalogOf(key), Id.Value);
        }
        catch (Exception ex)
        {
            // A reminder left behind wakes an empty trigger grain that forgets it then; a bucket entry goes at its tick.
            LogReminderFailed(ex, Id.Value);
        }
    }

    private List<EventId> Subscribers() => _state.State.Subscribers.Select(id => new EventId(id)).ToList();

    private async Task TryWriteAsync()
    {
        try
        {
            await _state.WriteStateAsync();
            _dirty = false;
            _lastWrite = _clock.GetUtcNow();
        }
        catch (Exception ex)
        {
            LogWriteFailed(ex, Id.Value);
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Trigger {TriggerId}: state write failed")]
    private partial void LogWriteFailed(Exception ex, string triggerId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Trigger {TriggerId}: registering its wake-up (reminder or wake bucket) failed; the timer still runs")]
    private partial void LogReminderFailed(Exception ex, string triggerId);

    // Information, not Warning: an overloaded or restarted cluster misses many at once; the metric and the
    // trigger's status are where misses are watched.
    [LoggerMessage(Level = LogLevel.Information, Message = "Trigger {TriggerId} missed {Missed} fire(s); coalesced: {Coalesced}")]
    private partial void LogMissed(string triggerId, long missed, bool coalesced);

    // Cached: at thousands of triggers a grain reference per fire was a measurable share of what a fire allocates.
    private IEventJobsGrain EventGrain(string eventId)
    {
        if (!_events.TryGetValue(eventId, out var grain)) _events[eventId] = grain = GrainFactory.GetGrain<IEventJobsGrain>(eventId);
        return grain;
    }
}
