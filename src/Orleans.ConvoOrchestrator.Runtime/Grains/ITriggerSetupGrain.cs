namespace Orleans.ConvoOrchestrator.Runtime.Grains;

/// <summary>The bulk set-up's side of a trigger grain (same grain as <see cref="Orleans.ConvoOrchestrator.Grains.ITriggerGrain"/>).</summary>
[Alias("convo.ITriggerSetupGrain")]
internal interface ITriggerSetupGrain : IGrainWithStringKey
{
    /// <summary>
    /// Subscribes an event like <see cref="Orleans.ConvoOrchestrator.Grains.ITriggerGrain.SubscribeAsync"/>, and answers
    /// once the trigger's wake-up is registered, with its pause and whether its grain now rests (and goes from memory).
    /// </summary>
    [Alias("SubscribeForSetup")] Task<Result<SubscribedTrigger>> SubscribeForSetupAsync(Trigger trigger, EventId eventId);
}
