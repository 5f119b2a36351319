using System.Diagnostics;
using Orleans.ConvoOrchestrator.Runtime;
using Orleans.ConvoOrchestrator.Tests.Support;
using StackExchange.Redis;
using Xunit.Abstractions;

namespace Orleans.ConvoOrchestrator.Tests;

/// <summary>
/// Backfill across a crash, with real processes on Redis and every handler execution counted (the test plugin's
/// "record-run" handler logs each one with its instant): a silo killed in the middle of a backfill, the same backfill
/// repeated on its replacement, and each instant has one job, run once (apart from the documented redelivery of a job
/// the killed silo was running), none missing.
/// </summary>
[Trait(Lane.Name, Lane.System)]
public sealed class BackfillCrashTests(ITestOutputHelper output)
{
    private const int MaxConcurrency = 4;

    [Fact]
    public async Task A_backfill_cut_short_by_a_killed_silo_and_repeated_on_its_replacement_runs_each_instant_once()
    {
        using var runs = new RunLog();
        await using var redis = await RedisServer.StartAsync();
        var cluster = "backfill-" + Guid.NewGuid().ToString("N")[..8];
        var ev = new EventId("bf-crash");
        // Anchored weeks ahead (at a midnight, so on the same minute grid), so it makes no live fire meanwhile: every run
        // counted is a backfilled one.
        var trigger = new Trigger(new TriggerId("tr-bf-crash"), TriggerKind.INTERVAL, Interval: TimeSpan.FromMinutes(1),
            Anchor: new DateTimeOffset(DateTime.UtcNow.Date.AddDays(30), TimeSpan.Zero));
        const int count = 2000; // four chunks of 500: the kill lands after the first
        var from = new DateTimeOffset(2026, 2, 1, 0, 0, 0, TimeSpan.Zero);
        var to = from.AddMinutes(count);
        var expected = Enumerable.Range(0, count).Select(m => from.AddMinutes(m)).ToList();

        var first = await WebSiloProcess.StartOnRedisAsync(redis.Configuration, cluster, runs.SiloEnvironment());
        await using var _ = first;
        long claimedAtKill;
        DateTime killedAt;
        await using (var client = await RedisClusterClient.ConnectAsync(redis.Configuration, cluster))
        {
            (await client.Api.SaveEventAsync(new Event(ev, "backfilled", "record-run", new Policy(TimeoutSec: 30, MaxConcurrency: MaxConcurrency)))).Unwrap();
            (await client.Api.AttachTriggerAsync(ev, trigger)).Unwrap();
            await using var mux = await ConnectionMultiplexer.ConnectAsync(redis.Configuration);
            var db = mux.GetDatabase();
            var claims = new RedisKeys(cluster + ":convo:").ClaimIndex(ev); // one entry per instant whose job is stored

            var backfill = client.Api.BackfillTriggerAsync(trigger.Id, from, to);
            // Stopped as soon as the first instants are stored, then killed: the backfill is cut short in the middle. The
            // stop comes first because a kill takes long enough for a fast machine to store the rest meanwhile; what
            // the frozen silo had already sent to Redis lands within the pause below.
            var watch = Stopwatch.StartNew();
            while (await db.SortedSetLengthAsync(claims) == 0 && watch.Elapsed < TimeSpan.FromSeconds(60)) await Task.Delay(1);
            first.Freeze();
            killedAt = DateTime.UtcNow;
            await Task.Delay(200);
            claimedAtKill = await db.SortedSetLengthAsync(claims);
            await first.KillAsync();
            try
            {
                var answer = await backfill.WaitAsync(TimeSpan.FromSeconds(10));
                output.WriteLine($"first backfill answered: {answer}");
            }
            catch (Exception ex)
            {
                output.WriteLine($"first backfill failed: {ex.GetType().Name}: {ex.Message}");
            }
        }
        output.WriteLine($"instants stored when the silo was killed: {claimedAtKill} of {count}");
        Assert.InRange(claimedAtKill, 1, count - 1); // the kill landed in the middle of the backfill

        await using var second = await WebSiloProcess.StartOnRedisAsync(redis.Configuration, cluster, runs.SiloEnvironment(), restartOf: first);
        await using var again = await RedisClusterClient.ConnectAsync(redis.Configuration, cluster);
        // The same backfill on the replacement (retried while the cluster still settles): only the rest is queued.
        var report = await Eventually.MatchAsync(() => again.Api.BackfillTriggerAsync(trigger.Id, from, to),
            r => r.IsOk || r.Error.Kind != ErrorKind.QUEUE_UNAVAILABLE, TimeSpan.FromSeconds(60), "the repeated backfill", 500);
        var repeated = report.Unwrap();
        output.WriteLine($"repeated: {repeated}");
        Assert.Equal((count, 1, 0, 0), (repeated.Instants, repeated.Events, repeated.Skipped, repeated.Refused));
        Assert.Equal(count, repeated.Queued + repeated.AlreadyBackfilled);
        Assert.True(repeated.AlreadyBackfilled >= claimedAtKill, $"{repeated.AlreadyBackfilled} already backfilled, {claimedAtKill} stored before the kill");
        Assert.True(repeated.Queued > 0, "the kill left instants to queue");

        // Every instant runs, on one silo or the other.
        var watchRuns = Stopwatch.StartNew();
        var ran = await Eventually.MatchAsync(() => Task.FromResult(runs.Read().Where(e => e.Ended).Select(e => e.ScheduledAt).Distinct().Count()),
            n => n == count || watchRuns.Elapsed > TimeSpan.FromSeconds(240), TimeSpan.FromSeconds(300), "every instant to run", 500);
        output.WriteLine($"{ran} of {count} instants ran in {watchRuns.Elapsed.TotalSeconds:F1} s after the repeat");
        Assert.Equal(count, ran);
        await Task.Delay(1000); // nothing more comes
        var executions = runs.Read().Where(e => e.EventId == ev.Value).ToList();
        Assert.All(executions, e => Assert.True(e.IsBackfill));
        var byInstant = executions.GroupBy(e => e.ScheduledAt!.Value).ToDictionary(g => g.Key, g => g.OrderBy(e => e.StartedAt).ToList());
        Assert.Equal(expected, byInstant.Keys.Order());
        var ranAgain = byInstant.Where(i => i.Value.Count > 1).ToList();
        output.WriteLine($"{executions.Count} executions of {count} instants; run again: {ranAgain.Count}");
        foreach (var (instant, list) in byInstant)
        {
            // One job per instant: the repeat queued none twice.
            Assert.Single(list.Select(e => e.JobId).Distinct());
            // Run more than once only as the redelivery of a job the killed silo had handed to a handler (at least once).
            if (list.Count == 1) continue;
            output.WriteLine($"  {instant:O}: " + string.Join(", ", list.Select(e => $"pid {e.Pid} delivery {e.Delivery} ended {e.Ended}")));
            Assert.Equal(first.Pid, list[0].Pid);
            Assert.True(list[0].StartedAt < killedAt);
            Assert.All(list.Skip(1), e => Assert.True(e.Delivery >= 2, $"{instant:O} ran again as delivery {e.Delivery}"));
        }
        Assert.True(ranAgain.Count <= 2 * MaxConcurrency, $"{ranAgain.Count} instants ran again");

        // And once more: everything is already backfilled.
        var third = (await again.Api.BackfillTriggerAsync(trigger.Id, from, to)).Unwrap();
        Assert.Equal((0, count), (third.Queued, third.AlreadyBackfilled));
    }
}
