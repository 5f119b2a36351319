namespace Orleans.ConvoOrchestrator;

/// <summary>How an event's jobs run. Defaults match the Python library.</summary>
/// <param name="TimeoutSec">Per-attempt timeout in seconds; null means none. Must be &gt; 0.</param>
/// <param name="MaxRetries">Retries after a failed or timed-out attempt (0 = run once).</param>
/// <param name="Backoff">Delay growth between retries.</param>
/// <param name="MaxConcurrency">At most this many jobs of the event run at once, cluster-wide.</param>
/// <param name="RateLimitPerSec">Most job starts per second, cluster-wide (a token bucket: bursts up to one second's worth); null means unlimited.</param>
/// <param name="IdempotencyKeyPath">
/// Where an emit without its own idempotency key takes one from its payload (the counterpart of the Python library's
/// <c>idempotency_key_fn</c>): a path of property names such as <c>$.order.id</c>; a string value is the key, any other
/// value its JSON text. A payload without the property is not deduplicated. Null: only keys given with the emit count.
/// </param>
/// <param name="IdempotencyWindowSec">How long a key is remembered after its job was accepted, in seconds; null means one day.</param>
[GenerateSerializer, Immutable, Alias("convo.Policy")]
public sealed record Policy(
    double? TimeoutSec = 30.0,
    int MaxRetries = 0,
    BackoffKind Backoff = BackoffKind.FIXED,
    int MaxConcurrency = 1,
    double? RateLimitPerSec = null,
    string? IdempotencyKeyPath = null,
    double? IdempotencyWindowSec = null)
{
    /// <summary>How long a key is remembered when <see cref="IdempotencyWindowSec"/> is null: one day.</summary>
    public static readonly TimeSpan DefaultIdempotencyWindow = TimeSpan.FromDays(1);

    /// <summary>How long an idempotency key is remembered after its job was accepted.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public TimeSpan IdempotencyWindow => IdempotencyWindowSec is { } s ? TimeSpan.FromSeconds(s) : DefaultIdempotencyWindow;

    /// <summary>The per-attempt timeout as a <see cref="TimeSpan"/>, or null for none.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public TimeSpan? Timeout => TimeoutSec is { } s ? TimeSpan.FromSeconds(s) : null;
}
