namespace Orleans.ConvoOrchestrator.Runtime.Grains;

/// <summary>
/// The bulk set-up's side of an event grain (same grain as <see cref="Orleans.ConvoOrchestrator.Grains.IEventGrain"/>,
/// key = event id). In the runtime, like <see cref="IEventJobsGrain"/>: only a silo's <see cref="BulkSetupGrain"/>
/// calls it, after checking the whole batch.
/// </summary>
[Alias("convo.IEventSetupGrain")]
internal interface IEventSetupGrain : IGrainWithStringKey
{
    /// <summary>
    /// Saves the definition and attaches the triggers with one state write, as a save and attaches one by one would.
    /// Answers true when the event may leave memory now: no jobs, and every trigger rests until its wake-up.
    /// </summary>
    [Alias("SetUp")] Task<Result<bool>> SetUpAsync(Event definition, List<Trigger> triggers);
}
