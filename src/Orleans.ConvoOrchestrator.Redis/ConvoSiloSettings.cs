using System.Net;

namespace Orleans.ConvoOrchestrator.Redis;

/// <summary>
/// How a silo joins its cluster: the store, ports, ids and address. The stock silo binds it from the section
/// "Convo" of appsettings.json, CONVO__* environment variables and flags; <see cref="ConvoSiloHostingExtensions.UseConvoCluster"/> applies it.
/// </summary>
public sealed class ConvoSiloSettings
{
    /// <summary>Memory (embedded default) or Redis.</summary>
    public ConvoStoreKind Store { get; set; } = ConvoStoreKind.Memory;

    /// <summary>StackExchange.Redis configuration string (for example <c>127.0.0.1:6379</c>); required when <see cref="Store"/> is Redis.</summary>
    public string? Redis { get; set; }

    /// <summary>Silo-to-silo port.</summary>
    public int SiloPort { get; set; } = 11111;

    /// <summary>Port clients connect to.</summary>
    public int GatewayPort { get; set; } = 30000;

    /// <summary>Cluster id (silos and clients must agree).</summary>
    public string ClusterId { get; set; } = "convo";

    /// <summary>Service id (silos and clients must agree; it also names the stored data).</summary>
    public string ServiceId { get; set; } = "convo";

    /// <summary>
    /// The address other silos and clients reach this silo at. Default: loopback with the memory store; with Redis,
    /// loopback too (several silos on one machine); set the host's address to spread silos over machines.
    /// </summary>
    public string? AdvertisedAddress { get; set; }

    /// <summary>Failure detection with Redis: how long a probe may take before it counts as missed.</summary>
    public TimeSpan ProbeTimeout { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Failure detection with Redis: missed probes after which a silo votes another dead.</summary>
    public int NumMissedProbesLimit { get; set; } = 2;

    /// <summary>
    /// With Redis: how long after a crashed silo is declared dead its grains stay unregistrable, in case it was only
    /// cut off and still runs them (a silo that learns it was declared dead stops). Grains it hosted come back on
    /// the survivors this long after the declaration. Default 0: the store fences what a wrongly declared silo's stale
    /// activations could still do (job writes by an owner token, trigger fires by a key per instant, states by their
    /// version), so the hold would only delay failover (docs/adr/0013-fence-job-writes.md).
    /// </summary>
    public TimeSpan DeadSiloHold { get; set; } = TimeSpan.Zero;

    /// <summary>The problems with these settings, empty when they are usable.</summary>
    public IEnumerable<string> Problems()
    {
        if (Store == ConvoStoreKind.Redis && string.IsNullOrWhiteSpace(Redis))
            yield return "the Redis store needs a Redis configuration (--redis host:port)";
        if (SiloPort is < 1 or > 65535) yield return $"silo port {SiloPort} is not a port (1-65535)";
        if (GatewayPort is < 1 or > 65535) yield return $"gateway port {GatewayPort} is not a port (1-65535)";
        if (SiloPort == GatewayPort) yield return "silo port and gateway port must differ";
        if (string.IsNullOrWhiteSpace(ClusterId)) yield return "cluster id must not be empty";
        if (string.IsNullOrWhiteSpace(ServiceId)) yield return "service id must not be empty";
        else if (Store == ConvoStoreKind.Redis && (ServiceId.Contains('{') || ServiceId.Contains('}')))
            yield return $"service id '{ServiceId}' must not contain '{{' or '}}' on the Redis store (they mark Redis Cluster hash tags in its keys)";
        if (AdvertisedAddress is { } address && !IPAddress.TryParse(address, out _))
            yield return $"advertised address '{address}' is not an IP address";
        if (ProbeTimeout <= TimeSpan.Zero) yield return "probe timeout must be positive";
        if (NumMissedProbesLimit < 1) yield return "missed-probes limit must be at least 1";
        if (DeadSiloHold < TimeSpan.Zero) yield return "dead-silo hold must not be negative";
    }
}
