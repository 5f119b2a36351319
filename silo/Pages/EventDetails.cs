namespace Orleans.ConvoOrchestrator.Silo.Pages;

/// <summary>
/// What an event's Details panel on the events page shows, gathered in one pass when the panel is open: its jobs in
/// flight, its last runs and its failed list. Read only for the open panel, so the page itself stays small with many
/// events.
/// </summary>
/// <param name="Definition">The event.</param>
/// <param name="Status">Its live status (null when it could not be read).</param>
/// <param name="Jobs">Its jobs that have not ended, running ones first (at most <see cref="JobsShown"/>).</param>
/// <param name="Runs">Its last runs, newest first (at most <see cref="RunsShown"/>).</param>
/// <param name="Failed">Its failed jobs, newest failure first (at most <see cref="FailedShown"/>).</param>
/// <param name="MoreFailed">Whether it has more failed jobs than <paramref name="Failed"/> holds.</param>
/// <param name="Problems">Parts that could not be read (shown instead of failing the panel).</param>
public sealed record EventDetails(
    Event Definition,
    EventRuntimeStatus? Status,
    IReadOnlyList<InFlightJob> Jobs,
    IReadOnlyList<JobRecord> Runs,
    IReadOnlyList<FailedJob> Failed,
    bool MoreFailed,
    IReadOnlyList<string> Problems)
{
    /// <summary>Jobs in flight listed.</summary>
    public const int JobsShown = 50;

    /// <summary>Recent runs listed.</summary>
    public const int RunsShown = 20;

    /// <summary>Failed jobs listed.</summary>
    public const int FailedShown = 50;

    /// <summary>Reads the event's parts through <paramref name="api"/>; an error only when the event itself cannot be read.</summary>
    public static async Task<Result<EventDetails>> GatherAsync(IEventOrchestrator api, EventId eventId, CancellationToken cancellationToken = default)
    {
        var definition = await api.GetEventAsync(eventId, cancellationToken);
        if (definition.IsErr) return Result<EventDetails>.Err(definition.Error);
        var statusTask = api.StatusAsync(eventId, cancellationToken);
        var jobsTask = api.ListJobsAsync(eventId, JobsShown, cancellationToken);
        var runsTask = api.HistoryAsync(eventId, RunsShown, cancellationToken);
        // One more than shown tells whether there are more.
        var failedTask = api.ListFailedJobsAsync(eventId, FailedShown + 1, cancellationToken);
        await Task.WhenAll(statusTask, jobsTask, runsTask, failedTask);
        var problems = new List<string>();
        var failed = Keep(failedTask.Result, "failed jobs", problems) ?? [];
        return new EventDetails(definition.Unwrap(), Keep(statusTask.Result, "status", problems),
            Keep(jobsTask.Result, "jobs in flight", problems) ?? [], Keep(runsTask.Result, "recent runs", problems) ?? [],
            failed.Take(FailedShown).ToList(), failed.Count > FailedShown, problems);
    }

    private static T? Keep<T>(Result<T> result, string what, List<string> problems) where T : class
    {
        if (result.IsOk) return result.Unwrap();
        problems.Add($"{what}: {result.Error}");
        return null;
    }
}
