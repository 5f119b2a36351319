using StackExchange.Redis;

namespace Orleans.ConvoOrchestrator.Redis;

/// <summary>
/// How every Redis connection of a silo is made from its configuration string (the project's stores and Orleans'
/// membership, grain state and reminders alike), so they all ride out a Redis restart or failover the same way.
/// </summary>
internal static class RedisConnectionSettings
{
    /// <summary>
    /// Parses <paramref name="configuration"/> and makes the connection reconnect soon after Redis is back.
    /// StackExchange.Redis's default reconnect policy (exponential from half the connect timeout) first wrote again
    /// ~2.4 s after a restarted Redis answered; starting from 250 ms (at most 5 s between tries while it stays away)
    /// it wrote again after ~0.45 s. With <paramref name="keepRetrying"/> the first connection does not fail either
    /// while Redis is away (the project's stores); without it a silo's start fails at once on an unreachable Redis.
    /// </summary>
    public static ConfigurationOptions Parse(string configuration, bool keepRetrying = false)
    {
        var options = ConfigurationOptions.Parse(configuration);
        if (keepRetrying) options.AbortOnConnectFail = false;
        options.ReconnectRetryPolicy = new ExponentialRetry(250, 5000);
        return options;
    }
}
