using System.Collections.Concurrent;
using System.Diagnostics;
using Orleans.ConvoOrchestrator.Tests.Support;
using Xunit.Abstractions;

namespace Orleans.ConvoOrchestrator.Tests;

/// <summary>
/// The redelivery bound, with real processes killed mid-stream and every handler execution counted (the test
/// plugin's "record-run" handler logs each one): after a silo's crash, the jobs that run again are only jobs that
/// were handed to a handler on that silo and had not ended, each run again as delivery 2 or more; after a crash of
/// Redis itself, no run is listed twice in a history.
/// </summary>
[Trait(Lane.Name, Lane.System)]
public sealed class CrashRedeliveryTests(ITestOutputHelper output)
{
    private const int MaxConcurrency = 2;

    [Fact]
    public async Task After_a_silo_is_killed_only_jobs_it_was_running_run_again_and_as_redeliveries()
    {
        using var runs = new RunLog();
        await using var redis = await RedisServer.StartAsync();
        var cluster = "crash-" + Guid.NewGuid().ToString("N")[..8];
        var clock = Stopwatch.StartNew();
        // The default HistoryWriteDelay (5 s): the bound must hold without shortening it.
        var silos = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => WebSiloProcess.StartOnRedisAsync(redis.Configuration, cluster, runs.SiloEnvironment())));
        try
        {
            await using var client = await RedisClusterClient.ConnectAsync(redis.Configuration, cluster);
            var api = client.Api;
            var events = Enumerable.Range(0, 6).Select(i => new EventId($"steady-{i}")).ToList();
            foreach (var ev in events)
                (await api.SaveEventAsync(new Event(ev, ev.Value, "record-run", new Policy(TimeoutSec: 10, MaxConcurrency: MaxConcurrency)))).Unwrap();

            var accepted = new ConcurrentDictionary<string, EventId>();
            using var stop = new CancellationTokenSource();
            // Each event gets a 200 ms job every 100 ms: its two slots stay busy and a queue builds, as in the issue.
            var emitters = EmitSteadily(api, events, new { ms = 200 }, TimeSpan.FromMilliseconds(100), accepted, stop.Token);

            var ready = clock.Elapsed;
            await Task.Delay(TimeSpan.FromSeconds(3));
            // The silo that runs the most jobs now: the kill must land on running jobs to test anything.
            var recent = runs.Read().Where(e => e.StartedAt > DateTime.UtcNow.AddSeconds(-2)).ToList();
            var victim = silos.OrderByDescending(s => recent.Count(e => e.Pid == s.Pid)).First();
            // Killed while it runs a handler that has just started.
            await Eventually.TrueAsync(() => Task.FromResult(runs.Read().Any(e => e.Pid == victim.Pid && !e.Ended && e.StartedAt > DateTime.UtcNow.AddMilliseconds(-100))),
                TimeSpan.FromSeconds(10), "a job running on the silo to kill");
            await victim.KillAsync();
            var killedAt = DateTime.UtcNow; // it is dead by now: everything it recorded started before this
            var killed = clock.Elapsed;
            // Emits go on through the failover until it is over (every job the killed silo left unfinished started
            // again on a survivor), then 1 s more; 6 s at most: the assertions below say what did not come back.
            while (clock.Elapsed - killed < TimeSpan.FromSeconds(6) && !RunAgain(runs.Read(), victim.Pid, killedAt))
                await Task.Delay(100);
            var recovered = clock.Elapsed;
            await Task.Delay(TimeSpan.FromSeconds(1));
            await stop.CancelAsync();
            await emitters;
            var stopped = clock.Elapsed;

            // Every accepted job runs (the floor), then the executions are counted.
            await Eventually.TrueAsync(async () =>
            {
                var done = runs.Read().Where(r => r.Ended).Select(r => r.JobId).ToHashSet();
                return accepted.Keys.All(done.Contains);
            }, TimeSpan.FromSeconds(60), "every accepted job ran");
            var drained = clock.Elapsed;
            var executions = runs.Read();
            var byJob = executions.Where(e => accepted.ContainsKey(e.JobId)).GroupBy(e => e.JobId).ToDictionary(g => g.Key, g => g.OrderBy(e => e.StartedAt).ToList());
            var again = byJob.Where(j => j.Value.Count > 1).ToList();
            // What the killed silo had handed to a handler and not seen end when it died.
            var unfinishedOnVictim = executions.Where(e => e.Pid == victim.Pid && e.StartedAt < killedAt && !e.Ended).Select(e => e.JobId).ToHashSet();
            output.WriteLine($"accepted {accepted.Count} jobs; {executions.Count} executions; ran again: {again.Count}; " +
                $"unfinished on the killed silo: {unfinishedOnVictim.Count}; killed silo ran {executions.Count(e => e.Pid == victim.Pid)}");
            output.WriteLine($"phases: silos and events ready {ready.TotalSeconds:0.0} s, kill at {killed.TotalSeconds:0.0} s, failover over " +
                $"{(recovered - killed).TotalSeconds:0.0} s after it, emits stopped {(stopped - recovered).TotalSeconds:0.0} s later, " +
                $"every accepted job ran {(drained - stopped).TotalSeconds:0.0} s later");
            foreach (var (jobId, list) in again)
                output.WriteLine($"  {jobId}: " + string.Join(", ", list.Select(e => $"pid {e.Pid} delivery {e.Delivery} ended {e.Ended} at {e.StartedAt:HH:mm:ss.fff}")));

            Assert.NotEmpty(unfinishedOnVictim); // the kill landed on running jobs
            foreach (var (jobId, list) in again)
            {
                // The earlier run was on the killed silo, before the kill; every later one is a redelivery.
                Assert.Equal(victim.Pid, list[0].Pid);
                Assert.True(list[0].StartedAt < killedAt);
                Assert.All(list.Skip(1), e => Assert.True(e.Delivery >= 2, $"{jobId} ran again as delivery {e.Delivery}"));
            }
            // Jobs handed to a handler and not ended at the kill, plus at most a few that ended as it died (their outcome
            // write in flight): per event at most its slots twice over, not the seconds of finished jobs of before.
            foreach (var group in again.GroupBy(j => accepted[j.Key]))
                Assert.True(group.Count() <= 2 * MaxConcurrency, $"{group.Key}: {group.Count()} jobs ran again");
            Assert.True(again.Count(j => !unfinishedOnVictim.Contains(j.Key)) <= events.Count,
                $"{again.Count(j => !unfinishedOnVictim.Contains(j.Key))} jobs that had ended on the killed silo ran again");
        }
        finally
        {
            foreach (var silo in silos) await silo.DisposeAsync();
        }
    }

    [Fact]
    public async Task After_redis_is_killed_and_restarted_from_its_log_no_run_is_listed_twice()
    {
        using var runs = new RunLog();
        await using var redis = await RedisServer.StartAsync();
        var cluster = "rediskill-" + Guid.NewGuid().ToString("N")[..8];
        // Frequent state writes too (20 ms), so that the kills also land on unanswered last-outcome writes.
        var environment = runs.SiloEnvironment(new Dictionary<string, string>
        {
            ["Convo__Orchestrator__HistorySize"] = "10000",
            ["Convo__Orchestrator__HistoryWriteDelay"] = "00:00:00.02",
        });
        await using var silo = await WebSiloProcess.StartOnRedisAsync(redis.Configuration, cluster, environment);
        await using var client = await RedisClusterClient.ConnectAsync(redis.Configuration, cluster);
        var api = client.Api;
        var events = Enumerable.Range(0, 4).Select(i => new EventId($"busy-{i}")).ToList();
        foreach (var ev in events)
            (await api.SaveEventAsync(new Event(ev, ev.Value, "record-run", new Policy(TimeoutSec: 10, MaxConcurrency: 4)))).Unwrap();

        var accepted = new ConcurrentDictionary<string, EventId>();
        using var stop = new CancellationTokenSource();
        // Short jobs at a steady rate: outcome writes are in flight at any instant, so the kills land on some.
        var emitters = EmitSteadily(api, events, new { ms = 5 }, TimeSpan.FromMilliseconds(5), accepted, stop.Token);

        for (var kill = 0; kill < 5; kill++)
        {
            await Task.Delay(TimeSpan.FromSeconds(1));
            await redis.KillAsync();
            await Task.Delay(TimeSpan.FromSeconds(0.5));
            await redis.RestartAsync();
        }
        await Task.Delay(TimeSpan.FromSeconds(1.5));
        await stop.CancelAsync();
        await emitters;

        var histories = new Dictionary<EventId, IReadOnlyList<JobRecord>>();
        await Eventually.TrueAsync(async () =>
        {
            foreach (var ev in events) histories[ev] = (await api.HistoryAsync(ev, 10_000)).Unwrap();
            var listed = histories.Values.SelectMany(h => h).Select(r => r.JobId).ToHashSet();
            return accepted.Keys.All(listed.Contains);
        }, TimeSpan.FromSeconds(60), "every accepted job is in its history");

        var records = histories.Values.SelectMany(h => h).ToList();
        var listedTwice = records.GroupBy(r => (r.JobId, r.Outcome.Delivery)).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
        var executions = runs.Read();
        output.WriteLine($"accepted {accepted.Count} jobs; {records.Count} runs listed; {executions.Count} executions; " +
            $"jobs run more than once: {executions.GroupBy(e => e.JobId).Count(g => g.Count() > 1)}; runs listed twice: {listedTwice.Count}");
        Assert.True(accepted.Count > 200, $"only {accepted.Count} jobs were accepted: the kills landed on too little");
        Assert.Empty(listedTwice);
        // Each listed run is an execution that happened: nothing is listed that did not run.
        var executed = executions.Select(e => (e.JobId, e.Delivery)).ToHashSet();
        Assert.All(records, r => Assert.Contains((r.JobId, r.Outcome.Delivery), executed));
    }

    // Every job the killed silo had started and not ended has started again elsewhere (and it had started some).
    private static bool RunAgain(List<RunLog.Execution> executions, int victimPid, DateTime killedAt)
    {
        var unfinished = executions.Where(e => e.Pid == victimPid && e.StartedAt < killedAt && !e.Ended).Select(e => e.JobId).ToHashSet();
        return unfinished.Count > 0 && unfinished.All(job => executions.Any(e => e.JobId == job && e.Pid != victimPid));
    }

    // One emitter per event until stopped; the ids of accepted jobs go to accepted (refusals during a failover don't count).
    private static Task EmitSteadily(IEventOrchestrator api, IEnumerable<EventId> events, object payload, TimeSpan pause,
        ConcurrentDictionary<string, EventId> accepted, CancellationToken stop) =>
        Task.WhenAll(events.Select(ev => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    // An emit whose message went to the killed silo is answered only by Orleans' 30 s response
                    // timeout, with an error; waiting for it would hold the end of the test that long.
                    var result = await api.EmitAsync(ev, payload).WaitAsync(TimeSpan.FromSeconds(10));
                    if (result.IsOk) accepted[result.Unwrap()] = ev;
                }
                catch (Exception)
                {
                    // not accepted: not counted
                }
                await Task.Delay(pause);
            }
        })));
}
