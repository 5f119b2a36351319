using System.Diagnostics;

namespace Orleans.ConvoOrchestrator.Tests.Support;

/// <summary>
/// A throwaway redis-server on a free loopback port with its own temporary directory, append-only file and
/// <c>appendfsync always</c> (what the durable store documents); stopped and deleted on dispose.
/// tests/setup/redis.sh installs redis-server when it is missing.
/// </summary>
public sealed class RedisServer : IAsyncDisposable
{
    private readonly string _fsync;
    private string[] _extraArgs;

    private RedisServer(int port, string directory, string fsync, string[] extraArgs)
    {
        Port = port;
        Directory = directory;
        _fsync = fsync;
        _extraArgs = extraArgs;
    }

    public int Port { get; }

    public string Directory { get; }

    /// <summary>The StackExchange.Redis configuration string.</summary>
    public string Configuration => $"127.0.0.1:{Port}";

    /// <summary>Starts a server; <paramref name="extraArgs"/> (e.g. <c>--replicaof</c>, <c>--cluster-enabled yes</c>) go after the usual ones.</summary>
    public static async Task<RedisServer> StartAsync(string fsync = "always", params string[] extraArgs)
    {
        var port = FreePorts.Next();
        var dir = Path.Combine(Path.GetTempPath(), "convo-redis-" + Guid.NewGuid().ToString("N")[..8]);
        System.IO.Directory.CreateDirectory(dir);
        var server = new RedisServer(port, dir, fsync, extraArgs);
        await server.LaunchAsync();
        return server;
    }

    /// <summary>Kills the server with SIGKILL: what it acknowledged is in its append-only file, nothing else.</summary>
    public async Task KillAsync()
    {
        var pidFile = Path.Combine(Directory, "redis.pid");
        var pid = int.Parse((await File.ReadAllTextAsync(pidFile)).Trim(), System.Globalization.CultureInfo.InvariantCulture);
        using var process = Process.GetProcessById(pid);
        process.Kill();
        await process.WaitForExitAsync();
        File.Delete(pidFile);
    }

    /// <summary>Starts the server again on the same port and directory; it loads its append-only file.</summary>
    public Task RestartAsync() => LaunchAsync();

    /// <summary>Starts the server again as a replica of the server on <paramref name="masterPort"/> (it resyncs from it).</summary>
    public Task RestartAsReplicaOfAsync(int masterPort)
    {
        _extraArgs = ["--replicaof", "127.0.0.1", masterPort.ToString(System.Globalization.CultureInfo.InvariantCulture)];
        return LaunchAsync();
    }

    private async Task LaunchAsync()
    {
        string[] args = ["--daemonize", "yes", "--bind", "127.0.0.1", "--port", Port.ToString(),
            "--dir", Directory, "--appendonly", "yes", "--appendfsync", _fsync, "--save", "",
            "--pidfile", Path.Combine(Directory, "redis.pid"), "--logfile", Path.Combine(Directory, "redis.log"), .. _extraArgs];
        var start = await RunAsync("redis-server", args);
        if (start.ExitCode != 0) throw new InvalidOperationException($"redis-server did not start: {start.Output}");
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while ((await RunAsync("redis-cli", "-p", Port.ToString(), "ping")).Output.Trim() != "PONG")
        {
            if (DateTime.UtcNow > deadline) throw new InvalidOperationException("redis-server did not answer PONG within 10 s");
            await Task.Delay(50);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await RunAsync("redis-cli", "-p", Port.ToString(), "shutdown", "nosave");
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // Redis may still be closing its files; a leftover temp directory is harmless.
        }
    }

    /// <summary>Runs a program (redis-cli, ...) to its end: its exit code and its stdout and stderr together.</summary>
    public static async Task<(int ExitCode, string Output)> RunAsync(string file, params string[] args)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args) info.ArgumentList.Add(arg);
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await stdout + await stderr);
    }
}
