namespace Orleans.ConvoOrchestrator;

/// <summary>Bounds of <see cref="IEventOrchestrator.NextFiresAsync"/>.</summary>
public static class TriggerPreview
{
    /// <summary>The most fires one preview lists.</summary>
    public const int MaxFires = 1000;

    /// <summary>Refuses a count outside 1 to <see cref="MaxFires"/>.</summary>
    public static Result Validate(int count) => count is >= 1 and <= MaxFires
        ? Result.Ok()
        : Result.Err(ErrorKind.VALIDATION, $"count must be between 1 and {MaxFires} (got {count})");
}
