using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.ConvoOrchestrator.Runtime;
using Orleans.ConvoOrchestrator.Runtime.Grains;
using Orleans.ConvoOrchestrator.Tests.Support;

namespace Orleans.ConvoOrchestrator.Tests;

/// <summary>
/// <c>Convo:Redis:AckReplicas</c>: a job write completes once that many replicas confirmed it (<c>WAIT</c>), and fails
/// with a clear error when they do not within <c>AckTimeout</c>; the stock silo refuses a negative value.
/// </summary>
[Trait(Lane.Name, Lane.System)]
public sealed class ReplicaAckTests
{
    private static QueuedJob Job(string id) => new(id, 1, "{}", null, "corr", DateTimeOffset.UnixEpoch, null);

    private static RedisConnection Connect(string configuration, int ackReplicas) =>
        new(configuration, Options.Create(new ClusterOptions { ServiceId = "ack-" + Guid.NewGuid().ToString("N")[..8] }),
            Options.Create(new ConvoRedisOptions { AckReplicas = ackReplicas, AckTimeout = TimeSpan.FromMilliseconds(300) }));

    [Fact]
    public async Task A_write_waits_for_the_replica_and_without_one_fails_naming_how_many_confirmed()
    {
        await using var master = await RedisServer.StartAsync();
        await using var replica = await RedisServer.StartAsync("always", "--replicaof", "127.0.0.1", master.Port.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await Eventually.MatchAsync(async () => (await RedisServer.RunAsync("redis-cli", "-p", replica.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "info", "replication")).Output,
            info => info.Contains("master_link_status:up"), TimeSpan.FromSeconds(20), "replica in sync", 100);

        await using (var confirmed = Connect(master.Configuration, ackReplicas: 1))
        {
            var jobs = new RedisJobStore(confirmed, FailedJobRetention.Default);
            await jobs.WriteAsync(new EventId("ev"), [Job("job-1")], [], 10);
            Assert.Equal(["job-1"], (await jobs.LoadAsync(new EventId("ev"))).Select(j => j.JobId));
        }

        // Two replicas wanted, one there: the write reaches the master, but is not confirmed.
        await using var unconfirmed = Connect(master.Configuration, ackReplicas: 2);
        var failure = await Assert.ThrowsAsync<ReplicaAckException>(() => new RedisJobStore(unconfirmed, FailedJobRetention.Default).WriteAsync(new EventId("ev"), [Job("job-2")], [], 10));
        Assert.Equal("Redis confirmed the write on 1 of 2 replica(s) within 300 ms (Convo:Redis:AckReplicas); the master has it, but a failover now could lose it", failure.Message);
    }

    [Fact]
    public async Task The_stock_silo_refuses_a_negative_AckReplicas_with_one_line_and_exit_code_2()
    {
        await using var silo = await WebSiloProcess.RunToExitAsync(["--store", "redis", "--redis", "127.0.0.1:1", "--Convo:Redis:AckReplicas=-1"], bind: null, within: TimeSpan.FromSeconds(60));

        Assert.True(silo.ExitCode == 2, $"exit {silo.ExitCode}; output:\n{silo.Log}");
        Assert.Contains("convo-silo: Convo:Redis:AckReplicas must be 0 (no replica waited for) or more (got -1)", silo.Log);
        Assert.DoesNotContain("   at ", silo.Log);
    }
}
