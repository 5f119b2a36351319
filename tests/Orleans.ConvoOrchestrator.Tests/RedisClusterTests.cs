using Orleans.ConvoOrchestrator.Tests.Support;
using StackExchange.Redis;
using Xunit.Abstractions;

namespace Orleans.ConvoOrchestrator.Tests;

/// <summary>
/// The durable scenarios on a Redis Cluster (three masters, each with a replica): the stock silo given the masters'
/// endpoints keeps everything there, Orleans' membership, grain state and reminders included, and the project's
/// keys, whose writes and scripts touch several keys at once, stay within one slot thanks to their hash tags.
/// </summary>
[Trait(Lane.Name, Lane.System)]
public sealed class RedisClusterTests(ITestOutputHelper output)
{
    [Fact]
    public async Task A_silo_killed_and_restarted_on_a_Redis_Cluster_has_everything_back_and_runs_the_queued_jobs()
    {
        await using var redis = await RedisClusterNodes.StartAsync();

        await DurableRestartTests.RestartScenarioAsync(redis.Configuration, kill: true);

        // The data is spread: every master holds keys (grain states, job hashes, histories, catalogs).
        var perMaster = await redis.KeysPerMasterAsync();
        output.WriteLine($"keys per master: {string.Join(", ", perMaster)}");
        Assert.All(perMaster, count => Assert.True(count > 0, $"a master holds no key: {string.Join(", ", perMaster)}"));
        // Orleans' reminder table and membership table are one key each, so each lives on one master.
        await using var mux = await ConnectionMultiplexer.ConnectAsync(redis.Configuration);
        var orleansKeys = mux.GetServers().Where(s => !s.IsReplica).SelectMany(s => s.Keys(pattern: "*reminders*")).ToList();
        Assert.Single(orleansKeys);
    }

    [Fact]
    public async Task Killing_one_of_three_silos_on_a_Redis_Cluster_loses_no_accepted_job_and_triggers_resume()
    {
        await using var redis = await RedisClusterNodes.StartAsync();

        await FailoverTests.KillScenarioAsync(redis.Configuration, output);
    }
}
