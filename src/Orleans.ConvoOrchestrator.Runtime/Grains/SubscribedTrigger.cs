namespace Orleans.ConvoOrchestrator.Runtime.Grains;

/// <summary>A trigger as a bulk set-up subscribed an event to it.</summary>
/// <param name="Trigger">The stored definition (with its anchor).</param>
/// <param name="Paused">Paused by an operator: the event leaves it out of its next run.</param>
/// <param name="Resting">
/// The trigger's grain went from memory: nothing is due before its wake-up (a wake bucket, or none for a trigger
/// without a schedule) brings it back.
/// </param>
[GenerateSerializer, Immutable, Alias("convo.SubscribedTrigger")]
internal sealed record SubscribedTrigger(Trigger Trigger, bool Paused, bool Resting);
