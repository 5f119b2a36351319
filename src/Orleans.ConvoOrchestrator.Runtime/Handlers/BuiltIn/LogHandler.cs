using Microsoft.Extensions.Logging;

namespace Orleans.ConvoOrchestrator.Runtime.Handlers.BuiltIn;

/// <summary>The built-in <c>log</c> handler: writes the job and its payload to the silo's log.</summary>
internal sealed partial class LogHandler(ILogger<LogHandler> logger) : IEventHandler
{
    /// <inheritdoc />
    public Task<object?> HandleAsync(EventContext context)
    {
        LogJob(context.EventId.Value, context.JobId, context.Attempt, context.PayloadJson);
        return Task.FromResult<object?>("logged");
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Event {EventId} job {JobId} attempt {Attempt}: payload {Payload}")]
    private partial void LogJob(string eventId, string jobId, int attempt, string payload);
}
