using Microsoft.Extensions.Time.Testing;
using Orleans.ConvoOrchestrator.Runtime;

namespace Orleans.ConvoOrchestrator.UnitTests;

/// <summary>The gate that holds a fire taken ahead until its instant: never before it, and cancellable.</summary>
public sealed class InstantGateTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 3, 15, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task On_a_fake_clock_a_wait_ends_at_its_instant_and_not_before()
    {
        var clock = new FakeTimeProvider(T0);
        using var gate = new InstantGate(clock);
        var wait = gate.WaitAsync(T0.AddMilliseconds(50));

        clock.Advance(TimeSpan.FromMilliseconds(49));
        await Task.Delay(20);
        Assert.False(wait.IsCompleted);

        clock.Advance(TimeSpan.FromMilliseconds(1));
        await wait.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.True(clock.GetUtcNow() >= T0.AddMilliseconds(50));
    }

    [Fact]
    public void An_instant_that_has_passed_lets_the_wait_through_at_once()
    {
        var clock = new FakeTimeProvider(T0);
        using var gate = new InstantGate(clock);
        Assert.True(gate.WaitAsync(T0).IsCompletedSuccessfully);
        Assert.True(gate.WaitAsync(T0.AddSeconds(-1)).IsCompletedSuccessfully);
    }

    [Fact]
    public async Task A_cancelled_wait_ends_cancelled_on_either_clock()
    {
        var clock = new FakeTimeProvider(T0);
        using var fake = new InstantGate(clock);
        using var system = new InstantGate(TimeProvider.System);
        using var cts = new CancellationTokenSource();
        var onFake = fake.WaitAsync(T0.AddSeconds(10), cts.Token);
        var onSystem = system.WaitAsync(DateTimeOffset.UtcNow.AddSeconds(10), cts.Token);
        Assert.Equal(1, system.Waiting);

        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => onFake.WaitAsync(TimeSpan.FromSeconds(5)));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => onSystem.WaitAsync(TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public async Task On_the_system_clock_every_wait_ends_at_or_after_its_instant_in_order_of_instants()
    {
        using var gate = new InstantGate(TimeProvider.System);
        var start = DateTimeOffset.UtcNow;
        // Added out of order: a later-added, earlier instant must wake the gate's thread from its longer sleep.
        var instants = Enumerable.Range(0, 40).Select(i => start.AddMilliseconds(30 + (i * 7919 % 40) * 1.3)).ToList();
        var ended = new DateTimeOffset[instants.Count];
        var waits = instants.Select(async (instant, i) =>
        {
            await gate.WaitAsync(instant).ConfigureAwait(false);
            ended[i] = DateTimeOffset.UtcNow;
        }).ToList();

        await Task.WhenAll(waits).WaitAsync(TimeSpan.FromSeconds(10));
        for (var i = 0; i < instants.Count; i++) Assert.True(ended[i] >= instants[i], $"wait {i} ended {(instants[i] - ended[i]).TotalMilliseconds} ms early");
        Assert.Equal(0, gate.Waiting);
    }
}
