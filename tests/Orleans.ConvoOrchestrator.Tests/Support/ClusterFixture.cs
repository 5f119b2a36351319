using Orleans.ConvoOrchestrator.Client;
using Orleans.ConvoOrchestrator.Runtime;
using Orleans.TestingHost;

namespace Orleans.ConvoOrchestrator.Tests.Support;

/// <summary>
/// One in-process Orleans test cluster (one silo, memory store) shared by a test collection. Tests talk to it
/// through the cluster client (<see cref="Api"/>), and register their own handlers, under unique names, on the
/// silo's live <see cref="Handlers"/> registry.
/// </summary>
public sealed class ClusterFixture : IAsyncLifetime
{
    /// <summary>Each event's queue holds at most this many jobs in this cluster.</summary>
    public const int QueueMaxSize = 5;

    public HandlerRegistry Handlers { get; } = new();

    public InProcessTestCluster Cluster { get; private set; } = null!;

    public IEventOrchestrator Api { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var builder = new InProcessTestClusterBuilder(initialSilosCount: 1);
        builder.ConfigureSilo((_, silo) =>
        {
            silo.UseConvoInMemoryStore();
            silo.AddConvoOrchestrator(o =>
            {
                o.QueueMaxSize = QueueMaxSize;
                o.BackoffBase = TimeSpan.FromMilliseconds(20);
                o.BackoffCap = TimeSpan.FromMilliseconds(200);
                o.HistorySize = 20;
                o.MaxPayloadBytes = 4096;
            }, Handlers);
        });
        Cluster = builder.Build();
        await Cluster.DeployAsync();
        Api = new ConvoOrchestratorClient(Cluster.Client);
    }

    public async Task DisposeAsync() => await Cluster.DisposeAsync();

    /// <summary>A name no other test uses.</summary>
    public static string Unique(string prefix) => $"{prefix}-{Guid.NewGuid():N}"[..Math.Min(prefix.Length + 13, 200)];

    /// <summary>Saves an event running <paramref name="handler"/> and returns its id.</summary>
    public async Task<EventId> SaveEventAsync(string handler, Policy? policy = null, bool active = true)
    {
        var id = new EventId(Unique("ev"));
        (await Api.SaveEventAsync(new Event(id, "test event", handler, policy, active))).Unwrap();
        return id;
    }

    /// <summary>Polls the event's status until <paramref name="done"/> holds (generous bound).</summary>
    public Task<EventRuntimeStatus> WaitForStatusAsync(EventId id, Func<EventRuntimeStatus, bool> done, TimeSpan? within = null) =>
        Eventually.MatchAsync(async () => (await Api.StatusAsync(id)).Unwrap(), done, within ?? TimeSpan.FromSeconds(30), $"status of {id}", 20);

    /// <summary>Waits until <paramref name="count"/> outcomes are in the event's history, and returns them oldest first.</summary>
    public Task<IReadOnlyList<JobRecord>> WaitForHistoryAsync(EventId id, int count, TimeSpan? within = null) =>
        Eventually.HistoryAsync(Api, id, count, within ?? TimeSpan.FromSeconds(30));
}

[CollectionDefinition(Name)]
public sealed class ClusterCollection : ICollectionFixture<ClusterFixture>
{
    public const string Name = "cluster";
}
