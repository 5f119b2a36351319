using System.Diagnostics;

namespace Orleans.ConvoOrchestrator.Bench.Comparison;

/// <summary>
/// A throwaway redis-server on a free loopback port in a temporary directory, with an append-only file fsynced
/// on every write (<c>appendfsync always</c>, the default: an acknowledged write is on disk) or once a second.
/// </summary>
internal sealed class RedisServer : IAsyncDisposable
{
    private readonly int _port;
    private readonly string _dir;

    private RedisServer(int port, string dir)
    {
        _port = port;
        _dir = dir;
    }

    /// <summary>StackExchange.Redis configuration string of this server.</summary>
    public string Configuration => $"127.0.0.1:{_port}";

    /// <summary>Its port.</summary>
    public int Port => _port;

    /// <summary>Starts a server; with <paramref name="replicaOf"/> a replica of the server on that port (synced before this returns).</summary>
    public static async Task<RedisServer> StartAsync(string fsync = "always", int? replicaOf = null)
    {
        var dir = Directory.CreateTempSubdirectory("convo-bench-redis-").FullName;
        var port = FreePorts.Next();
        string[] replica = replicaOf is { } master ? ["--replicaof", "127.0.0.1", master.ToString()] : [];
        var run = await RunAsync("redis-server", ["--daemonize", "yes", "--bind", "127.0.0.1", "--port", port.ToString(),
            "--dir", dir, "--appendonly", "yes", "--appendfsync", fsync, "--save", "", "--pidfile", Path.Combine(dir, "redis.pid"),
            "--logfile", Path.Combine(dir, "redis.log"), .. replica]);
        if (run != 0) throw new InvalidOperationException($"redis-server exited {run}; is it installed (tests/setup/redis.sh)?");
        var server = new RedisServer(port, dir);
        for (var i = 0; i < 100; i++)
        {
            if (await RunAsync("redis-cli", "-p", port.ToString(), "ping") == 0 && (replicaOf is null || await InSyncAsync(port))) return server;
            await Task.Delay(50);
        }
        await server.DisposeAsync();
        throw new InvalidOperationException($"redis-server on port {port} did not answer PING; see {dir}/redis.log");
    }

    public async ValueTask DisposeAsync()
    {
        await RunAsync("redis-cli", "-p", _port.ToString(), "shutdown", "nosave");
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { } // a file may still be closing
    }

    private static async Task<bool> InSyncAsync(int port)
    {
        var info = new ProcessStartInfo("redis-cli") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { "-p", port.ToString(), "info", "replication" }) info.ArgumentList.Add(a);
        using var process = Process.Start(info)!;
        var output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        return output.Contains("master_link_status:up", StringComparison.Ordinal);
    }

    private static async Task<int> RunAsync(string program, params string[] args)
    {
        var info = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) info.ArgumentList.Add(a);
        using var process = Process.Start(info)!;
        await process.WaitForExitAsync();
        var output = await process.StandardOutput.ReadToEndAsync();
        // redis-cli exits 0 even when the server is not up yet: only PONG counts as an answer to PING.
        if (args.Contains("ping") && !output.Contains("PONG", StringComparison.Ordinal)) return 1;
        return process.ExitCode;
    }
}
