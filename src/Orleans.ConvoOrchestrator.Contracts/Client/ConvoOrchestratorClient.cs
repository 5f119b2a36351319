using System.Text.Json;
using Orleans.ConvoOrchestrator.Grains;

namespace Orleans.ConvoOrchestrator.Client;

/// <summary>
/// <see cref="IEventOrchestrator"/> over an Orleans grain factory: a cluster client in a .NET app, or the
/// silo's own factory inside a silo or the embedded <c>EventManager</c>.
/// </summary>
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
    public Task<Result> SaveEventAsync(Event definition) => Save(definition, SaveMode.Upsert);

    /// <inheritdoc />
    public async Task<Result<int>> SaveEventsAsync(IReadOnlyList<EventSetup> setups)
    {
        // The whole list first, so a bad item changes nothing; each silo checks its chunk again.
        var check = EventSetupValidator.Validate(setups);
        if (check.IsErr) return Result<int>.Err(check.Error);
        var chunks = setups.Chunk(EventSetupValidator.ChunkSize).Select((c, i) => (First: i * EventSetupValidator.ChunkSize + 1, Items: c.ToList())).ToList();
        var saved = 0;
        AppError? failed = null;
        // Two chunks in flight: the next one is on its way while a silo works through the last of the one before.
        await Parallel.ForEachAsync(chunks, new ParallelOptions { MaxDegreeOfParallelism = 2 }, async (chunk, _) =>
        {
            if (Volatile.Read(ref failed) is not null) return;
            var result = await Guard(() => _grains.GetGrain<IBulkSetupGrain>(0).SaveAsync(chunk.Items, chunk.First));
            if (result.IsOk) Interlocked.Add(ref saved, result.Unwrap());
            else Interlocked.CompareExchange(ref failed, result.Error, null);
        });
        return failed is { } error
            ? Result<int>.Err(error.Kind, $"{error.Message} ({saved} of {setups.Count} event(s) were set up before; sending the list again is safe)")
            : saved;
    }

    /// <inheritdoc />
    public Task<Result> CreateEventAsync(Event definition) => Save(definition, SaveMode.Create);

    /// <inheritdoc />
    public Task<Result> UpdateEventAsync(Event definition) => Save(definition, SaveMode.Update);

    /// <inheritdoc />
    public Task<Result<Event>> GetEventAsync(EventId eventId) =>
        Call(eventId, g => g.GetAsync());

    /// <inheritdoc />
    public async Task<Result<IReadOnlyList<Event>>> ListEventsAsync()
    {
        return await GuardValue<IReadOnlyList<Event>>(async () =>
        {
            var events = new List<Event>();
            await foreach (var entry in ListEntries(CatalogKeys.Events))
            {
                if (JsonSerializer.Deserialize<Event>(entry.Json, ConvoJson.Options) is { } ev) events.Add(ev);
            }
            return events;
        });
    }

    /// <inheritdoc />
    public Task<Result> RemoveEventAsync(EventId eventId) => Call(eventId, g => g.RemoveAsync());

    /// <inheritdoc />
    public Task<Result> SetEventActiveAsync(EventId eventId, bool active) => Call(eventId, g => g.SetActiveAsync(active));

    /// <inheritdoc />
    public Task<Result<SubscriptionId>> AttachTriggerAsync(EventId eventId, Trigger trigger)
    {
        var check = DefinitionValidator.Validate(trigger);
        if (check.IsErr) return Task.FromResult(Result<SubscriptionId>.Err(check.Error));
        return Call(eventId, g => g.AttachAsync(trigger));
    }

    /// <inheritdoc />
    public Task<Result> DetachTriggerAsync(SubscriptionId subscriptionId)
    {
        if (!subscriptionId.TryParse(out var eventId, out var triggerId))
            return Task.FromResult(Result.Err(ErrorKind.VALIDATION, $"'{subscriptionId.Value}' is not a subscription id (expected 'eventId/triggerId')"));
        var check = DefinitionValidator.Validate(triggerId);
        if (check.IsErr) return Task.FromResult(check);
        return Call(eventId, g => g.DetachAsync(triggerId));
    }

    /// <inheritdoc />
    public async Task<Result<IReadOnlyList<Trigger>>> ListTriggersAsync(EventId? eventId = null)
    {
        if (eventId is { } id)
        {
            var subs = await Call(id, g => g.ListSubscriptionsAsync());
            return subs.Map<IReadOnlyList<Trigger>>(list => list.Select(s => s.Trigger).ToList());
        }
        return await GuardValue<IReadOnlyList<Trigger>>(async () =>
        {
            var triggers = new List<Trigger>();
            await foreach (var entry in ListEntries(CatalogKeys.Triggers))
            {
                if (JsonSerializer.Deserialize<Trigger>(entry.Json, ConvoJson.Options) is { } trigger) triggers.Add(trigger);
            }
            return triggers;
        });
    }

    /// <inheritdoc />
    public Task<Result<string>> EmitAsync(EventId eventId, object? payload = null, EmitOptions? options = null)
    {
        var json = JsonPayload.TryFrom(payload);
        return json.IsErr ? Task.FromResult(json) : Emit(eventId, json.Unwrap(), options);
    }

    /// <inheritdoc />
    public Task<Result<string>> EmitJsonAsync(EventId eventId, string payloadJson, EmitOptions? options = null)
    {
        var json = JsonPayload.FromJson(payloadJson);
        return json.IsErr ? Task.FromResult(json) : Emit(eventId, json.Unwrap(), options);
    }

    // The hot path: a static delegate with its state (no closure), and an emit the grain has answered by the time it
    // returns costs no state machine here at all.
    private Task<Result<string>> Emit(EventId eventId, string json, EmitOptions? options)
    {
        var check = DefinitionValidator.Validate(eventId);
        if (check.IsOk) check = DefinitionValidator.Validate(options);
        if (check.IsErr) return Task.FromResult(Result<string>.Err(check.Error));
        return Guard(static s => s.Events.Get(s.Id).EmitAsync(s.Json, s.Options), (Events: _events, Id: eventId.Value, Json: json, Options: options));
    }

    /// <inheritdoc />
    public Task<Result<JobOutcome>> TestRunAsync(EventId eventId, object? payload = null)
    {
        var json = JsonPayload.TryFrom(payload);
        if (json.IsErr) return Task.FromResult(Result<JobOutcome>.Err(json.Error));
        return Call(eventId, g => g.TestRunAsync(json.Unwrap(), null));
    }

    /// <inheritdoc />
    public async Task<Result<int>> FireTriggerAsync(TriggerId triggerId, object? payload = null)
    {
        var check = DefinitionValidator.Validate(triggerId);
        if (check.IsErr) return Result<int>.Err(check.Error);
        var json = JsonPayload.TryFrom(payload);
        if (json.IsErr) return Result<int>.Err(json.Error);
        return await Guard(async () => await _grains.GetGrain<ITriggerGrain>(triggerId.Value).FireAsync(json.Unwrap()));
    }

    /// <inheritdoc />
    public async Task<Result<TriggerStatus>> TriggerStatusAsync(TriggerId triggerId)
    {
        var check = DefinitionValidator.Validate(triggerId);
        if (check.IsErr) return Result<TriggerStatus>.Err(check.Error);
        return await Guard(() => _grains.GetGrain<ITriggerGrain>(triggerId.Value).StatusAsync());
    }

    /// <inheritdoc />
    public async Task<Result> SetTriggerPausedAsync(TriggerId triggerId, bool paused)
    {
        var check = DefinitionValidator.Validate(triggerId);
        if (check.IsErr) return check;
        return await GuardPlain(() => _grains.GetGrain<ITriggerGrain>(triggerId.Value).SetPausedAsync(paused));
    }

    /// <inheritdoc />
    public async Task<Result<IReadOnlyList<DateTimeOffset>>> NextFiresAsync(TriggerId triggerId, int count = 10)
    {
        var check = DefinitionValidator.Validate(triggerId);
        if (check.IsOk) check = TriggerPreview.Validate(count);
        if (check.IsErr) return Result<IReadOnlyList<DateTimeOffset>>.Err(check.Error);
        var fires = await Guard(() => _grains.GetGrain<ITriggerGrain>(triggerId.Value).NextFiresAsync(count));
        return fires.IsOk ? Result<IReadOnlyList<DateTimeOffset>>.Ok(fires.Unwrap()) : Result<IReadOnlyList<DateTimeOffset>>.Err(fires.Error);
    }

    /// <inheritdoc />
    public async Task<Result<BackfillReport>> BackfillTriggerAsync(TriggerId triggerId, DateTimeOffset from, DateTimeOffset to)
    {
        var check = DefinitionValidator.Validate(triggerId);
        if (check.IsErr) return Result<BackfillReport>.Err(check.Error);
        return await Guard(() => _grains.GetGrain<ITriggerGrain>(triggerId.Value).BackfillAsync(from, to));
    }

    /// <inheritdoc />
    public async Task<Result> SaveCalendarAsync(Calendar calendar)
    {
        var check = DefinitionValidator.Validate(calendar);
        if (check.IsErr) return check;
        return await GuardPlain(() => _grains.GetGrain<ICalendarGrain>(calendar.Name).SaveAsync(calendar));
    }

    /// <inheritdoc />
    public async Task<Result<Calendar>> GetCalendarAsync(string name)
    {
        var check = DefinitionValidator.ValidateCalendarName(name);
        if (check.IsErr) return Result<Calendar>.Err(check.Error);
        return await Guard(() => _grains.GetGrain<ICalendarGrain>(name).GetAsync());
    }

    /// <inheritdoc />
    public Task<Result<IReadOnlyList<Calendar>>> ListCalendarsAsync() => GuardValue<IReadOnlyList<Calendar>>(async () =>
    {
        var calendars = new List<Calendar>();
        await foreach (var entry in ListEntries(CatalogKeys.Calendars))
        {
            if (JsonSerializer.Deserialize<Calendar>(entry.Json, ConvoJson.Options) is { } calendar) calendars.Add(calendar);
        }
        return calendars;
    });

    /// <inheritdoc />
    public async Task<Result> RemoveCalendarAsync(string name)
    {
        var check = DefinitionValidator.ValidateCalendarName(name);
        if (check.IsErr) return check;
        return await GuardPlain(() => _grains.GetGrain<ICalendarGrain>(name).RemoveAsync());
    }

    /// <inheritdoc />
    public Task<Result<EventRuntimeStatus>> StatusAsync(EventId eventId) => Call(eventId, g => g.StatusAsync());

    /// <inheritdoc />
    public Task<Result> CancelJobAsync(EventId eventId, string jobId) =>
        string.IsNullOrWhiteSpace(jobId) || jobId.Length > DefinitionLimits.MaxIdLength
            ? Task.FromResult(Result.Err(ErrorKind.VALIDATION, $"a job id must be 1 to {DefinitionLimits.MaxIdLength} characters"))
            : Call(eventId, g => g.CancelJobAsync(jobId));

    /// <inheritdoc />
    public async Task<Result<IReadOnlyList<InFlightJob>>> ListJobsAsync(EventId eventId, int limit = 100)
    {
        if (InFlightJob.ValidateLimit(limit) is { IsErr: true } bad) return Result<IReadOnlyList<InFlightJob>>.Err(bad.Error);
        return (await Call(eventId, g => g.JobsAsync(limit))).Map<IReadOnlyList<InFlightJob>>(list => list);
    }

    /// <inheritdoc />
    public Task<Result<int>> CancelWaitingJobsAsync(EventId eventId) => Call(eventId, g => g.CancelWaitingAsync());

    /// <inheritdoc />
    public async Task<Result<IReadOnlyList<FailedJob>>> ListFailedJobsAsync(EventId? eventId = null, int limit = 100)
    {
        if (limit < 1) return Result<IReadOnlyList<FailedJob>>.Err(ErrorKind.VALIDATION, "limit must be at least 1");
        if (eventId is { } id)
            return (await Call(id, g => g.FailedJobsAsync(limit))).Map<IReadOnlyList<FailedJob>>(list => list);
        return await GuardValue<IReadOnlyList<FailedJob>>(async () => await _grains.GetGrain<IFailedJobsGrain>(0).ListAsync(limit));
    }

    /// <inheritdoc />
    public Task<Result<int>> RequeueFailedJobsAsync(EventId eventId, IReadOnlyList<string>? jobIds = null) =>
        CheckJobIds(jobIds) is { IsErr: true } bad ? Task.FromResult(Result<int>.Err(bad.Error)) : Call(eventId, g => g.RequeueFailedAsync(jobIds?.ToList()));

    /// <inheritdoc />
    public Task<Result<int>> DiscardFailedJobsAsync(EventId eventId, IReadOnlyList<string>? jobIds = null) =>
        CheckJobIds(jobIds) is { IsErr: true } bad ? Task.FromResult(Result<int>.Err(bad.Error)) : Call(eventId, g => g.DiscardFailedAsync(jobIds?.ToList()));

    private static Result CheckJobIds(IReadOnlyList<string>? jobIds) =>
        jobIds is not null && jobIds.Any(string.IsNullOrEmpty) ? Result.Err(ErrorKind.VALIDATION, "job ids must not be empty") : Result.Ok();

    /// <inheritdoc />
    public async Task<Result<IReadOnlyList<JobRecord>>> HistoryAsync(EventId eventId, int limit = 50)
    {
        if (limit < 1) return Result<IReadOnlyList<JobRecord>>.Err(ErrorKind.VALIDATION, "limit must be at least 1");
        var history = await Call(eventId, g => g.HistoryAsync(limit));
        return history.Map<IReadOnlyList<JobRecord>>(list => list);
    }

    /// <inheritdoc />
    public Task<Result<MetricsSnapshot>> MetricsSnapshotAsync() =>
        GuardValue(() => _grains.GetGrain<IMetricsGrain>(MetricsGrainKey.Cluster).SnapshotAsync());

    private Task<Result> Save(Event definition, SaveMode mode)
    {
        var check = DefinitionValidator.Validate(definition);
        if (check.IsErr) return Task.FromResult(check);
        return Call(definition.Id, g => g.SaveAsync(definition, mode));
    }

    private async IAsyncEnumerable<CatalogEntry> ListEntries(string catalog)
    {
        var grain = _grains.GetGrain<ICatalogGrain>(catalog);
        string? after = null;
        while (true)
        {
            var page = await grain.ListEntriesAsync(after, ListPageSize);
            foreach (var entry in page) yield return entry;
            if (page.Count < ListPageSize) yield break;
            after = page[^1].Id;
        }
    }

    // Ids are checked here so a bad id never becomes a grain activation.
    private async Task<Result<T>> Call<T>(EventId eventId, Func<IEventGrain, Task<Result<T>>> call)
    {
        var check = DefinitionValidator.Validate(eventId);
        if (check.IsErr) return Result<T>.Err(check.Error);
        return await Guard(() => call(_events.Get(eventId.Value)));
    }

    private async Task<Result> Call(EventId eventId, Func<IEventGrain, Task<Result>> call)
    {
        var check = DefinitionValidator.Validate(eventId);
        if (check.IsErr) return check;
        return await GuardPlain(() => call(_events.Get(eventId.Value)));
    }

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
