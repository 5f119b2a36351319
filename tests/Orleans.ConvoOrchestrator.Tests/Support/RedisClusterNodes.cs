using System.Diagnostics;
using System.Globalization;

namespace Orleans.ConvoOrchestrator.Tests.Support;

/// <summary>
/// A Redis Cluster of three masters with one replica each: six throwaway redis-server processes in cluster mode on
/// free loopback ports (their cluster-bus ports too), joined with <c>redis-cli --cluster create</c>, append-only with
/// <c>appendfsync always</c>. <see cref="Configuration"/> names the three masters, as a production configuration would
/// name some nodes: StackExchange.Redis discovers the rest and routes each key to the master of its slot.
/// </summary>
public sealed class RedisClusterNodes : IAsyncDisposable
{
    private readonly List<RedisServer> _nodes = [];

    private RedisClusterNodes()
    {
    }

    /// <summary>The three masters, then the three replicas.</summary>
    public IReadOnlyList<RedisServer> Nodes => _nodes;

    /// <summary>The StackExchange.Redis configuration: the masters' endpoints.</summary>
    public string Configuration => string.Join(",", _nodes.Take(3).Select(n => n.Configuration));

    public static async Task<RedisClusterNodes> StartAsync()
    {
        var cluster = new RedisClusterNodes();
        try
        {
            for (var i = 0; i < 6; i++)
            {
                cluster._nodes.Add(await RedisServer.StartAsync("always", "--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf",
                    "--cluster-node-timeout", "2000", "--cluster-port", FreePorts.Next().ToString(CultureInfo.InvariantCulture)));
            }
            // The first three become the masters (with the slots split in three), the last three their replicas.
            var create = await RedisServer.RunAsync("redis-cli", ["--cluster", "create", .. cluster._nodes.Select(n => n.Configuration), "--cluster-replicas", "1", "--cluster-yes"]);
            if (create.ExitCode != 0 || !create.Output.Contains("All 16384 slots covered"))
                throw new InvalidOperationException($"redis-cli --cluster create failed: {create.Output}");
            var watch = Stopwatch.StartNew();
            foreach (var node in cluster._nodes)
            {
                while (!(await RedisServer.RunAsync("redis-cli", "-p", node.Port.ToString(CultureInfo.InvariantCulture), "cluster", "info")).Output.Contains("cluster_state:ok"))
                {
                    if (watch.Elapsed > TimeSpan.FromSeconds(30)) throw new InvalidOperationException($"Redis Cluster node {node.Port} not ok within 30 s");
                    await Task.Delay(100);
                }
            }
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    /// <summary>How many keys each master holds (in the order of <see cref="Nodes"/>).</summary>
    public async Task<IReadOnlyList<long>> KeysPerMasterAsync()
    {
        var counts = new List<long>();
        foreach (var node in _nodes.Take(3))
        {
            var size = (await RedisServer.RunAsync("redis-cli", "-p", node.Port.ToString(CultureInfo.InvariantCulture), "dbsize")).Output.Trim();
            counts.Add(long.Parse(size, CultureInfo.InvariantCulture));
        }
        return counts;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var node in _nodes) await node.DisposeAsync();
    }
}
