using Orleans.ConvoOrchestrator.Runtime.Grains;

namespace Orleans.ConvoOrchestrator.Runtime.Storage;

/// <summary>
/// Where accepted jobs wait until they end, and where their ends are recorded: one keyed collection of job records per
/// event, so accepting, marking and ending a job each cost one small record write whatever the queue's depth. Ending a
/// job deletes its record and appends its outcome to the event's history in the same atomic write, so a lost silo or
/// a lost answer can neither lose an outcome nor keep the record of a job whose outcome is stored. Hosting chooses
/// the implementation (<see cref="MemoryJobStore"/> or the Redis one (package Orleans.ConvoOrchestrator.Redis)); event grains only see this
/// interface. Every write is safe to retry after an unanswered success.
/// Writes that change an event's stored jobs are fenced by an owner: each activation of the event takes the event over
/// with a token of its own (<see cref="TakeOverAsync"/>) before it reads the jobs, and passes that token to every such
/// write; a store that outlives the process refuses (with <see cref="JobOwnershipLostException"/>, storing nothing) a
/// write whose token is no longer the event's, so a stale activation left by a membership change can store, and
/// therefore start, nothing once the new one has loaded. A write with no token (null: from outside any activation,
/// tests and tools) is not fenced. The memory store lives and dies with the only process that can activate the event,
/// and ignores tokens.
/// </summary>
internal interface IJobStore
{
    /// <summary>
    /// In one atomic round trip: stores (inserts or replaces) <paramref name="upserts"/>; for each of
    /// <paramref name="ended"/>, deletes the job's record and appends the record to the event's history unless a record
    /// with the same job id and delivery is already there; then keeps only the newest <paramref name="historySize"/>
    /// history records. The event is listed by <see cref="PendingEventsAsync"/> while it has stored jobs. The lists are
    /// the caller's again once the task completes (they are reused): a store must not keep them.
    /// An upsert with an <see cref="QueuedJob.IdempotencyKey"/> that is not stored yet is refused (not stored, and
    /// answered as a <see cref="KeyConflict"/>) when another job holds its key until after the new job's
    /// <see cref="QueuedJob.EnqueuedAt"/>; otherwise it takes the key until its <see cref="QueuedJob.IdempotentUntil"/>,
    /// in the same atomic step, so two emits with one key yield one job across silos, activations and retries.
    /// An ended job whose outcome is ERR also goes, with its stored record, to the event's failed list (see
    /// <see cref="LoadFailedAsync"/>), in the same atomic step; the list keeps the newest <see cref="FailedJobRetention.Kept"/>
    /// no older than <see cref="FailedJobRetention.MaxAge"/> (measured from the newest end of the write).
    /// </summary>
    /// <returns>The refused upserts; empty (usually) when none was.</returns>
    /// <param name="eventId">The event.</param>
    /// <param name="upserts">Jobs to store.</param>
    /// <param name="ended">Jobs to end.</param>
    /// <param name="historySize">How many history records the event keeps.</param>
    /// <param name="owner">The writing activation's token (see <see cref="TakeOverAsync"/>), or null for an unfenced write.</param>
    Task<IReadOnlyList<KeyConflict>> WriteAsync(EventId eventId, IReadOnlyList<QueuedJob> upserts, IReadOnlyList<JobRecord> ended, int historySize,
        string? owner = null);

    /// <summary>
    /// Makes <paramref name="owner"/> the event's owner (from then on, writes with another token are refused) and then
    /// reads every stored job of the event, in one atomic step: whatever an earlier owner stored before is read, and
    /// nothing it writes after is stored. An activation calls this before anything else.
    /// </summary>
    Task<IReadOnlyList<QueuedJob>> TakeOverAsync(EventId eventId, string owner);

    /// <summary>
    /// Which of <paramref name="keys"/> (idempotency keys of the event) a job holds at <paramref name="now"/>: key to the
    /// holding job's id, for those held. A read only: what it answers may change before the next write, which decides
    /// atomically (see <see cref="WriteAsync"/>); a backfill asks first so that an instant it already queued is told
    /// apart from one its overlap policy skips.
    /// </summary>
    Task<IReadOnlyDictionary<string, string>> HeldKeysAsync(EventId eventId, IReadOnlyList<string> keys, DateTimeOffset now);

    /// <summary>The event's failed jobs, newest failure first, at most <paramref name="limit"/>.</summary>
    Task<IReadOnlyList<FailedJob>> LoadFailedAsync(EventId eventId, int limit);

    /// <summary>The events whose failed lists may hold jobs.</summary>
    Task<IReadOnlyList<EventId>> EventsWithFailedAsync();

    /// <summary>
    /// Moves failed jobs back to the event's stored jobs, atomically each: for every one of <paramref name="jobs"/>
    /// whose failed entry is there, stores the job and deletes the entry. Returns the ids moved; a repeat moves nothing.
    /// </summary>
    Task<IReadOnlyList<string>> RequeueFailedAsync(EventId eventId, IReadOnlyList<QueuedJob> jobs, string? owner = null);

    /// <summary>Deletes failed entries: those of <paramref name="jobIds"/>, or all when null. Returns how many went.</summary>
    Task<int> DiscardFailedAsync(EventId eventId, IReadOnlyList<string>? jobIds);

    /// <summary>Every stored job of the event, in no particular order.</summary>
    Task<IReadOnlyList<QueuedJob>> LoadAsync(EventId eventId);

    /// <summary>How many jobs of the event are stored (cheap: no job is read).</summary>
    Task<long> CountAsync(EventId eventId);

    /// <summary>
    /// Deletes every stored job of the event, its failed list and its idempotency keys, and unlists it (its history is
    /// the history store's). Fenced by <paramref name="owner"/> as <see cref="WriteAsync"/> is; the owner stays the owner.
    /// </summary>
    Task ClearAsync(EventId eventId, string? owner = null);

    /// <summary>
    /// Unlists the event when it has no stored job (its grain calls this when it goes idle), and then gives up its
    /// ownership when <paramref name="owner"/> still holds it (the next activation takes it over anew).
    /// </summary>
    Task ForgetIfEmptyAsync(EventId eventId, string? owner = null);

    /// <summary>The events that may have stored jobs (so a surviving silo can wake them after a failure).</summary>
    Task<IReadOnlyList<EventId>> PendingEventsAsync();
}
