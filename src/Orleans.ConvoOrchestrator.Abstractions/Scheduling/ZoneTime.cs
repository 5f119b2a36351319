namespace Orleans.ConvoOrchestrator;

/// <summary>Wall-clock times of a time zone as instants, through DST gaps and repeated hours.</summary>
public static class ZoneTime
{
    /// <summary>
    /// The first instant after <paramref name="after"/> at which the clocks of <paramref name="zone"/> show
    /// <paramref name="wall"/>: of a repeated hour (fall-back) the occurrence that comes after <paramref name="after"/>;
    /// a time the clocks skip (spring-forward) is reached when they jump over it, at the gap's end. Null when the
    /// clocks show it only at or before <paramref name="after"/>.
    /// </summary>
    public static DateTimeOffset? FirstAfter(DateTime wall, TimeZoneInfo zone, DateTimeOffset after)
    {
        wall = DateTime.SpecifyKind(wall, DateTimeKind.Unspecified);
        // Gaps are at most a few hours and on minute boundaries in every zone in use.
        for (var i = 0; zone.IsInvalidTime(wall) && i < 24 * 60; i++) wall = wall.AddMinutes(1).AddTicks(-(wall.Ticks % TimeSpan.TicksPerMinute));
        var offsets = zone.IsAmbiguousTime(wall) ? zone.GetAmbiguousTimeOffsets(wall) : [zone.GetUtcOffset(wall)];
        DateTimeOffset? first = null;
        foreach (var offset in offsets)
        {
            var instant = new DateTimeOffset(wall, offset);
            if (instant > after && (first is null || instant < first)) first = instant;
        }
        return first;
    }
}
