using Microsoft.Extensions.Time.Testing;
using Orleans.ConvoOrchestrator.Runtime;

namespace Orleans.ConvoOrchestrator.UnitTests;

public sealed class RateGateTests
{
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));

    [Fact]
    public void Five_per_second_allows_a_burst_of_five_then_one_every_200_ms()
    {
        var gate = new RateGate(5, _clock);

        for (var i = 0; i < 5; i++) Assert.True(gate.TryTake(out _));
        Assert.False(gate.TryTake(out var wait));
        Assert.Equal(TimeSpan.FromMilliseconds(200), wait);

        _clock.Advance(TimeSpan.FromMilliseconds(199));
        Assert.False(gate.TryTake(out wait));
        Assert.Equal(TimeSpan.FromMilliseconds(1), wait);
        _clock.Advance(TimeSpan.FromMilliseconds(1));
        Assert.True(gate.TryTake(out _));
        Assert.False(gate.TryTake(out _));
    }

    [Fact]
    public void Over_ten_seconds_half_a_start_per_second_allows_five()
    {
        var gate = new RateGate(0.5, _clock);
        var taken = 0;
        for (var ms = 0; ms < 10_000; ms += 10)
        {
            if (gate.TryTake(out _)) taken++;
            _clock.Advance(TimeSpan.FromMilliseconds(10));
        }
        Assert.Equal(5, taken); // at t = 0, 2, 4, 6, 8 s
    }

    [Fact]
    public void A_long_idle_gap_refills_only_up_to_the_burst()
    {
        var gate = new RateGate(1000, _clock);
        for (var i = 0; i < 1000; i++) Assert.True(gate.TryTake(out _));
        Assert.False(gate.TryTake(out _));

        _clock.Advance(TimeSpan.FromDays(30));

        var taken = 0;
        while (gate.TryTake(out _)) taken++;
        Assert.Equal(1000, taken);
    }

    [Fact]
    public void Bad_rates_are_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new RateGate(0, _clock));
        Assert.Throws<ArgumentOutOfRangeException>(() => new RateGate(double.NaN, _clock));
    }
}
