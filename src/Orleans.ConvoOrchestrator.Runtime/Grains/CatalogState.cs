namespace Orleans.ConvoOrchestrator.Runtime.Grains;

/// <summary>What a catalog grain persists.</summary>
[GenerateSerializer, Alias("convo.CatalogState")]
public sealed class CatalogState
{
    /// <summary>The ids, sorted ordinally.</summary>
    [Id(0)] public List<string> Ids { get; set; } = new();
}
