using Orleans.ConvoOrchestrator.Runtime;

namespace Orleans.ConvoOrchestrator.UnitTests;

public sealed class BackoffCalculatorTests
{
    private static readonly TimeSpan Base = TimeSpan.FromSeconds(0.5);
    private static readonly TimeSpan Cap = TimeSpan.FromSeconds(30);

    [Theory]
    [InlineData(1, 0.5)]
    [InlineData(2, 0.5)]
    [InlineData(7, 0.5)]
    public void Fixed_is_the_base_every_time(int retry, double seconds) =>
        Assert.Equal(TimeSpan.FromSeconds(seconds), new BackoffCalculator(Base, Cap).Delay(BackoffKind.FIXED, retry));

    [Theory]
    [InlineData(1, 0.5)]
    [InlineData(2, 1)]
    [InlineData(3, 2)]
    [InlineData(6, 16)]
    [InlineData(7, 30)]
    [InlineData(100, 30)]
    public void Exp_doubles_per_retry_up_to_the_cap(int retry, double seconds) =>
        Assert.Equal(TimeSpan.FromSeconds(seconds), new BackoffCalculator(Base, Cap).Delay(BackoffKind.EXP, retry));

    [Theory]
    [InlineData(0.0, 3, 1.0)]
    [InlineData(0.999999, 3, 1.999999)]
    [InlineData(0.5, 3, 1.5)]
    [InlineData(0.0, 20, 15.0)]
    public void Exp_jitter_multiplies_by_a_factor_in_half_to_one(double random, int retry, double seconds)
    {
        var delay = new BackoffCalculator(Base, Cap, () => random).Delay(BackoffKind.EXP_JITTER, retry);
        Assert.Equal(seconds, delay.TotalSeconds, 5);
    }

    [Fact]
    public void Exp_jitter_stays_within_bounds_with_real_randomness()
    {
        var calc = new BackoffCalculator(Base, Cap);
        for (var i = 0; i < 1000; i++)
        {
            var d = calc.Delay(BackoffKind.EXP_JITTER, 2).TotalSeconds;
            Assert.InRange(d, 0.5, 1.0);
        }
    }

    [Fact]
    public void Retries_count_from_one_and_bad_settings_are_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new BackoffCalculator(Base, Cap).Delay(BackoffKind.FIXED, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new BackoffCalculator(TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(1)));
        Assert.Throws<ArgumentOutOfRangeException>(() => new BackoffCalculator(TimeSpan.FromSeconds(-1), Cap));
    }
}
