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
    /// through. When set, the client finds the silos' gateways in Redis instead of on localhost:<see cref="GatewayPort"/>.
    /// </summary>
    public string? Redis { get; set; }

    /// <summary>
    /// Replaces the localhost clustering above with your own (for example Redis clustering).
    /// When set, <see cref="GatewayPort"/> and <see cref="Redis"/> are ignored.
    /// </summary>
    public Action<IClientBuilder>? ConfigureClustering { get; set; }
}
