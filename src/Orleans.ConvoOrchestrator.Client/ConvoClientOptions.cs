namespace Orleans.ConvoOrchestrator.Client;

/// <summary>How a .NET app reaches a ConvoOrchestrator cluster.</summary>
public sealed class ConvoClientOptions
{
    /// <summary>Gateway port of a silo on localhost (the stock silo's default is 30000).</summary>
    public int GatewayPort { get; set; } = 30000;

    /// <summary>The cluster id the silos use.</summary>
    public string ClusterId { get; set; } = "convo";

    /// <summary>The service id the silos use.</summary>
    public string ServiceId { get; set; } = "convo";

    /// <summary>How often a failed first connection is retried before the host's start fails.</summary>
    public int ConnectRetries { get; set; } = 5;

    /// <summary>Pause between connection retries.</summary>
    public TimeSpan ConnectRetryDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// StackExchange.Redis configuration string (for example <c>127.0.0.1:6379</c>) of the Redis the silos cluster
    /// through. Redis clustering is in its own package, so that apps on localhost clustering carry no Redis client:
    /// reference Orleans.ConvoOrchestrator.Client.Redis and call its <c>UseRedisClustering()</c> on these options.
    /// Set without it, the options are refused.
    /// </summary>
    public string? Redis { get; set; }

    /// <summary>
    /// Replaces the localhost clustering on <see cref="GatewayPort"/> with your own (Redis clustering's
    /// <c>UseRedisClustering()</c> sets it). When set, <see cref="GatewayPort"/> is ignored.
    /// </summary>
    public Action<IClientBuilder>? ConfigureClustering { get; set; }

    /// <summary>What is wrong with these options, one line per option; empty when they are usable.</summary>
    public List<string> Problems()
    {
        var problems = new List<string>();
        if (GatewayPort is < 1 or > 65535) problems.Add($"GatewayPort must be between 1 and 65535 (got {GatewayPort})");
        if (string.IsNullOrWhiteSpace(ClusterId)) problems.Add("ClusterId must not be empty");
        if (string.IsNullOrWhiteSpace(ServiceId)) problems.Add("ServiceId must not be empty");
        if (ConnectRetries < 0) problems.Add($"ConnectRetries must not be negative (got {ConnectRetries})");
        if (!string.IsNullOrWhiteSpace(Redis) && ConfigureClustering is null)
            problems.Add($"Redis is set ('{Redis}') but Redis clustering is not: reference the package Orleans.ConvoOrchestrator.Client.Redis and call UseRedisClustering() on these options");
        if (ConnectRetryDelay < TimeSpan.Zero) problems.Add($"ConnectRetryDelay must be 00:00:00 or longer (got {ConnectRetryDelay})");
        return problems;
    }
}
