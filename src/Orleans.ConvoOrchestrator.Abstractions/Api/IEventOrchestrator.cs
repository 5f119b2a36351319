namespace Orleans.ConvoOrchestrator;

/// <summary>
/// The EventManager-shaped API, the same embedded (<c>EventManager</c>) and against a cluster
/// (<c>ConvoOrchestratorClient</c>). Expected failures come back as <see cref="Result{T}"/> errors.
/// <para>
/// Every method takes a <see cref="CancellationToken"/>: cancelling it releases the caller at once with an
/// <see cref="OperationCanceledException"/> (the .NET convention; a <see cref="Result"/> error always means the
/// orchestrator answered). A token already cancelled sends nothing. A call cancelled on its way may still have taken
/// effect in the cluster (an event saved, a job queued): cancellation stops the waiting, it is not an undo. Only
/// <see cref="TestRunAsync"/> also stops the work it started (see there).
/// </para>
/// </summary>
public interface IEventOrchestrator
{
    /// <summary>Creates or replaces an event.</summary>
    Task<Result> SaveEventAsync(Event definition, CancellationToken cancellationToken = default);

    /// <summary>
    /// Sets up many events at once: each item's event is created or replaced and its triggers attached, as
    /// <see cref="SaveEventAsync"/> and <see cref="AttachTriggerAsync"/> one by one would, with the same durability,
    /// schedules and listings, in far fewer calls and writes. The whole list is checked first: VALIDATION naming the
    /// item (bad definition, an event twice, one trigger id with two definitions) or NOT_FOUND (a calendar a trigger
    /// names does not exist) changes nothing. A failure while applying (CONFLICT with a stored trigger, a store error)
    /// names the item; items applied before it stay, and sending the same list again is safe. Answers how many
    /// events were set up (at most <see cref="EventSetupValidator.MaxItems"/> per call).
    /// </summary>
    Task<Result<int>> SaveEventsAsync(IReadOnlyList<EventSetup> setups, CancellationToken cancellationToken = default);

    /// <summary>Creates an event; CONFLICT when it exists.</summary>
    Task<Result> CreateEventAsync(Event definition, CancellationToken cancellationToken = default);

    /// <summary>Replaces an event; NOT_FOUND when it does not exist.</summary>
    Task<Result> UpdateEventAsync(Event definition, CancellationToken cancellationToken = default);

    /// <summary>An event's definition.</summary>
    Task<Result<Event>> GetEventAsync(EventId eventId, CancellationToken cancellationToken = default);

    /// <summary>Every event, ordered by id (read page by page from the cluster; see <see cref="ListEventsPageAsync"/>).</summary>
    Task<Result<IReadOnlyList<Event>>> ListEventsAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// One page of the events, ordered by id: at most <paramref name="limit"/> (1 to <see cref="PageToken.MaxLimit"/>)
    /// after the page <paramref name="pageToken"/> came with (null: from the start). Only that page is read. Following
    /// <see cref="Page{T}.NextPageToken"/> until it is null lists every event that exists throughout exactly once; one
    /// created or removed meanwhile may or may not appear. VALIDATION (nothing read) for a bad limit or a token this API
    /// did not hand out.
    /// </summary>
    Task<Result<Page<Event>>> ListEventsPageAsync(int limit, string? pageToken = null, CancellationToken cancellationToken = default);

    /// <summary>Removes an event and its subscriptions.</summary>
    Task<Result> RemoveEventAsync(EventId eventId, CancellationToken cancellationToken = default);

    /// <summary>Pauses (inactive: emits get NOT_ACTIVE) or resumes an event.</summary>
    Task<Result> SetEventActiveAsync(EventId eventId, bool active, CancellationToken cancellationToken = default);

    /// <summary>Attaches a trigger to an event.</summary>
    Task<Result<SubscriptionId>> AttachTriggerAsync(EventId eventId, Trigger trigger, CancellationToken cancellationToken = default);

    /// <summary>Detaches by subscription id.</summary>
    Task<Result> DetachTriggerAsync(SubscriptionId subscriptionId, CancellationToken cancellationToken = default);

    /// <summary>All triggers, or those attached to <paramref name="eventId"/>.</summary>
    Task<Result<IReadOnlyList<Trigger>>> ListTriggersAsync(EventId? eventId = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// One page of the triggers, ordered by id, like <see cref="ListEventsPageAsync"/>: every trigger (each once, however
    /// many events it feeds), or those attached to <paramref name="eventId"/> (NOT_FOUND for an unknown event).
    /// </summary>
    Task<Result<Page<Trigger>>> ListTriggersPageAsync(int limit, string? pageToken = null, EventId? eventId = null,
        CancellationToken cancellationToken = default);

    /// <summary>Enqueues a job; returns its id at once. <paramref name="payload"/> is serialized to JSON.</summary>
    Task<Result<string>> EmitAsync(EventId eventId, object? payload = null, EmitOptions? options = null, CancellationToken cancellationToken = default);

    /// <summary>Enqueues a job whose payload is JSON text.</summary>
    Task<Result<string>> EmitJsonAsync(EventId eventId, string payloadJson, EmitOptions? options = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Runs the event's handler now and returns the outcome. Cancelling <paramref name="cancellationToken"/> releases the
    /// caller with an <see cref="OperationCanceledException"/> and cancels the run itself, like
    /// <see cref="CancelJobAsync"/>: a waiting run ends CANCELLED without running, a running one has its handler's
    /// token cancelled (and is abandoned after the silo's <c>CancelGracePeriod</c> if it ignores it). The CANCELLED
    /// outcome is in the event's history.
    /// </summary>
    Task<Result<JobOutcome>> TestRunAsync(EventId eventId, object? payload = null, CancellationToken cancellationToken = default);

    /// <summary>Fires an EXTERNAL trigger: every subscribed event gets a job. Returns how many accepted one.</summary>
    Task<Result<int>> FireTriggerAsync(TriggerId triggerId, object? payload = null, CancellationToken cancellationToken = default);

    /// <summary>A trigger's schedule and counters: next fire, last fire, fires, misses.</summary>
    Task<Result<TriggerStatus>> TriggerStatusAsync(TriggerId triggerId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Pauses (<paramref name="paused"/> true) or resumes a trigger for every event it feeds. A paused trigger fires
    /// nothing, not even from outside (NOT_ACTIVE); on resume, the fires it missed meanwhile follow its misfire policy
    /// and catch-up window like fires missed in an outage. The state survives restarts; attaching the trigger again
    /// does not change it.
    /// </summary>
    Task<Result> SetTriggerPausedAsync(TriggerId triggerId, bool paused, CancellationToken cancellationToken = default);

    /// <summary>
    /// The next <paramref name="count"/> (1 to <see cref="TriggerPreview.MaxFires"/>) instants a trigger will fire at,
    /// in order, with its jitter, time zone and calendars applied; empty for a trigger without a schedule (EXTERNAL, CONDITION),
    /// an inactive one or a fired AT.
    /// </summary>
    Task<Result<IReadOnlyList<DateTimeOffset>>> NextFiresAsync(TriggerId triggerId, int count = 10, CancellationToken cancellationToken = default);

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
    Task<Result<BackfillReport>> BackfillTriggerAsync(TriggerId triggerId, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken = default);

    /// <summary>
    /// Creates or replaces an exclusion calendar. Triggers that name it plan with the new rules from their next fire
    /// on; fires before the change stay judged by the old ones (an instant it no longer excludes is not a misfire).
    /// </summary>
    Task<Result> SaveCalendarAsync(Calendar calendar, CancellationToken cancellationToken = default);

    /// <summary>A calendar's definition, or NOT_FOUND.</summary>
    Task<Result<Calendar>> GetCalendarAsync(string name, CancellationToken cancellationToken = default);

    /// <summary>Every calendar, ordered by name.</summary>
    Task<Result<IReadOnlyList<Calendar>>> ListCalendarsAsync(CancellationToken cancellationToken = default);

    /// <summary>Removes a calendar; CONFLICT (naming them) while triggers name it, NOT_FOUND when it does not exist.</summary>
    Task<Result> RemoveCalendarAsync(string name, CancellationToken cancellationToken = default);

    /// <summary>An event's live status.</summary>
    Task<Result<EventRuntimeStatus>> StatusAsync(EventId eventId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Cancels a job that has not ended. One that waits (queued, or still being stored) ends CANCELLED without running;
    /// a running one has its handler's token cancelled, and a handler that ignores it is abandoned after the silo's
    /// <c>CancelGracePeriod</c>, its slot freed. Either way the CANCELLED outcome is in the history when the answer
    /// comes, so the job never runs again, even after a crash. NOT_FOUND for a job the event does not hold (unknown or
    /// ended); CONFLICT for one whose cancel is already under way.
    /// </summary>
    Task<Result> CancelJobAsync(EventId eventId, string jobId, CancellationToken cancellationToken = default);

    /// <summary>
    /// The event's jobs that have not ended, at most <paramref name="limit"/> (1 to <see cref="InFlightJob.MaxListed"/>):
    /// those holding a slot first (running, or being cancelled), oldest start first, then the waiting ones in the order
    /// they will start. What <see cref="CancelJobAsync"/> can cancel.
    /// </summary>
    Task<Result<IReadOnlyList<InFlightJob>>> ListJobsAsync(EventId eventId, int limit = 100, CancellationToken cancellationToken = default);

    /// <summary>Cancels every job of the event that waits (see <see cref="CancelJobAsync"/>); returns how many.</summary>
    Task<Result<int>> CancelWaitingJobsAsync(EventId eventId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Failed jobs (ended ERR: retries ran out, or the last attempt timed out), newest failure first: one event's, or
    /// every event's when <paramref name="eventId"/> is null. Each is kept with its payload until requeued or
    /// discarded, within the silo's retention (<c>FailedJobsKept</c>, <c>FailedJobsMaxAge</c>).
    /// </summary>
    Task<Result<IReadOnlyList<FailedJob>>> ListFailedJobsAsync(EventId? eventId = null, int limit = 100, CancellationToken cancellationToken = default);

    /// <summary>
    /// Runs failed jobs of the event again (those of <paramref name="jobIds"/>, or all when null): each leaves the
    /// failed list and queues under its own id as a new delivery. Returns how many were requeued.
    /// </summary>
    Task<Result<int>> RequeueFailedJobsAsync(EventId eventId, IReadOnlyList<string>? jobIds = null, CancellationToken cancellationToken = default);

    /// <summary>Drops failed jobs of the event from its list (those of <paramref name="jobIds"/>, or all when null); returns how many.</summary>
    Task<Result<int>> DiscardFailedJobsAsync(EventId eventId, IReadOnlyList<string>? jobIds = null, CancellationToken cancellationToken = default);

    /// <summary>An event's recent outcomes, newest first.</summary>
    Task<Result<IReadOnlyList<JobRecord>>> HistoryAsync(EventId eventId, int limit = 50, CancellationToken cancellationToken = default);

    /// <summary>The cluster's metrics.</summary>
    Task<Result<MetricsSnapshot>> MetricsSnapshotAsync(CancellationToken cancellationToken = default);
}
