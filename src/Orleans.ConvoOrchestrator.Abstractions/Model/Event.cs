namespace Orleans.ConvoOrchestrator;

/// <summary>What to run (a registered handler, by name) and how (its <see cref="Policy"/>).</summary>
/// <param name="Id">The event's id; also the key of its grain.</param>
/// <param name="Name">A human name; required.</param>
/// <param name="HandlerName">The name a handler was registered under in the silos.</param>
/// <param name="Policy">Execution policy; <c>new Policy()</c> when null.</param>
/// <param name="Active">Inactive events reject emits with NOT_ACTIVE.</param>
/// <param name="Metadata">Free-form labels kept with the definition.</param>
[GenerateSerializer, Immutable, Alias("convo.Event")]
public sealed record Event(
    EventId Id,
    string Name,
    string HandlerName,
    Policy? Policy = null,
    bool Active = true,
    IReadOnlyDictionary<string, string>? Metadata = null)
{
    /// <summary>The policy in force: <see cref="Policy"/> or the defaults.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public Policy EffectivePolicy => Policy ?? new Policy();
}
