using Microsoft.Extensions.Time.Testing;
using Orleans.ConvoOrchestrator.Runtime.Grains;
using Orleans.ConvoOrchestrator.Runtime.Jobs;

namespace Orleans.ConvoOrchestrator.UnitTests;

/// <summary>
/// The job lifecycle of one event without Orleans or a store: the test plays the grain, carrying out (and recording)
/// each effect the table asks for and reporting the ends of store writes back to it.
/// </summary>
public sealed class EventJobsTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 2, 10, 0, 0, TimeSpan.Zero);
    private readonly FakeTimeProvider _clock = new(T0);
    private readonly Effects _fx = new();
    private bool _stopping;

    private EventJobs Table(int maxConcurrency = 1, double? rate = null, int? queueLimit = null)
    {
        var jobs = new EventJobs(_fx, _clock, () => _stopping);
        jobs.Configure(new JobRules(maxConcurrency, rate, queueLimit));
        return jobs;
    }

    private static QueuedJob Job(int n, int deliveries = 0) => new($"job-{n}", n, "null", null, $"job-{n}", T0.AddMilliseconds(n), null, deliveries);

    private static JobOutcome Ok(string? preview = null) => new(JobStatus.OK, T0, T0.AddSeconds(1), ResultPreview: preview);

    // Accepts job n as the table admits it; returns the job as it was accepted (delivery 1 when admitted at once).
    private static QueuedJob Accept(EventJobs jobs, int n)
    {
        var admission = jobs.Admit();
        var job = Job(n, admission == Admission.StartNow ? 1 : 0);
        _ = jobs.Accept(job, admission);
        return job;
    }

    private static void StoreAppends(EventJobs jobs, params QueuedJob[] appended) => jobs.Stored(appended, [], [], []);

    [Fact]
    public void A_job_accepted_with_a_free_slot_starts_once_stored_without_a_second_write()
    {
        var jobs = Table();
        var job = Accept(jobs, 1);
        Assert.Equal(1, job.Deliveries);
        Assert.Equal(JobState.StoringToStart, jobs.StateOf("job-1"));
        Assert.Equal(1, jobs.Active);
        Assert.Empty(_fx.Dispatched); // never before it is stored

        StoreAppends(jobs, job);
        Assert.Equal(JobState.Running, jobs.StateOf("job-1"));
        Assert.Equal(["job-1"], _fx.Dispatched.Select(j => j.JobId));
        Assert.Empty(_fx.Marks);
        Assert.Equal(["job-1"], _fx.EnqueuedIds);
    }

    [Fact]
    public void Jobs_behind_others_queue_once_stored_and_are_marked_before_they_are_dispatched()
    {
        var jobs = Table();
        var first = Accept(jobs, 1);
        var second = Accept(jobs, 2);
        Assert.Equal(0, second.Deliveries);
        Assert.Equal(JobState.Storing, jobs.StateOf("job-2"));
        Assert.Equal(1, jobs.Waiting); // being stored counts toward the queue's depth

        StoreAppends(jobs, first, second);
        Assert.Equal(JobState.Queued, jobs.StateOf("job-2"));
        Assert.Equal(1, jobs.Waiting);

        Assert.True(jobs.Complete("job-1", Ok()));
        Assert.Equal(JobState.Ending, jobs.StateOf("job-1"));
        Assert.Equal(JobState.Starting, jobs.StateOf("job-2"));
        var mark = Assert.Single(_fx.Marks);
        Assert.Equal(1, Assert.Single(mark).Deliveries);
        Assert.Equal(["job-1"], _fx.Dispatched.Select(j => j.JobId)); // not before its mark is stored

        jobs.Stored([], mark, [], []);
        Assert.Equal(JobState.Running, jobs.StateOf("job-2"));
        Assert.Equal(1, _fx.Dispatched[^1].Deliveries);
    }

    private static JobOutcome Cancelled() => new(JobStatus.CANCELLED, T0, T0, new AppError(ErrorKind.CANCELLED, "cancelled"));

    [Fact]
    public void A_queued_job_cancelled_ends_at_once_and_the_cancel_completes_once_its_end_is_stored()
    {
        var jobs = Table();
        var running = Accept(jobs, 1);
        var queued = Accept(jobs, 2);
        StoreAppends(jobs, running, queued);

        var end = jobs.Cancel("job-2", Cancelled(), out var state);
        Assert.Equal(JobState.Queued, state);
        Assert.NotNull(end);
        Assert.Equal(JobState.Ending, jobs.StateOf("job-2"));
        Assert.Equal(0, jobs.Waiting);
        Assert.Equal(JobStatus.CANCELLED, _fx.EndedJobs.Single().Outcome.Status); // a test-run waiting on it is answered
        Assert.False(end.IsCompleted); // not before it is stored

        jobs.Stored([], [], [_fx.Ends.Single()], []);
        Assert.True(end.IsCompletedSuccessfully);
        Assert.Null(jobs.StateOf("job-2"));
        Assert.True(jobs.Complete("job-1", Ok()));
        Assert.Empty(_fx.Marks); // nothing left to start: the cancelled job never runs
        Assert.Equal(["job-1"], _fx.Dispatched.Select(j => j.JobId));
    }

    [Fact]
    public void A_job_cancelled_while_its_append_is_in_flight_ends_instead_of_queueing()
    {
        var jobs = Table();
        var running = Accept(jobs, 1);
        var storing = Accept(jobs, 2);
        var end = jobs.Cancel("job-2", Cancelled(), out var state);
        Assert.Equal(JobState.Storing, state);
        Assert.Empty(_fx.Ends); // its record is not stored yet: nothing to delete

        StoreAppends(jobs, running, storing);
        Assert.Equal(JobState.Ending, jobs.StateOf("job-2"));
        jobs.Stored([], [], [_fx.Ends.Single()], []);
        Assert.True(end!.IsCompletedSuccessfully);
        Assert.True(jobs.Complete("job-1", Ok()));
        Assert.Empty(_fx.Marks);
    }

    [Fact]
    public void Unknown_jobs_are_not_cancelled_and_a_failed_end_write_fails_the_cancel()
    {
        var jobs = Table();
        var running = Accept(jobs, 1);
        var queued = Accept(jobs, 2);
        StoreAppends(jobs, running, queued);
        Assert.Null(jobs.Cancel("job-9", Cancelled(), out var state));
        Assert.Null(state);

        var end = jobs.Cancel("job-2", Cancelled(), out _);
        jobs.Failed([], [], [_fx.Ends.Single()], new TimeoutException("lost"));
        Assert.IsType<TimeoutException>(end!.Exception!.InnerException);
        Assert.Equal(JobState.Ending, jobs.StateOf("job-2")); // written again after a while, never started
        Assert.NotNull(_fx.RetryTimer);
    }

    [Fact]
    public void A_running_job_cancelled_stores_its_end_at_once_and_keeps_its_slot_until_its_handler_reports()
    {
        var jobs = Table();
        var running = Accept(jobs, 1);
        var queued = Accept(jobs, 2);
        StoreAppends(jobs, running, queued);

        var end = jobs.Cancel("job-1", Cancelled(), out var state);
        Assert.Equal(JobState.Running, state);
        Assert.Equal(["job-1"], _fx.Stopped.Select(j => j.JobId)); // its handler's token is cancelled
        Assert.Equal(JobState.Cancelling, jobs.StateOf("job-1"));
        Assert.Equal(JobStatus.CANCELLED, _fx.Ends.Single().Outcome.Status); // written at once: never runs again
        Assert.Null(jobs.Cancel("job-1", Cancelled(), out state)); // once
        Assert.Equal(JobState.Cancelling, state);

        jobs.Stored([], [], [_fx.Ends.Single()], []);
        Assert.True(end!.IsCompletedSuccessfully);
        Assert.Equal((1, 1), (jobs.Active, jobs.Waiting)); // the handler still holds the slot: job 2 waits
        Assert.Empty(_fx.Marks);

        Assert.True(jobs.Complete("job-1", Ok())); // the handler stopped (or was abandoned)
        Assert.Null(jobs.StateOf("job-1"));
        Assert.Single(_fx.Ends); // its report writes nothing more: CANCELLED stands
        Assert.Equal(["job-2"], _fx.TakeMarks().Single().Select(j => j.JobId));
    }

    [Fact]
    public void A_cancelled_running_job_whose_handler_reports_before_the_end_is_stored_leaves_once_stored()
    {
        var jobs = Table();
        StoreAppends(jobs, Accept(jobs, 1));
        var end = jobs.Cancel("job-1", Cancelled(), out _);
        Assert.True(jobs.Complete("job-1", Ok()));
        Assert.Equal(JobState.Cancelling, jobs.StateOf("job-1"));
        Assert.Equal(JobStatus.CANCELLED, jobs.Unstored().Single().Outcome.Status); // listed until stored
        Assert.Equal(0, jobs.Active);

        jobs.Failed([], [], [_fx.Ends.Single()], new TimeoutException("lost"));
        jobs.RetryWrites();
        Assert.Equal(2, _fx.Ends.Count); // written again
        jobs.Stored([], [], [_fx.Ends[1]], []);
        Assert.Null(jobs.StateOf("job-1"));
    }

    [Fact]
    public void A_job_cancelled_while_its_start_is_being_written_never_reaches_a_handler()
    {
        var jobs = Table();
        var first = Accept(jobs, 1); // starts at once: its append carries delivery 1
        var second = Accept(jobs, 2);
        StoreAppends(jobs, second);
        var firstEnd = jobs.Cancel("job-1", Cancelled(), out var firstState);
        Assert.Equal(JobState.StoringToStart, firstState);
        Assert.False(firstEnd!.IsCompleted);
        StoreAppends(jobs, first);
        Assert.Empty(_fx.Dispatched);
        Assert.Equal(JobState.Ending, jobs.StateOf("job-1"));

        // Job 2 got the slot; its delivery mark is in flight when it is cancelled.
        var mark = _fx.TakeMarks().Single();
        Assert.Equal(["job-2"], mark.Select(j => j.JobId));
        var end = jobs.Cancel("job-2", Cancelled(), out var state);
        Assert.Equal(JobState.Starting, state);
        jobs.Stored([], mark, [], []);
        Assert.Empty(_fx.Dispatched);
        Assert.Equal(JobState.Ending, jobs.StateOf("job-2"));
        Assert.Equal(0, jobs.Active);
        jobs.Stored([], [], _fx.Ends.ToList(), []);
        Assert.True(end!.IsCompletedSuccessfully);
        Assert.Equal(0, jobs.Count);
    }

    [Fact]
    public void The_slot_of_a_job_cancelled_while_its_start_is_being_written_goes_to_the_next_in_the_queue()
    {
        // Seen with Redis (a mark takes a round trip): the freed slot stayed unused, and the queue behind it waited forever.
        var jobs = Table();
        var first = Accept(jobs, 1);
        var waiting = new[] { Accept(jobs, 2), Accept(jobs, 3) };
        StoreAppends(jobs, first);
        StoreAppends(jobs, waiting);
        Assert.True(jobs.Complete("job-1", Ok()));
        var mark = _fx.TakeMarks().Single();
        Assert.Equal(["job-2"], mark.Select(j => j.JobId));
        Assert.NotNull(jobs.Cancel("job-2", Cancelled(), out var state));
        Assert.Equal(JobState.Starting, state);

        jobs.Stored([], mark, [], []); // a mark-only write: no append in it
        Assert.Equal(JobState.Ending, jobs.StateOf("job-2"));
        Assert.Equal(JobState.Starting, jobs.StateOf("job-3"));
        Assert.Equal(["job-3"], _fx.TakeMarks().Single().Select(j => j.JobId));
        Assert.Equal(1, jobs.Active);
    }

    [Fact]
    public void Cancelling_all_waiting_jobs_leaves_the_running_ones()
    {
        var jobs = Table(maxConcurrency: 2);
        var accepted = Enumerable.Range(1, 5).Select(n => Accept(jobs, n)).ToArray();
        StoreAppends(jobs, accepted[..4]); // job-5's append is still in flight
        var ends = jobs.CancelAllWaiting(Cancelled());
        Assert.Equal(3, ends.Count); // job-3, job-4 queued; job-5 being stored
        Assert.Equal(0, jobs.Waiting);
        Assert.Equal(2, jobs.Active);
        Assert.Equal(JobState.Running, jobs.StateOf("job-1"));
        Assert.Empty(jobs.CancelAllWaiting(Cancelled())); // nothing waits any more
    }

    [Fact]
    public void Overlap_looks_only_at_the_triggers_own_jobs_that_wait_or_hold_a_slot()
    {
        var jobs = Table();
        var tr = new TriggerId("tr");
        QueuedJob Fire(int n)
        {
            var admission = jobs.Admit();
            var job = Job(n, admission == Admission.StartNow ? 1 : 0) with { TriggerId = tr };
            _ = jobs.Accept(job, admission);
            return job;
        }

        var emitted = Accept(jobs, 1); // no trigger: never an overlap
        Assert.False(jobs.Overlaps(tr, OverlapPolicy.Skip));
        var running = Fire(2); // waits behind the emit
        Assert.True(jobs.Overlaps(tr, OverlapPolicy.Skip));
        Assert.True(jobs.Overlaps(tr, OverlapPolicy.BufferOne));
        Assert.False(jobs.Overlaps(tr, OverlapPolicy.AllowAll));
        Assert.False(jobs.Overlaps(new TriggerId("other"), OverlapPolicy.Skip));

        StoreAppends(jobs, emitted, running);
        Assert.True(jobs.Complete("job-1", Ok()));
        jobs.Stored([], Assert.Single(_fx.Marks), [], []);
        Assert.Equal(JobState.Running, jobs.StateOf("job-2"));
        Assert.True(jobs.Overlaps(tr, OverlapPolicy.Skip)); // runs
        Assert.False(jobs.Overlaps(tr, OverlapPolicy.BufferOne)); // but none waits: one more may queue

        Assert.True(jobs.Complete("job-2", Ok()));
        Assert.Equal(JobState.Ending, jobs.StateOf("job-2"));
        Assert.False(jobs.Overlaps(tr, OverlapPolicy.Skip)); // its handler is done, even if its outcome is not stored yet
    }

    [Fact]
    public void An_ended_job_frees_its_slot_at_once_and_leaves_the_table_only_once_its_outcome_is_stored()
    {
        var jobs = Table();
        var job = Accept(jobs, 1);
        StoreAppends(jobs, job);
        Assert.True(jobs.Complete("job-1", Ok("done")));

        Assert.Equal(0, jobs.Active);
        var record = Assert.Single(_fx.Ends);
        Assert.Equal(("job-1", "done"), (record.JobId, record.Outcome.ResultPreview));
        Assert.Equal(JobStatus.OK, _fx.EndedJobs.Single().Outcome.Status); // the caller is answered at once
        Assert.Equal(JobStatus.OK, jobs.LastOutcome!.Status);
        Assert.Equal([record], jobs.Unstored());
        Assert.Equal(1, jobs.Count);

        jobs.Stored([], [], [record], []);
        Assert.Null(jobs.StateOf("job-1"));
        Assert.Equal(0, jobs.Count);
        Assert.Empty(jobs.Unstored());
        Assert.False(jobs.Complete("job-1", Ok())); // a report repeated later changes nothing
    }

    [Fact]
    public void History_lists_unstored_ends_after_the_stored_ones_newest_first_each_run_once()
    {
        var jobs = Table(3);
        var (a, b, c) = (Accept(jobs, 1), Accept(jobs, 2), Accept(jobs, 3));
        StoreAppends(jobs, a, b, c);
        _clock.Advance(TimeSpan.FromSeconds(1));
        Assert.True(jobs.Complete("job-1", Ok("a")));
        _clock.Advance(TimeSpan.FromSeconds(1));
        Assert.True(jobs.Complete("job-2", Ok("b")));
        var (endA, endB) = (_fx.Ends[0], _fx.Ends[1]);
        var older = new JobRecord("job-0", null, T0, Ok("old"));

        // job-1's end landed while the history was read: listed once, not again from the table.
        var history = jobs.History([older, endA], limit: 10);
        Assert.Equal(["job-2", "job-1", "job-0"], history.Select(r => r.JobId));
        // The limit keeps the newest.
        Assert.Equal(["job-2", "job-1"], jobs.History([older, endA], limit: 2).Select(r => r.JobId));
        // A second delivery of a stored run is another run.
        var redelivered = endA with { Outcome = endA.Outcome with { Delivery = endA.Outcome.Delivery + 1 } };
        Assert.Equal(2, jobs.History([older, redelivered], limit: 10).Count(r => r.JobId == "job-1"));
        Assert.Contains(endB, jobs.History([], limit: 10));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public void Jobs_start_in_acceptance_order_and_never_more_than_max_concurrency_at_once(int max)
    {
        var jobs = Table(max);
        var accepted = Enumerable.Range(1, 10).Select(n => Accept(jobs, n)).ToArray();
        StoreAppends(jobs, accepted);
        var random = new Random(7);
        while (_fx.Dispatched.Count < 10)
        {
            Assert.True(jobs.Active <= max);
            foreach (var mark in _fx.TakeMarks()) jobs.Stored([], mark, [], []);
            Assert.True(jobs.Active <= max);
            var running = _fx.Dispatched.Select(j => j.JobId).Where(id => jobs.StateOf(id) == JobState.Running).ToList();
            Assert.InRange(running.Count, 1, max);
            jobs.Complete(running[random.Next(running.Count)], Ok());
        }
        Assert.Equal(accepted.Select(j => j.JobId), _fx.Dispatched.Select(j => j.JobId));
    }

    [Fact]
    public void A_failed_append_lets_the_job_go_and_frees_the_slot_it_was_given()
    {
        var jobs = Table();
        var admitted = Accept(jobs, 1);
        var queued = Accept(jobs, 2);
        jobs.Failed([admitted, queued], [], [], new InvalidOperationException("store down"));

        Assert.Null(jobs.StateOf("job-1"));
        Assert.Null(jobs.StateOf("job-2"));
        Assert.Equal((0, 0, 0), (jobs.Active, jobs.Waiting, jobs.Count));
        Assert.Empty(_fx.Dispatched);
        Assert.Equal(Admission.StartNow, jobs.Admit()); // the slot is free again
        Assert.Equal("store down", Assert.Single(_fx.WriteFailures).Message); // and the failure is told, to be logged
    }

    [Fact]
    public void A_job_requeued_while_the_failed_append_of_the_slot_holder_was_in_flight_starts_with_the_retry()
    {
        var jobs = Table();
        var admitted = Accept(jobs, 1);
        Assert.True(jobs.TryRequeue(Job(2, deliveries: 1))); // from the failed list, already stored
        jobs.Pump();
        Assert.Empty(_fx.Marks); // the slot is job-1's
        jobs.Failed([admitted], [], [], new InvalidOperationException("store down"));
        Assert.Equal(TimeSpan.FromSeconds(1), _fx.RetryTimer);

        jobs.RetryWrites();
        Assert.Equal(["job-2"], _fx.TakeMarks().Single().Select(j => j.JobId));
    }

    [Fact]
    public void A_failed_mark_puts_the_jobs_back_at_the_head_in_order_with_their_stored_delivery_count()
    {
        var jobs = Table(2);
        var accepted = Enumerable.Range(1, 4).Select(n => Accept(jobs, n)).ToArray();
        StoreAppends(jobs, accepted);
        jobs.Complete("job-1", Ok());
        jobs.Complete("job-2", Ok());
        // One mark per freed slot here; the grain's write batcher carries marks asked for meanwhile in one write.
        var mark = _fx.TakeMarks().SelectMany(m => m).ToList();
        Assert.Equal(["job-3", "job-4"], mark.Select(j => j.JobId));

        jobs.Failed([], mark, [], new InvalidOperationException("store down"));
        Assert.Equal(["job-3", "job-4"], jobs.Queue().Select(j => j.JobId));
        Assert.All(jobs.Queue(), j => Assert.Equal(0, j.Deliveries));
        Assert.Equal(0, jobs.Active);
        Assert.Equal(TimeSpan.FromSeconds(1), _fx.RetryTimer);

        jobs.RetryWrites();
        Assert.Equal(["job-3", "job-4"], Assert.Single(_fx.TakeMarks()).Select(j => j.JobId));
    }

    [Fact]
    public void A_failed_end_write_keeps_the_job_ending_and_asks_for_the_same_write_again()
    {
        var jobs = Table();
        var job = Accept(jobs, 1);
        StoreAppends(jobs, job);
        jobs.Complete("job-1", Ok());
        var record = Assert.Single(_fx.Ends);

        jobs.Failed([], [], [record], new TimeoutException("no answer"));
        Assert.Equal(JobState.Ending, jobs.StateOf("job-1"));
        Assert.Equal(TimeSpan.FromSeconds(1), _fx.RetryTimer);

        jobs.RetryWrites();
        Assert.Equal(2, _fx.Ends.Count);
        Assert.Same(record, _fx.Ends[1]); // the same record: the store lists it once however often it is written
        jobs.Stored([], [], [record], []);
        Assert.Null(jobs.StateOf("job-1"));
    }

    [Fact]
    public void Recovery_resumes_stored_jobs_in_acceptance_order_and_waits_for_those_this_silo_still_runs()
    {
        var jobs = Table(2);
        // Loaded in no particular order; job-2 is still in this silo's worker pool (a deactivation, not a crash).
        var next = jobs.Recover([Job(3), Job(2, deliveries: 1), Job(1, deliveries: 1), Job(4)], id => id == "job-2");

        Assert.Equal(5, next);
        Assert.Equal(JobState.Running, jobs.StateOf("job-2"));
        Assert.Equal(JobState.Starting, jobs.StateOf("job-1"));
        // A redelivery is marked with its next delivery count.
        Assert.Equal([("job-1", 2)], Assert.Single(_fx.TakeMarks()).Select(j => (j.JobId, j.Deliveries)));
        Assert.Equal(2, jobs.Active);
        Assert.Equal(["job-3", "job-4"], jobs.Queue().Select(j => j.JobId));
        Assert.True(jobs.Complete("job-2", Ok())); // the report of the run from before the deactivation
        Assert.Equal(["job-3"], Assert.Single(_fx.TakeMarks()).Select(j => j.JobId));
    }

    [Fact]
    public void Adoption_queues_only_stored_jobs_the_table_does_not_know_nor_saw_end_during_the_read()
    {
        var jobs = Table();
        var mine = Accept(jobs, 1);
        StoreAppends(jobs, mine);
        jobs.BeginAdoption();
        jobs.Complete("job-1", Ok());
        jobs.Stored([], [], [_fx.Ends[0]], []); // job-1's record goes while the store is read

        var adopted = jobs.Adopt([Job(1, deliveries: 1), Job(7), Job(8)]);
        Assert.Equal(2, adopted);
        Assert.Null(jobs.StateOf("job-1"));
        Assert.Equal(JobState.Starting, jobs.StateOf("job-7"));
        Assert.Equal(JobState.Queued, jobs.StateOf("job-8"));
    }

    [Fact]
    public void The_rate_limit_holds_queued_jobs_and_asks_to_be_woken_when_the_next_may_start()
    {
        var jobs = Table(maxConcurrency: 5, rate: 1);
        var first = Accept(jobs, 1); // takes this second's token
        var second = Accept(jobs, 2);
        Assert.Equal(0, second.Deliveries);
        StoreAppends(jobs, first, second);
        Assert.Equal(JobState.Queued, jobs.StateOf("job-2"));
        Assert.NotNull(_fx.RateTimer);

        _clock.Advance(_fx.RateTimer!.Value);
        jobs.Pump(); // the timer's tick
        Assert.Equal(JobState.Starting, jobs.StateOf("job-2"));
    }

    [Fact]
    public void A_full_queue_refuses_and_a_stopping_silo_starts_nothing()
    {
        var jobs = Table(queueLimit: 1);
        var running = Accept(jobs, 1);
        var waiting = Accept(jobs, 2);
        StoreAppends(jobs, running, waiting);
        Assert.Equal(Admission.QueueFull, jobs.Admit());

        _stopping = true;
        jobs.Complete("job-1", Ok());
        Assert.Empty(_fx.Marks); // its queued job stays stored for a surviving silo
        Assert.Equal(JobState.Queued, jobs.StateOf("job-2"));
        Assert.Equal(Admission.QueueFull, jobs.Admit());

        var idle = Table();
        Assert.Equal(Admission.Queue, idle.Admit()); // a free slot, but no start while stopping
    }

    [Fact]
    public void A_higher_max_concurrency_starts_queued_jobs_at_once()
    {
        var jobs = Table();
        var accepted = Enumerable.Range(1, 3).Select(n => Accept(jobs, n)).ToArray();
        StoreAppends(jobs, accepted);
        jobs.Configure(new JobRules(3));
        Assert.Equal(["job-2", "job-3"], Assert.Single(_fx.TakeMarks()).Select(j => j.JobId));
        Assert.Equal(3, jobs.Active);
    }

    [Fact]
    public void A_skipped_fire_is_recorded_like_an_end_and_held_until_stored()
    {
        var jobs = Table();
        var skipped = new JobOutcome(JobStatus.SKIPPED, T0, T0, new AppError(ErrorKind.NOT_ACTIVE, "paused"));
        jobs.Skip(Job(9), skipped);
        Assert.Equal(JobState.Ending, jobs.StateOf("job-9"));
        Assert.Equal(JobStatus.SKIPPED, Assert.Single(_fx.Ends).Outcome.Status);
        Assert.Equal(0, jobs.Active);
        jobs.Stored([], [], [_fx.Ends[0]], []);
        Assert.Equal(0, jobs.Count);
    }

    [Fact]
    public void Clearing_answers_every_waiting_job_as_cancelled_and_forgets_all()
    {
        var jobs = Table();
        var running = Accept(jobs, 1);
        var queued = Accept(jobs, 2);
        StoreAppends(jobs, running, queued);
        _ = Accept(jobs, 3); // still being stored
        var cancelled = new JobOutcome(JobStatus.CANCELLED, T0, T0);

        jobs.Clear(cancelled);
        Assert.Equal(["job-2", "job-3"], _fx.EndedJobs.Select(e => e.Job.JobId).Order());
        Assert.Equal((0, 0, 0), (jobs.Count, jobs.Active, jobs.Waiting));
        StoreAppends(jobs, Job(3)); // its write lands after: nothing comes back
        Assert.Equal(0, jobs.Count);
        Assert.False(jobs.Complete("job-1", Ok()));
    }

    [Fact]
    public void A_report_for_a_job_recovered_as_queued_ends_it_without_running_it_again()
    {
        var jobs = Table();
        jobs.Recover([Job(1, deliveries: 1), Job(2, deliveries: 1)], _ => false);
        Assert.Equal(JobState.Queued, jobs.StateOf("job-2"));
        Assert.True(jobs.Complete("job-2", Ok()));
        Assert.Equal(JobState.Ending, jobs.StateOf("job-2"));
        Assert.Equal(["job-1"], jobs.Queue().Concat(_fx.TakeMarks().SelectMany(m => m)).Select(j => j.JobId));
    }

    [Fact]
    public void A_job_refused_for_its_idempotency_key_leaves_as_if_never_accepted()
    {
        var jobs = Table();
        var first = Accept(jobs, 1); // starts at once: holds the slot while stored
        var second = Accept(jobs, 2);
        var refused = new List<Orleans.ConvoOrchestrator.Runtime.Storage.KeyConflict> { new("job-1", "job-0"), new("job-2", "job-0") };

        jobs.Stored([first, second], [], [], refused);

        Assert.Equal([("job-1", "job-0"), ("job-2", "job-0")], _fx.DeduplicatedJobs);
        Assert.Equal((0, 0, 0), (jobs.Count, jobs.Active, jobs.Waiting));
        Assert.Empty(_fx.Dispatched);
        Assert.Empty(_fx.EnqueuedIds); // never counted as accepted
        var third = Accept(jobs, 3); // the slot is free again
        Assert.Equal(1, third.Deliveries);
    }

    [Fact]
    public void A_requeued_job_queues_behind_the_waiting_ones_and_runs_as_its_next_delivery()
    {
        var jobs = Table();
        var running = Accept(jobs, 1);
        var queued = Accept(jobs, 2);
        StoreAppends(jobs, running, queued);
        var failedBefore = Job(9, deliveries: 1); // its failed run was delivery 1

        Assert.True(jobs.TryRequeue(failedBefore));
        Assert.False(jobs.TryRequeue(failedBefore)); // once
        Assert.Equal(["job-2", "job-9"], jobs.Queue().Select(j => j.JobId));
        Assert.Contains("job-9", _fx.EnqueuedIds);

        Assert.True(jobs.Complete("job-1", Ok()));
        jobs.Stored([], _fx.TakeMarks().Single(), [], []);
        Assert.True(jobs.Complete("job-2", Ok()));
        var mark = _fx.TakeMarks().Single().Single();
        Assert.Equal(("job-9", 2), (mark.JobId, mark.Deliveries));
    }

    [Fact]
    public void The_in_flight_list_shows_slot_holders_first_then_the_queue_in_its_order_then_jobs_being_stored()
    {
        var jobs = Table(maxConcurrency: 2);
        var first = Accept(jobs, 1);
        var second = Accept(jobs, 2);
        var third = Accept(jobs, 3);
        var fourth = Accept(jobs, 4);
        StoreAppends(jobs, first, second, third);
        _clock.Advance(TimeSpan.FromSeconds(5));
        var fifth = Accept(jobs, 5); // still being stored
        Assert.NotNull(jobs.Cancel("job-2", Cancelled(), out _)); // running: now cancelling
        StoreAppends(jobs, fourth);

        var listed = jobs.InFlight(10, id => id == "job-1" ? 2 : null);
        Assert.Equal(["job-1", "job-2", "job-3", "job-4", "job-5"], listed.Select(j => j.JobId));
        Assert.Equal([InFlightJobState.Running, InFlightJobState.Cancelling, InFlightJobState.Queued, InFlightJobState.Queued, InFlightJobState.Queued],
            listed.Select(j => j.State));
        Assert.Equal((T0, 1, 2), (listed[0].StartedAt, listed[0].Delivery, listed[0].Attempt)); // the pool knows its attempt
        Assert.Equal((null, 0, null), (listed[2].StartedAt, listed[2].Delivery, listed[2].Attempt));
        Assert.Equal(fifth.EnqueuedAt, listed[4].EnqueuedAt);
        Assert.Equal(["job-1", "job-2"], jobs.InFlight(2, _ => null).Select(j => j.JobId));

        // Ended jobs leave the list at once, before their outcome is stored.
        Assert.True(jobs.Complete("job-1", Ok()));
        Assert.DoesNotContain("job-1", jobs.InFlight(10, _ => null).Select(j => j.JobId));
        Assert.Equal(JobState.Ending, jobs.StateOf("job-1"));
    }

    // A fire of trigger "tr" taken ahead: due at T0 + aheadMs, accepted as the table admits it.
    private static QueuedJob AcceptAhead(EventJobs jobs, int n, double aheadMs, string trigger = "tr")
    {
        var at = T0.AddMilliseconds(aheadMs);
        var admission = jobs.Admit(at);
        var job = new QueuedJob($"job-{n}", n, "null", new TriggerId(trigger), $"job-{n}", T0, at, admission == Admission.StartNow ? 1 : 0);
        _ = jobs.Accept(job, admission);
        return job;
    }

    [Fact]
    public void A_fire_taken_ahead_holds_its_slot_through_the_lead_so_concurrency_is_honoured()
    {
        var jobs = Table(maxConcurrency: 1);
        var ahead = AcceptAhead(jobs, 1, aheadMs: 50);
        Assert.Equal(1, ahead.Deliveries); // admitted at once: stored with its delivery, handed to the pool, which holds it
        StoreAppends(jobs, ahead);
        Assert.Equal(["job-1"], _fx.Dispatched.Select(j => j.JobId));
        Assert.Equal(1, jobs.Active);
        Assert.True(jobs.IsAhead("job-1"));

        // The next job waits for that slot, as for a running job: never two at once.
        var next = AcceptAhead(jobs, 2, aheadMs: 60);
        StoreAppends(jobs, next);
        Assert.Equal(JobState.Queued, jobs.StateOf("job-2"));
        _clock.Advance(TimeSpan.FromMilliseconds(50));
        Assert.False(jobs.IsAhead("job-1")); // its instant came: it is an ordinary running job
        Assert.True(jobs.Complete("job-1", Ok()));
        Assert.Equal(JobState.Starting, jobs.StateOf("job-2"));
    }

    [Fact]
    public void A_rate_limited_fire_taken_ahead_takes_its_token_at_its_instant_not_before()
    {
        var jobs = Table(maxConcurrency: 5, rate: 1);
        var ahead = AcceptAhead(jobs, 1, aheadMs: 40);
        Assert.Equal(0, ahead.Deliveries); // queued, not started: a token taken now would be spent before the start
        StoreAppends(jobs, ahead);
        Assert.Equal(JobState.Queued, jobs.StateOf("job-1"));
        Assert.Equal(TimeSpan.FromMilliseconds(40), _fx.RateTimer);

        _clock.Advance(TimeSpan.FromMilliseconds(40));
        jobs.Pump(); // the timer's tick, at the instant
        Assert.Equal(JobState.Starting, jobs.StateOf("job-1"));
    }

    [Fact]
    public void A_pause_during_the_lead_finds_the_fires_taken_ahead_and_cancelling_them_stops_their_runs()
    {
        var jobs = Table(maxConcurrency: 3);
        var mine = AcceptAhead(jobs, 1, aheadMs: 50);
        var other = AcceptAhead(jobs, 2, aheadMs: 50, trigger: "other");
        var late = new QueuedJob("job-3", 3, "null", new TriggerId("tr"), "job-3", T0, T0.AddMilliseconds(-5), 1); // due already
        _ = jobs.Accept(late, jobs.Admit(late.ScheduledAt));
        StoreAppends(jobs, mine, other, late);

        Assert.Equal(["job-1"], jobs.Ahead(new TriggerId("tr")));
        Assert.Equal(["job-1", "job-2"], jobs.Ahead().Order());
        Assert.NotNull(jobs.Cancel("job-1", Cancelled(), out var state));
        Assert.Equal(JobState.Running, state);
        Assert.Equal(["job-1"], _fx.Stopped.Select(j => j.JobId)); // the pool drops it before it starts
        Assert.Empty(jobs.Ahead(new TriggerId("tr"))); // being cancelled: not listed twice

        _clock.Advance(TimeSpan.FromMilliseconds(50));
        Assert.Empty(jobs.Ahead()); // past its instant a job is no longer ahead: a pause leaves it running
    }

    private sealed class Effects : IJobEffects
    {
        public List<QueuedJob> Appended { get; } = [];
        public List<List<QueuedJob>> Marks { get; } = [];
        public List<JobRecord> Ends { get; } = [];
        public List<QueuedJob> Dispatched { get; } = [];
        public List<QueuedJob> Stopped { get; } = [];
        public List<(string JobId, string HeldBy)> DeduplicatedJobs { get; } = [];
        public List<string> EnqueuedIds { get; } = [];
        public List<(QueuedJob Job, JobOutcome Outcome)> EndedJobs { get; } = [];
        public TimeSpan? RateTimer { get; private set; }
        public TimeSpan? RetryTimer { get; private set; }

        public List<List<QueuedJob>> TakeMarks()
        {
            var marks = Marks.ToList();
            Marks.Clear();
            return marks;
        }

        public Task Append(QueuedJob job)
        {
            Appended.Add(job);
            return new TaskCompletionSource().Task;
        }

        public void Mark(IReadOnlyList<QueuedJob> jobs) => Marks.Add([.. jobs]); // a copy: the table reuses its list

        public void End(JobRecord record) => Ends.Add(record);

        public void Dispatch(QueuedJob job) => Dispatched.Add(job);

        public void StopRun(QueuedJob job) => Stopped.Add(job);

        public void Deduplicated(QueuedJob job, string heldBy) => DeduplicatedJobs.Add((job.JobId, heldBy));

        public void Enqueued(QueuedJob job) => EnqueuedIds.Add(job.JobId);

        public void Ended(QueuedJob job, JobOutcome outcome) => EndedJobs.Add((job, outcome));

        public void ArmRateTimer(TimeSpan due) => RateTimer = due;

        public void ArmRetryTimer(TimeSpan due) => RetryTimer = due;

        public List<Exception> WriteFailures { get; } = [];

        public void WriteFailed(Exception failure) => WriteFailures.Add(failure);
    }
}
