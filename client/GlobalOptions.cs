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
        Description = "Gateway port of a silo on localhost",
        DefaultValueFactory = _ => 30000,
        Recursive = true,
    };

    public static readonly Option<string> ClusterId = new("--cluster-id")
    {
        Description = "Cluster id the silos use",
        DefaultValueFactory = _ => "convo",
        Recursive = true,
    };

    public static readonly Option<string> ServiceId = new("--service-id")
    {
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
        Description = "Seconds to wait for the connection to the cluster",
        DefaultValueFactory = _ => 10,
        Recursive = true,
    };

    public static readonly Option<bool> Verbose = new("--verbose")
    {
        Description = "Log Orleans diagnostics (warnings and up) to stderr",
        Recursive = true,
    };

    public static IEnumerable<Option> All => [GatewayPort, ClusterId, ServiceId, Json, ConnectTimeout, Verbose];

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
        return new ConnectionSettings(port, cluster, service, TimeSpan.FromSeconds(timeout), parse.GetValue(Verbose));
    }
}

/// <summary>Where and how to reach the cluster.</summary>
internal sealed record ConnectionSettings(int GatewayPort, string ClusterId, string ServiceId, TimeSpan ConnectTimeout, bool Verbose)
{
    /// <summary>The one-line description used in "no silo reachable" messages.</summary>
    public string Describe() => $"localhost:{GatewayPort} (cluster '{ClusterId}')";
}
