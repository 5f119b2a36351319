namespace Orleans.ConvoOrchestrator.Runtime.Grains;

/// <summary>How the backfilled instants one event was given fared there; a trigger adds up its events' tallies.</summary>
/// <param name="Queued">Jobs queued.</param>
/// <param name="Skipped">Instants the overlap policy skipped.</param>
/// <param name="AlreadyBackfilled">Instants an earlier backfill queued already.</param>
/// <param name="Refused">Instants refused: the event is paused or gone, its queue is full, or a write failed.</param>
[GenerateSerializer, Immutable, Alias("convo.BackfillTally")]
internal sealed record BackfillTally(
    int Queued,
    int Skipped,
    int AlreadyBackfilled,
    int Refused)
{
    /// <summary>Nothing yet.</summary>
    public static BackfillTally None { get; } = new(0, 0, 0, 0);

    /// <summary>Every one of <paramref name="count"/> instants refused.</summary>
    public static BackfillTally AllRefused(int count) => new(0, 0, 0, count);

    /// <summary>The sum of two tallies.</summary>
    public BackfillTally Add(BackfillTally other) =>
        new(Queued + other.Queued, Skipped + other.Skipped, AlreadyBackfilled + other.AlreadyBackfilled, Refused + other.Refused);
}
