namespace Orleans.ConvoOrchestrator;

/// <summary>How the delay between retries grows.</summary>
[GenerateSerializer, Alias("convo.BackoffKind")]
public enum BackoffKind
{
    /// <summary>The base delay before every retry.</summary>
    FIXED = 0,
    /// <summary>The base delay doubled per retry.</summary>
    EXP = 1,
    /// <summary>Like <see cref="EXP"/>, multiplied by a random factor in [0.5, 1).</summary>
    EXP_JITTER = 2,
}
