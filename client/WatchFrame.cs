namespace Orleans.ConvoOrchestrator.Cli;

/// <summary>One event's line in <c>watch</c>.</summary>
/// <param name="EventId">The event.</param>
/// <param name="Active">Whether it accepts emits; null when it is gone.</param>
/// <param name="Running">Jobs running.</param>
/// <param name="QueueDepth">Jobs waiting for a slot.</param>
/// <param name="NextRun">Its triggers' next fire.</param>
/// <param name="LastOutcome">The last finished job's outcome.</param>
/// <param name="Succeeded">Jobs that ended OK (the metrics counter, cluster-wide).</param>
/// <param name="Failed">Jobs that ended ERR.</param>
/// <param name="Problem">Why the row has no status ("removed"), else null.</param>
internal sealed record WatchRow(
    EventId EventId,
    bool? Active,
    int Running,
    int QueueDepth,
    DateTimeOffset? NextRun,
    JobOutcome? LastOutcome,
    long Succeeded,
    long Failed,
    string? Problem = null);

/// <summary>What one <c>watch</c> refresh saw.</summary>
/// <param name="At">When it was taken.</param>
/// <param name="Refresh">1 for the first refresh.</param>
/// <param name="Events">One row per event, ordered by id.</param>
internal sealed record WatchFrame(DateTimeOffset At, int Refresh, IReadOnlyList<WatchRow> Events)
{
    // Status calls in flight per refresh: enough to be quick, few enough not to flood a big cluster every interval.
    private const int StatusCallsInFlight = 16;

    /// <summary>
    /// Takes a frame: <paramref name="named"/> events, or every event when empty. An event that does not exist is
    /// a row with a <see cref="WatchRow.Problem"/>; an unreachable cluster throws <see cref="AppErrorException"/>.
    /// </summary>
    public static async Task<WatchFrame> TakeAsync(IEventOrchestrator orchestrator, IReadOnlyList<EventId> named, int refresh, CancellationToken cancellationToken)
    {
        IReadOnlyList<EventId> ids = named;
        if (ids.Count == 0)
        {
            var listed = await orchestrator.ListEventsAsync(cancellationToken);
            ids = Unwrap(listed).Select(e => e.Id).ToList();
        }
        var metrics = Unwrap(await orchestrator.MetricsSnapshotAsync(cancellationToken));
        var succeeded = CountsByEvent(metrics, MetricNames.JobsSucceeded);
        var failed = CountsByEvent(metrics, MetricNames.JobsFailed);

        using var gate = new SemaphoreSlim(StatusCallsInFlight);
        var rows = await Task.WhenAll(ids.Select(async id =>
        {
            await gate.WaitAsync(cancellationToken);
            Result<EventRuntimeStatus> got;
            try
            {
                got = await orchestrator.StatusAsync(id, cancellationToken);
            }
            finally
            {
                gate.Release();
            }
            var ok = succeeded.GetValueOrDefault(id.Value);
            var err = failed.GetValueOrDefault(id.Value);
            if (got.IsErr && got.Error.Kind == ErrorKind.NOT_FOUND) return new WatchRow(id, null, 0, 0, null, null, ok, err, "not found");
            var s = Unwrap(got);
            return new WatchRow(id, s.Active, s.Running, s.QueueDepth, s.NextRun, s.LastOutcome, ok, err);
        }));
        return new WatchFrame(DateTimeOffset.UtcNow, refresh, rows.OrderBy(r => r.EventId.Value, StringComparer.Ordinal).ToList());
    }

    /// <summary>The frame as a table, times relative to when it was taken.</summary>
    public Table ToTable()
    {
        var table = Table.WithHeaders("EVENT", "ACTIVE", "RUNNING", "QUEUED", "NEXT RUN", "LAST OUTCOME", "OK", "FAILED");
        foreach (var r in Events)
        {
            if (r.Problem is { } problem)
            {
                table.Add(r.EventId, problem, null, null, null, null, r.Succeeded, r.Failed);
                continue;
            }
            table.Add(r.EventId, r.Active, r.Running, r.QueueDepth, Format.Relative(r.NextRun, At), LastOutcome(r.LastOutcome), r.Succeeded, r.Failed);
        }
        return table;
    }

    // "OK 3 s ago", "ERR TIMEOUT 1.2 s ago": what happened and how long ago, in one cell.
    private string? LastOutcome(JobOutcome? o) => o is null
        ? null
        : $"{o.Status}{(o.Error is { } e ? " " + e.Kind : "")} {Format.Relative(o.FinishedAt, At)}";

    private static Dictionary<string, long> CountsByEvent(MetricsSnapshot snapshot, string name)
    {
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var c in snapshot.Counters)
        {
            if (c.Name != name || !c.Labels.TryGetValue(MetricNames.EventIdLabel, out var id)) continue;
            counts[id] = counts.GetValueOrDefault(id) + c.Value;
        }
        return counts;
    }

    private static T Unwrap<T>(Result<T> result) => result.IsOk ? result.Unwrap() : throw new AppErrorException(result.Error);
}
