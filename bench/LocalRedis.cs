using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Orleans.ConvoOrchestrator.Bench;

/// <summary>A throwaway redis-server (append-only, the given fsync policy) on a free port in a temp directory.</summary>
internal sealed class LocalRedis : IAsyncDisposable
{
    private LocalRedis(int port, string directory)
    {
        Port = port;
        Directory = directory;
    }

    public int Port { get; }

    public string Directory { get; }

    public string Configuration => $"127.0.0.1:{Port}";

    public static async Task<LocalRedis> StartAsync(string fsync)
    {
        int port;
        using (var listener = new TcpListener(IPAddress.Loopback, 0))
        {
            listener.Start();
            port = ((IPEndPoint)listener.LocalEndpoint).Port;
        }
        var dir = Path.Combine(Path.GetTempPath(), "convo-bench-redis-" + Guid.NewGuid().ToString("N")[..8]);
        System.IO.Directory.CreateDirectory(dir);
        await RunAsync("redis-server", "--daemonize", "yes", "--bind", "127.0.0.1", "--port", port.ToString(), "--dir", dir,
            "--appendonly", "yes", "--appendfsync", fsync, "--save", "", "--pidfile", Path.Combine(dir, "redis.pid"), "--logfile", Path.Combine(dir, "redis.log"));
        for (var i = 0; i < 200 && (await RunAsync("redis-cli", "-p", port.ToString(), "ping")).Trim() != "PONG"; i++) await Task.Delay(50);
        return new LocalRedis(port, dir);
    }

    public async ValueTask DisposeAsync()
    {
        await RunAsync("redis-cli", "-p", Port.ToString(), "shutdown", "nosave");
        try
        {
            System.IO.Directory.Delete(Directory, true);
        }
        catch (IOException)
        {
            // Still closing: a leftover temp directory is harmless.
        }
    }

    private static async Task<string> RunAsync(string file, params string[] args)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) info.ArgumentList.Add(a);
        using var p = Process.Start(info) ?? throw new InvalidOperationException($"{file} did not start (is redis-server installed? bash tests/setup/redis.sh)");
        var output = await p.StandardOutput.ReadToEndAsync();
        await p.WaitForExitAsync();
        return output;
    }
}
