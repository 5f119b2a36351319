using Orleans.ConvoOrchestrator.Tests.Support;

namespace Orleans.ConvoOrchestrator.Tests;

/// <summary>
/// Backfill on a cluster with a fake clock: a past range runs each instant once, in order, marked as a backfill with
/// its instant; a repeat runs nothing again; the overlap policy applies; a range over the bound is cut and goes on
/// where it was cut; bad requests change nothing.
/// </summary>
[Collection(FakeClockClusterCollection.Name)]
[Trait(Lane.Name, Lane.Cluster)]
public sealed class BackfillTests(FakeClockClusterFixture fx)
{
    private static readonly DateTimeOffset Start = FakeClockClusterFixture.Start;

    // An event that runs one job at a time, recording each context in start order.
    private async Task<EventId> SerialEventAsync(List<EventContext> seen, Func<EventContext, Task>? also = null)
    {
        var handler = ClusterFixture.Unique("bf");
        fx.Handlers.Register(handler, async (EventContext ctx) =>
        {
            lock (seen) seen.Add(ctx);
            if (also is not null) await also(ctx);
        });
        var id = new EventId(ClusterFixture.Unique("ev-bf"));
        (await fx.Api.SaveEventAsync(new Event(id, "backfilled", handler, new Policy(MaxConcurrency: 1, TimeoutSec: 60)))).Unwrap();
        return id;
    }

    private static Trigger Hourly(OverlapPolicy overlap = OverlapPolicy.AllowAll) =>
        new(new TriggerId(ClusterFixture.Unique("tr-bf")), TriggerKind.INTERVAL, Interval: TimeSpan.FromHours(1), Anchor: Start, Overlap: overlap);

    private static List<DateTimeOffset> Snapshot(List<EventContext> seen, Func<EventContext, DateTimeOffset?> pick)
    {
        lock (seen) return seen.Select(c => pick(c)!.Value).ToList();
    }

    [Fact]
    public async Task A_past_range_runs_each_instant_once_in_order_marked_as_a_backfill_and_a_repeat_runs_nothing_again()
    {
        var seen = new List<EventContext>();
        var ev = await SerialEventAsync(seen);
        var trigger = Hourly();
        (await fx.Api.AttachTriggerAsync(ev, trigger)).Unwrap();
        var expected = Enumerable.Range(0, 8).Select(h => Start.AddHours(-10 + h)).ToList(); // before the anchor: on its grid

        var report = (await fx.Api.BackfillTriggerAsync(trigger.Id, Start.AddHours(-10), Start.AddHours(-2))).Unwrap();

        Assert.Equal(new BackfillReport(trigger.Id, Start.AddHours(-10), Start.AddHours(-2), 8, 1, 8, 0, 0, 0, null), report);
        Assert.False(report.Cut);
        await Eventually.TrueAsync(() => Task.FromResult(Snapshot(seen, c => c.ScheduledAt).Count == 8), TimeSpan.FromSeconds(20), "eight runs");
        Assert.Equal(expected, Snapshot(seen, c => c.ScheduledAt)); // each once, oldest first
        lock (seen)
        {
            Assert.All(seen, c => Assert.True(c.IsBackfill));
            Assert.All(seen, c => Assert.Equal(trigger.Id, c.TriggerId));
            Assert.Equal(8, seen.Select(c => c.JobId).Distinct().Count());
        }
        var history = await fx.WaitForHistoryAsync(ev, 8);
        Assert.All(history, r => Assert.Equal(JobStatus.OK, r.Outcome.Status));

        // The same backfill again, and one overlapping it: only the instants not run yet are queued.
        var again = (await fx.Api.BackfillTriggerAsync(trigger.Id, Start.AddHours(-10), Start.AddHours(-2))).Unwrap();
        Assert.Equal((0, 0, 8, 0), (again.Queued, again.Skipped, again.AlreadyBackfilled, again.Refused));
        var wider = (await fx.Api.BackfillTriggerAsync(trigger.Id, Start.AddHours(-12), Start.AddHours(-2))).Unwrap();
        Assert.Equal((10, 2, 0, 8), (wider.Instants, wider.Queued, wider.Skipped, wider.AlreadyBackfilled));
        await Eventually.TrueAsync(() => Task.FromResult(Snapshot(seen, c => c.ScheduledAt).Count == 10), TimeSpan.FromSeconds(20), "ten runs");
        await Task.Delay(300); // nothing more comes
        Assert.Equal(expected.Prepend(Start.AddHours(-11)).Prepend(Start.AddHours(-12)).Order(), Snapshot(seen, c => c.ScheduledAt).Order());
        Assert.Equal(10, (await fx.Api.HistoryAsync(ev)).Unwrap().Count);

        // A live fire of the same trigger is no backfill.
        fx.Advance(TimeSpan.FromHours(1));
        await Eventually.TrueAsync(() => Task.FromResult(Snapshot(seen, c => c.ScheduledAt).Count == 11), TimeSpan.FromSeconds(20), "the live fire");
        lock (seen) Assert.False(seen[^1].IsBackfill);
        (await fx.Api.RemoveEventAsync(ev)).Unwrap();
    }

    [Fact]
    public async Task The_overlap_policy_Skip_skips_instants_while_an_earlier_one_runs_and_already_backfilled_ones_stay_apart()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var seen = new List<EventContext>();
        var ev = await SerialEventAsync(seen, _ => release.Task);
        var trigger = Hourly(OverlapPolicy.Skip);
        (await fx.Api.AttachTriggerAsync(ev, trigger)).Unwrap();
        var (from, to) = (Start.AddHours(-5), Start);

        var first = (await fx.Api.BackfillTriggerAsync(trigger.Id, from, to)).Unwrap();
        Assert.Equal((5, 1, 4, 0, 0), (first.Instants, first.Queued, first.Skipped, first.AlreadyBackfilled, first.Refused));
        var skips = await fx.WaitForHistoryAsync(ev, 4);
        Assert.All(skips, r => Assert.Equal((JobStatus.SKIPPED, ErrorKind.CONFLICT), (r.Outcome.Status, r.Outcome.Error?.Kind)));
        await Eventually.TrueAsync(() => Task.FromResult(Snapshot(seen, c => c.ScheduledAt).Count == 1), TimeSpan.FromSeconds(20), "the first run");

        // Again while the first still runs: the first is already backfilled (not skipped); the rest skip again.
        var whileRunning = (await fx.Api.BackfillTriggerAsync(trigger.Id, from, to)).Unwrap();
        Assert.Equal((0, 4, 1, 0), (whileRunning.Queued, whileRunning.Skipped, whileRunning.AlreadyBackfilled, whileRunning.Refused));

        release.SetResult();
        await Eventually.TrueAsync(async () => (await fx.Api.StatusAsync(ev)).Unwrap() is { Running: 0, QueueDepth: 0 }, TimeSpan.FromSeconds(20), "the run to end");
        // Once nothing runs: the next instant is queued, and the ones after it skip behind it.
        var after = (await fx.Api.BackfillTriggerAsync(trigger.Id, from, to)).Unwrap();
        Assert.Equal((1, 3, 1, 0), (after.Queued, after.Skipped, after.AlreadyBackfilled, after.Refused));
        await Eventually.TrueAsync(() => Task.FromResult(Snapshot(seen, c => c.ScheduledAt).Count == 2), TimeSpan.FromSeconds(20), "the second run");
        Assert.Equal([from, from.AddHours(1)], Snapshot(seen, c => c.ScheduledAt));
        await Eventually.TrueAsync(async () => (await fx.Api.MetricsSnapshotAsync()).Unwrap().Counter(MetricNames.JobsSkipped, ev) == 11,
            TimeSpan.FromSeconds(20), "the skips to be counted");
        (await fx.Api.RemoveEventAsync(ev)).Unwrap();
    }

    [Fact]
    public async Task A_range_over_the_bound_queues_the_first_ten_thousand_in_order_and_goes_on_from_where_it_was_cut()
    {
        var seen = new List<EventContext>();
        var ev = await SerialEventAsync(seen);
        var trigger = new Trigger(new TriggerId(ClusterFixture.Unique("tr-bf")), TriggerKind.INTERVAL, Interval: TimeSpan.FromMinutes(1), Anchor: Start);
        (await fx.Api.AttachTriggerAsync(ev, trigger)).Unwrap();
        var (from, to) = (Start.AddDays(-7), Start); // 10,080 one-minute fires

        var first = (await fx.Api.BackfillTriggerAsync(trigger.Id, from, to)).Unwrap();

        Assert.True(first.Cut);
        Assert.Equal((10_000, 10_000, from.AddMinutes(10_000)), (first.Instants, first.Queued, first.ResumeFrom));
        var rest = (await fx.Api.BackfillTriggerAsync(trigger.Id, first.ResumeFrom!.Value, to)).Unwrap();
        Assert.False(rest.Cut);
        Assert.Equal((80, 80, 0), (rest.Instants, rest.Queued, rest.AlreadyBackfilled));
        await Eventually.TrueAsync(() => Task.FromResult(Snapshot(seen, c => c.ScheduledAt).Count >= 10_080), TimeSpan.FromSeconds(120), "10,080 runs");
        Assert.Equal(Enumerable.Range(0, 10_080).Select(m => from.AddMinutes(m)), Snapshot(seen, c => c.ScheduledAt));
        (await fx.Api.RemoveEventAsync(ev)).Unwrap();
    }

    [Fact]
    public async Task Bad_requests_are_refused_with_clear_errors_and_change_nothing()
    {
        var seen = new List<EventContext>();
        var ev = await SerialEventAsync(seen);
        var trigger = Hourly();
        (await fx.Api.AttachTriggerAsync(ev, trigger)).Unwrap();
        var hook = new Trigger(new TriggerId(ClusterFixture.Unique("tr-hook")), TriggerKind.EXTERNAL);
        (await fx.Api.AttachTriggerAsync(ev, hook)).Unwrap();
        var now = fx.Clock.GetUtcNow();

        AssertRefused(ErrorKind.VALIDATION, "in the future", await fx.Api.BackfillTriggerAsync(trigger.Id, now.AddHours(-3), now.AddHours(1)));
        AssertRefused(ErrorKind.VALIDATION, "must be before", await fx.Api.BackfillTriggerAsync(trigger.Id, now.AddHours(-3), now.AddHours(-3)));
        AssertRefused(ErrorKind.VALIDATION, "must be before", await fx.Api.BackfillTriggerAsync(trigger.Id, now.AddHours(-3), now.AddHours(-4)));
        AssertRefused(ErrorKind.VALIDATION, "BackfillMaxRange", await fx.Api.BackfillTriggerAsync(trigger.Id, now.AddDays(-367), now.AddHours(-1)));
        AssertRefused(ErrorKind.VALIDATION, "has no schedule", await fx.Api.BackfillTriggerAsync(hook.Id, now.AddHours(-3), now));
        AssertRefused(ErrorKind.NOT_FOUND, "does not exist", await fx.Api.BackfillTriggerAsync(new TriggerId(ClusterFixture.Unique("nope")), now.AddHours(-3), now));
        AssertRefused(ErrorKind.VALIDATION, "", await fx.Api.BackfillTriggerAsync(new TriggerId("bad id"), now.AddHours(-3), now));
        (await fx.Api.SetTriggerPausedAsync(trigger.Id, true)).Unwrap();
        AssertRefused(ErrorKind.NOT_ACTIVE, "paused", await fx.Api.BackfillTriggerAsync(trigger.Id, now.AddHours(-3), now));
        (await fx.Api.SetTriggerPausedAsync(trigger.Id, false)).Unwrap();

        // A paused event refuses the instants (told in the report) and records nothing; they run once it is resumed.
        (await fx.Api.SetEventActiveAsync(ev, false)).Unwrap();
        var refused = (await fx.Api.BackfillTriggerAsync(trigger.Id, Start.AddHours(-3), Start)).Unwrap();
        Assert.Equal((3, 0, 0, 0, 3), (refused.Instants, refused.Queued, refused.Skipped, refused.AlreadyBackfilled, refused.Refused));
        await Task.Delay(300);
        Assert.Empty((await fx.Api.HistoryAsync(ev)).Unwrap());
        var status = (await fx.Api.StatusAsync(ev)).Unwrap();
        Assert.Equal((0, 0), (status.QueueDepth, status.Running));
        lock (seen) Assert.Empty(seen);
        (await fx.Api.SetEventActiveAsync(ev, true)).Unwrap();
        var resumed = (await fx.Api.BackfillTriggerAsync(trigger.Id, Start.AddHours(-3), Start)).Unwrap();
        Assert.Equal(3, resumed.Queued);
        await Eventually.TrueAsync(() => Task.FromResult(Snapshot(seen, c => c.ScheduledAt).Count == 3), TimeSpan.FromSeconds(20), "three runs");
        (await fx.Api.RemoveEventAsync(ev)).Unwrap();

        static void AssertRefused(ErrorKind kind, string message, Result<BackfillReport> result)
        {
            Assert.True(result.IsErr, $"expected {kind}, got {result}");
            Assert.Equal(kind, result.UnwrapErr().Kind);
            Assert.Contains(message, result.UnwrapErr().Message);
        }
    }
}
