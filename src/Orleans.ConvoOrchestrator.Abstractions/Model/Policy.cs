namespace Orleans.ConvoOrchestrator;

/// <summary>How an event's jobs run. Defaults match the Python library.</summary>
/// <param name="TimeoutSec">Per-attempt timeout in seconds; null means none. Must be &gt; 0.</param>
/// <param name="MaxRetries">Retries after a failed or timed-out attempt (0 = run once).</param>
/// <param name="Backoff">Delay growth between retries.</param>
/// <param name="MaxConcurrency">At most this many jobs of the event run at once, cluster-wide.</param>
/// <param name="RateLimitPerSec">Most job starts per second, cluster-wide (a token bucket: bursts up to one second's worth); null means unlimited.</param>
[GenerateSerializer, Immutable, Alias("convo.Policy")]
public sealed record Policy(
    double? TimeoutSec = 30.0,
    int MaxRetries = 0,
    BackoffKind Backoff = BackoffKind.FIXED,
    int MaxConcurrency = 1,
    double? RateLimitPerSec = null)
{
    /// <summary>The per-attempt timeout as a <see cref="TimeSpan"/>, or null for none.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public TimeSpan? Timeout => TimeoutSec is { } s ? TimeSpan.FromSeconds(s) : null;
}
