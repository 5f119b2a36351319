using Microsoft.Extensions.Logging;

namespace Orleans.ConvoOrchestrator.Runtime.Grains;

/// <summary>What an event grain and the parts it calls log, one source-generated method per message.</summary>
internal static partial class EventGrainLog
{
    [LoggerMessage(Level = LogLevel.Debug, Message = "Event {EventId}: job {JobId} was cancelled after its handler had reported; its report is on its way")]
    public static partial void CancelNotHeld(this ILogger logger, string eventId, string jobId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Event {EventId}: trigger {TriggerId} did not give its next fire; the next run leaves it out")]
    public static partial void TriggerStatusFailed(this ILogger logger, Exception ex, string eventId, string triggerId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Event {EventId}: the caller of test run {JobId} gave up; cancelling the run")]
    public static partial void TestRunAbandoned(this ILogger logger, string eventId, string jobId);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Event {EventId}: test run {JobId} was not cancelled: {Reason}")]
    public static partial void TestRunCancelRefused(this ILogger logger, string eventId, string jobId, string reason);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Event {EventId}: outcome for unknown job {JobId} ignored")]
    public static partial void UnknownCompletion(this ILogger logger, string eventId, string jobId);

    [LoggerMessage(Level = LogLevel.Error, Message = "Event {EventId}: loading its stored jobs failed")]
    public static partial void LoadFailed(this ILogger logger, Exception ex, string eventId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Event {EventId}: resumed {Queued} stored jobs; {Running} still running on this silo")]
    public static partial void Recovered(this ILogger logger, string eventId, int queued, int running);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Event {EventId}: adopted {Count} stored jobs that no activation was running")]
    public static partial void Adopted(this ILogger logger, string eventId, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Event {EventId}: another activation wrote this event's state; this stale one deactivates")]
    public static partial void Stale(this ILogger logger, Exception ex, string eventId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Event {EventId}: another activation took over this event's jobs; this stale one starts nothing more and deactivates")]
    public static partial void Fenced(this ILogger logger, string eventId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Event {EventId}: reading its history failed")]
    public static partial void HistoryReadFailed(this ILogger logger, Exception ex, string eventId);

    [LoggerMessage(Level = LogLevel.Error, Message = "Event {EventId}: a job write (accept, delivery mark or end) failed; its jobs are let go, queued again or written again")]
    public static partial void JobWriteFailed(this ILogger logger, Exception ex, string eventId);

    [LoggerMessage(Level = LogLevel.Error, Message = "Event {EventId}: state write failed")]
    public static partial void WriteFailed(this ILogger logger, Exception ex, string eventId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Event {EventId}: refused {Count} backfilled fire(s) of trigger {TriggerId}: {Reason}")]
    public static partial void BackfillRefused(this ILogger logger, string eventId, string triggerId, int count, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Event {EventId}: reading which of {Count} backfilled fire(s) of trigger {TriggerId} it holds failed; they are refused, and a repeated backfill queues them")]
    public static partial void BackfillKeysUnreadable(this ILogger logger, Exception ex, string eventId, string triggerId, int count);
}
