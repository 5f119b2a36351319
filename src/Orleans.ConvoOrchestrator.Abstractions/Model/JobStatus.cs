namespace Orleans.ConvoOrchestrator;

/// <summary>How a job ended.</summary>
[GenerateSerializer, Alias("convo.JobStatus")]
public enum JobStatus
{
    /// <summary>The handler returned.</summary>
    OK = 0,
    /// <summary>The handler failed (exception, timeout, unknown handler) and no retry was left.</summary>
    ERR = 1,
    /// <summary>The job was cancelled (shutdown, event removed).</summary>
    CANCELLED = 2,
    /// <summary>The job was not run (inactive event).</summary>
    SKIPPED = 3,
}
