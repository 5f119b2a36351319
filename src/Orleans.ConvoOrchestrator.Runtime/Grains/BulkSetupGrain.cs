using Orleans.Concurrency;
using Orleans.ConvoOrchestrator.Grains;
using Orleans.ConvoOrchestrator.Runtime.Setup;

namespace Orleans.ConvoOrchestrator.Runtime.Grains;

/// <summary>
/// Applies a chunk of a bulk set-up on the silo that got it: checks the whole chunk and the calendars it names
/// before anything changes, then sets up each event on its grain (<see cref="IEventSetupGrain"/>), a bounded
/// number at once. Stateless, so chunks sent at once run side by side.
/// </summary>
[StatelessWorker]
internal sealed class BulkSetupGrain : Grain, IBulkSetupGrain
{
    // Event set-ups in flight at once: enough to keep activations and store writes overlapping, few enough that a
    // loaded silo answers each well within the response timeout.
    private const int InFlight = 128;

    /// <inheritdoc />
    public async Task<Result<int>> SaveAsync(List<EventSetup> setups, int firstItem)
    {
        var check = EventSetupValidator.Validate(setups, firstItem);
        if (check.IsErr) return Result<int>.Err(check.Error);
        var calendars = await MissingCalendarAsync(setups);
        if (calendars.IsErr) return Result<int>.Err(calendars.Error);
        var results = await BoundedFanOut.RunAsync(setups, InFlight, SetUpAsync);
        for (var i = 0; i < results.Length; i++)
        {
            if (results[i].IsErr)
                return Result<int>.Err(results[i].Error!.Kind, $"item {firstItem + i} (event '{setups[i].Event.Id}'): {results[i].Error!.Message}");
        }
        return results.Length;
    }

    private async Task<Result<bool>> SetUpAsync(EventSetup setup, int _)
    {
        try
        {
            return await GrainFactory.GetGrain<IEventSetupGrain>(setup.Event.Id.Value).SetUpAsync(setup.Event, setup.TriggerList.ToList());
        }
        catch (Exception ex) when (ex is TimeoutException or OrleansException)
        {
            return Result<bool>.Err(ErrorKind.REPOSITORY_ERROR, $"the set-up did not answer ({ex.Message})");
        }
    }

    // A trigger naming a calendar that does not exist would fail its attach half-way through the batch.
    private async Task<Result> MissingCalendarAsync(List<EventSetup> setups)
    {
        foreach (var name in EventSetupValidator.CalendarsNamed(setups))
        {
            if ((await GrainFactory.GetGrain<ICalendarGrain>(name).GetAsync()).IsOk) continue;
            var user = setups.SelectMany(s => s.TriggerList).First(t => t.Calendars?.Contains(name) == true);
            return Result.Err(ErrorKind.NOT_FOUND, $"calendar '{name}' does not exist (named by trigger '{user.Id}'); save the calendar first, nothing was set up");
        }
        return Result.Ok();
    }
}
