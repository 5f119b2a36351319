namespace Orleans.ConvoOrchestrator.Grains;

/// <summary>
/// Applies a chunk of a bulk set-up on the silo that receives it (a stateless worker, key 0): the client sends
/// one message per chunk instead of two round trips per event, and the silo fans the chunk out to the event grains.
/// </summary>
[Alias("convo.IBulkSetupGrain")]
public interface IBulkSetupGrain : IGrainWithIntegerKey
{
    /// <summary>
    /// Validates the whole chunk (VALIDATION naming the item, nothing changed), checks the calendars it names exist
    /// (NOT_FOUND, nothing changed), then saves each event and attaches its triggers. Answers how many events were set up.
    /// <paramref name="firstItem"/> is the chunk's first item's number in the caller's whole list, for messages.
    /// </summary>
    [Alias("Save"), ResponseTimeout("00:05:00")] Task<Result<int>> SaveAsync(List<EventSetup> setups, int firstItem);
}
