using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Orleans.Clustering.Redis;
using Orleans.ConvoOrchestrator.Client;
using Orleans.Messaging;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Redis clustering for the ConvoOrchestrator cluster client.</summary>
public static class ConvoClientRedisExtensions
{
    /// <summary>
    /// Finds the silos through the Redis they cluster through, <see cref="ConvoClientOptions.Redis"/> (a
    /// StackExchange.Redis configuration string such as <c>127.0.0.1:6379</c>, from configuration or code), instead of
    /// a gateway on localhost. Call it with <c>AddConvoOrchestratorClient</c>, before or after; <paramref name="redis"/>,
    /// when given, sets <see cref="ConvoClientOptions.Redis"/>. Redis left unset stops the host's start.
    /// </summary>
    /// <returns>The same services, for chaining.</returns>
    public static IServiceCollection AddConvoRedisClustering(this IServiceCollection services, string? redis = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        if (redis is not null) services.Configure<ConvoClientOptions>(o => o.Redis = redis);
        if (services.Any(d => d.ServiceType == typeof(RedisClusteringChosen))) return services;
        services.AddSingleton<RedisClusteringChosen>();
        // The localhost gateway list, when the client was added first, gives way to Redis's.
        services.RemoveAll<IGatewayListProvider>();
        services.AddOrleansClient(client => client.UseRedisClustering(_ => { }));
        services.AddOptions<RedisClusteringOptions>().Configure<IOptions<ConvoClientOptions>>((o, convo) =>
        {
            // An empty Redis is refused by the options validator at start; nothing to parse then.
            if (!string.IsNullOrWhiteSpace(convo.Value.Redis)) o.ConfigurationOptions = StackExchange.Redis.ConfigurationOptions.Parse(convo.Value.Redis);
        });
        return services;
    }
}
