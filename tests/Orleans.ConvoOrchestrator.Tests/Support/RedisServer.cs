using System.Diagnostics;

namespace Orleans.ConvoOrchestrator.Tests.Support;

/// <summary>
/// A throwaway redis-server on a free loopback port with its own temporary directory, append-only file and
/// <c>appendfsync always</c> (what the durable store documents); stopped and deleted on dispose.
/// tests/setup/redis.sh installs redis-server when it is missing.
/// </summary>
public sealed class RedisServer : IAsyncDisposable
{
    private RedisServer(int port, string directory)
    {
        Port = port;
        Directory = directory;
    }

    public int Port { get; }

    public string Directory { get; }

    /// <summary>The StackExchange.Redis configuration string.</summary>
    public string Configuration => $"127.0.0.1:{Port}";

    public static async Task<RedisServer> StartAsync(string fsync = "always")
    {
        var port = FreePorts.Next();
        var dir = Path.Combine(Path.GetTempPath(), "convo-redis-" + Guid.NewGuid().ToString("N")[..8]);
        System.IO.Directory.CreateDirectory(dir);
        var start = await RunAsync("redis-server", "--daemonize", "yes", "--bind", "127.0.0.1", "--port", port.ToString(),
            "--dir", dir, "--appendonly", "yes", "--appendfsync", fsync, "--save", "",
            "--pidfile", Path.Combine(dir, "redis.pid"), "--logfile", Path.Combine(dir, "redis.log"));
        if (start.ExitCode != 0) throw new InvalidOperationException($"redis-server did not start: {start.Output}");
        var server = new RedisServer(port, dir);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while ((await RunAsync("redis-cli", "-p", port.ToString(), "ping")).Output.Trim() != "PONG")
        {
            if (DateTime.UtcNow > deadline) throw new InvalidOperationException("redis-server did not answer PONG within 10 s");
            await Task.Delay(50);
        }
        return server;
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

    private static async Task<(int ExitCode, string Output)> RunAsync(string file, params string[] args)
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
