using System.Collections.Concurrent;
using System.Diagnostics;
using Orleans.ConvoOrchestrator.Tests.Support;
using Xunit.Abstractions;

namespace Orleans.ConvoOrchestrator.Tests;

/// <summary>
/// Three stock silo processes on one Redis; one is killed with SIGKILL while jobs are emitted at a steady rate and
/// interval triggers run. Every job whose emit returned OK completes, triggers resume within 10 s, an AT trigger
/// due during the failover fires (duplicates counted and reported), and no event exceeds its max_concurrency.
/// </summary>
[Trait(Lane.Name, Lane.System)]
public sealed class FailoverTests(ITestOutputHelper output)
{
    private const int Events = 4;
    private const int MaxConcurrency = 2;

    private static readonly Dictionary<string, string> SiloEnvironment = new()
    {
        ["Convo__Orchestrator__HistoryWriteDelay"] = "00:00:00.2",
        ["Convo__Orchestrator__HistorySize"] = "5000",
    };

    [Fact]
    public async Task Killing_one_of_three_silos_loses_no_accepted_job_and_triggers_resume()
    {
        await using var redis = await RedisServer.StartAsync();
        await KillScenarioAsync(redis.Configuration, output);
    }

    /// <summary>The kill scenario on any Redis: one server, or a Redis Cluster (<see cref="RedisClusterTests"/>).</summary>
    internal static async Task KillScenarioAsync(string redisConfiguration, ITestOutputHelper output)
    {
        var cluster = "failover-" + Guid.NewGuid().ToString("N")[..8];
        var clock = Stopwatch.StartNew();
        var silos = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => WebSiloProcess.StartOnRedisAsync(redisConfiguration, cluster, SiloEnvironment)));
        try
        {
            await using var client = await RedisClusterClient.ConnectAsync(redisConfiguration, cluster);
            var api = client.Api;
            var work = Enumerable.Range(0, Events).Select(i => new EventId($"work-{i}")).ToList();
            foreach (var ev in work)
                (await api.SaveEventAsync(new Event(ev, ev.Value, "sleep", new Policy(TimeoutSec: 10, MaxConcurrency: MaxConcurrency)))).Unwrap();
            // Interval triggers on several events, so some live on the silo that dies.
            var ticking = Enumerable.Range(0, 6).Select(i => new EventId($"tick-{i}")).ToList();
            foreach (var ev in ticking)
            {
                (await api.SaveEventAsync(new Event(ev, ev.Value, "log"))).Unwrap();
                (await api.AttachTriggerAsync(ev, new Trigger(new TriggerId("tr-" + ev.Value), TriggerKind.INTERVAL, Interval: TimeSpan.FromMilliseconds(500)))).Unwrap();
            }

            // Steady emits, each job sleeping 60 ms.
            var accepted = new ConcurrentDictionary<string, EventId>();
            var rejected = 0;
            var emitMs = new ConcurrentBag<double>();
            using var stopEmitting = new CancellationTokenSource();
            // One emitter per work event, each emitting every 25 ms.
            var emitter = Task.WhenAll(work.Select(ev => Task.Run(async () =>
            {
                while (!stopEmitting.IsCancellationRequested)
                {
                    var started = Stopwatch.GetTimestamp();
                    try
                    {
                        // An emit whose message went to the killed silo is answered only by Orleans' 30 s response
                        // timeout, with an error; waiting for it would hold the end of the test that long.
                        var result = await api.EmitAsync(ev, new { ms = 60 }).WaitAsync(EmitBound);
                        emitMs.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                        if (result.IsOk) accepted[result.Unwrap()] = ev;
                        else Interlocked.Increment(ref rejected);
                    }
                    catch (Exception)
                    {
                        Interlocked.Increment(ref rejected); // not accepted: not counted
                    }
                    await Task.Delay(25);
                }
            })));

            var ready = clock.Elapsed;
            await Task.Delay(TimeSpan.FromSeconds(2));
            // An AT trigger due 3 s after the kill.
            var killAt = DateTimeOffset.UtcNow.AddSeconds(1);
            (await api.SaveEventAsync(new Event(new EventId("at-failover"), "at", "log"))).Unwrap();
            (await api.AttachTriggerAsync(new EventId("at-failover"), new Trigger(new TriggerId("tr-at-failover"), TriggerKind.AT, At: killAt.AddSeconds(3)))).Unwrap();
            // On a loaded machine the save and attach can outlast the second: never delay by a negative span.
            var untilKill = killAt - DateTimeOffset.UtcNow;
            if (untilKill > TimeSpan.Zero) await Task.Delay(untilKill);
            var victim = silos[1];
            var killedAt = DateTimeOffset.UtcNow;
            await victim.KillAsync();
            var killed = clock.Elapsed;
            // Emits go on through the failover until it is over (every ticking trigger fired again and the AT due
            // in it fired), then 1 s more; 12 s at most: the assertions below say what did not come back.
            while (clock.Elapsed - killed < TimeSpan.FromSeconds(12) && !await RecoveredAsync(api, ticking, killedAt))
                await Task.Delay(250);
            var recovered = clock.Elapsed;
            await Task.Delay(TimeSpan.FromSeconds(1));
            await stopEmitting.CancelAsync();
            await emitter;
            var stopped = clock.Elapsed;

            // Every accepted job completes (at least once).
            var byEvent = accepted.GroupBy(a => a.Value).ToDictionary(g => g.Key, g => g.Select(a => a.Key).ToHashSet());
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
            Dictionary<EventId, IReadOnlyList<JobRecord>> histories;
            while (true)
            {
                histories = [];
                foreach (var ev in work) histories[ev] = (await api.HistoryAsync(ev, 5000)).Unwrap();
                var missing = byEvent.Sum(e => e.Value.Count(id => !histories[e.Key].Any(r => r.JobId == id)));
                if (missing == 0 || DateTime.UtcNow > deadline) break;
                await Task.Delay(500);
            }
            var drained = clock.Elapsed;
            var lost = byEvent.SelectMany(e => e.Value.Where(id => !histories[e.Key].Any(r => r.JobId == id))).ToList();
            var runs = histories.Values.Sum(h => h.Count);
            var duplicates = runs - histories.Values.Sum(h => h.Select(r => r.JobId).Distinct().Count());
            var sortedMs = emitMs.Order().ToList();
            output.WriteLine($"emit latency: p50 {sortedMs[sortedMs.Count / 2]:0.0} ms, max {sortedMs[^1]:0.0} ms over {sortedMs.Count} emits");
            output.WriteLine($"accepted {accepted.Count} jobs, {rejected} emits not accepted during the failover, {runs} runs recorded, {duplicates} redelivered runs, {lost.Count} lost");
            if (lost.Count > 0)
            {
                // What the silos said about it: warnings and errors only, the tail of each log.
                foreach (var silo in silos)
                {
                    var all = silo.Log.Split('\n');
                    var lines = all.Select((l, i) => (l, i)).Where(x => x.l.StartsWith("warn:") || x.l.StartsWith("fail:"))
                        .SelectMany(x => all.Skip(x.i).Take(2)).TakeLast(60);
                    output.WriteLine($"--- silo {silo.SiloPort}:\n{string.Join('\n', lines)}");
                }
            }
            Assert.True(lost.Count == 0, $"{lost.Count} accepted jobs never completed: {string.Join(", ", lost.Take(10))}");

            // max_concurrency held: no more than MaxConcurrency runs of one event overlapped, from the recorded start/end times.
            foreach (var (ev, history) in histories)
            {
                var peak = PeakOverlap(history.Select(r => (r.Outcome.StartedAt, r.Outcome.FinishedAt)));
                output.WriteLine($"{ev}: peak concurrency {peak}");
                Assert.True(peak <= MaxConcurrency, $"{ev} ran {peak} jobs at once; its max_concurrency is {MaxConcurrency}");
            }

            // Triggers resume within 10 s of the kill: every ticking event fired again after the kill, and soon.
            var resumeWithin = TimeSpan.Zero;
            foreach (var ev in ticking)
            {
                var history = (await api.HistoryAsync(ev, 5000)).Unwrap();
                var firstAfter = history.Where(r => r.EnqueuedAt > killedAt).Select(r => r.EnqueuedAt).DefaultIfEmpty(DateTimeOffset.MaxValue).Min();
                var gap = firstAfter == DateTimeOffset.MaxValue ? TimeSpan.MaxValue : firstAfter - killedAt;
                if (gap > resumeWithin) resumeWithin = gap;
            }
            // The longest gap over triggers is the failover time of a trigger that lived on the killed silo.
            output.WriteLine($"slowest trigger resumed {resumeWithin.TotalSeconds:0.00} s after the kill");
            Assert.True(resumeWithin <= TimeSpan.FromSeconds(10), $"a trigger resumed only {resumeWithin} after the kill");

            // The AT due during the failover fired; a duplicate would be reported here, never silent.
            var atRuns = await Eventually.HistoryAsync(api, new EventId("at-failover"), 1, TimeSpan.FromSeconds(20));
            await Task.Delay(1000);
            atRuns = (await api.HistoryAsync(new EventId("at-failover"), 10)).Unwrap();
            output.WriteLine($"AT trigger due during the failover fired {atRuns.Count} time(s); duplicates: {atRuns.Count - 1}");
            output.WriteLine($"phases: silos and events ready {ready.TotalSeconds:0.0} s, kill at {killed.TotalSeconds:0.0} s, failover over " +
                $"{(recovered - killed).TotalSeconds:0.0} s after it, emits stopped {(stopped - recovered).TotalSeconds:0.0} s later, " +
                $"all outcomes stored {(drained - stopped).TotalSeconds:0.0} s later, total {clock.Elapsed.TotalSeconds:0.0} s");
            Assert.NotEmpty(atRuns);
        }
        finally
        {
            foreach (var silo in silos) await silo.DisposeAsync();
        }
    }

    // Emits unanswered this long count as not accepted (normal ones take milliseconds, during a failover seconds).
    private static readonly TimeSpan EmitBound = TimeSpan.FromSeconds(10);

    // The failover is over once every ticking event and the AT event have a run enqueued after the kill. A read
    // sent to the killed silo is never answered: it counts as not yet.
    private static async Task<bool> RecoveredAsync(IEventOrchestrator api, IEnumerable<EventId> ticking, DateTimeOffset killedAt)
    {
        foreach (var ev in ticking.Append(new EventId("at-failover")))
        {
            try
            {
                var history = await api.HistoryAsync(ev, 100).WaitAsync(TimeSpan.FromSeconds(2));
                if (!history.IsOk || !history.Unwrap().Any(r => r.EnqueuedAt > killedAt)) return false;
            }
            catch (Exception)
            {
                return false;
            }
        }
        return true;
    }

    private static int PeakOverlap(IEnumerable<(DateTimeOffset Start, DateTimeOffset End)> runs)
    {
        var points = runs.SelectMany(r => new[] { (r.Start, +1), (r.End, -1) })
            .OrderBy(p => p.Item1).ThenBy(p => p.Item2) // an end and a start at one instant do not overlap
            .ToList();
        int current = 0, peak = 0;
        foreach (var (_, delta) in points)
        {
            current += delta;
            peak = Math.Max(peak, current);
        }
        return peak;
    }
}
