using Orleans.ConvoOrchestrator.Grains;
using Orleans.ConvoOrchestrator.Runtime;
using Orleans.ConvoOrchestrator.Runtime.Grains;

namespace Orleans.ConvoOrchestrator.Tests.StoreContract;

/// <summary>
/// What every store must do, whatever it is: the same tests for the memory stores and the Redis stores (a derived
/// class per store supplies them). Each test gets stores of its own (a fresh key space with Redis).
/// </summary>
public abstract class StoreContractTests
{
    private static readonly EventId Ev = new("ev");
    private static readonly DateTimeOffset T0 = new(2026, 12, 2, 10, 0, 0, TimeSpan.Zero);

    /// <summary>The failed lists' retention the stores are made with: small, so the tests reach it.</summary>
    private protected static readonly FailedJobRetention Retention = new(3, TimeSpan.FromHours(1));

    /// <summary>A job store, the history store it ends jobs into, and a catalog store, empty and apart from any other test's.</summary>
    private protected abstract Task<(IJobStore Jobs, IHistoryStore History, ICatalogStore Catalog)> CreateAsync();

    private static QueuedJob Job(int n, int deliveries = 0) =>
        new($"job-{n}", n, $"{{\"n\":{n}}}", n % 2 == 0 ? new TriggerId("tr") : null, $"corr-{n}", T0.AddSeconds(n),
            n % 2 == 0 ? T0.AddSeconds(n - 1) : null, deliveries, n % 3 == 0 ? "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01" : null);

    private static JobRecord Ended(int n, int delivery = 1, JobStatus status = JobStatus.OK) =>
        new($"job-{n}", n % 2 == 0 ? new TriggerId("tr") : null, T0.AddSeconds(n),
            new JobOutcome(status, T0.AddSeconds(n + 1), T0.AddSeconds(n + 2),
                status == JobStatus.OK ? null : new AppError(ErrorKind.TIMEOUT, "attempt 2 exceeded the timeout of 1 s"),
                Retries: 1, ResultPreview: status == JobStatus.OK ? $"r{n}" : null, Delivery: delivery));

    private static async Task<List<string>> RunsAsync(IHistoryStore history, EventId ev, int limit = 100) =>
        (await history.LoadAsync(ev, limit)).Select(r => $"{r.JobId}/{r.Outcome.Delivery}").ToList();

    [Fact]
    public async Task Stored_jobs_load_back_with_every_field_and_a_rewrite_replaces_by_id()
    {
        var (jobs, _, _) = await CreateAsync();
        await jobs.WriteAsync(Ev, [Job(1), Job(2), Job(3)], [], 10);
        await jobs.WriteAsync(Ev, [Job(2, deliveries: 1)], [], 10);

        var loaded = (await jobs.LoadAsync(Ev)).OrderBy(j => j.Seq).ToList();
        Assert.Equal([Job(1), Job(2, deliveries: 1), Job(3)], loaded);
        Assert.Equal(3, await jobs.CountAsync(Ev));
        Assert.Equal([Ev], await jobs.PendingEventsAsync());
    }

    [Fact]
    public async Task Ending_a_job_deletes_its_record_and_appends_its_outcome_in_one_write()
    {
        var (jobs, history, _) = await CreateAsync();
        await jobs.WriteAsync(Ev, [Job(1), Job(2)], [], 10);
        // One write that accepts a job and ends another.
        await jobs.WriteAsync(Ev, [Job(3)], [Ended(1, status: JobStatus.ERR)], 10);

        Assert.Equal(["job-2", "job-3"], (await jobs.LoadAsync(Ev)).Select(j => j.JobId).Order());
        Assert.Equal([Ended(1, status: JobStatus.ERR)], await history.LoadAsync(Ev, 10)); // every field, the error included
    }

    [Fact]
    public async Task A_retried_end_write_lists_each_run_once_and_a_redelivery_is_a_run_of_its_own()
    {
        var (jobs, history, _) = await CreateAsync();
        await jobs.WriteAsync(Ev, [Job(1), Job(2)], [], 10);
        await jobs.WriteAsync(Ev, [], [Ended(1), Ended(2)], 10);
        // The same write again, as after an answer lost on its way back: nothing changes.
        await jobs.WriteAsync(Ev, [], [Ended(1), Ended(2)], 10);
        await jobs.WriteAsync(Ev, [], [Ended(2)], 10);
        // Job 1 ran again after a lost silo: its second delivery is listed beside the first.
        await jobs.WriteAsync(Ev, [], [Ended(1, delivery: 2)], 10);

        Assert.Equal(["job-1/1", "job-2/1", "job-1/2"], await RunsAsync(history, Ev));
        Assert.Equal(0, await jobs.CountAsync(Ev));
    }

    [Fact]
    public async Task The_history_keeps_the_newest_runs_oldest_first_and_reads_the_newest()
    {
        var (jobs, history, _) = await CreateAsync();
        for (var n = 0; n < 4; n++) await jobs.WriteAsync(Ev, [], [Ended(n)], 5);
        await jobs.WriteAsync(Ev, [], [Ended(4), Ended(5), Ended(6)], 5);

        Assert.Equal(["job-2/1", "job-3/1", "job-4/1", "job-5/1", "job-6/1"], await RunsAsync(history, Ev));
        Assert.Equal(["job-5/1", "job-6/1"], await RunsAsync(history, Ev, 2));
        Assert.Empty(await history.LoadAsync(Ev, 0));
    }

    [Fact]
    public async Task A_batch_larger_than_the_history_keeps_its_newest_also_when_written_twice()
    {
        var (jobs, history, _) = await CreateAsync();
        var batch = Enumerable.Range(0, 8).Select(n => Ended(n)).ToList();
        await jobs.WriteAsync(Ev, [], batch, 3);
        await jobs.WriteAsync(Ev, [], batch, 3);

        Assert.Equal(["job-5/1", "job-6/1", "job-7/1"], await RunsAsync(history, Ev));
    }

    [Fact]
    public async Task Writes_of_thousands_of_jobs_store_and_end_them_all_and_list_a_run_named_twice_once()
    {
        // More jobs than a store may hand its server in one command (the Redis script splits at 2,000 pairs).
        var (jobs, history, _) = await CreateAsync();
        var many = Enumerable.Range(0, 5_000).ToList();
        await jobs.WriteAsync(Ev, [.. many.Select(n => Job(n))], [], 10);
        Assert.Equal(5_000, await jobs.CountAsync(Ev));

        await jobs.WriteAsync(Ev, [Job(5_000)], [.. many.Select(n => Ended(n))], 4_500);
        Assert.Equal(["job-5000"], (await jobs.LoadAsync(Ev)).Select(j => j.JobId));
        Assert.Equal(many.Skip(500).Select(n => $"job-{n}/1"), await RunsAsync(history, Ev, 5_000));

        await jobs.WriteAsync(Ev, [], [Ended(5_000), Ended(5_000)], 4_500);
        Assert.Equal(["job-4999/1", "job-5000/1"], await RunsAsync(history, Ev, 2));
        Assert.Equal(4_500, (await history.LoadAsync(Ev, 5_000)).Count);
    }

    [Fact]
    public async Task Events_are_apart_and_clearing_one_leaves_the_others()
    {
        var (jobs, history, _) = await CreateAsync();
        var other = new EventId("other");
        await jobs.WriteAsync(Ev, [Job(1)], [Ended(9)], 10);
        await jobs.WriteAsync(other, [Job(2)], [Ended(8)], 10);

        await jobs.ClearAsync(Ev);
        await history.ClearAsync(Ev);

        Assert.Empty(await jobs.LoadAsync(Ev));
        Assert.Empty(await history.LoadAsync(Ev, 10));
        Assert.Equal([other], await jobs.PendingEventsAsync());
        Assert.Equal(["job-2"], (await jobs.LoadAsync(other)).Select(j => j.JobId));
        Assert.Equal(["job-8/1"], await RunsAsync(history, other));
    }

    [Fact]
    public async Task An_event_is_unlisted_only_once_it_has_no_stored_job()
    {
        var (jobs, _, _) = await CreateAsync();
        await jobs.WriteAsync(Ev, [Job(1)], [], 10);
        await jobs.ForgetIfEmptyAsync(Ev);
        Assert.Equal([Ev], await jobs.PendingEventsAsync());

        await jobs.WriteAsync(Ev, [], [Ended(1)], 10);
        await jobs.ForgetIfEmptyAsync(Ev);
        Assert.Empty(await jobs.PendingEventsAsync());
    }

    [Fact]
    public async Task A_history_size_under_one_is_refused_and_changes_nothing()
    {
        var (jobs, history, _) = await CreateAsync();
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => jobs.WriteAsync(Ev, [Job(1)], [Ended(2)], 0));
        Assert.Equal(0, await jobs.CountAsync(Ev));
        Assert.Empty(await history.LoadAsync(Ev, 10));
    }

    [Fact]
    public async Task The_catalog_lists_in_ordinal_order_page_by_page_and_replaces_and_removes_by_id()
    {
        var (_, _, catalog) = await CreateAsync();
        foreach (var id in new[] { "b", "a", "c", "B", "a-1" }) await catalog.PutAsync(CatalogKeys.Events, id, $"{{\"id\":\"{id}\"}}");
        await catalog.PutAsync(CatalogKeys.Events, "a", "{\"id\":\"a\",\"v\":2}");
        await catalog.RemoveAsync(CatalogKeys.Events, "c");
        await catalog.RemoveAsync(CatalogKeys.Events, "never-there");
        await catalog.PutAsync(CatalogKeys.Triggers, "t", "{}");

        var first = await catalog.ListAsync(CatalogKeys.Events, null, 2);
        var rest = await catalog.ListAsync(CatalogKeys.Events, first[^1].Id, 10);
        Assert.Equal(["B", "a"], first.Select(e => e.Id));
        Assert.Equal("{\"id\":\"a\",\"v\":2}", first[1].Json);
        Assert.Equal(["a-1", "b"], rest.Select(e => e.Id));
        Assert.Equal(["t"], (await catalog.ListAsync(CatalogKeys.Triggers, null, 10)).Select(e => e.Id));
    }

    private static QueuedJob Keyed(int n, string key, TimeSpan window, int deliveries = 0, double atSeconds = 0) =>
        Job(n, deliveries) with { EnqueuedAt = T0.AddSeconds(atSeconds), IdempotencyKey = key, IdempotentUntil = T0.AddSeconds(atSeconds) + window };

    [Fact]
    public async Task A_new_job_whose_idempotency_key_another_holds_is_refused_and_not_stored()
    {
        var (jobs, _, _) = await CreateAsync();
        var day = TimeSpan.FromDays(1);
        Assert.Empty(await jobs.WriteAsync(Ev, [Keyed(1, "order-7", day)], [], 10));
        // Two more with the same key, one of them in the same write as an unkeyed job.
        Assert.Equal([new KeyConflict("job-2", "job-1")], await jobs.WriteAsync(Ev, [Keyed(2, "order-7", day, atSeconds: 5)], [], 10));
        Assert.Equal([new KeyConflict("job-3", "job-1")], await jobs.WriteAsync(Ev, [Job(4), Keyed(3, "order-7", day, atSeconds: 6)], [], 10));
        // Another key, and the holder written again (a delivery mark, a repeated write): stored, never refused.
        Assert.Empty(await jobs.WriteAsync(Ev, [Keyed(5, "order-8", day), Keyed(1, "order-7", day, deliveries: 1)], [], 10));

        Assert.Equal(["job-1", "job-4", "job-5"], (await jobs.LoadAsync(Ev)).Select(j => j.JobId).Order());
        Assert.Equal(1, (await jobs.LoadAsync(Ev)).Single(j => j.JobId == "job-1").Deliveries);
        Assert.Equal("order-7", (await jobs.LoadAsync(Ev)).Single(j => j.JobId == "job-1").IdempotencyKey);
    }

    [Fact]
    public async Task A_key_is_held_after_its_job_ended_until_its_window_is_over_and_an_events_keys_go_with_it()
    {
        var (jobs, _, _) = await CreateAsync();
        var window = TimeSpan.FromMilliseconds(300);
        await jobs.WriteAsync(Ev, [Keyed(1, "k", window), Keyed(2, "long", TimeSpan.FromDays(1))], [], 10);
        await jobs.WriteAsync(Ev, [], [Ended(1), Ended(2)], 10);
        Assert.Equal([new KeyConflict("job-3", "job-1")], await jobs.WriteAsync(Ev, [Keyed(3, "k", window, atSeconds: 0.1)], [], 10));

        await Task.Delay(window * 3); // past the window, by the store's clock and by the jobs' times alike
        Assert.Empty(await jobs.WriteAsync(Ev, [Keyed(4, "k", window, atSeconds: 5)], [], 10));

        // A removed event's keys go: an event of the same id starts afresh.
        await jobs.ClearAsync(Ev);
        Assert.Empty(await jobs.WriteAsync(Ev, [Keyed(5, "long", TimeSpan.FromDays(1), atSeconds: 6)], [], 10));
        Assert.Equal(["job-5"], (await jobs.LoadAsync(Ev)).Select(j => j.JobId));
    }

    [Fact]
    public async Task Held_keys_are_told_with_their_holders_also_after_their_jobs_ended_and_per_event()
    {
        var (jobs, _, _) = await CreateAsync();
        var day = TimeSpan.FromDays(1);
        await jobs.WriteAsync(Ev, [Keyed(1, "backfill:tr:a", day), Keyed(2, "backfill:tr:b", day)], [], 10);
        await jobs.WriteAsync(Ev, [], [Ended(1)], 10);

        var held = await jobs.HeldKeysAsync(Ev, ["backfill:tr:a", "backfill:tr:b", "backfill:tr:c"], T0.AddMinutes(1));
        Assert.Equal(new Dictionary<string, string> { ["backfill:tr:a"] = "job-1", ["backfill:tr:b"] = "job-2" }, held);
        Assert.Empty(await jobs.HeldKeysAsync(new EventId("ev-other"), ["backfill:tr:a"], T0.AddMinutes(1)));
        Assert.Empty(await jobs.HeldKeysAsync(Ev, [], T0));
        await jobs.ClearAsync(Ev);
        Assert.Empty(await jobs.HeldKeysAsync(Ev, ["backfill:tr:a", "backfill:tr:b"], T0.AddMinutes(1)));
    }

    [Fact]
    public async Task A_backfilled_job_loads_back_as_one_and_its_failure_says_so()
    {
        var (jobs, _, _) = await CreateAsync();
        await jobs.WriteAsync(Ev, [Job(1) with { IsBackfill = true }, Job(3)], [], 10);

        var loaded = await jobs.LoadAsync(Ev);
        Assert.True(loaded.Single(j => j.JobId == "job-1").IsBackfill);
        Assert.False(loaded.Single(j => j.JobId == "job-3").IsBackfill);
        await jobs.WriteAsync(Ev, [], [Failed(1, 100), Failed(3, 101)], 10);
        var failed = await jobs.LoadFailedAsync(Ev, 10);
        Assert.True(failed.Single(f => f.JobId == "job-1").IsBackfill);
        Assert.False(failed.Single(f => f.JobId == "job-3").IsBackfill);
    }

    private static JobRecord Failed(int n, double endSecond, int delivery = 1) =>
        new($"job-{n}", n % 2 == 0 ? new TriggerId("tr") : null, T0.AddSeconds(n),
            new JobOutcome(JobStatus.ERR, T0.AddSeconds(endSecond - 1), T0.AddSeconds(endSecond), new AppError(ErrorKind.HANDLER_EXEC_ERROR, $"boom {n}"),
                Retries: 2, Delivery: delivery));

    [Fact]
    public async Task A_job_that_ends_ERR_goes_to_the_failed_list_with_its_payload_in_the_same_write()
    {
        var (jobs, history, _) = await CreateAsync();
        await jobs.WriteAsync(Ev, [Job(1), Job(2), Job(3), Job(4)], [], 10);
        await jobs.WriteAsync(Ev, [], [Failed(1, 100), Ended(2), Ended(3, status: JobStatus.CANCELLED), Failed(4, 101)], 10);
        await jobs.WriteAsync(Ev, [], [Failed(4, 101)], 10); // the same write again: listed once

        var failed = await jobs.LoadFailedAsync(Ev, 10);
        Assert.Equal(["job-4", "job-1"], failed.Select(f => f.JobId)); // newest failure first; OK and CANCELLED are not failures
        var one = failed[1];
        Assert.Equal(new FailedJob(Ev, "job-1", "{\"n\":1}", null, "corr-1", T0.AddSeconds(1), null, Failed(1, 100).Outcome), one);
        Assert.Equal(3, one.Attempts);
        Assert.Equal(new TriggerId("tr"), failed[0].TriggerId);
        Assert.Equal(4, (await history.LoadAsync(Ev, 10)).Count); // in the history too
        Assert.Equal(0, await jobs.CountAsync(Ev));
        Assert.Equal([Ev], await jobs.EventsWithFailedAsync());
    }

    [Fact]
    public async Task The_failed_list_keeps_the_newest_within_its_retention()
    {
        var (jobs, _, _) = await CreateAsync();
        await jobs.WriteAsync(Ev, Enumerable.Range(1, 6).Select(n => Job(n)).ToList(), [], 10);
        // Retention: 3 entries, one hour. Job 1 failed two hours before the newest.
        await jobs.WriteAsync(Ev, [], [Failed(1, 0)], 10);
        await jobs.WriteAsync(Ev, [], [Failed(2, 7000), Failed(3, 7100)], 10);
        Assert.Equal(["job-3", "job-2"], (await jobs.LoadFailedAsync(Ev, 10)).Select(f => f.JobId));
        await jobs.WriteAsync(Ev, [], [Failed(4, 7200), Failed(5, 7300)], 10);
        Assert.Equal(["job-5", "job-4", "job-3"], (await jobs.LoadFailedAsync(Ev, 10)).Select(f => f.JobId));
        Assert.Equal(["job-5"], (await jobs.LoadFailedAsync(Ev, 1)).Select(f => f.JobId));
    }

    [Fact]
    public async Task Requeue_moves_a_failed_job_back_once_and_discard_drops_entries()
    {
        var (jobs, _, _) = await CreateAsync();
        await jobs.WriteAsync(Ev, [Job(1), Job(2), Job(3)], [], 10);
        await jobs.WriteAsync(Ev, [], [Failed(1, 10), Failed(2, 11), Failed(3, 12)], 10);

        var again = Job(1, deliveries: 1) with { Seq = 9 };
        Assert.Equal(["job-1"], await jobs.RequeueFailedAsync(Ev, [again, Job(7)])); // job 7 never failed
        Assert.Empty(await jobs.RequeueFailedAsync(Ev, [again])); // a repeat moves nothing
        Assert.Equal([again], await jobs.LoadAsync(Ev));
        Assert.Equal(["job-3", "job-2"], (await jobs.LoadFailedAsync(Ev, 10)).Select(f => f.JobId));

        Assert.Equal(1, await jobs.DiscardFailedAsync(Ev, ["job-2", "job-9"]));
        Assert.Equal(1, await jobs.DiscardFailedAsync(Ev, null));
        Assert.Empty(await jobs.LoadFailedAsync(Ev, 10));
        Assert.Empty(await jobs.EventsWithFailedAsync());
    }
}
