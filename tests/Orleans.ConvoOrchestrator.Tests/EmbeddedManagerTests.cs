using Orleans.ConvoOrchestrator.Tests.Support;
using Orleans.ConvoOrchestrator.Runtime;

namespace Orleans.ConvoOrchestrator.Tests;

/// <summary>The embedded EventManager: before, during and after Start.</summary>
[Trait(Lane.Name, Lane.Cluster)]
public sealed class EmbeddedManagerTests
{
    private static EventManager Manager(InMemoryEventRepository repo, HandlerRegistry registry, InMemoryMetrics metrics, int? queueMaxsize = null) =>
        new(repo, registry, new SystemClock(), metrics, queueMaxsize: queueMaxsize, schedulerTickMs: 100);

    [Fact]
    public async Task Runtime_calls_before_start_are_refused_and_definition_calls_work()
    {
        var repo = new InMemoryEventRepository();
        var mgr = Manager(repo, new HandlerRegistry(), new InMemoryMetrics());
        var ev = new Event(new EventId("ev-1"), "one", "h");

        (await mgr.CreateEventAsync(ev)).Unwrap();

        Assert.Equal(ErrorKind.CONFLICT, (await mgr.CreateEventAsync(ev)).UnwrapErr().Kind);
        Assert.Equal(ErrorKind.SCHEDULER_ERROR, (await mgr.EmitAsync(ev.Id)).UnwrapErr().Kind);
        Assert.Equal(ErrorKind.SCHEDULER_ERROR, (await mgr.TestRunAsync(ev.Id)).UnwrapErr().Kind);
        var status = mgr.Status(ev.Id).Unwrap();
        Assert.True(status.Active);
        Assert.Null(status.LastOutcome);
        Assert.Equal(ErrorKind.VALIDATION, repo.SaveEvent(ev with { Name = "" }).UnwrapErr().Kind);
        Assert.Equal(ErrorKind.NOT_FOUND, repo.AttachTrigger(new EventId("nope"), new Trigger(new TriggerId("t"), TriggerKind.EXTERNAL)).UnwrapErr().Kind);
        Assert.Empty(mgr.Metrics().Counters);
    }

    [Fact]
    public async Task A_cancelled_test_run_on_the_manager_throws_at_once_and_ends_its_run_and_pages_list_what_was_loaded()
    {
        var repo = new InMemoryEventRepository();
        var registry = new HandlerRegistry();
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        registry.Register("slow", async ctx =>
        {
            started.TrySetResult();
            await Task.Delay(TimeSpan.FromSeconds(30), ctx.CancellationToken);
        });
        foreach (var i in Enumerable.Range(0, 5)) repo.SaveEvent(new Event(new EventId($"ev-{i}"), "slow", "slow", new Policy(TimeoutSec: 60)));
        await using var mgr = Manager(repo, registry, new InMemoryMetrics());
        await mgr.StartAsync();

        // The definitions saved before Start() page from the silo's catalog.
        var first = (await mgr.ListEventsPageAsync(3)).Unwrap();
        var rest = (await mgr.ListEventsPageAsync(3, first.NextPageToken)).Unwrap();
        Assert.Equal(["ev-0", "ev-1", "ev-2", "ev-3", "ev-4"], first.Items.Concat(rest.Items).Select(e => e.Id.Value));
        Assert.Null(rest.NextPageToken);

        using var cts = new CancellationTokenSource();
        var run = mgr.TestRunAsync(new EventId("ev-0"), null, cts.Token);
        await started.Task.WaitAsync(TimeSpan.FromSeconds(20));
        var watch = System.Diagnostics.Stopwatch.StartNew();
        cts.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(1), $"released after {watch.Elapsed.TotalMilliseconds:0} ms");
        var record = Assert.Single(await Eventually.HistoryAsync(mgr, new EventId("ev-0"), 1, TimeSpan.FromSeconds(10)));
        Assert.Equal(JobStatus.CANCELLED, record.Outcome.Status);
    }

    [Fact]
    public async Task Events_created_after_start_run_and_state_survives_a_restart()
    {
        var repo = new InMemoryEventRepository();
        var registry = new HandlerRegistry();
        var metrics = new InMemoryMetrics();
        var runs = 0;
        registry.Register("count", ctx => Interlocked.Increment(ref runs));
        await using var mgr = Manager(repo, registry, metrics);
        await mgr.StartAsync();

        var late = new Event(new EventId("ev-late"), "late", "count");
        (await mgr.CreateEventAsync(late)).Unwrap();
        var trigger = new Trigger(new TriggerId("tr-ext"), TriggerKind.EXTERNAL);
        repo.AttachTrigger(late.Id, trigger).Unwrap();
        Assert.Equal(JobStatus.OK, (await mgr.TestRunAsync(late.Id)).Unwrap().Status);
        Assert.Equal(1, (await mgr.FireTriggerAsync(trigger.Id)).Unwrap());
        await WaitAsync(() => Volatile.Read(ref runs) == 2);
        await mgr.StopAsync();

        Assert.Equal(2, metrics.Snapshot().Counter(MetricNames.JobsSucceeded, late.Id));
        Assert.Equal(JobStatus.OK, mgr.Status(late.Id).Unwrap().LastOutcome!.Status);
        Assert.Equal([trigger], repo.ListTriggers(late.Id).Unwrap().Select(t => t with { Anchor = null }));

        // Started again, the definitions come back and the counters go on from where they were.
        await mgr.StartAsync();
        (await mgr.EmitAsync(late.Id)).Unwrap();
        await WaitAsync(() => Volatile.Read(ref runs) == 3);
        await WaitAsync(() => metrics.Snapshot().Counter(MetricNames.JobsSucceeded, late.Id) == 3);
        Assert.Equal(1, (await mgr.FireTriggerAsync(trigger.Id)).Unwrap());
        await mgr.StopAsync();
    }

    [Fact]
    public async Task Calendars_saved_before_start_are_loaded_and_survive_a_restart_of_the_manager()
    {
        var repo = new InMemoryEventRepository();
        var mgr = Manager(repo, new HandlerRegistry(), new InMemoryMetrics());
        repo.SaveEvent(new Event(new EventId("ev-cal"), "calendar", "h")).Unwrap();
        var nights = new Calendar("nights", [new CalendarRule(CalendarRuleKind.DailyWindow, Start: new TimeOnly(22, 0), End: new TimeOnly(6, 0))], "Europe/Berlin");
        var hourly = new Trigger(new TriggerId("tr-cal"), TriggerKind.INTERVAL, Interval: TimeSpan.FromHours(1), Calendars: ["nights"]);
        // Before start, the repository applies the cluster's rules: the calendar must exist, and is then held.
        Assert.Equal(ErrorKind.NOT_FOUND, repo.AttachTrigger(new EventId("ev-cal"), hourly).UnwrapErr().Kind);
        repo.SaveCalendar(nights).Unwrap();
        repo.AttachTrigger(new EventId("ev-cal"), hourly).Unwrap();
        Assert.Equal(ErrorKind.CONFLICT, repo.RemoveCalendar("nights").UnwrapErr().Kind);

        var berlin = TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin");
        for (var run = 0; run < 2; run++)
        {
            await mgr.StartAsync();
            try
            {
                Assert.Equal(nights, (await mgr.GetCalendarAsync("nights")).Unwrap());
                var fires = (await mgr.NextFiresAsync(hourly.Id, 24)).Unwrap();
                Assert.Equal(24, fires.Count);
                Assert.All(fires, f => Assert.InRange(TimeZoneInfo.ConvertTime(f, berlin).Hour, 6, 21));
                Assert.Equal(ErrorKind.CONFLICT, (await mgr.RemoveCalendarAsync("nights")).UnwrapErr().Kind);
            }
            finally
            {
                await mgr.StopAsync();
            }
        }
        Assert.Equal([nights], repo.ListCalendars().Unwrap());
    }

    [Fact]
    public async Task Stop_lets_running_handlers_finish_within_the_grace_period()
    {
        var repo = new InMemoryEventRepository();
        var registry = new HandlerRegistry();
        var metrics = new InMemoryMetrics();
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        registry.Register("slow", async ctx =>
        {
            started.TrySetResult();
            await Task.Delay(300, ctx.CancellationToken);
            return "finished";
        });
        repo.SaveEvent(new Event(new EventId("ev-slow"), "slow", "slow")).Unwrap();
        var mgr = Manager(repo, registry, metrics);
        mgr.Start();

        (await mgr.EmitAsync(new EventId("ev-slow"))).Unwrap();
        await started.Task.WaitAsync(TimeSpan.FromSeconds(10));
        await mgr.StopAsync();

        var last = mgr.Status(new EventId("ev-slow")).Unwrap().LastOutcome!;
        Assert.Equal(JobStatus.OK, last.Status);
        Assert.Equal("finished", last.ResultPreview);
        Assert.Equal(ErrorKind.SCHEDULER_ERROR, (await mgr.EmitAsync(new EventId("ev-slow"))).UnwrapErr().Kind);
    }

    [Fact]
    public async Task Handlers_past_the_grace_period_are_cancelled_on_stop()
    {
        var repo = new InMemoryEventRepository();
        var registry = new HandlerRegistry();
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        registry.Register("forever", async ctx =>
        {
            started.TrySetResult();
            await Task.Delay(Timeout.Infinite, ctx.CancellationToken);
        });
        repo.SaveEvent(new Event(new EventId("ev-forever"), "forever", "forever", new Policy(TimeoutSec: null))).Unwrap();
        var metrics = new InMemoryMetrics();
        var mgr = new EventManager(repo, registry, new SystemClock(), metrics, configure: o => o.ShutdownGracePeriod = TimeSpan.FromMilliseconds(200));
        mgr.Start();

        (await mgr.EmitAsync(new EventId("ev-forever"))).Unwrap();
        await started.Task.WaitAsync(TimeSpan.FromSeconds(10));
        var stopping = DateTime.UtcNow;
        await mgr.StopAsync();

        Assert.True(DateTime.UtcNow - stopping < TimeSpan.FromSeconds(20));
        Assert.Equal(JobStatus.CANCELLED, mgr.Status(new EventId("ev-forever")).Unwrap().LastOutcome!.Status);
        Assert.Equal(1, metrics.Snapshot().Counter(MetricNames.JobsCancelled, new EventId("ev-forever")));
    }

    [Fact]
    public async Task Queue_maxsize_of_the_manager_bounds_each_event()
    {
        var repo = new InMemoryEventRepository();
        var registry = new HandlerRegistry();
        using var release = new SemaphoreSlim(0);
        registry.Register("hold", async ctx => { await release.WaitAsync(TimeSpan.FromSeconds(20)); });
        repo.SaveEvent(new Event(new EventId("ev-q"), "q", "hold")).Unwrap();
        await using var mgr = Manager(repo, registry, new InMemoryMetrics(), queueMaxsize: 2);
        await mgr.StartAsync();

        var results = new List<Result<string>>();
        for (var i = 0; i < 4; i++) results.Add(await mgr.EmitAsync(new EventId("ev-q")));
        await WaitAsync(() => mgr.Status(new EventId("ev-q")).Unwrap().Running == 1);
        results.Add(await mgr.EmitAsync(new EventId("ev-q")));

        // One runs, two wait; of the five emits exactly the ones past the bound were refused.
        Assert.Equal(3, results.Count(r => r.IsOk));
        Assert.All(results.Where(r => r.IsErr), r => Assert.Equal(ErrorKind.QUEUE_FULL, r.UnwrapErr().Kind));
        release.Release(3);
    }

    [Fact]
    public async Task Condition_triggers_poll_the_managers_predicates_and_fire_on_the_edge()
    {
        var repo = new InMemoryEventRepository();
        var registry = new HandlerRegistry();
        var conditions = new ConditionRegistry();
        var ready = false;
        var runs = 0;
        registry.Register("count", ctx => Interlocked.Increment(ref runs));
        conditions.Register("ready", () => Volatile.Read(ref ready));
        repo.SaveEvent(new Event(new EventId("ev-cond"), "cond", "count")).Unwrap();
        repo.AttachTrigger(new EventId("ev-cond"),
            new Trigger(new TriggerId("tr-ready"), TriggerKind.CONDITION, Interval: TimeSpan.FromMilliseconds(50), Condition: "ready")).Unwrap();
        await using var mgr = new EventManager(repo, registry, new SystemClock(), new InMemoryMetrics(), conditions: conditions);
        await mgr.StartAsync();

        await Task.Delay(300);
        Assert.Equal(0, Volatile.Read(ref runs));
        Volatile.Write(ref ready, true);
        await WaitAsync(() => Volatile.Read(ref runs) == 1);
        await Task.Delay(300); // still true: no second edge

        Assert.Equal(1, Volatile.Read(ref runs));
        Assert.Equal(1, (await mgr.TriggerStatusAsync(new TriggerId("tr-ready"))).Unwrap().FireCount);
    }

    [Fact]
    public async Task Snapshot_has_the_guides_names_and_shape()
    {
        var repo = new InMemoryEventRepository();
        var registry = new HandlerRegistry().Register("ok", ctx => "ok").Register("bad", ctx => throw new InvalidOperationException("x"));
        repo.SaveEvent(new Event(new EventId("ev-ok"), "ok", "ok")).Unwrap();
        repo.SaveEvent(new Event(new EventId("ev-bad"), "bad", "bad")).Unwrap();
        var metrics = new InMemoryMetrics();
        await using var mgr = Manager(repo, registry, metrics);
        await mgr.StartAsync();

        await mgr.TestRunAsync(new EventId("ev-ok"));
        await mgr.TestRunAsync(new EventId("ev-bad"));
        var snapshot = metrics.Snapshot(); // taken right after the runs completed: no flush interval to wait for

        foreach (var name in new[] { MetricNames.JobsEnqueued, MetricNames.JobsStarted })
        {
            Assert.Equal(1, snapshot.Counter(name, new EventId("ev-ok")));
            Assert.Equal(1, snapshot.Counter(name, new EventId("ev-bad")));
        }
        Assert.Equal(1, snapshot.Counter(MetricNames.JobsSucceeded, new EventId("ev-ok")));
        Assert.Equal(1, snapshot.Counter(MetricNames.JobsFailed, new EventId("ev-bad")));
        Assert.All(snapshot.Counters, c => Assert.Contains(MetricNames.EventIdLabel, c.Labels.Keys));
        var h = Assert.Single(snapshot.Histograms, h => h.Labels[MetricNames.EventIdLabel] == "ev-ok");
        Assert.Equal(MetricNames.JobDuration, h.Name);
        Assert.Equal([0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30], h.Buckets);
        Assert.Equal(h.Buckets.Length + 1, h.Counts.Length);
        Assert.Equal(1, h.Counts.Sum());
        var text = snapshot.ToString();
        Assert.StartsWith("{counters: [{name: ", text);
        Assert.Contains("histograms: [{name: job_duration_seconds, labels: {event_id: ev-bad}, buckets: [", text);
    }

    private static async Task WaitAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException("condition never held");
            await Task.Delay(20);
        }
    }
}

internal static class EventManagerTestExtensions
{
    public static MetricsSnapshot Metrics(this EventManager mgr) => mgr.MetricsSnapshotAsync().GetAwaiter().GetResult().Unwrap();
}
