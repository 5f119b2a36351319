using System.Diagnostics;
using System.Text.Json;
using Orleans.ConvoOrchestrator.Tests.Support;

namespace Orleans.ConvoOrchestrator.Tests;

/// <summary>
/// The CLI finding the silos through Redis clustering (<c>--redis</c>, <c>$CONVO_REDIS</c>) against the stock silo
/// started with <c>--store redis</c> on a throwaway Redis; the localhost gateway port it is given leads nowhere.
/// </summary>
[Trait(Lane.Name, Lane.System)]
public sealed class CliRedisTests(RedisSiloFixture silo) : IClassFixture<RedisSiloFixture>
{
    [Fact]
    public async Task Save_emit_and_status_through_redis_clustering_by_flag_and_by_environment()
    {
        var eventId = await silo.SaveEventThroughCliAsync();
        var emitted = await silo.RunClientAsync("--json", "emit", eventId, "--payload", """{"via":"redis"}""");
        CliRun.AssertExit(0, emitted);

        var clock = Stopwatch.StartNew();
        while (true)
        {
            // No --redis this time: the environment variable alone must do.
            var run = await CliRun.RunClientAsync(
                ["--gateway-port", FreePorts.Next().ToString(), "--cluster-id", silo.ClusterId, "--service-id", silo.ClusterId, "--json", "status", eventId],
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
        var nowhere = $"127.0.0.1:{FreePorts.Next()}";
        var run = await CliRun.RunClientAsync(["--redis", $"{nowhere},password=hunter2", "--connect-timeout", "3", "status", "ev-x"]);

        CliRun.AssertExit(3, run);
        Assert.Contains($"cannot reach Redis at {nowhere}", run.StdErr);
        Assert.DoesNotContain("hunter2", run.StdErr);
        Assert.DoesNotContain("Exception", run.StdErr);
        Assert.True(run.Elapsed < TimeSpan.FromSeconds(30), run.Describe());
    }
}

/// <summary>A throwaway redis-server (<see cref="RedisServer"/>) and the stock silo clustering through it.</summary>
public sealed class RedisSiloFixture : StockSiloFixture
{
    private RedisServer? _redis;

    /// <summary>What --redis and $CONVO_REDIS get.</summary>
    public string RedisConfiguration => _redis?.Configuration ?? throw new InvalidOperationException("Redis is not started");

    protected override IEnumerable<string> ExtraSiloArguments => ["--store", "redis", "--redis", RedisConfiguration];

    // The gateway port is real but the CLI is not told it: it must find the gateway in Redis.
    protected override IEnumerable<string> ClientConnectionArguments =>
        ["--redis", RedisConfiguration, "--gateway-port", FreePorts.Next().ToString()];

    public override async Task InitializeAsync()
    {
        _redis = await RedisServer.StartAsync(fsync: "everysec");
        await base.InitializeAsync();
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        if (_redis is not null) await _redis.DisposeAsync();
    }
}
