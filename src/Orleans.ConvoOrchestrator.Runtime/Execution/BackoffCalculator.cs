namespace Orleans.ConvoOrchestrator.Runtime.Execution;

/// <summary>Delay before a retry: FIXED = base; EXP = base * 2^(n-1); EXP_JITTER = EXP * [0.5, 1); all capped.</summary>
internal sealed class BackoffCalculator
{
    private readonly TimeSpan _base;
    private readonly TimeSpan _cap;
    private readonly Func<double> _random;

    /// <summary>Creates a calculator; <paramref name="random"/> returns values in [0, 1) (default: <see cref="Random.Shared"/>).</summary>
    public BackoffCalculator(TimeSpan @base, TimeSpan cap, Func<double>? random = null)
    {
        if (@base < TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(@base));
        if (cap < @base) throw new ArgumentOutOfRangeException(nameof(cap));
        _base = @base;
        _cap = cap;
        _random = random ?? Random.Shared.NextDouble;
    }

    /// <summary>The delay before retry number <paramref name="retry"/> (1 = the first retry).</summary>
    public TimeSpan Delay(BackoffKind kind, int retry)
    {
        if (retry < 1) throw new ArgumentOutOfRangeException(nameof(retry), "retries count from 1");
        // 2^(retry-1) overflows a double's useful range long before 100 retries matter; the cap wins anyway.
        var exp = _base.TotalSeconds * Math.Pow(2, Math.Min(retry - 1, 62));
        var seconds = kind switch
        {
            BackoffKind.FIXED => _base.TotalSeconds,
            BackoffKind.EXP => exp,
            BackoffKind.EXP_JITTER => Math.Min(exp, _cap.TotalSeconds) * (0.5 + 0.5 * _random()),
            _ => throw new ArgumentOutOfRangeException(nameof(kind)),
        };
        return TimeSpan.FromSeconds(Math.Min(seconds, _cap.TotalSeconds));
    }
}
