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

    /// <summary>
    /// When set, every request but /healthz and /readyz needs a key (header X-Api-Key or Authorization: Bearer); this
    /// one may do everything (admin).
    /// </summary>
    public string? ApiKey { get; set; }

    /// <summary>More admin keys, separated by commas (for example one per team, or the next key during a rotation).</summary>
    public string? AdminApiKeys { get; set; }

    /// <summary>Read-only keys, separated by commas: they read everything (API, pages, metrics) and change nothing (403).</summary>
    public string? ReadOnlyApiKeys { get; set; }

    /// <summary>Every configured key with its role; empty without <see cref="ApiKey"/>.</summary>
    public IReadOnlyList<(string Key, ApiKeyRole Role)> Keys =>
        !HasApiKey ? [] :
        [(ApiKey!, ApiKeyRole.Admin), .. Split(AdminApiKeys).Select(k => (k, ApiKeyRole.Admin)), .. Split(ReadOnlyApiKeys).Select(k => (k, ApiKeyRole.ReadOnly))];

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
        var admins = Split(AdminApiKeys);
        var readers = Split(ReadOnlyApiKeys);
        if (!HasApiKey && (admins.Count > 0 || readers.Count > 0))
            yield return "AdminApiKeys and ReadOnlyApiKeys need the admin key ApiKey (--api-key) as well";
        foreach (var (name, keys) in new[] { ("AdminApiKeys", admins), ("ReadOnlyApiKeys", readers) })
        {
            if (keys.Any(k => k.Length < 16)) yield return $"every key in {name} must be at least 16 characters";
        }
        var admin = new HashSet<string>(admins, StringComparer.Ordinal);
        if (ApiKey is { } key) admin.Add(key);
        if (readers.Any(admin.Contains)) yield return "a key cannot be both read-only (ReadOnlyApiKeys) and admin (ApiKey, AdminApiKeys)";
    }

    private static List<string> Split(string? keys) => (keys ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();

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
