namespace Orleans.ConvoOrchestrator.Grains;

/// <summary>Keys of the catalog grains.</summary>
public static class CatalogKeys
{
    /// <summary>The catalog of event ids.</summary>
    public const string Events = "events";
    /// <summary>The catalog of trigger ids.</summary>
    public const string Triggers = "triggers";
    /// <summary>The catalog of calendar names.</summary>
    public const string Calendars = "calendars";
}
