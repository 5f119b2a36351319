namespace Orleans.ConvoOrchestrator.Grains;

/// <summary>
/// The listing of definitions (key <see cref="CatalogKeys.Events"/>, <see cref="CatalogKeys.Triggers"/> or <see cref="CatalogKeys.Calendars"/>): ids in
/// ordinal order with each definition's JSON, paged, so 100,000 events list without activating their grains.
/// The grains keep it up to date; any silo answers.
/// </summary>
[Alias("convo.ICatalogGrain")]
public interface ICatalogGrain : IGrainWithStringKey
{
    /// <summary>Up to <paramref name="limit"/> ids after <paramref name="after"/> (ordinal order).</summary>
    [Alias("List"), Orleans.Concurrency.ReadOnly] Task<List<string>> ListAsync(string? after, int limit);

    /// <summary>Up to <paramref name="limit"/> entries after <paramref name="after"/> (ordinal order of ids).</summary>
    [Alias("ListEntries"), Orleans.Concurrency.ReadOnly] Task<List<CatalogEntry>> ListEntriesAsync(string? after, int limit);
}
