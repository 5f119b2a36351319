namespace Orleans.ConvoOrchestrator.Grains;

/// <summary>
/// One exclusion calendar (key = its name): the definition and the triggers that name it. A calendar in use cannot be
/// removed; a change is sent to those triggers, which plan with it from their next fire.
/// </summary>
[Alias("convo.ICalendarGrain")]
public interface ICalendarGrain : IGrainWithStringKey
{
    /// <summary>Creates or replaces the calendar and tells the triggers that name it.</summary>
    [Alias("Save")] Task<Result> SaveAsync(Calendar calendar);

    /// <summary>The definition, or NOT_FOUND. Interleaves: triggers read it while planning.</summary>
    [Alias("Get"), Orleans.Concurrency.AlwaysInterleave] Task<Result<Calendar>> GetAsync();

    /// <summary>Removes the calendar; CONFLICT while triggers name it, NOT_FOUND when it does not exist.</summary>
    [Alias("Remove")] Task<Result> RemoveAsync();

    /// <summary>A trigger names the calendar: recorded, and the definition returned; NOT_FOUND when it does not exist.</summary>
    [Alias("Attach")] Task<Result<Calendar>> AttachAsync(TriggerId triggerId);

    /// <summary>A trigger no longer names the calendar (it was removed).</summary>
    [Alias("Detach")] Task DetachAsync(TriggerId triggerId);
}
