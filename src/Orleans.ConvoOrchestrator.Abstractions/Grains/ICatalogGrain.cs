namespace Orleans.ConvoOrchestrator.Grains;

/// <summary>An ordered set of ids (key <see cref="CatalogKeys.Events"/> or <see cref="CatalogKeys.Triggers"/>) so ids can be listed.</summary>
[Alias("convo.ICatalogGrain")]
public interface ICatalogGrain : IGrainWithStringKey
{
    /// <summary>Adds an id.</summary>
    [Alias("Add")] Task AddAsync(string id);

    /// <summary>Removes an id.</summary>
    [Alias("Remove")] Task RemoveAsync(string id);

    /// <summary>Up to <paramref name="limit"/> ids after <paramref name="after"/> (ordinal order).</summary>
    [Alias("List"), Orleans.Concurrency.ReadOnly] Task<List<string>> ListAsync(string? after, int limit);
}
