using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace Orleans.ConvoOrchestrator.Silo.Http;

/// <summary>
/// Reads a request body of at most a given size: over it the caller gets 413 before anything is parsed or
/// changed. Both a declared Content-Length and the bytes that actually arrive (chunked uploads) are checked.
/// </summary>
public static class BoundedBody
{
    /// <summary>
    /// The body as UTF-8 text, or the problem to answer with (413 too large, 415 not declared as JSON, 400 not UTF-8).
    /// An empty body needs no content type. With <paramref name="ndjson"/>, <c>application/x-ndjson</c> is JSON too.
    /// </summary>
    public static async Task<(string? Text, IResult? Problem)> ReadTextAsync(HttpRequest request, int maxBytes, CancellationToken ct, bool ndjson = false)
    {
        if (request.ContentLength > maxBytes) return (null, TooLarge($"{request.ContentLength} bytes", maxBytes, ndjson));
        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, ct)) > 0)
        {
            if (buffer.Length + read > maxBytes) return (null, TooLarge($"more than {maxBytes} bytes", maxBytes, ndjson));
            buffer.Write(chunk, 0, read);
        }
        // Only JSON is read as JSON. This also keeps other web pages out: a browser sends a cross-site request
        // declared as JSON only after a CORS preflight, which this API never grants; forms and text/plain it sends at once.
        if (buffer.Length > 0 && !request.HasJsonContentType() && !(ndjson && IsNdjson(request)))
            return (null, Problems.Of(StatusCodes.Status415UnsupportedMediaType,
                $"the request body must be JSON sent with Content-Type: application/json (got {(string.IsNullOrEmpty(request.ContentType) ? "no Content-Type" : request.ContentType)})"));
        try
        {
            return (new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(buffer.GetBuffer(), 0, (int)buffer.Length), null);
        }
        catch (DecoderFallbackException)
        {
            return (null, Problems.BadRequest("the request body is not UTF-8 text"));
        }
    }

    /// <summary>The body parsed as <typeparamref name="T"/> in the project's JSON form, or the problem to answer with.</summary>
    public static async Task<(T? Value, IResult? Problem)> ReadJsonAsync<T>(HttpRequest request, int maxBytes, string what, CancellationToken ct) where T : class
    {
        var (text, problem) = await ReadTextAsync(request, maxBytes, ct);
        if (problem is not null) return (null, problem);
        if (string.IsNullOrWhiteSpace(text)) return (null, Problems.BadRequest($"the request body must be {what} as JSON"));
        try
        {
            var value = JsonSerializer.Deserialize<T>(text, ConvoJson.Options);
            return value is null ? (null, Problems.BadRequest($"the request body must be {what} as JSON, not null")) : (value, null);
        }
        catch (JsonException ex)
        {
            return (null, Problems.BadRequest($"the request body is not {what}: {JsonInputError.Describe(text, ex, typeof(T))}"));
        }
    }

    // A bulk set-up's bound is fixed (ConvoApiEndpoints.BulkMaxBytes); every other body's is the option.
    private static IResult TooLarge(string size, int maxBytes, bool bulk = false) => Problems.Of(StatusCodes.Status413PayloadTooLarge,
        $"the request body has {size}; at most {maxBytes} are accepted ({(bulk ? "a bulk set-up; send more requests" : "Convo:Orchestrator:MaxPayloadBytes")})");

    private static bool IsNdjson(HttpRequest request) =>
        request.ContentType?.StartsWith("application/x-ndjson", StringComparison.OrdinalIgnoreCase) == true;
}
