namespace Orleans.ConvoOrchestrator.Grains;

/// <summary>One trigger (key = trigger id): its definition and the events subscribed to it.</summary>
[Alias("convo.ITriggerGrain")]
public interface ITriggerGrain : IGrainWithStringKey
{
    /// <summary>
    /// Subscribes an event, creating the trigger (anchored at now unless it names an anchor); CONFLICT when it
    /// exists with another definition. Returns the stored definition.
    /// </summary>
    [Alias("Subscribe")] Task<Result<Trigger>> SubscribeAsync(Trigger trigger, EventId eventId);

    /// <summary>Unsubscribes an event; the trigger is removed with its last subscriber.</summary>
    [Alias("Unsubscribe")] Task<Result> UnsubscribeAsync(EventId eventId);

    /// <summary>The definition and subscribers, or NOT_FOUND.</summary>
    [Alias("Get"), Orleans.Concurrency.ReadOnly] Task<Result<TriggerInfo>> GetAsync();

    /// <summary>Definition, schedule and counters, or NOT_FOUND.</summary>
    [Alias("Status"), Orleans.Concurrency.AlwaysInterleave] Task<Result<TriggerStatus>> StatusAsync();

    /// <summary>Pauses or resumes the trigger (an operator's switch, beside its definition's); NOT_FOUND when it does not exist.</summary>
    [Alias("SetPaused")] Task<Result> SetPausedAsync(bool paused);

    /// <summary>Up to <paramref name="count"/> next fire instants, in order (empty without a schedule), or NOT_FOUND.</summary>
    [Alias("NextFires"), Orleans.Concurrency.AlwaysInterleave] Task<Result<List<DateTimeOffset>>> NextFiresAsync(int count);

    /// <summary>
    /// Backfills the past range [<paramref name="from"/>, <paramref name="to"/>) (see
    /// <see cref="IEventOrchestrator.BackfillTriggerAsync"/>). Interleaved, so a long backfill never holds up the
    /// trigger's live fires; it changes nothing of the trigger's own state. A large range into many events takes longer
    /// than the default response timeout: it has ten minutes.
    /// </summary>
    [Alias("Backfill"), Orleans.Concurrency.AlwaysInterleave, ResponseTimeout("00:10:00")] Task<Result<BackfillReport>> BackfillAsync(DateTimeOffset from, DateTimeOffset to);

    /// <summary>Fires the trigger with a payload: every subscribed event gets a job. Returns how many accepted it.</summary>
    [Alias("Fire")] Task<Result<int>> FireAsync(string payloadJson);

    /// <summary>
    /// Activates the trigger, which reconciles its schedule (a coalesced fire for what it missed) and arms its
    /// timer; sent by the silos when one starts and after a silo was lost, so schedules resume in seconds rather
    /// than at the next reminder tick.
    /// </summary>
    [Alias("Wake"), Orleans.Concurrency.AlwaysInterleave, Orleans.Concurrency.OneWay] Task WakeAsync();

    /// <summary>
    /// Sent by the wake bucket <paramref name="bucket"/> when it starts: activates the trigger like
    /// <see cref="WakeAsync"/> and answers once its next wake-up is durable and no longer rests on that bucket (its
    /// own reminder, or an entry in a later bucket): true, else false. The bucket drops the trigger's entry only
    /// after a true answer.
    /// </summary>
    [Alias("Resume")] Task<bool> ResumeAsync(long bucket);

    /// <summary>
    /// Sent by a calendar the trigger names when it changed: the trigger reads its calendars again and re-plans its
    /// next fire with them. One-way, so a calendar never waits on its triggers.
    /// </summary>
    [Alias("CalendarChanged"), Orleans.Concurrency.OneWay] Task CalendarChangedAsync();
}
