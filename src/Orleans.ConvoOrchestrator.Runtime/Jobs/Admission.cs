namespace Orleans.ConvoOrchestrator.Runtime.Jobs;

/// <summary>What an event's job table decides for a job about to be accepted.</summary>
internal enum Admission
{
    /// <summary>Refused: the queue is at its bound.</summary>
    QueueFull,

    /// <summary>Accepted into the queue (behind earlier jobs, or no slot is free).</summary>
    Queue,

    /// <summary>Accepted and started as soon as it is stored: a free slot, nothing waiting before it; store it with delivery 1.</summary>
    StartNow,
}
