using Orleans.ConvoOrchestrator.Client;
using Orleans.ConvoOrchestrator.Runtime;
using Orleans.TestingHost;

namespace Orleans.ConvoOrchestrator.Tests.Support;

/// <summary>
/// A one-silo in-process test cluster on the memory store, reached through the cluster client
/// (<see cref="Api"/>); tests register handlers, under unique names, on the silo's live <see cref="Handlers"/>.
/// Subclasses choose the orchestrator's options and clock.
/// </summary>
public abstract class OrchestratorClusterFixture : IAsyncLifetime
{
    public HandlerRegistry Handlers { get; } = new();

    public InProcessTestCluster Cluster { get; private set; } = null!;

    public IEventOrchestrator Api { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var builder = new InProcessTestClusterBuilder(initialSilosCount: 1);
        builder.ConfigureSilo((_, silo) =>
        {
            silo.UseConvoInMemoryStore();
            Configure(silo);
        });
        builder.ConfigureClient(ConfigureClient);
        Cluster = builder.Build();
        await Cluster.DeployAsync();
        Api = new ConvoOrchestratorClient(Cluster.Client);
    }

    public async Task DisposeAsync() => await Cluster.DisposeAsync();

    /// <summary>Adds the orchestrator to the silo (with <see cref="Handlers"/>).</summary>
    protected abstract void Configure(ISiloBuilder silo);

    /// <summary>Configures the cluster client; nothing by default.</summary>
    protected virtual void ConfigureClient(IClientBuilder client)
    {
    }

    /// <summary>Waits until the event's history holds <paramref name="count"/> outcomes; oldest first.</summary>
    public Task<IReadOnlyList<JobRecord>> WaitForHistoryAsync(EventId id, int count, TimeSpan? within = null) =>
        Eventually.HistoryAsync(Api, id, count, within ?? TimeSpan.FromSeconds(30));
}
