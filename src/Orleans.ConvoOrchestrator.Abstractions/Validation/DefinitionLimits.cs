namespace Orleans.ConvoOrchestrator;

/// <summary>Bounds that protect the cluster from definitions it cannot honour.</summary>
public static class DefinitionLimits
{
    /// <summary>Longest id, name or handler name.</summary>
    public const int MaxIdLength = 200;
    /// <summary>Longest timeout: one day.</summary>
    public const double MaxTimeoutSec = 86_400;
    /// <summary>Most retries per job.</summary>
    public const int MaxRetries = 100;
    /// <summary>Most parallel runs per event.</summary>
    public const int MaxConcurrency = 10_000;
    /// <summary>Highest rate limit.</summary>
    public const double MaxRateLimitPerSec = 1_000_000;
    /// <summary>Longest idempotency window: 30 days.</summary>
    public const double MaxIdempotencyWindowSec = 30 * 86_400;
    /// <summary>Most metadata entries.</summary>
    public const int MaxMetadataEntries = 64;
    /// <summary>Longest metadata value.</summary>
    public const int MaxMetadataValueLength = 4_096;
    /// <summary>Most rules in one calendar.</summary>
    public const int MaxCalendarRules = 1_000;
    /// <summary>Most calendars on one trigger.</summary>
    public const int MaxTriggerCalendars = 16;
    /// <summary>Longest calendar description.</summary>
    public const int MaxDescriptionLength = 4_096;
    /// <summary>Shortest interval: below it a trigger would only measure timer overhead.</summary>
    public static readonly TimeSpan MinInterval = TimeSpan.FromMilliseconds(10);
    /// <summary>Longest interval.</summary>
    public static readonly TimeSpan MaxInterval = TimeSpan.FromDays(366);
}
