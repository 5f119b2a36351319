namespace Orleans.ConvoOrchestrator;

/// <summary>
/// What a backfill (<see cref="IEventOrchestrator.BackfillTriggerAsync"/>) did: the fire instants it found in
/// [<paramref name="From"/>, <paramref name="To"/>) and how each of them fared in each event the trigger feeds.
/// <c>Queued + Skipped + AlreadyBackfilled + Refused == Instants * Events</c>.
/// </summary>
/// <param name="TriggerId">The trigger backfilled.</param>
/// <param name="From">The start of the range, included.</param>
/// <param name="To">The end of the range, excluded.</param>
/// <param name="Instants">How many fire instants were found in the range (calendars applied), at most the silo's
/// <c>BackfillMaxFires</c>; each was offered to every subscribed event, in order.</param>
/// <param name="Events">How many events the trigger feeds.</param>
/// <param name="Queued">Jobs queued (one per instant and event), each marked as a backfill with its instant.</param>
/// <param name="Skipped">Instants the trigger's overlap policy skipped (recorded SKIPPED like a skipped fire).</param>
/// <param name="AlreadyBackfilled">
/// Instants an earlier backfill already queued for the event: a repeat (or a retry after a failure) never runs an
/// instant twice.
/// </param>
/// <param name="Refused">Instants an event refused: it is paused (NOT_ACTIVE), its queue is full, or the job could not be stored.</param>
/// <param name="ResumeFrom">
/// When the range held more fires than the bound: the first instant not backfilled; backfill from it to
/// <paramref name="To"/> for the rest. Null when the whole range was done.
/// </param>
[GenerateSerializer, Immutable, Alias("convo.BackfillReport")]
public sealed record BackfillReport(
    TriggerId TriggerId,
    DateTimeOffset From,
    DateTimeOffset To,
    int Instants,
    int Events,
    int Queued,
    int Skipped,
    int AlreadyBackfilled,
    int Refused,
    DateTimeOffset? ResumeFrom)
{
    /// <summary>True when the range held more fires than the bound and only the first were backfilled (see <see cref="ResumeFrom"/>).</summary>
    public bool Cut => ResumeFrom is not null;
}
