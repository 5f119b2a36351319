using System.Diagnostics;
using System.Text.Json;

namespace Orleans.ConvoOrchestrator.Tests;

/// <summary>
/// The CLI finding the silos through Redis clustering (<c>--redis</c>, <c>$CONVO_REDIS</c>) against the stock silo
/// started with <c>--store redis</c> on a throwaway Redis; the localhost gateway port it is given leads nowhere.
/// </summary>
public sealed class CliRedisTests(RedisSiloFixture silo) : IClassFixture<RedisSiloFixture>
{
    [Fact]
    public async Task Save_emit_and_status_through_redis_clustering_by_flag_and_by_environment()
    {
        var eventId = await silo.SaveEventAsync();
        var emitted = await silo.RunClientAsync("--json", "emit", eventId, "--payload", """{"via":"redis"}""");
        CliRun.AssertExit(0, emitted);

        var clock = Stopwatch.StartNew();
        while (true)
        {
            // No --redis this time: the environment variable alone must do.
            var run = await CliRun.RunClientAsync(
                ["--gateway-port", CliRun.FreePort().ToString(), "--cluster-id", silo.ClusterId, "--service-id", silo.ClusterId, "--json", "status", eventId],
                new Dictionary<string, string> { ["CONVO_REDIS"] = silo.RedisConfiguration });
            CliRun.AssertExit(0, run);
            var status = CliRun.ParseJson(run);
            if (status.TryGetProperty("lastOutcome", out var last))
            {
                Assert.Equal("OK", last.GetProperty("status").GetString());
                Assert.Contains("redis", last.GetProperty("resultPreview").GetString());
                break;
            }
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(60), $"no outcome within 60 s: {run.StdOut}");
            await Task.Delay(500);
        }
    }

    [Fact]
    public async Task A_cluster_id_no_silo_registered_in_redis_exits_3_naming_redis()
    {
        var run = await CliRun.RunClientAsync(["--redis", silo.RedisConfiguration, "--cluster-id", "nobody-here", "status", "ev-x"]);

        CliRun.AssertExit(3, run);
        Assert.Contains($"no silo reachable at Redis {silo.RedisConfiguration} (cluster 'nobody-here')", run.StdErr);
        Assert.Contains("--store redis", run.StdErr);
        Assert.DoesNotContain("Exception", run.StdErr);
        Assert.Equal("", run.StdOut.Trim());
    }

    [Fact]
    public async Task An_unreachable_redis_exits_3_saying_so_without_echoing_the_password()
    {
        var nowhere = $"127.0.0.1:{CliRun.FreePort()}";
        var run = await CliRun.RunClientAsync(["--redis", $"{nowhere},password=hunter2", "--connect-timeout", "3", "status", "ev-x"]);

        CliRun.AssertExit(3, run);
        Assert.Contains($"cannot reach Redis at {nowhere}", run.StdErr);
        Assert.DoesNotContain("hunter2", run.StdErr);
        Assert.DoesNotContain("Exception", run.StdErr);
        Assert.True(run.Elapsed < TimeSpan.FromSeconds(30), run.Describe());
    }
}

/// <summary>A throwaway redis-server on a free port in a temporary directory, and the stock silo clustering through it.</summary>
public sealed class RedisSiloFixture : StockSiloFixture
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "convo-cli-redis-" + Guid.NewGuid().ToString("N")[..8]);
    private readonly int _redisPort = CliRun.FreePort();
    private Process? _redis;

    /// <summary>What --redis and $CONVO_REDIS get.</summary>
    public string RedisConfiguration => $"127.0.0.1:{_redisPort}";

    protected override IEnumerable<string> ExtraSiloArguments => ["--store", "redis", "--redis", RedisConfiguration];

    // The gateway port is real but the CLI is not told it: it must find the gateway in Redis.
    protected override IEnumerable<string> ClientConnectionArguments =>
        ["--redis", RedisConfiguration, "--gateway-port", CliRun.FreePort().ToString()];

    public override async Task InitializeAsync()
    {
        Directory.CreateDirectory(_dir);
        var start = new ProcessStartInfo("redis-server")
        {
            WorkingDirectory = _dir,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in (string[])["--bind", "127.0.0.1", "--port", _redisPort.ToString(), "--dir", _dir, "--save", "", "--appendonly", "no"])
            start.ArgumentList.Add(arg);
        _redis = Process.Start(start) ?? throw new InvalidOperationException("redis-server did not start");
        _redis.BeginOutputReadLine();
        _redis.BeginErrorReadLine();

        var clock = Stopwatch.StartNew();
        while (true)
        {
            var ping = await CliRun.RunAsync("redis-cli", ["-p", _redisPort.ToString(), "ping"], TimeSpan.FromSeconds(10));
            if (ping.StdOut.Trim() == "PONG") break;
            if (_redis.HasExited || clock.Elapsed > TimeSpan.FromSeconds(20))
                throw new InvalidOperationException($"redis-server on port {_redisPort} did not answer: {ping.Describe()}");
            await Task.Delay(100);
        }
        await base.InitializeAsync();
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        if (_redis is not null)
        {
            try
            {
                if (!_redis.HasExited) _redis.Kill();
                await _redis.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
            }
            catch (Exception)
            {
                // Gone already.
            }
            _redis.Dispose();
        }
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { /* best effort */ }
    }
}
