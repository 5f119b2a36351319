namespace Orleans.ConvoOrchestrator.Silo.Http;

/// <summary>Everything the events page shows, gathered in one pass (also served as JSON at /api/overview).</summary>
/// <param name="GeneratedAt">When it was gathered.</param>
/// <param name="Events">Every event (up to the page's limit), by id.</param>
/// <param name="TotalEvents">How many events exist (more than <paramref name="Events"/> holds when over the limit).</param>
/// <param name="Problems">Parts that could not be read (the page shows them instead of failing).</param>
/// <param name="Filter">The filter the events were picked by (part of an id or name, any case); null for every event.</param>
/// <param name="MatchingEvents">How many events match <paramref name="Filter"/> (all of them without one).</param>
public sealed record EventsOverview(DateTimeOffset GeneratedAt, IReadOnlyList<EventOverview> Events, int TotalEvents, IReadOnlyList<string> Problems,
    string? Filter = null, int MatchingEvents = 0)
{
    /// <summary>Most events shown; past it the page says how many more there are.</summary>
    public const int MaxEvents = 200;

    /// <summary>Upcoming fires shown per trigger.</summary>
    public const int UpcomingShown = 3;

    /// <summary>Outcomes of recent history shown per event.</summary>
    public const int HistoryShown = 20;

    /// <summary>
    /// Reads the definitions, statuses, triggers, histories and counters through <paramref name="api"/>: of the first
    /// <see cref="MaxEvents"/> events, or of those whose id or name contains <paramref name="filter"/> (any case), so
    /// that any one of many events can be found without the page growing with their number.
    /// </summary>
    public static async Task<EventsOverview> GatherAsync(IEventOrchestrator api, TimeProvider clock, string? filter = null,
        CancellationToken cancellationToken = default)
    {
        filter = string.IsNullOrWhiteSpace(filter) ? null : filter.Trim();
        var problems = new List<string>();
        var listed = await api.ListEventsAsync(cancellationToken);
        if (listed.IsErr) return new EventsOverview(clock.GetUtcNow(), [], 0, [$"events: {listed.Error}"], filter);
        var all = listed.Unwrap();
        var matching = filter is null ? all
            : all.Where(e => e.Id.Value.Contains(filter, StringComparison.OrdinalIgnoreCase) || e.Name.Contains(filter, StringComparison.OrdinalIgnoreCase)).ToList();
        var snapshot = await api.MetricsSnapshotAsync(cancellationToken);
        if (snapshot.IsErr) problems.Add($"metrics: {snapshot.Error}");
        var metrics = snapshot.UnwrapOr(MetricsSnapshot.Empty);

        var events = await Task.WhenAll(matching.Take(MaxEvents).Select(e => OneAsync(api, e, metrics, problems, cancellationToken)));
        return new EventsOverview(clock.GetUtcNow(), events, all.Count, problems, filter, matching.Count);
    }

    private static async Task<EventOverview> OneAsync(IEventOrchestrator api, Event definition, MetricsSnapshot metrics, List<string> problems,
        CancellationToken cancellationToken)
    {
        var statusTask = api.StatusAsync(definition.Id, cancellationToken);
        var historyTask = api.HistoryAsync(definition.Id, HistoryShown, cancellationToken);
        var triggersTask = api.ListTriggersAsync(definition.Id, cancellationToken);
        await Task.WhenAll(statusTask, historyTask, triggersTask);
        var status = Keep(statusTask.Result, $"status of {definition.Id}", problems);
        var history = Keep(historyTask.Result, $"history of {definition.Id}", problems) ?? [];
        var triggers = Keep(triggersTask.Result, $"triggers of {definition.Id}", problems) ?? [];

        var triggerViews = await Task.WhenAll(triggers.Select(async t =>
        {
            var statusCall = api.TriggerStatusAsync(t.Id, cancellationToken);
            var nextCall = api.NextFiresAsync(t.Id, UpcomingShown, cancellationToken);
            var (ts, next) = (await statusCall, await nextCall);
            return new TriggerOverview(t, ts.IsOk ? ts.Unwrap().NextFire : null, ts.IsOk ? ts.Unwrap().LastFiredAt : null,
                ts.IsOk ? ts.Unwrap().FireCount : 0, ts.IsOk ? ts.Unwrap().MissCount : 0, next.IsOk ? next.Unwrap() : []);
        }));

        var counters = metrics.Counters
            .Where(c => c.Labels.TryGetValue(MetricNames.EventIdLabel, out var v) && v == definition.Id.Value)
            .GroupBy(c => c.Name)
            .ToDictionary(g => g.Key, g => g.Sum(c => c.Value));
        var duration = metrics.Histogram(MetricNames.JobDuration, definition.Id);
        double? meanSeconds = duration is { Count: > 0 } d ? d.Sum / d.Count : null;
        return new EventOverview(definition, status, triggerViews, history, counters, meanSeconds);
    }

    private static T? Keep<T>(Result<T> result, string what, List<string> problems) where T : class
    {
        if (result.IsOk) return result.Unwrap();
        lock (problems) problems.Add($"{what}: {result.Error}");
        return null;
    }
}

/// <summary>One event on the page.</summary>
/// <param name="Definition">Its definition.</param>
/// <param name="Status">Its live status (null when it could not be read).</param>
/// <param name="Triggers">Its triggers with their schedules.</param>
/// <param name="History">Its recent outcomes, newest first.</param>
/// <param name="Counters">Its counters by metric name (label sets such as <c>reason</c> summed).</param>
/// <param name="MeanDurationSeconds">Mean job duration, when any job finished.</param>
public sealed record EventOverview(
    Event Definition,
    EventRuntimeStatus? Status,
    IReadOnlyList<TriggerOverview> Triggers,
    IReadOnlyList<JobRecord> History,
    IReadOnlyDictionary<string, long> Counters,
    double? MeanDurationSeconds)
{
    /// <summary>A counter's value, 0 when it has none.</summary>
    public long Counter(string name) => Counters.TryGetValue(name, out var v) ? v : 0;
}

/// <summary>One trigger of an event on the page.</summary>
/// <param name="Trigger">Its definition.</param>
/// <param name="NextFire">When it fires next, when scheduled.</param>
/// <param name="LastFiredAt">When it last fired.</param>
/// <param name="FireCount">Fires so far.</param>
/// <param name="MissCount">Missed fires.</param>
/// <param name="Upcoming">Its next few fire instants (<see cref="EventsOverview.UpcomingShown"/>), the first being <paramref name="NextFire"/>.</param>
public sealed record TriggerOverview(Trigger Trigger, DateTimeOffset? NextFire, DateTimeOffset? LastFiredAt, long FireCount, long MissCount,
    IReadOnlyList<DateTimeOffset> Upcoming);
