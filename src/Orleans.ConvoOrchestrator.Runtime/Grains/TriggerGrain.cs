using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.ConvoOrchestrator.Grains;
using Orleans.ConvoOrchestrator.Runtime.Triggers;
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
internal sealed partial class TriggerGrain : Grain, ITriggerGrain, ITriggerSetupGrain, IRemindable, TriggerWakeUps.IPort
{
    private const string ReminderName = "convo-trigger";
    // Instants per backfill message to each event (see BackfillAsync).
    private const int BackfillChunk = 500;
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
    private readonly TriggerWriteThrottle _writes;
    private readonly TriggerWakeUps _wakeUps;
    private IGrainTimer? _timer;
    private IGrainTimer? _restTimer;
    private bool _timerKeepsAlive;
    // The calendars in force, built from the state's copy; re-read from their grains at activation, on a change
    // notice and on each reminder tick (which heals a lost notice).
    private ExclusionCalendars _exclusions = ExclusionCalendars.None;
    private bool _calendarsStale = true;
    private DateTimeOffset _calendarsReadAt = DateTimeOffset.MinValue;
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
        Id = new TriggerId(this.GetPrimaryKeyString());
        _stopping = stopping;
        _state = state;
        _writes = new TriggerWriteThrottle(store.Progress, options.Value.TriggerStateWriteInterval);
        _wakeUps = new TriggerWakeUps(this, deferReminder: !store.OutlivesProcess);
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
    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _exclusions = Build(_state.State.Calendars);
        return ScheduleAsync();
    }

    /// <inheritdoc />
    public Task WakeAsync() => Task.CompletedTask; // activation already reconciled the schedule

    /// <inheritdoc />
    public async Task<bool> ResumeAsync(long bucket)
    {
        // Activation scheduled already; again here so that a wake-up whose registration failed is tried again.
        await ScheduleAsync();
        var durable = await _wakeUps.SettledAsync();
        // A bucket wakes its triggers once it has started, when their fires are near: none should still rest on it.
        return durable && _wakeUps.Bucket != bucket;
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
            // Every calendar it names must exist, and records the trigger so it is not removed from under it.
            var calendars = await AttachCalendarsAsync(anchored);
            if (calendars.IsErr) return Result<Trigger>.Err(calendars.Error);
            await _catalog.PutAsync(CatalogKeys.Triggers, Id.Value, System.Text.Json.JsonSerializer.Serialize(anchored, ConvoJson.Options));
            state.Begin(anchored, _clock.GetUtcNow());
            _wakeUps.Created();
            state.Calendars = calendars.Unwrap();
            _exclusions = Build(state.Calendars);
            _calendarsStale = false;
            _calendarsReadAt = _clock.GetUtcNow();
        }
        state.Subscribers.Add(eventId.Value);
        try
        {
            await _state.WriteStateAsync();
            _writes.Written(_clock.GetUtcNow());
        }
        catch (Exception ex)
        {
            LogWriteFailed(ex, Id.Value);
            state.Subscribers.Remove(eventId.Value);
            if (created)
            {
                (state.Definition, state.HandledUpTo, state.Calendars) = (null, null, null);
                await DetachCalendarsAsync(anchored.Calendars ?? []);
            }
            return Result<Trigger>.Err(ErrorKind.REPOSITORY_ERROR, $"trigger '{Id}' could not be stored");
        }
        if (created) await ScheduleAsync();
        return anchored;
    }

    /// <inheritdoc />
    public async Task<Result<SubscribedTrigger>> SubscribeForSetupAsync(Trigger trigger, EventId eventId)
    {
        var subscribed = await SubscribeAsync(trigger, eventId);
        if (subscribed.IsErr) return Result<SubscribedTrigger>.Err(subscribed.Error);
        // Nothing keeps the grain in memory (a far fire's bucket, or no schedule at all): it goes soon rather than
        // when Orleans collects idle grains, so a large set-up does not hold an activation per trigger. It goes only
        // once its bucket entry is stored. A near trigger's reminder registers in the background, as after an attach:
        // waiting on the one reminder table for each of thousands of them was most of a set-up's time.
        var resting = Rests && await _wakeUps.SettledAsync() && Rests;
        if (resting) SetupRest.Arm(this, ref _restTimer, () => Rests, DeactivateOnIdle);
        return new SubscribedTrigger(subscribed.Unwrap(), _state.State.Paused, resting);
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
        // The last subscriber went: the trigger goes with it, and no longer holds its calendars.
        StopTimer();
        await _wakeUps.ForgetAsync();
        await DetachCalendarsAsync(state.Definition.Calendars ?? []);
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
        return Task.FromResult(Result<TriggerStatus>.Ok(new TriggerStatus(def, Subscribers(), _state.State.NextFire(def, _clock.GetUtcNow(), _exclusions),
            s.LastFiredAt, s.LastScheduledFor, s.FireCount, s.MissCount, s.Paused)));
    }

    /// <inheritdoc />
    public async Task<Result> SetPausedAsync(bool paused)
    {
        var state = _state.State;
        if (state.Definition is null) return Result.Err(ErrorKind.NOT_FOUND, $"trigger '{Id}' does not exist");
        if (state.Paused == paused) return Result.Ok();
        state.Paused = paused;
        try
        {
            await _state.WriteStateAsync();
            _writes.Written(_clock.GetUtcNow());
        }
        catch (Exception ex)
        {
            LogWriteFailed(ex, Id.Value);
            state.Paused = !paused;
            return Result.Err(ErrorKind.REPOSITORY_ERROR, $"trigger '{Id}' could not be stored");
        }
        // The events it feeds leave it out of (or back into) their next run; a failed notice only makes that stale.
        foreach (var id in state.Subscribers)
        {
            try
            {
                await EventGrain(id).TriggerPausedAsync(Id, paused);
            }
            catch (Exception ex)
            {
                LogPauseNoticeFailed(ex, Id.Value, id);
            }
        }
        if (paused)
        {
            StopTimer();
            await _wakeUps.ForgetAsync(); // nothing to wake for until resumed, which activates the grain
        }
        else
        {
            await ScheduleAsync(); // what was missed meanwhile: its misfire policy and catch-up window decide
        }
        return Result.Ok();
    }

    /// <inheritdoc />
    public Task<Result<List<DateTimeOffset>>> NextFiresAsync(int count) => Task.FromResult(_state.State.Definition is { } def
        ? Result<List<DateTimeOffset>>.Ok(_state.State.NextFires(def, _clock.GetUtcNow(), Math.Clamp(count, 0, TriggerPreview.MaxFires), _exclusions))
        : Result<List<DateTimeOffset>>.Err(ErrorKind.NOT_FOUND, $"trigger '{Id}' does not exist"));

    /// <inheritdoc />
    public async Task<Result<int>> FireAsync(string payloadJson)
    {
        if (_state.State.Definition is not { } def) return Result<int>.Err(ErrorKind.NOT_FOUND, $"trigger '{Id}' does not exist");
        if (def.Kind != TriggerKind.EXTERNAL)
            return Result<int>.Err(ErrorKind.VALIDATION, $"trigger '{Id}' is {def.Kind}; only EXTERNAL triggers are fired from outside");
        if (!def.Active) return Result<int>.Err(ErrorKind.NOT_ACTIVE, $"trigger '{Id}' is inactive");
        if (_state.State.Paused) return Result<int>.Err(ErrorKind.NOT_ACTIVE, $"trigger '{Id}' is paused");
        var accepted = await FanOutAsync(payloadJson);
        _state.State.Fired(_clock.GetUtcNow());
        await TryWriteAsync();
        return accepted;
    }

    /// <inheritdoc />
    public async Task<Result<BackfillReport>> BackfillAsync(DateTimeOffset from, DateTimeOffset to)
    {
        if (_state.State.Definition is not { } def) return Result<BackfillReport>.Err(ErrorKind.NOT_FOUND, $"trigger '{Id}' does not exist");
        var check = BackfillSchedule.Validate(def, from, to, _clock.GetUtcNow(), _options.BackfillMaxRange);
        if (check.IsErr) return Result<BackfillReport>.Err(check.Error);
        if (!def.Active) return Result<BackfillReport>.Err(ErrorKind.NOT_ACTIVE, $"trigger '{Id}' is inactive; an inactive trigger makes no fires to backfill");
        if (_state.State.Paused) return Result<BackfillReport>.Err(ErrorKind.NOT_ACTIVE, $"trigger '{Id}' is paused; resume it to backfill");
        // The calendars in force for live fires (refreshed at activation, on a change notice and each reminder tick).
        var plan = BackfillSchedule.Plan(def, from, to, _exclusions, _options.BackfillMaxFires);
        var subscribers = _state.State.Subscribers.ToList();
        var tally = BackfillTally.None;
        var done = 0;
        try
        {
            // In chunks, each stored in every event before the next is sent: a message and an event's turn stay small,
            // and a failure leaves a prefix done that a repeat recognizes.
            foreach (var chunk in plan.Instants.Chunk(BackfillChunk))
            {
                var list = chunk.ToList();
                var tallies = await Task.WhenAll(subscribers.Select(id => EventGrain(id).BackfillAsync(Id, list)));
                foreach (var t in tallies) tally = tally.Add(t);
                done += list.Count;
            }
        }
        catch (Exception ex)
        {
            LogBackfillFailed(ex, Id.Value, done, plan.Instants.Count);
            var at = done < plan.Instants.Count ? $" at {plan.Instants[done]:O}" : "";
            return Result<BackfillReport>.Err(ErrorKind.QUEUE_UNAVAILABLE,
                $"the backfill of trigger '{Id}' stopped{at} after {done} of {plan.Instants.Count} instant(s) ({ex.Message}); " +
                "repeat it: instants it queued already are not queued again");
        }
        LogBackfilled(Id.Value, from, to, plan.Instants.Count, tally.Queued, tally.Skipped, tally.AlreadyBackfilled, tally.Refused);
        return new BackfillReport(Id, from, to, plan.Instants.Count, subscribers.Count, tally.Queued, tally.Skipped, tally.AlreadyBackfilled,
            tally.Refused, plan.ResumeFrom);
    }

    /// <inheritdoc />
    public Task ReceiveReminder(string reminderName, TickStatus status)
    {
        // A reminder that outlived its trigger (its removal failed to unregister it) goes now.
        if (_state.State.Definition is null) return _wakeUps.ForgetAsync();
        _calendarsStale = true; // a calendar change whose notice was lost is found within a reminder period
        _wakeUps.ReminderTicked();
        return ScheduleAsync();
    }

    /// <inheritdoc />
    public Task CalendarChangedAsync()
    {
        _calendarsStale = true;
        return ScheduleAsync();
    }

    // Looks at the clock, fires what is due (or counts it missed), and arms the timer for the next fire.
    private async Task ScheduleAsync()
    {
        // A stopping silo fires nothing new; whatever comes due meanwhile is picked up where the trigger lives next.
        if (_stopping.IsStopping || _state.State.Paused || _state.State.Definition is not { Active: true } def) return;
        switch (def.Kind)
        {
            case TriggerKind.AT or TriggerKind.INTERVAL or TriggerKind.Cron:
                // Also re-read once a reminder period has passed: a lost change notice is found without a reminder tick
                // (a near trigger on the memory store has none).
                if (def.HasCalendars && (_calendarsStale || _clock.GetUtcNow() - _calendarsReadAt >= _options.ReminderPeriod))
                    await RefreshCalendarsAsync(def);
                await FireDueAsync(def, _exclusions);
                ArmForNextFire(def);
                break;
            case TriggerKind.CONDITION:
                ArmPolling(def);
                break;
            default:
                return; // EXTERNAL: fired from outside only
        }
    }

    private async Task FireDueAsync(Trigger def, ExclusionCalendars exclusions)
    {
        var now = _clock.GetUtcNow();
        var threshold = def.MisfireThreshold ?? _options.MisfireThreshold;
        var plan = _state.State.TakeDue(def, now, threshold, exclusions);
        if (plan is { Missed: > 0 } missed)
        {
            _metrics.Increment(MetricNames.TriggerMisfires, Labels, missed.Missed);
            LogMissed(Id.Value, missed.Missed, missed.Coalesced);
        }
        // Missed fires caught up first, oldest first, so each event sees its fires in schedule order.
        foreach (var caughtUp in plan?.CatchUp ?? []) FireScheduled(caughtUp);
        if (plan?.FireFor is { } scheduled) FireScheduled(scheduled);
        // Then the fires of the next FireLead, admitted ahead and started at their instants (record 0011).
        var ahead = _state.State.TakeAhead(def, now, LeadOf(def), threshold, exclusions);
        foreach (var instant in ahead) FireScheduled(instant);
        if (plan is null && ahead.Count == 0) return;
        // After the fan-out, so persisting never delays a fire. A fired AT is marked fired for good at once.
        _writes.Changed();
        if (def.Kind == TriggerKind.AT || _writes.Due(now)) await TryWriteAsync();
    }

    /// <inheritdoc />
    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        if (reason.ReasonCode == DeactivationReasonCode.ShuttingDown) return;
        if (_writes.Dirty) await TryWriteAsync();
        // A near trigger on a store that does not outlive the process has no reminder yet: it needs one now.
        await _wakeUps.LeavingAsync();
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

    // Nothing keeps the grain in memory: no timer that must run in it (a far fire's bucket wakes it in time).
    private bool Rests => _timer is null || !_timerKeepsAlive;

    private static readonly TimeSpan MaxTimerDue = TimeSpan.FromDays(30);

    // An overlap policy other than AllowAll judges a fire against the jobs of the earlier ones, which it must do at the
    // instant (a run that ends within the lead would otherwise make the fire skip): such fires are not taken ahead.
    private TimeSpan LeadOf(Trigger def) => def.Overlap == OverlapPolicy.AllowAll ? _options.FireLead : TimeSpan.Zero;

    private void ArmForNextFire(Trigger def)
    {
        var now = _clock.GetUtcNow();
        if (_state.State.NextWake(def, now, _exclusions) is not { } next)
        {
            // Nothing left to fire (a fired AT): no timer, no wake-up.
            StopTimer();
            _ = _wakeUps.ForgetAsync();
            return;
        }
        var due = next > now ? next - now : TimeSpan.Zero;
        // A grain timer waits at most ~49.7 days; a farther fire gets a tick that finds nothing due and arms again.
        if (due > MaxTimerDue) due = MaxTimerDue;
        // Woken FireLead before the fire, which is then taken ahead (FireDueAsync).
        var wakeIn = due > LeadOf(def) ? due - LeadOf(def) : TimeSpan.Zero;
        // Close fires keep the grain in memory; far ones let it go and trust their wake bucket to wake it in time.
        var near = due <= _options.ReminderPeriod + _options.WakeLead;
        Arm(wakeIn, Timeout.InfiniteTimeSpan, keepAlive: near, _ => ScheduleAsync());
        // A far fire's bucket wakes the trigger WakeLead (plus up to a bucket's width, ReminderPeriod) before it,
        // when the fire is near again and the trigger's own reminder takes over until then.
        if (near) _wakeUps.UseReminder();
        else _wakeUps.UseBucket(WakeBuckets.KeyFor(next - _options.WakeLead, _options.ReminderPeriod));
    }

    private void ArmPolling(Trigger def)
    {
        if (_timer is not null) return;
        var every = def.Interval ?? _options.SchedulerTick;
        Arm(every, every, keepAlive: true, _ => PollAsync(def, every));
        _wakeUps.UseReminder();
    }

    private async Task PollAsync(Trigger def, TimeSpan every)
    {
        if (_stopping.IsStopping) return;
        var value = await _conditions.EvaluateAsync(def.Condition!, every, _clock);
        var now = _clock.GetUtcNow();
        if (!_state.State.TakeCondition(value, now, out var fire)) return;
        if (fire) FireScheduled(now);
        await TryWriteAsync();
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

    // Reads the calendars again; when one changed, what fell due up to now is settled under the old ones first, so
    // a change applies from the next fire on and never turns a past excluded instant into a misfire.
    private async Task RefreshCalendarsAsync(Trigger def)
    {
        List<Calendar> fresh;
        try
        {
            fresh = await ReadCalendarsAsync(def.Calendars ?? []);
        }
        catch (Exception ex)
        {
            LogCalendarsUnreadable(ex, Id.Value);
            return; // the copy in force stays; the next tick or notice tries again
        }
        _calendarsStale = false;
        _calendarsReadAt = _clock.GetUtcNow();
        var current = _state.State.Calendars ?? [];
        if (current.SequenceEqual(fresh)) return;
        await FireDueAsync(def, _exclusions);
        _state.State.CalendarsChanged(def, _clock.GetUtcNow());
        _state.State.Calendars = fresh;
        _exclusions = Build(fresh);
        await TryWriteAsync();
    }

    private async Task<List<Calendar>> ReadCalendarsAsync(IReadOnlyList<string> names)
    {
        var results = await Task.WhenAll(names.Select(n => GrainFactory.GetGrain<ICalendarGrain>(n).GetAsync()));
        var found = new List<Calendar>(results.Length);
        for (var i = 0; i < results.Length; i++)
        {
            if (results[i].IsOk) found.Add(results[i].Unwrap());
            else LogCalendarMissing(Id.Value, names[i]); // removal is refused while named: only after a lost detach
        }
        return found;
    }

    private async Task<Result<List<Calendar>>> AttachCalendarsAsync(Trigger def)
    {
        var attached = new List<Calendar>();
        foreach (var name in def.Calendars ?? [])
        {
            Result<Calendar> result;
            try
            {
                result = await GrainFactory.GetGrain<ICalendarGrain>(name).AttachAsync(Id);
            }
            catch
            {
                await DetachCalendarsAsync(attached.Select(c => c.Name).ToList());
                throw;
            }
            if (result.IsErr)
            {
                await DetachCalendarsAsync(attached.Select(c => c.Name).ToList());
                return Result<List<Calendar>>.Err(result.Error.Kind, $"{result.Error.Message} (named by trigger '{Id}'); save the calendar first");
            }
            attached.Add(result.Unwrap());
        }
        return attached;
    }

    private async Task DetachCalendarsAsync(IReadOnlyList<string> names)
    {
        foreach (var name in names)
        {
            try
            {
                await GrainFactory.GetGrain<ICalendarGrain>(name).DetachAsync(Id);
            }
            catch (Exception ex)
            {
                // The calendar drops a trigger that is gone when someone tries to remove it.
                LogCalendarDetachFailed(ex, Id.Value, name);
            }
        }
    }

    private ExclusionCalendars Build(List<Calendar>? calendars)
    {
        if (calendars is not { Count: > 0 }) return ExclusionCalendars.None;
        var built = ExclusionCalendars.From(calendars);
        if (built.IsOk) return built.Unwrap();
        LogCalendarInvalid(Id.Value, built.Error.Message); // e.g. a time zone this silo does not know
        return ExclusionCalendars.None;
    }

    Task TriggerWakeUps.IPort.KeepReminderAsync() =>
        this.RegisterOrUpdateReminder(ReminderName, _options.ReminderPeriod, _options.ReminderPeriod);

    Task TriggerWakeUps.IPort.ForgetReminderAsync() => this.ForgetReminderAsync(ReminderName);

    async Task TriggerWakeUps.IPort.JoinBucketAsync(long bucket)
    {
        await _catalog.PutAsync(WakeBuckets.CatalogOf(bucket), Id.Value, "");
        await GrainFactory.GetGrain<IWakeBucketGrain>(bucket).EnsureAsync();
    }

    Task TriggerWakeUps.IPort.LeaveBucketAsync(long bucket) => _catalog.RemoveAsync(WakeBuckets.CatalogOf(bucket), Id.Value);

    void TriggerWakeUps.IPort.Failed(Exception ex) => LogReminderFailed(ex, Id.Value);

    private List<EventId> Subscribers() => _state.State.Subscribers.Select(id => new EventId(id)).ToList();

    private async Task TryWriteAsync()
    {
        try
        {
            await _state.WriteStateAsync();
            _writes.Written(_clock.GetUtcNow());
        }
        catch (Exception ex)
        {
            LogWriteFailed(ex, Id.Value);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Trigger {TriggerId}: backfilled [{From}, {To}): {Instants} instant(s); queued {Queued}, skipped {Skipped}, already backfilled {Already}, refused {Refused}")]
    private partial void LogBackfilled(string triggerId, DateTimeOffset from, DateTimeOffset to, int instants, int queued, int skipped, int already, int refused);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Trigger {TriggerId}: backfill stopped after {Done} of {Instants} instant(s)")]
    private partial void LogBackfillFailed(Exception ex, string triggerId, int done, int instants);

    [LoggerMessage(Level = LogLevel.Error, Message = "Trigger {TriggerId}: state write failed")]
    private partial void LogWriteFailed(Exception ex, string triggerId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Trigger {TriggerId}: telling event {EventId} of its pause or resume failed; the event's next run may be stale until the next one")]
    private partial void LogPauseNoticeFailed(Exception ex, string triggerId, string eventId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Trigger {TriggerId}: its calendars could not be read; it plans with the copy it has until the next try")]
    private partial void LogCalendarsUnreadable(Exception ex, string triggerId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Trigger {TriggerId}: calendar {Calendar} does not exist; it excludes nothing")]
    private partial void LogCalendarMissing(string triggerId, string calendar);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Trigger {TriggerId}: telling calendar {Calendar} that the trigger is gone failed")]
    private partial void LogCalendarDetachFailed(Exception ex, string triggerId, string calendar);

    [LoggerMessage(Level = LogLevel.Error, Message = "Trigger {TriggerId}: its calendars cannot be used here ({Reason}); it fires as if it had none")]
    private partial void LogCalendarInvalid(string triggerId, string reason);

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
