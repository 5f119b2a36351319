namespace Orleans.ConvoOrchestrator;

/// <summary>
/// The EventManager-shaped API, the same embedded (<c>EventManager</c>) and against a cluster
/// (<c>ConvoOrchestratorClient</c>). Expected failures come back as <see cref="Result{T}"/> errors.
/// </summary>
public interface IEventOrchestrator
{
    /// <summary>Creates or replaces an event.</summary>
    Task<Result> SaveEventAsync(Event definition);

    /// <summary>
    /// Sets up many events at once: each item's event is created or replaced and its triggers attached, as
    /// <see cref="SaveEventAsync"/> and <see cref="AttachTriggerAsync"/> one by one would, with the same durability,
    /// schedules and listings, in far fewer calls and writes. The whole list is checked first: VALIDATION naming the
    /// item (bad definition, an event twice, one trigger id with two definitions) or NOT_FOUND (a calendar a trigger
    /// names does not exist) changes nothing. A failure while applying (CONFLICT with a stored trigger, a store error)
    /// names the item; items applied before it stay, and sending the same list again is safe. Answers how many
    /// events were set up (at most <see cref="EventSetupValidator.MaxItems"/> per call).
    /// </summary>
    Task<Result<int>> SaveEventsAsync(IReadOnlyList<EventSetup> setups);

    /// <summary>Creates an event; CONFLICT when it exists.</summary>
    Task<Result> CreateEventAsync(Event definition);

    /// <summary>Replaces an event; NOT_FOUND when it does not exist.</summary>
    Task<Result> UpdateEventAsync(Event definition);

    /// <summary>An event's definition.</summary>
    Task<Result<Event>> GetEventAsync(EventId eventId);

    /// <summary>Every event, ordered by id.</summary>
    Task<Result<IReadOnlyList<Event>>> ListEventsAsync();

    /// <summary>Removes an event and its subscriptions.</summary>
    Task<Result> RemoveEventAsync(EventId eventId);

    /// <summary>Pauses (inactive: emits get NOT_ACTIVE) or resumes an event.</summary>
    Task<Result> SetEventActiveAsync(EventId eventId, bool active);

    /// <summary>Attaches a trigger to an event.</summary>
    Task<Result<SubscriptionId>> AttachTriggerAsync(EventId eventId, Trigger trigger);

    /// <summary>Detaches by subscription id.</summary>
    Task<Result> DetachTriggerAsync(SubscriptionId subscriptionId);

    /// <summary>All triggers, or those attached to <paramref name="eventId"/>.</summary>
    Task<Result<IReadOnlyList<Trigger>>> ListTriggersAsync(EventId? eventId = null);

    /// <summary>Enqueues a job; returns its id at once. <paramref name="payload"/> is serialized to JSON.</summary>
    Task<Result<string>> EmitAsync(EventId eventId, object? payload = null, EmitOptions? options = null);

    /// <summary>Enqueues a job whose payload is JSON text.</summary>
    Task<Result<string>> EmitJsonAsync(EventId eventId, string payloadJson, EmitOptions? options = null);

    /// <summary>Runs the event's handler now and returns the outcome.</summary>
    Task<Result<JobOutcome>> TestRunAsync(EventId eventId, object? payload = null);

    /// <summary>Fires an EXTERNAL trigger: every subscribed event gets a job. Returns how many accepted one.</summary>
    Task<Result<int>> FireTriggerAsync(TriggerId triggerId, object? payload = null);

    /// <summary>A trigger's schedule and counters: next fire, last fire, fires, misses.</summary>
    Task<Result<TriggerStatus>> TriggerStatusAsync(TriggerId triggerId);

    /// <summary>
    /// Pauses (<paramref name="paused"/> true) or resumes a trigger for every event it feeds. A paused trigger fires
    /// nothing, not even from outside (NOT_ACTIVE); on resume, the fires it missed meanwhile follow its misfire policy
    /// and catch-up window like fires missed in an outage. The state survives restarts; attaching the trigger again
    /// does not change it.
    /// </summary>
    Task<Result> SetTriggerPausedAsync(TriggerId triggerId, bool paused);

    /// <summary>
    /// The next <paramref name="count"/> (1 to <see cref="TriggerPreview.MaxFires"/>) instants a trigger will fire at,
    /// in order, with its jitter, time zone and calendars applied; empty for a trigger without a schedule (EXTERNAL, CONDITION),
    /// an inactive one or a fired AT.
    /// </summary>
    Task<Result<IReadOnlyList<DateTimeOffset>>> NextFiresAsync(TriggerId triggerId, int count = 10);

    /// <summary>
    /// Runs the fires a trigger would have made in the past range [<paramref name="from"/>, <paramref name="to"/>): each
    /// instant once, in order, into every event it feeds, following its overlap policy, calendars and time zone like
    /// live fires; each job's context says <see cref="EventContext.IsBackfill"/> and carries its instant as
    /// <see cref="EventContext.ScheduledAt"/>. Exactly once per instant and event, durably: a repeat of the same backfill,
    /// or a retry after a failure, does not run an instant again (<see cref="BackfillReport.AlreadyBackfilled"/>; keys
    /// are kept at least 30 days). A range with more fires than the silo's <c>BackfillMaxFires</c> is cut: the first
    /// are queued and the report says where to go on. VALIDATION (nothing changed) for a trigger without a schedule
    /// (EXTERNAL, CONDITION), <paramref name="from"/> not before <paramref name="to"/>, <paramref name="to"/> in the
    /// future or a range longer than <c>BackfillMaxRange</c>; NOT_ACTIVE for a paused or inactive trigger; NOT_FOUND
    /// for an unknown one.
    /// </summary>
    Task<Result<BackfillReport>> BackfillTriggerAsync(TriggerId triggerId, DateTimeOffset from, DateTimeOffset to);

    /// <summary>
    /// Creates or replaces an exclusion calendar. Triggers that name it plan with the new rules from their next fire
    /// on; fires before the change stay judged by the old ones (an instant it no longer excludes is not a misfire).
    /// </summary>
    Task<Result> SaveCalendarAsync(Calendar calendar);

    /// <summary>A calendar's definition, or NOT_FOUND.</summary>
    Task<Result<Calendar>> GetCalendarAsync(string name);

    /// <summary>Every calendar, ordered by name.</summary>
    Task<Result<IReadOnlyList<Calendar>>> ListCalendarsAsync();

    /// <summary>Removes a calendar; CONFLICT (naming them) while triggers name it, NOT_FOUND when it does not exist.</summary>
    Task<Result> RemoveCalendarAsync(string name);

    /// <summary>An event's live status.</summary>
    Task<Result<EventRuntimeStatus>> StatusAsync(EventId eventId);

    /// <summary>
    /// Cancels a job that has not ended. One that waits (queued, or still being stored) ends CANCELLED without running;
    /// a running one has its handler's token cancelled, and a handler that ignores it is abandoned after the silo's
    /// <c>CancelGracePeriod</c>, its slot freed. Either way the CANCELLED outcome is in the history when the answer
    /// comes, so the job never runs again, even after a crash. NOT_FOUND for a job the event does not hold (unknown or
    /// ended); CONFLICT for one whose cancel is already under way.
    /// </summary>
    Task<Result> CancelJobAsync(EventId eventId, string jobId);

    /// <summary>
    /// The event's jobs that have not ended, at most <paramref name="limit"/> (1 to <see cref="InFlightJob.MaxListed"/>):
    /// those holding a slot first (running, or being cancelled), oldest start first, then the waiting ones in the order
    /// they will start. What <see cref="CancelJobAsync"/> can cancel.
    /// </summary>
    Task<Result<IReadOnlyList<InFlightJob>>> ListJobsAsync(EventId eventId, int limit = 100);

    /// <summary>Cancels every job of the event that waits (see <see cref="CancelJobAsync"/>); returns how many.</summary>
    Task<Result<int>> CancelWaitingJobsAsync(EventId eventId);

    /// <summary>
    /// Failed jobs (ended ERR: retries ran out, or the last attempt timed out), newest failure first: one event's, or
    /// every event's when <paramref name="eventId"/> is null. Each is kept with its payload until requeued or
    /// discarded, within the silo's retention (<c>FailedJobsKept</c>, <c>FailedJobsMaxAge</c>).
    /// </summary>
    Task<Result<IReadOnlyList<FailedJob>>> ListFailedJobsAsync(EventId? eventId = null, int limit = 100);

    /// <summary>
    /// Runs failed jobs of the event again (those of <paramref name="jobIds"/>, or all when null): each leaves the
    /// failed list and queues under its own id as a new delivery. Returns how many were requeued.
    /// </summary>
    Task<Result<int>> RequeueFailedJobsAsync(EventId eventId, IReadOnlyList<string>? jobIds = null);

    /// <summary>Drops failed jobs of the event from its list (those of <paramref name="jobIds"/>, or all when null); returns how many.</summary>
    Task<Result<int>> DiscardFailedJobsAsync(EventId eventId, IReadOnlyList<string>? jobIds = null);

    /// <summary>An event's recent outcomes, newest first.</summary>
    Task<Result<IReadOnlyList<JobRecord>>> HistoryAsync(EventId eventId, int limit = 50);

    /// <summary>The cluster's metrics.</summary>
    Task<Result<MetricsSnapshot>> MetricsSnapshotAsync();
}
