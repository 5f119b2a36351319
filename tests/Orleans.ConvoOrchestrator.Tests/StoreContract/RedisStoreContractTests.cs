using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.ConvoOrchestrator.Runtime;
using Orleans.ConvoOrchestrator.Tests.Support;

namespace Orleans.ConvoOrchestrator.Tests.StoreContract;

/// <summary>One redis-server for the Redis contract tests; each test gets its own service id (key prefix).</summary>
public sealed class RedisContractServer : IAsyncLifetime
{
    private readonly List<RedisConnection> _connections = [];

    public RedisServer? Server { get; private set; }

    public async Task InitializeAsync() => Server = await RedisServer.StartAsync();

    /// <summary>A connection whose keys no other connection of this server's shares.</summary>
    internal RedisConnection Connect()
    {
        var connection = new RedisConnection(Server!.Configuration, Options.Create(new ClusterOptions { ServiceId = "contract-" + Guid.NewGuid().ToString("N")[..8] }));
        lock (_connections) _connections.Add(connection);
        return connection;
    }

    public async Task DisposeAsync()
    {
        foreach (var connection in _connections) await connection.DisposeAsync();
        if (Server is not null) await Server.DisposeAsync();
    }
}

/// <summary>The store contract on the Redis stores, against a real redis-server.</summary>
[Trait(Lane.Name, Lane.System)]
public sealed class RedisStoreContractTests(RedisContractServer redis) : StoreContractTests, IClassFixture<RedisContractServer>
{
    private protected override Task<(IJobStore Jobs, IHistoryStore History, ICatalogStore Catalog)> CreateAsync()
    {
        var connection = redis.Connect();
        return Task.FromResult<(IJobStore, IHistoryStore, ICatalogStore)>(
            (new RedisJobStore(connection, Retention), new RedisHistoryStore(connection), new RedisCatalogStore(connection)));
    }
}
