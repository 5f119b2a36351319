using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using StackExchange.Redis;

namespace Orleans.ConvoOrchestrator.Redis;

/// <summary>
/// The silo's one connection to the Redis that holds the job queues and catalogs (StackExchange.Redis multiplexes
/// every concurrent command over it and pipelines them). Keys start with the service id, so services can share a Redis,
/// and carry hash tags (<see cref="RedisKeys"/>), so the stores also run on a Redis Cluster. The configuration may name
/// one server, a Cluster's nodes, or Sentinels with <c>serviceName=...</c>: StackExchange.Redis then follows failovers.
/// </summary>
internal sealed class RedisConnection : IAsyncDisposable
{
    private readonly Lazy<Task<ConnectionMultiplexer>> _connection;
    private readonly ConvoRedisOptions _options;
    private readonly ILogger _log;
    private readonly Lock _gate = new();
    private Task? _migrated;

    /// <summary>Connects lazily to <paramref name="configuration"/>; the first connection moves keys of an older layout.</summary>
    public RedisConnection(string configuration, IOptions<ClusterOptions> cluster, IOptions<ConvoRedisOptions>? options = null, ILogger<RedisConnection>? logger = null)
    {
        // Keeps retrying while Redis restarts instead of failing the silo's first call.
        var parsed = RedisConnectionSettings.Parse(configuration, keepRetrying: true);
        _options = options?.Value ?? new ConvoRedisOptions();
        var serviceId = cluster.Value.ServiceId;
        // A brace in the prefix would become the hash tag of every key, and keys written together could fall apart.
        if (serviceId.Contains('{') || serviceId.Contains('}'))
            throw new ArgumentException($"the service id '{serviceId}' must not contain '{{' or '}}' on the Redis store (they mark Redis Cluster hash tags)", nameof(cluster));
        Keys = new RedisKeys(serviceId + ":convo:");
        _log = (ILogger?)logger ?? NullLogger.Instance;
        _connection = new Lazy<Task<ConnectionMultiplexer>>(() => ConnectionMultiplexer.ConnectAsync(parsed));
    }

    /// <summary>Prefix of every key this service writes.</summary>
    public string KeyPrefix => Keys.Prefix;

    /// <summary>The names of this service's keys.</summary>
    public RedisKeys Keys { get; }

    /// <summary>The database, connecting on first use.</summary>
    public async Task<IDatabase> DatabaseAsync()
    {
        var mux = await _connection.Value;
        await MigratedAsync(mux);
        return mux.GetDatabase();
    }

    // Every store call waits for the layout migration; one that failed (Redis away) is tried again by the next call.
    private Task MigratedAsync(ConnectionMultiplexer mux)
    {
        var migrated = _migrated;
        if (migrated is { IsCompletedSuccessfully: true }) return migrated;
        lock (_gate)
        {
            if (_migrated is null || _migrated.IsFaulted || _migrated.IsCanceled) _migrated = RedisKeyMigration.RunAsync(mux, Keys, _log);
            return _migrated;
        }
    }

    /// <summary>
    /// With <see cref="ConvoRedisOptions.AckReplicas"/> above 0: waits until that many replicas have every write made
    /// so far on the connection to the master of <paramref name="key"/> (so the write just made to it), with
    /// <c>WAIT</c>; throws <see cref="ReplicaAckException"/> when fewer confirm within the timeout. Otherwise done at once.
    /// </summary>
    public async Task ConfirmReplicasAsync(RedisKey key)
    {
        if (_options.AckReplicas == 0) return;
        var mux = await _connection.Value;
        // WAIT counts the writes of the connection it is sent on: the master's, the one the write went over.
        var server = mux.GetServer(key);
        var timeoutMs = (long)_options.AckTimeout.TotalMilliseconds;
        var confirmed = (long)await server.ExecuteAsync("WAIT", _options.AckReplicas, timeoutMs);
        if (confirmed < _options.AckReplicas) throw new ReplicaAckException(confirmed, _options.AckReplicas, _options.AckTimeout);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (_connection.IsValueCreated) await (await _connection.Value).DisposeAsync();
    }
}
