using Orleans.ConvoOrchestrator.Runtime;

namespace Orleans.ConvoOrchestrator.Tests.Support;

/// <summary>The shared real-clock test cluster, with small bounds (queue, payload, history) tests can reach.</summary>
public sealed class ClusterFixture : OrchestratorClusterFixture
{
    /// <summary>The fire lead this cluster runs with.</summary>
    public static readonly TimeSpan FireLead = TimeSpan.FromMilliseconds(50);

    /// <summary>Each event's queue holds at most this many jobs in this cluster.</summary>
    public const int QueueMaxSize = 5;

    protected override void Configure(ISiloBuilder silo) => silo.AddConvoOrchestrator(o =>
    {
        o.QueueMaxSize = QueueMaxSize;
        o.BackoffBase = TimeSpan.FromMilliseconds(20);
        o.BackoffCap = TimeSpan.FromMilliseconds(200);
        o.HistorySize = 20;
        o.MaxPayloadBytes = 4096;
        // Off by default until measured at 10,000 schedules on a quiet machine; on here, so every wall-clock cluster
        // test of this collection runs with fires taken ahead.
        o.FireLead = FireLead;
        o.CancelGracePeriod = CancelGracePeriod;
    }, Handlers);

    /// <summary>How long a cancelled handler may take to stop in this cluster before it is abandoned.</summary>
    public static readonly TimeSpan CancelGracePeriod = TimeSpan.FromSeconds(1);

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
}

[CollectionDefinition(Name)]
public sealed class ClusterCollection : ICollectionFixture<ClusterFixture>
{
    public const string Name = "cluster";
}
