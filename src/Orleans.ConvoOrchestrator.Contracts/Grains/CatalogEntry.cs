namespace Orleans.ConvoOrchestrator.Grains;

/// <summary>One listed definition: its id and its JSON (the project's JSON form of an event or a trigger).</summary>
/// <param name="Id">The id.</param>
/// <param name="Json">The definition as JSON.</param>
[GenerateSerializer, Immutable, Alias("convo.CatalogEntry")]
public sealed record CatalogEntry([property: Id(0)] string Id, [property: Id(1)] string Json);
