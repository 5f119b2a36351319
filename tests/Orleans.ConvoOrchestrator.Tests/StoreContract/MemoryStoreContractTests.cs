using Orleans.ConvoOrchestrator.Tests.Support;
using Orleans.ConvoOrchestrator.Runtime;

namespace Orleans.ConvoOrchestrator.Tests.StoreContract;

/// <summary>The store contract on the embedded memory stores.</summary>
[Trait(Lane.Name, Lane.Cluster)]
public sealed class MemoryStoreContractTests : StoreContractTests
{
    private protected override Task<(IJobStore Jobs, IHistoryStore History, ICatalogStore Catalog)> CreateAsync()
    {
        var history = new MemoryHistoryStore();
        return Task.FromResult<(IJobStore, IHistoryStore, ICatalogStore)>((new MemoryJobStore(history, Retention), history, new MemoryCatalogStore()));
    }
}
