using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Orleans.ConvoOrchestrator.Silo.Http;

/// <summary>
/// Refuses request targets and header sections over Kestrel's usual limits with problem JSON (414, 431). Kestrel
/// answers what is over its own limits before any application code runs, with an empty body; so its limits are set
/// to twice these (<see cref="ApplyTo"/>), and only what is over twice them still gets Kestrel's bare answer.
/// </summary>
public sealed class RequestSizeLimits(RequestDelegate next)
{
    /// <summary>Longest request target (path and query), in bytes: Kestrel's default request line limit.</summary>
    public const int MaxTargetBytes = 8 * 1024;

    /// <summary>Largest header section (names and values), in bytes: Kestrel's default.</summary>
    public const int MaxHeaderBytes = 32 * 1024;

    /// <summary>Sets Kestrel's own limits above these, so the middleware sees what exceeds them.</summary>
    public static void ApplyTo(KestrelServerLimits limits)
    {
        limits.MaxRequestLineSize = 2 * MaxTargetBytes;
        limits.MaxRequestHeadersTotalSize = 2 * MaxHeaderBytes;
    }

    /// <summary>Checks the request.</summary>
    public Task InvokeAsync(HttpContext context)
    {
        var target = context.Features.Get<IHttpRequestFeature>()?.RawTarget ?? context.Request.Path + context.Request.QueryString;
        if (target.Length > MaxTargetBytes)
            return Problems.Of(StatusCodes.Status414UriTooLong,
                $"the request's path and query are {target.Length} bytes long; at most {MaxTargetBytes} are accepted").ExecuteAsync(context);
        var headerBytes = 0;
        foreach (var (name, values) in context.Request.Headers)
            foreach (var value in values) headerBytes += name.Length + (value?.Length ?? 0);
        if (headerBytes > MaxHeaderBytes)
            return Problems.Of(StatusCodes.Status431RequestHeaderFieldsTooLarge,
                $"the request's headers are {headerBytes} bytes long; at most {MaxHeaderBytes} are accepted").ExecuteAsync(context);
        return next(context);
    }
}
