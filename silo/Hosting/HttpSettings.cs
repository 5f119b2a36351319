using System.Net;

namespace Orleans.ConvoOrchestrator.Silo.Hosting;

/// <summary>
/// The silo's HTTP side (API, events page, dashboard, health, metrics): section "Convo:Http", flags --http and
/// --api-key, or Convo__Http__Urls / Convo__Http__ApiKey.
/// </summary>
public sealed class HttpSettings
{
    /// <summary>The default: loopback only, so nothing is exposed unless asked for.</summary>
    public const string DefaultUrls = "http://127.0.0.1:8080";

    /// <summary>Where Kestrel listens: one URL or several separated by ';' (e.g. <c>http://0.0.0.0:8080</c>).</summary>
    public string Urls { get; set; } = DefaultUrls;

    /// <summary>When set, every request but /healthz and /readyz needs it (header X-Api-Key or Authorization: Bearer).</summary>
    public string? ApiKey { get; set; }

    /// <summary>The URLs, split and trimmed.</summary>
    public IReadOnlyList<string> UrlList => (Urls ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary>True when an API key is configured.</summary>
    public bool HasApiKey => !string.IsNullOrEmpty(ApiKey);

    /// <summary>The problems with these settings, empty when they are usable.</summary>
    public IEnumerable<string> Problems()
    {
        if (UrlList.Count == 0) yield return "no HTTP address (--http http://127.0.0.1:8080)";
        foreach (var url in UrlList)
        {
            if (!TryParse(url, out var uri)) yield return $"'{url}' is not an HTTP address (expected e.g. http://127.0.0.1:8080)";
            else if (!HasApiKey && !IsLoopback(uri))
                yield return $"refusing to serve HTTP on {url} without an API key: anything off loopback needs one " +
                             "(--api-key, Convo:Http:ApiKey or Convo__Http__ApiKey), or bind to http://127.0.0.1";
        }
        if (ApiKey is { Length: > 0 and < 16 }) yield return "the API key must be at least 16 characters";
    }

    /// <summary>True when <paramref name="address"/> (an address Kestrel reports or was given) is reachable from this machine only.</summary>
    public static bool IsLoopback(Uri address)
    {
        var host = address.Host.Trim('[', ']');
        if (string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase)) return true;
        return IPAddress.TryParse(host, out var ip) && IPAddress.IsLoopback(ip);
    }

    // Kestrel accepts wildcard hosts ("*", "+") that Uri does not: read them as a non-loopback host.
    private static bool TryParse(string url, out Uri uri)
    {
        var normalized = url.Replace("://*", "://0.0.0.0").Replace("://+", "://0.0.0.0");
        return Uri.TryCreate(normalized, UriKind.Absolute, out uri!) && uri.Scheme is "http" or "https" && string.IsNullOrEmpty(uri.PathAndQuery.Trim('/'));
    }
}
