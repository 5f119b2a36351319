using Orleans.ConvoOrchestrator.Tests.Support;

namespace Orleans.ConvoOrchestrator.Tests;

/// <summary>
/// The stock silo on Redis, restarted (killed, or stopped gracefully): definitions, subscriptions, schedules,
/// status, fired-AT markers and queued jobs are all back, and the queued jobs run.
/// </summary>
[Trait(Lane.Name, Lane.System)]
public sealed class DurableRestartTests
{
    // Long enough that the queued jobs still wait behind the first when the status is read, and that a kill lands
    // on a running one; short, since they run one after another after the restart.
    private const int QueuedJobMs = 2000;

    // Outcomes are stored 200 ms after a job ends (not 5 s), so the test need not wait long for them.
    private static readonly Dictionary<string, string> SiloEnvironment = new()
    {
        ["Convo__Orchestrator__HistoryWriteDelay"] = "00:00:00.2",
        ["Convo__Orchestrator__HistorySize"] = "1000",
    };

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_restarted_silo_has_everything_back_and_runs_the_queued_jobs(bool kill)
    {
        await using var redis = await RedisServer.StartAsync();
        await RestartScenarioAsync(redis.Configuration, kill);
    }

    /// <summary>The restart scenario on any Redis: one server, or a Redis Cluster (<see cref="RedisClusterTests"/>).</summary>
    internal static async Task RestartScenarioAsync(string redisConfiguration, bool kill)
    {
        var cluster = "restart-" + Guid.NewGuid().ToString("N")[..8];
        var first = await WebSiloProcess.StartOnRedisAsync(redisConfiguration, cluster, SiloEnvironment);
        List<string> jobIds;
        List<string> cancelled;
        DateTimeOffset? hourlyNext;
        await using (first)
        {
            await using var client = await RedisClusterClient.ConnectAsync(redisConfiguration, cluster);
            var api = client.Api;
            (await api.SaveEventAsync(new Event(new EventId("q"), "queue", "sleep", new Policy(TimeoutSec: 10, MaxConcurrency: 1)))).Unwrap();
            (await api.SaveEventAsync(new Event(new EventId("paused"), "paused", "log"))).Unwrap();
            (await api.SetEventActiveAsync(new EventId("paused"), false)).Unwrap();
            (await api.SaveEventAsync(new Event(new EventId("sched"), "scheduled", "log"))).Unwrap();
            (await api.AttachTriggerAsync(new EventId("sched"), new Trigger(new TriggerId("tr-hourly"), TriggerKind.INTERVAL, Interval: TimeSpan.FromHours(1)))).Unwrap();
            (await api.SaveEventAsync(new Event(new EventId("at"), "at once", "log"))).Unwrap();
            (await api.AttachTriggerAsync(new EventId("at"), new Trigger(new TriggerId("tr-at"), TriggerKind.AT, At: DateTimeOffset.UtcNow.AddSeconds(-1)))).Unwrap();
            await Eventually.HistoryAsync(api, new EventId("at"), 1, TimeSpan.FromSeconds(20));
            // A running job cancelled now must never run again: its CANCELLED end is stored before the cancel answers.
            (await api.SaveEventAsync(new Event(new EventId("long"), "long", "sleep", new Policy(TimeoutSec: 120)))).Unwrap();
            var longJob = (await api.EmitAsync(new EventId("long"), new { ms = 60_000 })).Unwrap();
            await Eventually.MatchAsync(async () => (await api.StatusAsync(new EventId("long"))).Unwrap(), s => s.Running == 1, TimeSpan.FromSeconds(20), "the long job to run", 50);
            (await api.CancelJobAsync(new EventId("long"), longJob)).Unwrap();

            // Checked before the queue is filled, so the kill below comes while a queued job runs, not after they all ended.
            hourlyNext = (await api.TriggerStatusAsync(new TriggerId("tr-hourly"))).Unwrap().NextFire;
            // The hourly trigger is far: it sleeps in a wake bucket whose entry and one reminder are in Redis, with no
            // reminder of its own (that would keep its grain in memory). The fired AT keeps none either.
            var bucket = WakeBuckets.CatalogOf(WakeBuckets.KeyFor(hourlyNext!.Value - TimeSpan.FromSeconds(10), TimeSpan.FromMinutes(1)));
            await Eventually.MatchAsync(() => RedisTextAsync(redisConfiguration), text => text.Contains(bucket + " tr-hourly") && text.Contains("convo-wake") && !text.Contains("convo-trigger"),
                TimeSpan.FromSeconds(20), "wake bucket in Redis", 200);

            // Emitted together, so on a loaded machine too most of them still wait when the status is read.
            var emits = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => api.EmitAsync(new EventId("q"), new { ms = QueuedJobMs })));
            jobIds = emits.Select(e => e.Unwrap()).ToList();
            var status = (await api.StatusAsync(new EventId("q"))).Unwrap();
            Assert.True(status.QueueDepth >= 4, $"jobs should be waiting behind max_concurrency 1: {status}");
            // Two jobs cancelled now must never run again, neither before nor after the restart. (The emits went
            // together, so their order is not known: the last two emitted may include the running one, which a cancel
            // stops too; one that has already ended answers CONFLICT and is kept.)
            cancelled = [];
            foreach (var jobId in Enumerable.Reverse(jobIds))
            {
                if (cancelled.Count == 2) break;
                var cancel = await api.CancelJobAsync(new EventId("q"), jobId);
                if (cancel.IsOk) cancelled.Add(jobId);
                else Assert.Equal(ErrorKind.CONFLICT, cancel.Error!.Kind);
            }
            Assert.Equal(2, cancelled.Count);
            jobIds = jobIds.Except(cancelled).ToList();
            // Killed while a job runs: it must come back as delivery 2.
            if (kill)
            {
                // Dispatched to its handler (it has a start time): its delivery count is stored by then. Started at most
                // 1 s ago, so a loaded machine still kills it mid-run, a second or more before it would end.
                try
                {
                    await Eventually.MatchAsync(async () =>
                        {
                            var jobs = (await api.ListJobsAsync(new EventId("q"))).Unwrap();
                            return (Dispatched: jobs.Any(j => j.State == InFlightJobState.Running && j.StartedAt > DateTimeOffset.UtcNow.AddSeconds(-1)),
                                Jobs: string.Join("; ", jobs));
                        }, seen => seen.Dispatched, TimeSpan.FromSeconds(20), "a queued job to run", 20);
                }
                catch (TimeoutException ex)
                {
                    throw new TimeoutException(ex.Message + "\nsilo log:\n" + first.Log, ex);
                }
                await first.KillAsync();
            }
            else await first.TerminateAsync(TimeSpan.FromSeconds(30));
        }

        await using var second = await WebSiloProcess.StartOnRedisAsync(redisConfiguration, cluster, SiloEnvironment, restartOf: first);
        await using var again = await RedisClusterClient.ConnectAsync(redisConfiguration, cluster);
        var api2 = again.Api;
        var events = (await api2.ListEventsAsync()).Unwrap().Select(e => e.Id.Value).Order().ToList();
        Assert.Equal(["at", "long", "paused", "q", "sched"], events);
        Assert.False((await api2.StatusAsync(new EventId("paused"))).Unwrap().Active);
        var triggers = (await api2.ListTriggersAsync()).Unwrap().Select(t => t.Id.Value).Order().ToList();
        Assert.Equal(["tr-at", "tr-hourly"], triggers);
        Assert.Equal(hourlyNext, (await api2.TriggerStatusAsync(new TriggerId("tr-hourly"))).Unwrap().NextFire);
        Assert.Equal(hourlyNext, (await api2.StatusAsync(new EventId("sched"))).Unwrap().NextRun);
        var stillListed = WakeBuckets.CatalogOf(WakeBuckets.KeyFor(hourlyNext!.Value - TimeSpan.FromSeconds(10), TimeSpan.FromMinutes(1))) + " tr-hourly";
        Assert.Contains(stillListed, await RedisTextAsync(redisConfiguration));

        // Every accepted job runs (at least once) after the restart.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        HashSet<string> done;
        while (true)
        {
            done = (await api2.HistoryAsync(new EventId("q"), 1000)).Unwrap().Where(r => r.Outcome.Status == JobStatus.OK).Select(r => r.JobId).ToHashSet();
            if (jobIds.All(done.Contains) || DateTime.UtcNow > deadline) break;
            await Task.Delay(200);
        }
        Assert.True(jobIds.All(done.Contains), $"jobs missing after the restart: {string.Join(", ", jobIds.Where(j => !done.Contains(j)))}\n{second.Log}");

        // The cancelled jobs ended CANCELLED, once, and never ran.
        var history = (await api2.HistoryAsync(new EventId("q"), 1000)).Unwrap();
        foreach (var jobId in cancelled)
            Assert.Equal([JobStatus.CANCELLED], history.Where(r => r.JobId == jobId).Select(r => r.Outcome.Status));

        // The cancelled running job is not delivered again.
        var longRuns = (await api2.HistoryAsync(new EventId("long"), 10)).Unwrap();
        Assert.Equal([JobStatus.CANCELLED], longRuns.Select(r => r.Outcome.Status));
        var longStatus = (await api2.StatusAsync(new EventId("long"))).Unwrap();
        Assert.Equal((0, 0), (longStatus.QueueDepth, longStatus.Running));

        // The job that was running when the silo was killed ran again, and knew it: its outcome says delivery 2.
        // A graceful stop lets the running job finish and starts no other, so nothing is redelivered.
        var deliveries = history.Where(r => r.Outcome.Status == JobStatus.OK).Select(r => r.Outcome.Delivery).ToList();
        if (kill) Assert.True(deliveries.Contains(2), $"no run came back as delivery 2: {string.Join(", ", history.Select(r => $"{r.JobId[..8]} {r.Outcome.Status} d{r.Outcome.Delivery}"))}\n{second.Log}");
        else Assert.All(deliveries, d => Assert.Equal(1, d));

        // The AT fired before the restart and never again. (Its one job may run twice: killed before its outcome
        // was stored, it is redelivered; that is the same job, not a second fire.)
        await Task.Delay(1000);
        var atJobs = (await api2.HistoryAsync(new EventId("at"), 10)).Unwrap();
        Assert.Single(atJobs.Select(r => r.JobId).Distinct());
    }

    // Every sorted set and hash, one "key member" line per member (hash fields with their values): enough to find what is stored.
    private static async Task<string> RedisTextAsync(string configuration)
    {
        await using var mux = await StackExchange.Redis.ConnectionMultiplexer.ConnectAsync(configuration);
        var db = mux.GetDatabase();
        var text = new System.Text.StringBuilder();
        // Every master's keys: one server, or each master of a Redis Cluster.
        foreach (var key in mux.GetServers().Where(s => !s.IsReplica).SelectMany(s => s.Keys(pattern: "*")))
        {
            // Catalog keys are named after their catalog (wake:<bucket>), without the silo's prefix and hash-tag braces.
            var name = key.ToString();
            var at = name.IndexOf("catalog:", StringComparison.Ordinal);
            var label = at >= 0 ? name[(at + "catalog:".Length)..].Replace("{", "").Replace("}", "") : name;
            switch (await db.KeyTypeAsync(key))
            {
                case StackExchange.Redis.RedisType.SortedSet:
                    foreach (var member in await db.SortedSetRangeByRankAsync(key)) text.Append(label).Append(' ').Append(member).Append('\n');
                    break;
                case StackExchange.Redis.RedisType.Hash:
                    foreach (var field in await db.HashGetAllAsync(key)) text.Append(label).Append(' ').Append(field.Name).Append(' ').Append(field.Value).Append('\n');
                    break;
            }
        }
        return text.ToString();
    }

    [Fact]
    public async Task A_cluster_restarted_after_missed_fires_fires_each_trigger_once_coalesced_and_counts_the_misses()
    {
        await using var redis = await RedisServer.StartAsync();
        var cluster = "coalesce-" + Guid.NewGuid().ToString("N")[..8];
        var triggerIds = new[] { "tr-a", "tr-b", "tr-c" };
        DateTimeOffset stoppedAt;
        var first = await WebSiloProcess.StartOnRedisAsync(redis.Configuration, cluster, SiloEnvironment);
        await using (first)
        {
            await using var client = await RedisClusterClient.ConnectAsync(redis.Configuration, cluster);
            foreach (var id in triggerIds)
            {
                var ev = new EventId("ev-" + id);
                (await client.Api.SaveEventAsync(new Event(ev, id, "log"))).Unwrap();
                (await client.Api.AttachTriggerAsync(ev, new Trigger(new TriggerId(id), TriggerKind.INTERVAL, Interval: TimeSpan.FromSeconds(1)))).Unwrap();
            }
            foreach (var id in triggerIds) await Eventually.HistoryAsync(client.Api, new EventId("ev-" + id), 2, TimeSpan.FromSeconds(20));
            await first.TerminateAsync(TimeSpan.FromSeconds(30));
            stoppedAt = DateTimeOffset.UtcNow;
        }

        await Task.Delay(TimeSpan.FromSeconds(5)); // five due times pass with no silo, and more while it starts again
        var restartedAt = DateTimeOffset.UtcNow;
        await using var second = await WebSiloProcess.StartOnRedisAsync(redis.Configuration, cluster, SiloEnvironment, restartOf: first);
        await using var again = await RedisClusterClient.ConnectAsync(redis.Configuration, cluster);
        // Each trigger's first fire after the restart, then 1.5 s more: replayed misses would come right with it.
        foreach (var id in triggerIds)
        {
            await Eventually.MatchAsync(async () => (await again.Api.HistoryAsync(new EventId("ev-" + id), 1000)).Unwrap(),
                h => h.Any(r => r.EnqueuedAt > restartedAt), TimeSpan.FromSeconds(30), $"{id}: a fire after the restart", 100);
        }
        await Task.Delay(TimeSpan.FromSeconds(1.5));
        foreach (var id in triggerIds)
        {
            var history = (await again.Api.HistoryAsync(new EventId("ev-" + id), 1000)).Unwrap();
            // Fires scheduled in the gap [stop, restart] are the misses: one coalesced fire stands for them all.
            var forGap = history.Where(r => r.EnqueuedAt > restartedAt && r.EnqueuedAt < restartedAt.AddSeconds(30)).ToList();
            Assert.True(forGap.Count >= 1, $"{id}: no fire after the restart\n{second.Log}");
            var status = (await again.Api.TriggerStatusAsync(new TriggerId(id))).Unwrap();
            Assert.True(status.MissCount >= 4, $"{id}: expected the ~6 missed fires counted, got {status.MissCount} ({status})");
            // After the restart: one coalesced fire plus at most the regular ones of the ~4-8 s since (one per second).
            var sinceRestart = (DateTimeOffset.UtcNow - restartedAt).TotalSeconds;
            Assert.True(forGap.Count <= Math.Ceiling(sinceRestart) + 1,
                $"{id}: {forGap.Count} fires in {sinceRestart:0.0} s after the restart: misses were replayed, not coalesced");
        }
        Assert.True(stoppedAt < restartedAt);
    }
}
