using Microsoft.Extensions.Options;
using Orleans.Configuration;
using StackExchange.Redis;

namespace Orleans.ConvoOrchestrator.Runtime;

/// <summary>
/// The silo's one connection to the Redis that holds the job queues and catalogs (StackExchange.Redis multiplexes
/// every concurrent command over it and pipelines them). Keys start with the service id, so services can share a Redis.
/// </summary>
public sealed class RedisConnection : IAsyncDisposable
{
    private readonly Lazy<Task<ConnectionMultiplexer>> _connection;

    /// <summary>Connects lazily to <paramref name="configuration"/>.</summary>
    public RedisConnection(string configuration, IOptions<ClusterOptions> cluster)
    {
        var options = ConfigurationOptions.Parse(configuration);
        // Keep retrying while Redis restarts instead of failing the silo's first call.
        options.AbortOnConnectFail = false;
        _connection = new Lazy<Task<ConnectionMultiplexer>>(() => ConnectionMultiplexer.ConnectAsync(options));
        KeyPrefix = cluster.Value.ServiceId + ":convo:";
    }

    /// <summary>Prefix of every key this service writes.</summary>
    public string KeyPrefix { get; }

    /// <summary>The database, connecting on first use.</summary>
    public async Task<IDatabase> DatabaseAsync() => (await _connection.Value).GetDatabase();

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (_connection.IsValueCreated) await (await _connection.Value).DisposeAsync();
    }
}
