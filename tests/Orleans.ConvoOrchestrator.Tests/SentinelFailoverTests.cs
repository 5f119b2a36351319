using System.Collections.Concurrent;
using System.Diagnostics;
using Orleans.ConvoOrchestrator.Tests.Support;
using Xunit.Abstractions;

namespace Orleans.ConvoOrchestrator.Tests;

/// <summary>
/// Two stock silos on a Redis watched by three Sentinels (a master, a replica): the master is killed with SIGKILL
/// during steady emits, the Sentinels promote the replica, and the silos (the job, history and catalog stores, and
/// Orleans' membership, grain state and reminders) follow it through their <c>serviceName=...</c> configuration. With
/// <c>Convo:Redis:AckReplicas=1</c> no job whose emit answered OK is lost; without it, what was lost is measured and
/// reported. Two seconds after the promotion the killed master is started again as the new master's replica, as a
/// Sentinel-aware supervisor does: with one replica, AckReplicas=1 has nothing to confirm writes until then.
/// </summary>
[Trait(Lane.Name, Lane.System)]
public sealed class SentinelFailoverTests(ITestOutputHelper output)
{
    private const int Events = 3;

    [Theory]
    [InlineData(1)]
    [InlineData(0)]
    public async Task A_Sentinel_failover_during_steady_emits_loses_no_job_acknowledged_by_a_replica_and_accepting_resumes(int ackReplicas)
    {
        var clock = Stopwatch.StartNew();
        await using var redis = await RedisSentinelSet.StartAsync();
        var cluster = "sentinel-" + Guid.NewGuid().ToString("N")[..8];
        var environment = new Dictionary<string, string>
        {
            ["Convo__Orchestrator__HistoryWriteDelay"] = "00:00:00.2",
            ["Convo__Orchestrator__HistorySize"] = "10000",
            ["Convo__Redis__AckReplicas"] = ackReplicas.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        var silos = await Task.WhenAll(Enumerable.Range(0, 2).Select(_ => WebSiloProcess.StartOnRedisAsync(redis.Configuration, cluster, environment)));
        try
        {
            await using var client = await RedisClusterClient.ConnectAsync(redis.Configuration, cluster);
            var api = client.Api;
            var work = Enumerable.Range(0, Events).Select(i => new EventId($"work-{i}")).ToList();
            foreach (var ev in work) (await api.SaveEventAsync(new Event(ev, ev.Value, "log", new Policy(TimeoutSec: 10, MaxConcurrency: 4)))).Unwrap();

            // Steady emits: one emitter per event, one emit every 20 ms; an accepted one records when it was sent and answered.
            var accepted = new ConcurrentDictionary<string, (EventId Event, DateTimeOffset Sent, DateTimeOffset Answered)>();
            var refused = 0;
            using var stop = new CancellationTokenSource();
            var emitters = Task.WhenAll(work.Select(ev => Task.Run(async () =>
            {
                while (!stop.IsCancellationRequested)
                {
                    var sent = DateTimeOffset.UtcNow;
                    try
                    {
                        var result = await api.EmitAsync(ev, new { n = 1 }).WaitAsync(TimeSpan.FromSeconds(30));
                        if (result.IsOk) accepted[result.Unwrap()] = (ev, sent, DateTimeOffset.UtcNow);
                        else Interlocked.Increment(ref refused);
                    }
                    catch (Exception)
                    {
                        Interlocked.Increment(ref refused); // not accepted: not counted
                    }
                    await Task.Delay(20);
                }
            })));

            var ready = clock.Elapsed;
            await Task.Delay(TimeSpan.FromSeconds(2));
            var oldMaster = redis.Master.Port;
            var watch = Stopwatch.StartNew();
            var killedAt = DateTimeOffset.UtcNow;
            await redis.Master.KillAsync();
            int newMaster;
            while ((newMaster = await redis.MasterPortAsync()) == oldMaster && watch.Elapsed < TimeSpan.FromSeconds(60)) await Task.Delay(50);
            var promoted = watch.Elapsed;
            Assert.True(newMaster != oldMaster, "the Sentinels promoted no replica within 60 s");
            await Task.Delay(TimeSpan.FromSeconds(2));
            var rejoined = watch.Elapsed;
            await redis.Master.RestartAsReplicaOfAsync(newMaster);
            // Emits go on until 100 emits sent after the kill were accepted and 1 s more passed, 60 s at most.
            var enough = DateTimeOffset.MaxValue;
            while (watch.Elapsed < TimeSpan.FromSeconds(60) && DateTimeOffset.UtcNow < enough)
            {
                if (enough == DateTimeOffset.MaxValue && accepted.Values.Count(a => a.Sent > killedAt) >= 100) enough = DateTimeOffset.UtcNow.AddSeconds(1);
                await Task.Delay(100);
            }
            var resumedAll = clock.Elapsed;
            await stop.CancelAsync();
            await emitters;
            var stopped = clock.Elapsed;

            var afterKill = accepted.Values.Where(a => a.Sent > killedAt).ToList();
            var resumed = afterKill.Select(a => a.Answered - killedAt).DefaultIfEmpty(TimeSpan.MaxValue).Min();

            // Every accepted job has an outcome, or is lost.
            var byEvent = accepted.GroupBy(a => a.Value.Event).ToDictionary(g => g.Key, g => g.Select(a => a.Key).ToHashSet());
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
            List<string> lost;
            while (true)
            {
                var histories = new Dictionary<EventId, HashSet<string>>();
                foreach (var ev in work)
                {
                    var history = await api.HistoryAsync(ev, 10000);
                    histories[ev] = history.IsOk ? history.Unwrap().Select(r => r.JobId).ToHashSet() : [];
                }
                lost = byEvent.SelectMany(e => e.Value.Where(id => !histories[e.Key].Contains(id))).ToList();
                if (lost.Count == 0 || DateTime.UtcNow > deadline) break;
                await Task.Delay(500);
            }
            output.WriteLine($"AckReplicas={ackReplicas}: promotion {promoted.TotalSeconds:0.0} s after the kill, old master back as a replica at " +
                $"{rejoined.TotalSeconds:0.0} s; first emit sent after the kill accepted {(resumed == TimeSpan.MaxValue ? "never" : $"{resumed.TotalSeconds:0.0} s")} after it; " +
                $"{accepted.Count} accepted ({afterKill.Count} sent after the kill), {refused} refused, {lost.Count} accepted jobs lost");
            output.WriteLine($"phases: Redis, Sentinels, silos and events ready {ready.TotalSeconds:0.0} s, enough accepted after the kill at " +
                $"{resumedAll.TotalSeconds:0.0} s, emits stopped {(stopped - resumedAll).TotalSeconds:0.0} s later, outcomes read {(clock.Elapsed - stopped).TotalSeconds:0.0} s later");
            if (lost.Count > 0)
                output.WriteLine($"lost jobs were answered {(lost.Min(id => accepted[id].Answered) - killedAt).TotalSeconds:0.00} to " +
                    $"{(lost.Max(id => accepted[id].Answered) - killedAt).TotalSeconds:0.00} s after the kill");

            Assert.True(afterKill.Count >= 100, $"only {afterKill.Count} emits sent after the kill were accepted within 60 s\n{silos[0].Log[^Math.Min(4000, silos[0].Log.Length)..]}");
            if (ackReplicas > 0) Assert.True(lost.Count == 0, $"{lost.Count} jobs acknowledged by a replica were lost: {string.Join(", ", lost.Take(10))}");
        }
        finally
        {
            foreach (var silo in silos) await silo.DisposeAsync();
        }
    }
}
