namespace Orleans.ConvoOrchestrator;

/// <summary>When an event runs. One trigger may be attached to several events.</summary>
/// <param name="Id">The trigger's id.</param>
/// <param name="Kind">Its kind.</param>
/// <param name="At">For <see cref="TriggerKind.AT"/>: the instant to fire (in the past: fires once, at once).</param>
/// <param name="Interval">For <see cref="TriggerKind.INTERVAL"/>: the period (&gt; 0). For <see cref="TriggerKind.CONDITION"/>: how often the predicate is polled (default: the scheduler tick).</param>
/// <param name="Jitter">INTERVAL and AT: each fire is delayed by a pseudo-random amount in [0, jitter), fixed per fire.</param>
/// <param name="Active">Inactive triggers do not fire.</param>
/// <param name="Cron">For <see cref="TriggerKind.Cron"/>: a cron expression, 5 fields or 6 with seconds first.</param>
/// <param name="TimeZone">For <see cref="TriggerKind.Cron"/>: the IANA or Windows time zone id it is read in (default UTC).</param>
/// <param name="Misfire">What to do about fires missed while the cluster could not fire them.</param>
/// <param name="MisfireThreshold">How late a fire may be and still count as on time (default: the silo's option, 1 s).</param>
/// <param name="Anchor">INTERVAL fires at anchor + k * interval (k = 1, 2, ...); set to the attach time when not given.</param>
/// <param name="Condition">For <see cref="TriggerKind.CONDITION"/>: the name a predicate was registered under in the silos.</param>
/// <param name="Overlap">What a fire does while jobs of this trigger's earlier fires are still queued or running.</param>
/// <param name="CatchUpWindow">
/// How far back a missed fire may lie and still run (after an outage or a pause): <see cref="MisfirePolicy.Coalesce"/>
/// fires once only if the latest missed fire is this recent, <see cref="MisfirePolicy.RunAll"/> fires each one this
/// recent. Null: no limit (for RunAll, required).
/// </param>
/// <param name="Calendars">
/// INTERVAL and Cron: names of stored <see cref="Calendar"/>s whose excluded instants this trigger does not fire at
/// (nor count as missed). Each must exist when the trigger is attached; a calendar change applies from the next fire.
/// </param>
[GenerateSerializer, Immutable, Alias("convo.Trigger")]
public sealed record Trigger(
    TriggerId Id,
    TriggerKind Kind,
    DateTimeOffset? At = null,
    TimeSpan? Interval = null,
    TimeSpan? Jitter = null,
    bool Active = true,
    string? Cron = null,
    string? TimeZone = null,
    MisfirePolicy Misfire = MisfirePolicy.Coalesce,
    TimeSpan? MisfireThreshold = null,
    DateTimeOffset? Anchor = null,
    string? Condition = null,
    OverlapPolicy Overlap = OverlapPolicy.AllowAll,
    TimeSpan? CatchUpWindow = null,
    IReadOnlyList<string>? Calendars = null)
{
    // Written out because a list compares by reference: attaching the same trigger again (same calendars) must
    // still equal the stored definition. No calendars and an empty list are the same.
    /// <inheritdoc />
    public bool Equals(Trigger? other) =>
        other is not null && Id == other.Id && Kind == other.Kind && At == other.At && Interval == other.Interval
        && Jitter == other.Jitter && Active == other.Active && Cron == other.Cron && TimeZone == other.TimeZone
        && Misfire == other.Misfire && MisfireThreshold == other.MisfireThreshold && Anchor == other.Anchor
        && Condition == other.Condition && Overlap == other.Overlap && CatchUpWindow == other.CatchUpWindow
        && (Calendars ?? []).SequenceEqual(other.Calendars ?? [], StringComparer.Ordinal);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Id, Kind, At, Interval, Cron, Anchor, Condition, Calendars?.Count ?? 0);

    /// <summary>True when the trigger names at least one calendar.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public bool HasCalendars => Calendars is { Count: > 0 };
}
