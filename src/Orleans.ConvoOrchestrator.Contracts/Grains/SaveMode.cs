namespace Orleans.ConvoOrchestrator.Grains;

/// <summary>Whether a save creates, updates, or does either.</summary>
[GenerateSerializer, Alias("convo.SaveMode")]
public enum SaveMode
{
    /// <summary>Create or replace.</summary>
    Upsert = 0,
    /// <summary>Fail with CONFLICT when the event exists.</summary>
    Create = 1,
    /// <summary>Fail with NOT_FOUND when the event does not exist.</summary>
    Update = 2,
}
