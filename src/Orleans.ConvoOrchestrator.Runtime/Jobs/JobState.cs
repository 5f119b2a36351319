namespace Orleans.ConvoOrchestrator.Runtime.Jobs;

/// <summary>
/// Where a job of an event is in its life, from acceptance until its outcome is stored (then it leaves the event's
/// table). The README's "Job lifecycle" section draws these states and what moves a job between them.
/// </summary>
internal enum JobState
{
    /// <summary>Accepted; the write that stores it is pending. It joins the queue once stored.</summary>
    Storing,

    /// <summary>Accepted with a free slot and nothing queued before it: stored with delivery 1, it starts once stored. Holds a slot.</summary>
    StoringToStart,

    /// <summary>Stored, waiting in the event's FIFO queue for a slot (and the rate limit).</summary>
    Queued,

    /// <summary>Given a slot; the write of its next delivery count is pending (a redelivery always knows it is one). Holds a slot.</summary>
    Starting,

    /// <summary>Handed to a handler on the worker pool. Holds a slot.</summary>
    Running,

    /// <summary>Its outcome is known; the write that appends it to the history and deletes the job's record is pending.</summary>
    Ending,

    /// <summary>
    /// Cancelled while running: its CANCELLED outcome is written (or stored) at once, so it never runs again, but it
    /// holds its slot until its handler stops or is abandoned; it leaves the table once both have happened.
    /// </summary>
    Cancelling,
}
