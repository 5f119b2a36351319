namespace Orleans.ConvoOrchestrator;

/// <summary>
/// A named exclusion calendar, stored in the cluster and attached to INTERVAL and Cron triggers by name
/// (<see cref="Trigger.Calendars"/>): an instant any of its rules covers does not fire, and is not a misfire.
/// </summary>
/// <param name="Name">Its name, following the rules of ids; also the key of its grain.</param>
/// <param name="Rules">What it excludes (1 to <see cref="DefinitionLimits.MaxCalendarRules"/>); an instant is excluded when any rule covers it.</param>
/// <param name="TimeZone">The IANA (or Windows) time zone its dates and times are read in; UTC when null.</param>
/// <param name="Description">Free text for people.</param>
[GenerateSerializer, Immutable, Alias("convo.Calendar")]
public sealed record Calendar(
    string Name,
    IReadOnlyList<CalendarRule> Rules,
    string? TimeZone = null,
    string? Description = null)
{
    /// <inheritdoc />
    public bool Equals(Calendar? other) =>
        other is not null && Name == other.Name && TimeZone == other.TimeZone && Description == other.Description
        && (Rules ?? []).SequenceEqual(other.Rules ?? []);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Name, TimeZone, Description, Rules?.Count ?? 0);
}
