using Microsoft.Extensions.Hosting;

namespace Orleans.ConvoOrchestrator.Client;

/// <summary>Redis clustering for <see cref="ConvoClientOptions"/>.</summary>
public static class ConvoClientRedisExtensions
{
    /// <summary>
    /// Finds the silos through Redis clustering: the Redis of <see cref="ConvoClientOptions.Redis"/>, set here when
    /// <paramref name="redisConfiguration"/> is given (a StackExchange.Redis configuration string such as
    /// <c>127.0.0.1:6379</c>). Call it in the configure callback of <c>AddConvoOrchestratorClient</c>, after any binding
    /// from configuration has set <see cref="ConvoClientOptions.Redis"/>.
    /// </summary>
    /// <returns>The same options, for chaining.</returns>
    public static ConvoClientOptions UseRedisClustering(this ConvoClientOptions options, string? redisConfiguration = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (redisConfiguration is not null) options.Redis = redisConfiguration;
        if (string.IsNullOrWhiteSpace(options.Redis))
            throw new ArgumentException("Redis clustering needs a Redis configuration (ConvoClientOptions.Redis, e.g. 127.0.0.1:6379)", nameof(redisConfiguration));
        var parsed = StackExchange.Redis.ConfigurationOptions.Parse(options.Redis);
        options.ConfigureClustering = client =>
            RedisClusteringIClientBuilderExtensions.UseRedisClustering(client, o => o.ConfigurationOptions = parsed.Clone());
        return options;
    }
}
