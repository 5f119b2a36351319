using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Orleans.ConvoOrchestrator.Client;
using Orleans.ConvoOrchestrator.Runtime;
using Orleans.Runtime;
using Orleans.TestingHost;

namespace Orleans.ConvoOrchestrator.Tests.Support;

/// <summary>
/// A test cluster whose grain timers and orchestrator clock are one <see cref="FakeTimeProvider"/>: tests move
/// time with <see cref="Advance"/> and see exactly the fires that time implies. Infrastructure (membership,
/// reminders, messaging) stays on real time.
/// </summary>
public sealed class FakeClockClusterFixture : IAsyncLifetime
{
    public static readonly DateTimeOffset Start = new(2026, 6, 1, 8, 0, 0, TimeSpan.Zero);

    public FakeTimeProvider Clock { get; } = new(Start);

    public HandlerRegistry Handlers { get; } = new();

    public ConditionRegistry Conditions { get; } = new();

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
                o.SchedulerTick = TimeSpan.FromSeconds(1);
                o.ReminderPeriod = TimeSpan.FromSeconds(1); // reminders tick on real time: short, so tests can see them
            }, Handlers, Clock, Conditions);
            silo.Services.AddKeyedSingleton<TimeProvider>(TimeProviderNames.Grains, Clock);
        });
        Cluster = builder.Build();
        await Cluster.DeployAsync();
        Api = new ConvoOrchestratorClient(Cluster.Client);
    }

    public async Task DisposeAsync() => await Cluster.DisposeAsync();

    /// <summary>Moves fake time forward; the grains' timers due by then run on their own schedulers.</summary>
    public void Advance(TimeSpan by) => Clock.Advance(by);

    /// <summary>Polls a trigger's status until <paramref name="done"/> holds (real-time bound).</summary>
    public Task<TriggerStatus> WaitForTriggerAsync(TriggerId id, Func<TriggerStatus, bool> done, TimeSpan? within = null) =>
        Eventually.MatchAsync(async () => (await Api.TriggerStatusAsync(id)).Unwrap(), done, within ?? TimeSpan.FromSeconds(20), $"trigger {id}", 5);

    /// <summary>Waits until the event's history holds <paramref name="count"/> outcomes; oldest first.</summary>
    public Task<IReadOnlyList<JobRecord>> WaitForHistoryAsync(EventId id, int count) =>
        Eventually.HistoryAsync(Api, id, count, TimeSpan.FromSeconds(20));

    /// <summary>Saves an event whose handler records each context into <paramref name="seen"/>.</summary>
    public async Task<EventId> RecordingEventAsync(List<EventContext> seen, bool active = true)
    {
        var handler = ClusterFixture.Unique("rec");
        Handlers.Register(handler, ctx => { lock (seen) seen.Add(ctx); });
        var id = new EventId(ClusterFixture.Unique("ev"));
        (await Api.SaveEventAsync(new Event(id, "recording", handler, new Policy(MaxConcurrency: 100), active))).Unwrap();
        return id;
    }
}

[CollectionDefinition(Name)]
public sealed class FakeClockClusterCollection : ICollectionFixture<FakeClockClusterFixture>
{
    public const string Name = "fake-clock-cluster";
}
