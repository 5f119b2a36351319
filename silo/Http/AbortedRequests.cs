using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Orleans.ConvoOrchestrator.Silo.Http;

/// <summary>
/// Ends a request its client aborted quietly: the API passes <see cref="HttpContext.RequestAborted"/> to the
/// orchestrator, whose calls then end with an <see cref="OperationCanceledException"/>. That is the client leaving, not
/// a failure of the silo, so it is logged at Debug and answered 499 (nginx's "client closed request", never seen by
/// the client that left) instead of reaching the exception handler as a 500 and an error in the log.
/// </summary>
public sealed partial class AbortedRequests(RequestDelegate next, ILogger<AbortedRequests> logger)
{
    /// <summary>Runs the rest of the pipeline.</summary>
    public async Task InvokeAsync(HttpContext context)
    {
        try
        {
            await next(context);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            Aborted(logger, context.Request.Method, context.Request.Path);
            if (!context.Response.HasStarted) context.Response.StatusCode = StatusCodes.Status499ClientClosedRequest;
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "{Method} {Path}: the client aborted the request; its calls were cancelled")]
    private static partial void Aborted(ILogger logger, string method, string path);
}
