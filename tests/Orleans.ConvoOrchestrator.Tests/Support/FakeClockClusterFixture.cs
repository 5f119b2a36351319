using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Orleans.ConvoOrchestrator.Runtime;
using Orleans.Runtime;

namespace Orleans.ConvoOrchestrator.Tests.Support;

/// <summary>
/// A test cluster whose grain timers and orchestrator clock are one <see cref="FakeTimeProvider"/>: tests move
/// time with <see cref="Advance"/> and see exactly the fires that time implies. Infrastructure (membership,
/// reminders, messaging) stays on real time.
/// </summary>
public sealed class FakeClockClusterFixture : OrchestratorClusterFixture
{
    public static readonly DateTimeOffset Start = new(2026, 6, 1, 8, 0, 0, TimeSpan.Zero);

    public FakeTimeProvider Clock { get; } = new(Start);

    public ConditionRegistry Conditions { get; } = new();

    protected override void Configure(ISiloBuilder silo)
    {
        silo.AddConvoOrchestrator(o =>
        {
            o.SchedulerTick = TimeSpan.FromSeconds(1);
            o.ReminderPeriod = TimeSpan.FromSeconds(1); // reminders tick on real time: short, so tests can see them
            // These tests count fires at exact fake instants; the lead (taking a fire FireLead early) is a device for the
            // system clock's precision, tested apart (WallClockTriggerTests, the unit tests of TakeAhead and InstantGate).
            o.FireLead = TimeSpan.Zero;
        }, Handlers, Clock, Conditions);
        silo.Services.AddKeyedSingleton<TimeProvider>(TimeProviderNames.Grains, Clock);
    }

    /// <summary>Moves fake time forward; the grains' timers due by then run on their own schedulers.</summary>
    public void Advance(TimeSpan by) => Clock.Advance(by);

    /// <summary>Polls a trigger's status until <paramref name="done"/> holds (real-time bound).</summary>
    public Task<TriggerStatus> WaitForTriggerAsync(TriggerId id, Func<TriggerStatus, bool> done, TimeSpan? within = null) =>
        Eventually.MatchAsync(async () => (await Api.TriggerStatusAsync(id)).Unwrap(), done, within ?? TimeSpan.FromSeconds(20), $"trigger {id}", 5);

    /// <summary>Saves an event whose handler records each context into <paramref name="seen"/>.</summary>
    public async Task<EventId> RecordingEventAsync(List<EventContext> seen, bool active = true)
    {
        var handler = ClusterFixture.Unique("rec");
        Handlers.Register(handler, ctx => { lock (seen) seen.Add(ctx); });
        var id = new EventId(ClusterFixture.Unique("ev"));
        // No timeout: tests move fake time by minutes at once, and an attempt whose timeout passed before a handler
        // thread took it never starts (docs/adr/0002-handler-isolation.md); this handler returns at once anyway.
        (await Api.SaveEventAsync(new Event(id, "recording", handler, new Policy(TimeoutSec: null, MaxConcurrency: 100), active))).Unwrap();
        return id;
    }
}

[CollectionDefinition(Name)]
public sealed class FakeClockClusterCollection : ICollectionFixture<FakeClockClusterFixture>
{
    public const string Name = "fake-clock-cluster";
}
