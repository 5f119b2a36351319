namespace Orleans.ConvoOrchestrator.Runtime.Execution;

/// <summary>
/// An event's <c>rate_limit_per_sec</c> as a token bucket refilled from the orchestrator's clock. Not
/// System.Threading.RateLimiting: its token bucket replenishes from a Stopwatch even when replenished by hand,
/// so it cannot follow a <see cref="TimeProvider"/> (a fake clock in tests, the grains' clock here).
/// Bursts are bounded to one second's worth of starts (at least one).
/// </summary>
internal sealed class RateGate
{
    private readonly TimeProvider _clock;
    private readonly double _capacity;
    private double _tokens;
    private DateTimeOffset _last;

    /// <summary>Allows <paramref name="perSecond"/> starts per second on average.</summary>
    public RateGate(double perSecond, TimeProvider clock)
    {
        if (!double.IsFinite(perSecond) || perSecond <= 0) throw new ArgumentOutOfRangeException(nameof(perSecond));
        _clock = clock;
        PerSecond = perSecond;
        _capacity = Math.Max(1, Math.Ceiling(perSecond));
        _tokens = _capacity;
        _last = clock.GetUtcNow();
    }

    /// <summary>The configured rate.</summary>
    public double PerSecond { get; }

    /// <summary>Takes a start if one is available; otherwise says how long until the next one is.</summary>
    public bool TryTake(out TimeSpan retryAfter)
    {
        var now = _clock.GetUtcNow();
        if (now > _last)
        {
            _tokens = Math.Min(_capacity, _tokens + (now - _last).TotalSeconds * PerSecond);
            _last = now;
        }
        // A hair of tolerance: 0.2 s * 5/s is 0.9999999 in floating point, and that start is due.
        if (_tokens >= 1 - 1e-9)
        {
            _tokens = Math.Max(0, _tokens - 1);
            retryAfter = TimeSpan.Zero;
            return true;
        }
        retryAfter = TimeSpan.FromSeconds(Math.Max((1 - _tokens) / PerSecond, 0.001));
        return false;
    }
}
