namespace Orleans.ConvoOrchestrator.Client;

/// <summary>
/// How a .NET app reaches a ConvoOrchestrator cluster. Registered through the options pipeline by
/// <c>AddConvoOrchestratorClient</c> (bindable from configuration, e.g. the section <see cref="SectionName"/>) and
/// checked by <see cref="ConvoClientOptionsValidator"/> when the host starts.
/// </summary>
public sealed class ConvoClientOptions
{
    /// <summary>The configuration section the stock apps read these options from.</summary>
    public const string SectionName = "Convo:Client";

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
    /// reference Orleans.ConvoOrchestrator.Client.Redis and call <c>services.AddConvoRedisClustering()</c>. Set without
    /// it, the options are refused when the host starts.
    /// </summary>
    public string? Redis { get; set; }
}
