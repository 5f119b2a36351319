using System.Buffers.Text;
using System.Text;

namespace Orleans.ConvoOrchestrator;

/// <summary>
/// Bounds and tokens of the paged listings (<see cref="IEventOrchestrator.ListEventsPageAsync"/>,
/// <see cref="IEventOrchestrator.ListTriggersPageAsync"/>). A token is the last id of a page, base64url-encoded: opaque
/// to callers, and stable while definitions come and go (a page after an id never repeats or skips a survivor).
/// </summary>
public static class PageToken
{
    /// <summary>The most items one page holds.</summary>
    public const int MaxLimit = 1000;

    /// <summary>The token of the page after <paramref name="lastId"/>.</summary>
    public static string After(string lastId) => Base64Url.EncodeToString(Encoding.UTF8.GetBytes(lastId));

    /// <summary>
    /// Checks a page request: <paramref name="limit"/> 1 to <see cref="MaxLimit"/>, and a token this API made (or none).
    /// <paramref name="after"/> is the id the page starts after (null for the first page).
    /// </summary>
    public static Result Read(int limit, string? pageToken, out string? after)
    {
        after = null;
        if (limit is < 1 or > MaxLimit)
            return Result.Err(ErrorKind.VALIDATION, $"limit must be between 1 and {MaxLimit} (got {limit})");
        if (pageToken is null) return Result.Ok();
        string? id = null;
        try
        {
            id = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(pageToken));
        }
        catch (FormatException)
        {
        }
        // A token is an id this API encoded; anything else (cut, edited, from another API) is refused, not guessed at.
        if (id is null || pageToken.Length == 0 || DefinitionValidator.Validate(new TriggerId(id)).IsErr)
            return Result.Err(ErrorKind.VALIDATION, $"page token '{Shorten(pageToken)}' is not one this API handed out; start again without a token");
        after = id;
        return Result.Ok();
    }

    private static string Shorten(string token) => token.Length <= 40 ? token : token[..40] + "...";
}
