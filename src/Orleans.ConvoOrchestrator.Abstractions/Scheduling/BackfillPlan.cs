namespace Orleans.ConvoOrchestrator;

/// <summary>The fire instants of a backfill range (<see cref="BackfillSchedule.Plan"/>).</summary>
/// <param name="Instants">The instants to backfill, in order, none excluded by a calendar.</param>
/// <param name="ResumeFrom">
/// Null when <paramref name="Instants"/> are all the range holds; otherwise where the rest begins: the first fire not
/// listed, or the instant the search reached when its calendars needed too many jumps (all before it is listed or
/// excluded).
/// </param>
public sealed record BackfillPlan(IReadOnlyList<DateTimeOffset> Instants, DateTimeOffset? ResumeFrom)
{
    /// <summary>True when the range holds more than was listed.</summary>
    public bool Cut => ResumeFrom is not null;
}
