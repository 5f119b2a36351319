using Microsoft.AspNetCore.Http;

namespace Orleans.ConvoOrchestrator.Silo.Http;

/// <summary>Errors as RFC 9457 problem details (<c>application/problem+json</c>) with the orchestrator's error kind.</summary>
public static class Problems
{
    /// <summary>The problem member every error answer carries.</summary>
    public const string KindMember = "kind";

    /// <summary>The HTTP status of an orchestrator error.</summary>
    public static int StatusOf(ErrorKind kind) => kind switch
    {
        ErrorKind.VALIDATION => StatusCodes.Status400BadRequest,
        ErrorKind.NOT_FOUND => StatusCodes.Status404NotFound,
        ErrorKind.CONFLICT or ErrorKind.NOT_ACTIVE => StatusCodes.Status409Conflict,
        ErrorKind.HANDLER_NOT_FOUND => StatusCodes.Status422UnprocessableEntity,
        ErrorKind.QUEUE_FULL => StatusCodes.Status429TooManyRequests,
        ErrorKind.QUEUE_UNAVAILABLE => StatusCodes.Status503ServiceUnavailable,
        ErrorKind.TIMEOUT => StatusCodes.Status504GatewayTimeout,
        _ => StatusCodes.Status500InternalServerError,
    };

    /// <summary>The kind of an answer of <paramref name="status"/> that no orchestrator error made (the HTTP layer's own).</summary>
    public static string KindOf(int status) => status switch
    {
        StatusCodes.Status400BadRequest => nameof(ErrorKind.VALIDATION),
        StatusCodes.Status401Unauthorized => "UNAUTHORIZED",
        StatusCodes.Status403Forbidden => "FORBIDDEN",
        StatusCodes.Status404NotFound => nameof(ErrorKind.NOT_FOUND),
        StatusCodes.Status405MethodNotAllowed => "METHOD_NOT_ALLOWED",
        StatusCodes.Status413PayloadTooLarge => "PAYLOAD_TOO_LARGE",
        StatusCodes.Status414UriTooLong => "URI_TOO_LONG",
        StatusCodes.Status415UnsupportedMediaType => "UNSUPPORTED_MEDIA_TYPE",
        StatusCodes.Status431RequestHeaderFieldsTooLarge => "HEADERS_TOO_LARGE",
        _ => nameof(ErrorKind.UNKNOWN),
    };

    /// <summary>The problem for an orchestrator error.</summary>
    public static IResult From(AppError error) => Of(StatusOf(error.Kind), error.Kind.ToString(), error.Message);

    /// <summary>A problem of <paramref name="status"/>, titled by <paramref name="kind"/>.</summary>
    public static IResult Of(int status, string kind, string detail) =>
        Results.Problem(detail: detail, statusCode: status, title: kind, extensions: new Dictionary<string, object?> { [KindMember] = kind });

    /// <summary>A problem of <paramref name="status"/> with the kind <see cref="KindOf"/> gives it.</summary>
    public static IResult Of(int status, string detail) => Of(status, KindOf(status), detail);

    /// <summary>400 for input the API could not read.</summary>
    public static IResult BadRequest(string detail) => Of(StatusCodes.Status400BadRequest, detail);
}
