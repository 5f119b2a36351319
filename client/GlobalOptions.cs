using System.CommandLine;

namespace Orleans.ConvoOrchestrator.Cli;

/// <summary>
/// Options every command accepts. They are <see cref="Option.Recursive"/>, so they may be written before or
/// after the command name (<c>convo --json status ev</c> and <c>convo status ev --json</c> both work).
/// </summary>
internal static class GlobalOptions
{
    public static readonly Option<int> GatewayPort = new("--gateway-port")
    {
        HelpName = "PORT",
        Description = "Gateway port of a silo on localhost",
        DefaultValueFactory = _ => 30000,
        Recursive = true,
    };

    /// <summary>The environment variable <see cref="Redis"/> falls back to.</summary>
    public const string RedisVariable = "CONVO_REDIS";

    public static readonly Option<string> Redis = new("--redis")
    {
        Description = $"Find the silos through Redis clustering: a StackExchange.Redis configuration string such as 127.0.0.1:6379 " +
            $"(default: ${RedisVariable}; when set, --gateway-port is not used)",
        HelpName = "CONFIGURATION",
        Recursive = true,
    };

    public static readonly Option<string> ClusterId = new("--cluster-id")
    {
        HelpName = "ID",
        Description = "Cluster id the silos use",
        DefaultValueFactory = _ => "convo",
        Recursive = true,
    };

    public static readonly Option<string> ServiceId = new("--service-id")
    {
        HelpName = "ID",
        Description = "Service id the silos use",
        DefaultValueFactory = _ => "convo",
        Recursive = true,
    };

    public static readonly Option<bool> Json = new("--json")
    {
        Description = "Print machine-readable JSON instead of tables",
        Recursive = true,
    };

    public static readonly Option<int> ConnectTimeout = new("--connect-timeout")
    {
        HelpName = "SECONDS",
        Description = "Seconds to wait for the connection to the cluster",
        DefaultValueFactory = _ => 10,
        Recursive = true,
    };

    public static readonly Option<bool> Verbose = new("--verbose")
    {
        Description = "Log Orleans diagnostics (warnings and up) to stderr",
        Recursive = true,
    };

    public static IEnumerable<Option> All => [GatewayPort, Redis, ClusterId, ServiceId, Json, ConnectTimeout, Verbose];

    /// <summary>Reads the connection settings a command was invoked with.</summary>
    public static ConnectionSettings ConnectionFrom(ParseResult parse)
    {
        var port = parse.GetValue(GatewayPort);
        if (port is < 1 or > 65535) throw new UsageException($"--gateway-port must be between 1 and 65535 (got {port})");
        var timeout = parse.GetValue(ConnectTimeout);
        if (timeout < 1) throw new UsageException($"--connect-timeout must be at least 1 second (got {timeout})");
        var cluster = parse.GetValue(ClusterId);
        var service = parse.GetValue(ServiceId);
        if (string.IsNullOrWhiteSpace(cluster)) throw new UsageException("--cluster-id must not be empty");
        if (string.IsNullOrWhiteSpace(service)) throw new UsageException("--service-id must not be empty");
        return new ConnectionSettings(port, cluster, service, TimeSpan.FromSeconds(timeout), parse.GetValue(Verbose), RedisFrom(parse));
    }

    // Parsed here so a malformed string is exit 2 (before any connection), and so messages can name the
    // endpoints without echoing a password.
    private static RedisTarget? RedisFrom(ParseResult parse)
    {
        // The variable is read here rather than as the option's default so --help never prints it (passwords).
        var flag = parse.GetValue(Redis);
        var text = flag ?? Environment.GetEnvironmentVariable(RedisVariable);
        if (string.IsNullOrWhiteSpace(text)) return null;
        var from = flag is not null ? "--redis" : $"${RedisVariable}";
        StackExchange.Redis.ConfigurationOptions options;
        try
        {
            options = StackExchange.Redis.ConfigurationOptions.Parse(text);
        }
        catch (ArgumentException ex)
        {
            throw new UsageException($"{from}: '{RedisTarget.Mask(text)}' is not a Redis configuration string (e.g. 127.0.0.1:6379): {ex.Message}");
        }
        if (options.EndPoints.Count == 0) throw new UsageException($"{from}: '{RedisTarget.Mask(text)}' names no Redis endpoint (e.g. 127.0.0.1:6379)");
        return new RedisTarget(text, string.Join(",", options.EndPoints.Select(RedisTarget.Describe)));
    }
}

/// <summary>A Redis the silos cluster through: the configuration string, and its endpoints for messages.</summary>
internal sealed record RedisTarget(string Configuration, string Endpoints)
{
    /// <summary>"host:port", without the address family DnsEndPoint.ToString() adds.</summary>
    public static string Describe(System.Net.EndPoint endPoint) => endPoint switch
    {
        System.Net.DnsEndPoint d => $"{d.Host}:{d.Port}",
        _ => endPoint.ToString() ?? "?",
    };

    /// <summary><paramref name="text"/> with any password=... replaced, for messages.</summary>
    public static string Mask(string text) =>
        System.Text.RegularExpressions.Regex.Replace(text, @"(?i)(password\s*=)[^,]*", "$1***");
}

/// <summary>Where and how to reach the cluster: a gateway on localhost, or the silos Redis knows about.</summary>
internal sealed record ConnectionSettings(int GatewayPort, string ClusterId, string ServiceId, TimeSpan ConnectTimeout, bool Verbose, RedisTarget? Redis = null)
{
    /// <summary>The one-line description used in "no silo reachable" messages.</summary>
    public string Describe() => Redis is { } r
        ? $"Redis {r.Endpoints} (cluster '{ClusterId}')"
        : $"localhost:{GatewayPort} (cluster '{ClusterId}')";

    /// <summary>How to start a silo these settings would find.</summary>
    public string StartHint() => Redis is { } r
        ? $"dotnet run --project silo -- --store redis --redis {r.Endpoints} --cluster-id {ClusterId} --service-id {ServiceId}"
        : "dotnet run --project silo";
}
