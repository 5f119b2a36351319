namespace Orleans.ConvoOrchestrator;

/// <summary>When an event runs. One trigger may be attached to several events.</summary>
/// <param name="Id">The trigger's id.</param>
/// <param name="Kind">Its kind.</param>
/// <param name="At">For <see cref="TriggerKind.AT"/>: the instant to fire.</param>
/// <param name="Interval">For <see cref="TriggerKind.INTERVAL"/>: the period (&gt; 0).</param>
/// <param name="Jitter">Optional random delay added per fire, at most this long.</param>
/// <param name="Active">Inactive triggers do not fire.</param>
[GenerateSerializer, Immutable, Alias("convo.Trigger")]
public sealed record Trigger(
    TriggerId Id,
    TriggerKind Kind,
    DateTimeOffset? At = null,
    TimeSpan? Interval = null,
    TimeSpan? Jitter = null,
    bool Active = true);
