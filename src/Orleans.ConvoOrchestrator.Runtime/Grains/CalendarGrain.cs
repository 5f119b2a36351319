using System.Text.Json;
using Microsoft.Extensions.Logging;
using Orleans.ConvoOrchestrator.Grains;

namespace Orleans.ConvoOrchestrator.Runtime.Grains;

/// <summary>
/// One exclusion calendar: stores its definition, lists it in the calendar catalog, keeps the set of triggers that
/// name it (so it is never removed from under one) and tells them when it changes. It never waits on a trigger:
/// triggers call it while planning, so the notice is one-way.
/// </summary>
internal sealed partial class CalendarGrain(
    [PersistentState("calendar", ConvoOrchestratorOptions.StorageName)] IPersistentState<CalendarState> state,
    ICatalogStore catalog,
    ILogger<CalendarGrain> logger) : Grain, ICalendarGrain
{
    private string Name => this.GetPrimaryKeyString();

    /// <inheritdoc />
    public async Task<Result> SaveAsync(Calendar calendar)
    {
        var check = DefinitionValidator.Validate(calendar);
        if (check.IsErr) return check;
        if (calendar.Name != Name) return Result.Err(ErrorKind.VALIDATION, $"calendar name '{calendar.Name}' does not match the grain '{Name}'");
        var previous = state.State.Definition;
        if (previous == calendar) return Result.Ok();
        state.State.Definition = calendar;
        try
        {
            await state.WriteStateAsync();
        }
        catch (Exception ex)
        {
            LogWriteFailed(ex, Name);
            state.State.Definition = previous;
            return Result.Err(ErrorKind.REPOSITORY_ERROR, $"calendar '{Name}' could not be stored");
        }
        foreach (var trigger in state.State.Triggers) _ = GrainFactory.GetGrain<ITriggerGrain>(trigger).CalendarChangedAsync();
        try
        {
            await catalog.PutAsync(CatalogKeys.Calendars, Name, JsonSerializer.Serialize(calendar, ConvoJson.Options));
        }
        catch (Exception ex)
        {
            LogWriteFailed(ex, Name);
            return Result.Err(ErrorKind.REPOSITORY_ERROR, $"calendar '{Name}' was stored but its listing could not be updated; save it again");
        }
        return Result.Ok();
    }

    /// <inheritdoc />
    public Task<Result<Calendar>> GetAsync() => Task.FromResult(state.State.Definition is { } def
        ? Result<Calendar>.Ok(def)
        : NotFound<Calendar>());

    /// <inheritdoc />
    public async Task<Result> RemoveAsync()
    {
        if (state.State.Definition is null) return Result.Err(ErrorKind.NOT_FOUND, $"calendar '{Name}' does not exist");
        var users = await TriggersInUseAsync();
        if (users.Count > 0)
            return Result.Err(ErrorKind.CONFLICT, $"calendar '{Name}' is used by trigger(s) {string.Join(", ", users.Select(u => $"'{u}'"))}; detach them or attach them without it first");
        try
        {
            await catalog.RemoveAsync(CatalogKeys.Calendars, Name);
            await state.ClearStateAsync();
        }
        catch (Exception ex)
        {
            LogWriteFailed(ex, Name);
            return Result.Err(ErrorKind.REPOSITORY_ERROR, $"calendar '{Name}' could not be removed; remove it again");
        }
        state.State = new CalendarState();
        DeactivateOnIdle();
        return Result.Ok();
    }

    /// <inheritdoc />
    public async Task<Result<Calendar>> AttachAsync(TriggerId triggerId)
    {
        if (state.State.Definition is not { } def) return NotFound<Calendar>();
        if (state.State.Triggers.Contains(triggerId.Value)) return def;
        state.State.Triggers.Add(triggerId.Value);
        try
        {
            await state.WriteStateAsync();
        }
        catch (Exception ex)
        {
            LogWriteFailed(ex, Name);
            state.State.Triggers.Remove(triggerId.Value);
            return Result<Calendar>.Err(ErrorKind.REPOSITORY_ERROR, $"calendar '{Name}' could not record trigger '{triggerId}'");
        }
        return def;
    }

    /// <inheritdoc />
    public async Task DetachAsync(TriggerId triggerId)
    {
        if (!state.State.Triggers.Remove(triggerId.Value)) return;
        await state.WriteStateAsync();
    }

    // The recorded triggers that still name this calendar. A trigger whose removal could not tell us (a failed
    // detach) is found gone here and dropped, so a lost message never pins a calendar for good.
    private async Task<List<string>> TriggersInUseAsync()
    {
        var inUse = new List<string>();
        foreach (var id in state.State.Triggers)
        {
            try
            {
                var info = await GrainFactory.GetGrain<ITriggerGrain>(id).GetAsync();
                if (info is { IsOk: true } && info.Unwrap().Trigger.Calendars?.Contains(Name) == true) inUse.Add(id);
            }
            catch (Exception ex)
            {
                LogTriggerUnreachable(ex, Name, id);
                inUse.Add(id); // unknown: kept, the safe side
            }
        }
        if (inUse.Count < state.State.Triggers.Count)
        {
            var recorded = state.State.Triggers;
            state.State.Triggers = inUse;
            try
            {
                await state.WriteStateAsync();
            }
            catch (Exception ex)
            {
                LogWriteFailed(ex, Name);
                state.State.Triggers = recorded;
            }
        }
        return inUse;
    }

    private Result<T> NotFound<T>() => Result<T>.Err(ErrorKind.NOT_FOUND, $"calendar '{Name}' does not exist");

    [LoggerMessage(Level = LogLevel.Error, Message = "Calendar {Calendar}: a write failed")]
    private partial void LogWriteFailed(Exception ex, string calendar);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Calendar {Calendar}: trigger {TriggerId} did not answer whether it still names the calendar")]
    private partial void LogTriggerUnreachable(Exception ex, string calendar, string triggerId);
}
