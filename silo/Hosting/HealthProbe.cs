using System.Globalization;
using Microsoft.Extensions.Configuration;

namespace Orleans.ConvoOrchestrator.Silo.Hosting;

/// <summary>
/// <c>convo-silo probe [/healthz|/readyz]</c>: asks the silo running beside it (same configuration, so the same HTTP
/// address) for a health path and exits 0 on 200, 1 otherwise. It is the container image's HEALTHCHECK: runtime
/// images carry no curl, and a fixed port in the Dockerfile would break as soon as Convo:Http:Urls changes.
/// </summary>
public static class HealthProbe
{
    /// <summary>The first argument that selects this mode.</summary>
    public const string Command = "probe";

    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(3);

    /// <summary>Probes <c>args[0]</c> (default /healthz); the other arguments are the silo's flags, for its HTTP address.</summary>
    public static async Task<int> RunAsync(string[] args)
    {
        var path = args.Length > 0 && args[0].StartsWith('/') ? args[0] : "/healthz";
        var flags = args.Length > 0 && args[0].StartsWith('/') ? args[1..] : args;
        var configuration = new ConfigurationBuilder()
            .SetBasePath(AppContext.BaseDirectory)
            .AddJsonFile("appsettings.json", optional: true)
            .AddEnvironmentVariables()
            .AddCommandLine(flags, SiloCommandLine.Switches)
            .Build();
        var http = configuration.GetSection("Convo:Http").Get<HttpSettings>() ?? new HttpSettings();
        if (http.UrlList.Count == 0 || !TryLocalTarget(http.UrlList[0], out var target))
        {
            Console.Error.WriteLine($"convo-silo probe: no HTTP address to probe in Convo:Http:Urls ('{http.Urls}')");
            return 1;
        }
        using var client = new HttpClient { Timeout = Timeout };
        try
        {
            using var response = await client.GetAsync(new Uri(target, path));
            Console.WriteLine($"{path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
            return response.IsSuccessStatusCode ? 0 : 1;
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            Console.Error.WriteLine($"{path}: no answer from {target} ({ex.Message})");
            return 1;
        }
    }

    /// <summary>
    /// Where a probe on this machine reaches the address Kestrel listens on: wildcard hosts (0.0.0.0, *, +, [::])
    /// become loopback; a port of 0 (any free port) cannot be probed.
    /// </summary>
    public static bool TryLocalTarget(string url, out Uri target)
    {
        target = null!;
        var normalized = url.Replace("://*", "://0.0.0.0").Replace("://+", "://0.0.0.0");
        if (!Uri.TryCreate(normalized, UriKind.Absolute, out var uri) || uri.Port <= 0) return false;
        var host = uri.Host.Trim('[', ']') switch
        {
            "0.0.0.0" => "127.0.0.1",
            "::" => "[::1]",
            _ => uri.Host,
        };
        target = new Uri(string.Create(CultureInfo.InvariantCulture, $"{uri.Scheme}://{host}:{uri.Port}/"));
        return true;
    }
}
