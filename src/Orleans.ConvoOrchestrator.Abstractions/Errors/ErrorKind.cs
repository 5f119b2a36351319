namespace Orleans.ConvoOrchestrator;

/// <summary>The class of an <see cref="AppError"/>; names kept from the Python library.</summary>
[GenerateSerializer, Alias("convo.ErrorKind")]
public enum ErrorKind
{
    /// <summary>Bad input; nothing was changed.</summary>
    VALIDATION = 0,
    /// <summary>The change conflicts with what exists.</summary>
    CONFLICT = 1,
    /// <summary>No such event, trigger or subscription.</summary>
    NOT_FOUND = 2,
    /// <summary>No handler is registered under the event's handler name.</summary>
    HANDLER_NOT_FOUND = 3,
    /// <summary>The handler threw.</summary>
    HANDLER_EXEC_ERROR = 4,
    /// <summary>The attempt exceeded the policy's timeout.</summary>
    TIMEOUT = 5,
    /// <summary>The job was cancelled.</summary>
    CANCELLED = 6,
    /// <summary>The event is inactive.</summary>
    NOT_ACTIVE = 7,
    /// <summary>The queue could not accept the job (manager stopped, cluster unreachable).</summary>
    QUEUE_UNAVAILABLE = 8,
    /// <summary>Storage failed.</summary>
    REPOSITORY_ERROR = 9,
    /// <summary>The scheduler failed.</summary>
    SCHEDULER_ERROR = 10,
    /// <summary>Anything else.</summary>
    UNKNOWN = 11,
    /// <summary>The event's queue is at its bound.</summary>
    QUEUE_FULL = 12,
}
