using System.Diagnostics;
using System.Globalization;

namespace Orleans.ConvoOrchestrator.Tests.Support;

/// <summary>
/// A Redis master, one replica and three Sentinels (quorum 2, a master is down after 1 s without an answer), all
/// throwaway processes on free loopback ports with <c>appendfsync always</c>. <see cref="Configuration"/> names the
/// Sentinels and the service, as a production configuration would: clients ask them where the master is.
/// </summary>
public sealed class RedisSentinelSet : IAsyncDisposable
{
    /// <summary>The name the Sentinels monitor the master under.</summary>
    public const string ServiceName = "convo-master";

    private readonly List<(int Port, string Directory)> _sentinels = [];

    private RedisSentinelSet(RedisServer master, RedisServer replica)
    {
        Master = master;
        Replica = replica;
    }

    /// <summary>The first master.</summary>
    public RedisServer Master { get; }

    /// <summary>The first replica (the one a failover promotes).</summary>
    public RedisServer Replica { get; }

    /// <summary>The StackExchange.Redis configuration: the three Sentinels and <c>serviceName</c>.</summary>
    public string Configuration =>
        string.Join(",", _sentinels.Select(s => "127.0.0.1:" + s.Port.ToString(CultureInfo.InvariantCulture))) + ",serviceName=" + ServiceName;

    public static async Task<RedisSentinelSet> StartAsync()
    {
        var master = await RedisServer.StartAsync();
        var replica = await RedisServer.StartAsync("always", "--replicaof", "127.0.0.1", master.Port.ToString(CultureInfo.InvariantCulture));
        var set = new RedisSentinelSet(master, replica);
        try
        {
            for (var i = 0; i < 3; i++) await set.StartSentinelAsync();
            // Ready once the replica is in sync and every Sentinel knows the master and the replica.
            await WaitAsync(async () => (await Cli(replica.Port, "info", "replication")).Contains("master_link_status:up"), "replica in sync");
            foreach (var (port, _) in set._sentinels)
                await WaitAsync(async () => (await Cli(port, "sentinel", "replicas", ServiceName)).Contains(replica.Port.ToString(CultureInfo.InvariantCulture)), "sentinel sees the replica");
            return set;
        }
        catch
        {
            await set.DisposeAsync();
            throw;
        }
    }

    /// <summary>The master's port according to the first Sentinel that answers.</summary>
    public async Task<int> MasterPortAsync()
    {
        foreach (var (port, _) in _sentinels)
        {
            var lines = (await Cli(port, "sentinel", "get-master-addr-by-name", ServiceName)).Split('\n', StringSplitOptions.RemoveEmptyEntries);
            if (lines.Length >= 2 && int.TryParse(lines[1].Trim(), CultureInfo.InvariantCulture, out var master)) return master;
        }
        return 0;
    }

    private async Task StartSentinelAsync()
    {
        var port = FreePorts.Next();
        var dir = Path.Combine(Path.GetTempPath(), "convo-sentinel-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(dir);
        var conf = Path.Combine(dir, "sentinel.conf");
        await File.WriteAllTextAsync(conf, $"""
            port {port}
            bind 127.0.0.1
            daemonize yes
            dir {dir}
            pidfile {Path.Combine(dir, "sentinel.pid")}
            logfile {Path.Combine(dir, "sentinel.log")}
            sentinel monitor {ServiceName} 127.0.0.1 {Master.Port} 2
            sentinel down-after-milliseconds {ServiceName} 1000
            sentinel failover-timeout {ServiceName} 10000
            sentinel parallel-syncs {ServiceName} 1
            """);
        _sentinels.Add((port, dir));
        var start = await RedisServer.RunAsync("redis-server", conf, "--sentinel");
        if (start.ExitCode != 0) throw new InvalidOperationException($"redis-server --sentinel did not start: {start.Output}");
        await WaitAsync(async () => (await Cli(port, "ping")).Trim() == "PONG", "sentinel PONG");
    }

    private static async Task<string> Cli(int port, params string[] args) =>
        (await RedisServer.RunAsync("redis-cli", ["-p", port.ToString(CultureInfo.InvariantCulture), .. args])).Output;

    private static async Task WaitAsync(Func<Task<bool>> condition, string what)
    {
        var watch = Stopwatch.StartNew();
        while (!await condition())
        {
            if (watch.Elapsed > TimeSpan.FromSeconds(30)) throw new InvalidOperationException($"Redis Sentinel set: no '{what}' within 30 s");
            await Task.Delay(100);
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var (port, dir) in _sentinels)
        {
            await Cli(port, "shutdown", "nosave");
            try
            {
                Directory.Delete(dir, recursive: true);
            }
            catch (IOException)
            {
                // A Sentinel may still be closing its files; a leftover temp directory is harmless.
            }
        }
        await Replica.DisposeAsync();
        await Master.DisposeAsync();
    }
}
