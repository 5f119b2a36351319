using System.Text.Json;
using Orleans.ConvoOrchestrator.Grains;

namespace Orleans.ConvoOrchestrator.Client;

/// <summary>
/// <see cref="IEventOrchestrator"/> over an Orleans grain factory: a cluster client in a .NET app, or the
/// silo's own factory inside a silo or the embedded <c>EventManager</c>.
/// </summary>
/// <remarks>
/// A cancelled token releases the caller with an <see cref="OperationCanceledException"/>; one cancelled before the
/// call sends nothing. A test run's token also reaches its grain, which cancels the run
/// (<see cref="IEventGrain.TestRunAsync"/>); other grain calls, once sent, run to their end in the cluster.
/// </remarks>
public sealed class ConvoOrchestratorClient : IEventOrchestrator
{
    private const int ListPageSize = 1_000;
    private readonly IGrainFactory _grains;
    private readonly GrainReferenceCache<IEventGrain> _events;

    /// <summary>Wraps <paramref name="grains"/> (an <c>IClusterClient</c> or a silo's <c>IGrainFactory</c>).</summary>
    public ConvoOrchestratorClient(IGrainFactory grains)
    {
        _grains = grains;
        _events = new GrainReferenceCache<IEventGrain>(grains);
    }

    /// <inheritdoc />
    public Task<Result> SaveEventAsync(Event definition, CancellationToken cancellationToken = default) =>
        Save(definition, SaveMode.Upsert, cancellationToken);

    /// <inheritdoc />
    public async Task<Result<int>> SaveEventsAsync(IReadOnlyList<EventSetup> setups, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        // The whole list first, so a bad item changes nothing; each silo checks its chunk again.
        var check = EventSetupValidator.Validate(setups);
        if (check.IsErr) return Result<int>.Err(check.Error);
        var chunks = setups.Chunk(EventSetupValidator.ChunkSize).Select((c, i) => (First: i * EventSetupValidator.ChunkSize + 1, Items: c.ToList())).ToList();
        var saved = 0;
        AppError? failed = null;
        // Two chunks in flight: the next one is on its way while a silo works through the last of the one before.
        await Parallel.ForEachAsync(chunks, new ParallelOptions { MaxDegreeOfParallelism = 2, CancellationToken = cancellationToken }, async (chunk, ct) =>
        {
            if (Volatile.Read(ref failed) is not null) return;
            var result = await Released(Guard(() => _grains.GetGrain<IBulkSetupGrain>(0).SaveAsync(chunk.Items, chunk.First)), ct);
            if (result.IsOk) Interlocked.Add(ref saved, result.Unwrap());
            else Interlocked.CompareExchange(ref failed, result.Error, null);
        });
        return failed is { } error
            ? Result<int>.Err(error.Kind, $"{error.Message} ({saved} of {setups.Count} event(s) were set up before; sending the list again is safe)")
            : saved;
    }

    /// <inheritdoc />
    public Task<Result> CreateEventAsync(Event definition, CancellationToken cancellationToken = default) =>
        Save(definition, SaveMode.Create, cancellationToken);

    /// <inheritdoc />
    public Task<Result> UpdateEventAsync(Event definition, CancellationToken cancellationToken = default) =>
        Save(definition, SaveMode.Update, cancellationToken);

    /// <inheritdoc />
    public Task<Result<Event>> GetEventAsync(EventId eventId, CancellationToken cancellationToken = default) =>
        Call(eventId, g => g.GetAsync(), cancellationToken);

    /// <inheritdoc />
    public Task<Result<IReadOnlyList<Event>>> ListEventsAsync(CancellationToken cancellationToken = default) =>
        ListAll<Event>(CatalogKeys.Events, cancellationToken);

    /// <inheritdoc />
    public Task<Result<Page<Event>>> ListEventsPageAsync(int limit, string? pageToken = null, CancellationToken cancellationToken = default) =>
        CatalogPage<Event>(CatalogKeys.Events, limit, pageToken, cancellationToken);

    /// <inheritdoc />
    public Task<Result> RemoveEventAsync(EventId eventId, CancellationToken cancellationToken = default) =>
        Call(eventId, g => g.RemoveAsync(), cancellationToken);

    /// <inheritdoc />
    public Task<Result> SetEventActiveAsync(EventId eventId, bool active, CancellationToken cancellationToken = default) =>
        Call(eventId, g => g.SetActiveAsync(active), cancellationToken);

    /// <inheritdoc />
    public Task<Result<SubscriptionId>> AttachTriggerAsync(EventId eventId, Trigger trigger, CancellationToken cancellationToken = default)
    {
        var check = DefinitionValidator.Validate(trigger);
        if (check.IsErr) return Task.FromResult(Result<SubscriptionId>.Err(check.Error));
        return Call(eventId, g => g.AttachAsync(trigger), cancellationToken);
    }

    /// <inheritdoc />
    public Task<Result> DetachTriggerAsync(SubscriptionId subscriptionId, CancellationToken cancellationToken = default)
    {
        if (!subscriptionId.TryParse(out var eventId, out var triggerId))
            return Task.FromResult(Result.Err(ErrorKind.VALIDATION, $"'{subscriptionId.Value}' is not a subscription id (expected 'eventId/triggerId')"));
        var check = DefinitionValidator.Validate(triggerId);
        if (check.IsErr) return Task.FromResult(check);
        return Call(eventId, g => g.DetachAsync(triggerId), cancellationToken);
    }

    /// <inheritdoc />
    public async Task<Result<IReadOnlyList<Trigger>>> ListTriggersAsync(EventId? eventId = null, CancellationToken cancellationToken = default)
    {
        if (eventId is { } id)
        {
            var subs = await Call(id, g => g.ListSubscriptionsAsync(), cancellationToken);
            return subs.Map<IReadOnlyList<Trigger>>(list => list.Select(s => s.Trigger).ToList());
        }
        return await ListAll<Trigger>(CatalogKeys.Triggers, cancellationToken);
    }

    /// <inheritdoc />
    public async Task<Result<Page<Trigger>>> ListTriggersPageAsync(int limit, string? pageToken = null, EventId? eventId = null,
        CancellationToken cancellationToken = default)
    {
        if (eventId is not { } id) return await CatalogPage<Trigger>(CatalogKeys.Triggers, limit, pageToken, cancellationToken);
        cancellationToken.ThrowIfCancellationRequested();
        if (PageToken.Read(limit, pageToken, out var after) is { IsErr: true } bad) return Result<Page<Trigger>>.Err(bad.Error);
        // One event's subscriptions are few and come in one answer: the page is cut from them here.
        var subs = await Call(id, g => g.ListSubscriptionsAsync(), cancellationToken);
        return subs.Map(list =>
        {
            var rest = list.Select(s => s.Trigger).Where(t => after is null || string.CompareOrdinal(t.Id.Value, after) > 0)
                .OrderBy(t => t.Id.Value, StringComparer.Ordinal).Take(limit + 1).ToList();
            return PageOf(rest, limit, t => t.Id.Value);
        });
    }

    /// <inheritdoc />
    public Task<Result<string>> EmitAsync(EventId eventId, object? payload = null, EmitOptions? options = null, CancellationToken cancellationToken = default)
    {
        var json = JsonPayload.TryFrom(payload);
        return json.IsErr ? Task.FromResult(json) : Emit(eventId, json.Unwrap(), options, cancellationToken);
    }

    /// <inheritdoc />
    public Task<Result<string>> EmitJsonAsync(EventId eventId, string payloadJson, EmitOptions? options = null, CancellationToken cancellationToken = default)
    {
        var json = JsonPayload.FromJson(payloadJson);
        return json.IsErr ? Task.FromResult(json) : Emit(eventId, json.Unwrap(), options, cancellationToken);
    }

    // The hot path: a static delegate with its state (no closure), and an emit the grain has answered by the time it
    // returns costs no state machine here at all.
    private Task<Result<string>> Emit(EventId eventId, string json, EmitOptions? options, CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested) return Task.FromCanceled<Result<string>>(cancellationToken);
        var check = DefinitionValidator.Validate(eventId);
        if (check.IsOk) check = DefinitionValidator.Validate(options);
        if (check.IsErr) return Task.FromResult(Result<string>.Err(check.Error));
        return Released(Guard(static s => s.Events.Get(s.Id).EmitAsync(s.Json, s.Options), (Events: _events, Id: eventId.Value, Json: json, Options: options)),
            cancellationToken);
    }

    /// <inheritdoc />
    public Task<Result<JobOutcome>> TestRunAsync(EventId eventId, object? payload = null, CancellationToken cancellationToken = default)
    {
        var json = JsonPayload.TryFrom(payload);
        if (json.IsErr) return Task.FromResult(Result<JobOutcome>.Err(json.Error));
        // The token goes with the call: the grain cancels the run when the caller gives up.
        return Call(eventId, g => g.TestRunAsync(json.Unwrap(), null, cancellationToken), cancellationToken);
    }

    /// <inheritdoc />
    public async Task<Result<int>> FireTriggerAsync(TriggerId triggerId, object? payload = null, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var check = DefinitionValidator.Validate(triggerId);
        if (check.IsErr) return Result<int>.Err(check.Error);
        var json = JsonPayload.TryFrom(payload);
        if (json.IsErr) return Result<int>.Err(json.Error);
        return await Released(Guard(() => _grains.GetGrain<ITriggerGrain>(triggerId.Value).FireAsync(json.Unwrap())), cancellationToken);
    }

    /// <inheritdoc />
    public async Task<Result<TriggerStatus>> TriggerStatusAsync(TriggerId triggerId, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var check = DefinitionValidator.Validate(triggerId);
        if (check.IsErr) return Result<TriggerStatus>.Err(check.Error);
        return await Released(Guard(() => _grains.GetGrain<ITriggerGrain>(triggerId.Value).StatusAsync()), cancellationToken);
    }

    /// <inheritdoc />
    public async Task<Result> SetTriggerPausedAsync(TriggerId triggerId, bool paused, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var check = DefinitionValidator.Validate(triggerId);
        if (check.IsErr) return check;
        return await Released(GuardPlain(() => _grains.GetGrain<ITriggerGrain>(triggerId.Value).SetPausedAsync(paused)), cancellationToken);
    }

    /// <inheritdoc />
    public async Task<Result<IReadOnlyList<DateTimeOffset>>> NextFiresAsync(TriggerId triggerId, int count = 10, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var check = DefinitionValidator.Validate(triggerId);
        if (check.IsOk) check = TriggerPreview.Validate(count);
        if (check.IsErr) return Result<IReadOnlyList<DateTimeOffset>>.Err(check.Error);
        var fires = await Released(Guard(() => _grains.GetGrain<ITriggerGrain>(triggerId.Value).NextFiresAsync(count)), cancellationToken);
        return fires.IsOk ? Result<IReadOnlyList<DateTimeOffset>>.Ok(fires.Unwrap()) : Result<IReadOnlyList<DateTimeOffset>>.Err(fires.Error);
    }

    /// <inheritdoc />
    public async Task<Result<BackfillReport>> BackfillTriggerAsync(TriggerId triggerId, DateTimeOffset from, DateTimeOffset to,
        CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var check = DefinitionValidator.Validate(triggerId);
        if (check.IsErr) return Result<BackfillReport>.Err(check.Error);
        return await Released(Guard(() => _grains.GetGrain<ITriggerGrain>(triggerId.Value).BackfillAsync(from, to)), cancellationToken);
    }

    /// <inheritdoc />
    public async Task<Result> SaveCalendarAsync(Calendar calendar, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var check = DefinitionValidator.Validate(calendar);
        if (check.IsErr) return check;
        return await Released(GuardPlain(() => _grains.GetGrain<ICalendarGrain>(calendar.Name).SaveAsync(calendar)), cancellationToken);
    }

    /// <inheritdoc />
    public async Task<Result<Calendar>> GetCalendarAsync(string name, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var check = DefinitionValidator.ValidateCalendarName(name);
        if (check.IsErr) return Result<Calendar>.Err(check.Error);
        return await Released(Guard(() => _grains.GetGrain<ICalendarGrain>(name).GetAsync()), cancellationToken);
    }

    /// <inheritdoc />
    public Task<Result<IReadOnlyList<Calendar>>> ListCalendarsAsync(CancellationToken cancellationToken = default) =>
        ListAll<Calendar>(CatalogKeys.Calendars, cancellationToken);

    /// <inheritdoc />
    public async Task<Result> RemoveCalendarAsync(string name, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var check = DefinitionValidator.ValidateCalendarName(name);
        if (check.IsErr) return check;
        return await Released(GuardPlain(() => _grains.GetGrain<ICalendarGrain>(name).RemoveAsync()), cancellationToken);
    }

    /// <inheritdoc />
    public Task<Result<EventRuntimeStatus>> StatusAsync(EventId eventId, CancellationToken cancellationToken = default) =>
        Call(eventId, g => g.StatusAsync(), cancellationToken);

    /// <inheritdoc />
    public Task<Result> CancelJobAsync(EventId eventId, string jobId, CancellationToken cancellationToken = default) =>
        string.IsNullOrWhiteSpace(jobId) || jobId.Length > DefinitionLimits.MaxIdLength
            ? Task.FromResult(Result.Err(ErrorKind.VALIDATION, $"a job id must be 1 to {DefinitionLimits.MaxIdLength} characters"))
            : Call(eventId, g => g.CancelJobAsync(jobId), cancellationToken);

    /// <inheritdoc />
    public async Task<Result<IReadOnlyList<InFlightJob>>> ListJobsAsync(EventId eventId, int limit = 100, CancellationToken cancellationToken = default)
    {
        if (InFlightJob.ValidateLimit(limit) is { IsErr: true } bad) return Result<IReadOnlyList<InFlightJob>>.Err(bad.Error);
        return (await Call(eventId, g => g.JobsAsync(limit), cancellationToken)).Map<IReadOnlyList<InFlightJob>>(list => list);
    }

    /// <inheritdoc />
    public Task<Result<int>> CancelWaitingJobsAsync(EventId eventId, CancellationToken cancellationToken = default) =>
        Call(eventId, g => g.CancelWaitingAsync(), cancellationToken);

    /// <inheritdoc />
    public async Task<Result<IReadOnlyList<FailedJob>>> ListFailedJobsAsync(EventId? eventId = null, int limit = 100, CancellationToken cancellationToken = default)
    {
        if (limit < 1) return Result<IReadOnlyList<FailedJob>>.Err(ErrorKind.VALIDATION, "limit must be at least 1");
        if (eventId is { } id)
            return (await Call(id, g => g.FailedJobsAsync(limit), cancellationToken)).Map<IReadOnlyList<FailedJob>>(list => list);
        cancellationToken.ThrowIfCancellationRequested();
        return await Released(GuardValue<IReadOnlyList<FailedJob>>(async () => await _grains.GetGrain<IFailedJobsGrain>(0).ListAsync(limit)), cancellationToken);
    }

    /// <inheritdoc />
    public Task<Result<int>> RequeueFailedJobsAsync(EventId eventId, IReadOnlyList<string>? jobIds = null, CancellationToken cancellationToken = default) =>
        CheckJobIds(jobIds) is { IsErr: true } bad
            ? Task.FromResult(Result<int>.Err(bad.Error))
            : Call(eventId, g => g.RequeueFailedAsync(jobIds?.ToList()), cancellationToken);

    /// <inheritdoc />
    public Task<Result<int>> DiscardFailedJobsAsync(EventId eventId, IReadOnlyList<string>? jobIds = null, CancellationToken cancellationToken = default) =>
        CheckJobIds(jobIds) is { IsErr: true } bad
            ? Task.FromResult(Result<int>.Err(bad.Error))
            : Call(eventId, g => g.DiscardFailedAsync(jobIds?.ToList()), cancellationToken);

    private static Result CheckJobIds(IReadOnlyList<string>? jobIds) =>
        jobIds is not null && jobIds.Any(string.IsNullOrEmpty) ? Result.Err(ErrorKind.VALIDATION, "job ids must not be empty") : Result.Ok();

    /// <inheritdoc />
    public async Task<Result<IReadOnlyList<JobRecord>>> HistoryAsync(EventId eventId, int limit = 50, CancellationToken cancellationToken = default)
    {
        if (limit < 1) return Result<IReadOnlyList<JobRecord>>.Err(ErrorKind.VALIDATION, "limit must be at least 1");
        var history = await Call(eventId, g => g.HistoryAsync(limit), cancellationToken);
        return history.Map<IReadOnlyList<JobRecord>>(list => list);
    }

    /// <inheritdoc />
    public Task<Result<MetricsSnapshot>> MetricsSnapshotAsync(CancellationToken cancellationToken = default) =>
        cancellationToken.IsCancellationRequested
            ? Task.FromCanceled<Result<MetricsSnapshot>>(cancellationToken)
            : Released(GuardValue(() => _grains.GetGrain<IMetricsGrain>(MetricsGrainKey.Cluster).SnapshotAsync()), cancellationToken);

    private Task<Result> Save(Event definition, SaveMode mode, CancellationToken cancellationToken)
    {
        var check = DefinitionValidator.Validate(definition);
        if (check.IsErr) return Task.FromResult(check);
        return Call(definition.Id, g => g.SaveAsync(definition, mode), cancellationToken);
    }

    // A whole catalog, read page by page (each page one grain call, so no answer carries 100,000 definitions).
    private async Task<Result<IReadOnlyList<T>>> ListAll<T>(string catalog, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return await GuardValue<IReadOnlyList<T>>(async () =>
        {
            var items = new List<T>();
            await foreach (var entry in ListEntries(catalog, cancellationToken))
            {
                if (JsonSerializer.Deserialize<T>(entry.Json, ConvoJson.Options) is { } item) items.Add(item);
            }
            return items;
        });
    }

    // One page read at the source: the catalog store answers the ids after the token's, in order, and nothing more.
    private async Task<Result<Page<T>>> CatalogPage<T>(string catalog, int limit, string? pageToken, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (PageToken.Read(limit, pageToken, out var after) is { IsErr: true } bad) return Result<Page<T>>.Err(bad.Error);
        return await GuardValue(async () =>
        {
            // One entry more than asked for says whether a next page exists, without an empty last page.
            var entries = await _grains.GetGrain<ICatalogGrain>(catalog).ListEntriesAsync(after, limit + 1).WaitAsync(cancellationToken);
            var items = new List<(string Id, T Item)>(entries.Count);
            foreach (var entry in entries)
            {
                if (JsonSerializer.Deserialize<T>(entry.Json, ConvoJson.Options) is { } item) items.Add((entry.Id, item));
            }
            var page = PageOf(items, limit, i => i.Id);
            return new Page<T>(page.Items.Select(i => i.Item).ToList(), page.NextPageToken);
        });
    }

    // The first limit of up to limit + 1 items in order; a next token only when the extra one exists.
    private static Page<T> PageOf<T>(List<T> items, int limit, Func<T, string> id) =>
        items.Count > limit
            ? new Page<T>(items.GetRange(0, limit), PageToken.After(id(items[limit - 1])))
            : new Page<T>(items, null);

    private async IAsyncEnumerable<CatalogEntry> ListEntries(string catalog, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var grain = _grains.GetGrain<ICatalogGrain>(catalog);
        string? after = null;
        while (true)
        {
            var page = await grain.ListEntriesAsync(after, ListPageSize).WaitAsync(cancellationToken);
            foreach (var entry in page) yield return entry;
            if (page.Count < ListPageSize) yield break;
            after = page[^1].Id;
        }
    }

    // Ids are checked here so a bad id never becomes a grain activation; a cancelled token sends nothing at all.
    private Task<Result<T>> Call<T>(EventId eventId, Func<IEventGrain, Task<Result<T>>> call, CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested) return Task.FromCanceled<Result<T>>(cancellationToken);
        var check = DefinitionValidator.Validate(eventId);
        if (check.IsErr) return Task.FromResult(Result<T>.Err(check.Error));
        return Released(Guard(() => call(_events.Get(eventId.Value))), cancellationToken);
    }

    private Task<Result> Call(EventId eventId, Func<IEventGrain, Task<Result>> call, CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested) return Task.FromCanceled<Result>(cancellationToken);
        var check = DefinitionValidator.Validate(eventId);
        if (check.IsErr) return Task.FromResult(check);
        return Released(GuardPlain(() => call(_events.Get(eventId.Value))), cancellationToken);
    }

    // Releases the caller when its token is cancelled, whatever the grain call still does. A call that has answered
    // (the memory store's emit) is handed back as it is.
    private static Task<T> Released<T>(Task<T> call, CancellationToken cancellationToken) =>
        !cancellationToken.CanBeCanceled || call.IsCompleted ? call : call.WaitAsync(cancellationToken);

    private static async Task<Result> GuardPlain(Func<Task<Result>> call)
    {
        try
        {
            return await call();
        }
        catch (Exception ex) when (IsUnavailable(ex))
        {
            return Result.Err(ErrorKind.QUEUE_UNAVAILABLE, $"the cluster could not be reached: {ex.Message}");
        }
    }

    private static Task<Result<T>> Guard<T>(Func<Task<Result<T>>> call) => Guard(static c => c(), call);

    // Runs a grain call, turning an unreachable cluster (thrown at once or when awaited) into QUEUE_UNAVAILABLE; any
    // other failure comes back as a faulted task, as from an async method. An answered call is returned as it is.
    private static Task<Result<T>> Guard<TState, T>(Func<TState, Task<Result<T>>> call, TState state)
    {
        Task<Result<T>> task;
        try
        {
            task = call(state);
        }
        catch (Exception ex) when (IsUnavailable(ex))
        {
            return Task.FromResult(Unavailable<T>(ex));
        }
        catch (Exception ex)
        {
            return Task.FromException<Result<T>>(ex);
        }
        return task.IsCompletedSuccessfully ? task : GuardAsync(task);
    }

    private static async Task<Result<T>> GuardAsync<T>(Task<Result<T>> call)
    {
        try
        {
            return await call;
        }
        catch (Exception ex) when (IsUnavailable(ex))
        {
            return Unavailable<T>(ex);
        }
    }

    private static Result<T> Unavailable<T>(Exception ex) => Result<T>.Err(ErrorKind.QUEUE_UNAVAILABLE, $"the cluster could not be reached: {ex.Message}");

    private static async Task<Result<T>> GuardValue<T>(Func<Task<T>> call) => await Guard(async () => Result<T>.Ok(await call()));

    private static bool IsUnavailable(Exception ex) =>
        ex is TimeoutException or OrleansException or ObjectDisposedException;
}
