using Orleans.ConvoOrchestrator.Runtime;
using Orleans.ConvoOrchestrator.Runtime.Grains;
using Orleans.ConvoOrchestrator.Tests.Support;

namespace Orleans.ConvoOrchestrator.Tests.StoreContract;

/// <summary>
/// The owner fence of the Redis job store: once another activation has taken an event over, a write with the old token
/// is refused and changes nothing, while the owner's own writes, repeated after a lost answer, pass and double nothing.
/// (The memory store ignores tokens: only one process can activate its events.)
/// </summary>
[Trait(Lane.Name, Lane.System)]
public sealed class RedisFencingTests(RedisContractServer redis) : IClassFixture<RedisContractServer>
{
    private static readonly EventId Ev = new("fenced");
    private static readonly DateTimeOffset T0 = new(2026, 12, 3, 20, 0, 0, TimeSpan.Zero);

    private static QueuedJob Job(int n, int deliveries = 0, string? key = null) =>
        new($"job-{n}", n, $"{{\"n\":{n}}}", null, $"corr-{n}", T0.AddSeconds(n), null, deliveries, IdempotencyKey: key,
            IdempotentUntil: key is null ? null : T0.AddHours(1));

    private static JobRecord Ended(int n, JobStatus status = JobStatus.OK) =>
        new($"job-{n}", null, T0.AddSeconds(n), new JobOutcome(status, T0.AddSeconds(n + 1), T0.AddSeconds(n + 2),
            status == JobStatus.OK ? null : new AppError(ErrorKind.HANDLER_EXEC_ERROR, "boom"), Delivery: 1));

    [Fact]
    public async Task A_write_with_a_superseded_token_is_refused_and_changes_nothing()
    {
        var connection = redis.Connect();
        var jobs = new RedisJobStore(connection, FailedJobRetention.Default);
        var history = new RedisHistoryStore(connection);
        Assert.Empty(await jobs.TakeOverAsync(Ev, "old"));
        await jobs.WriteAsync(Ev, [Job(1), Job(2)], [], 10, "old");
        await jobs.WriteAsync(Ev, [Job(3, deliveries: 1)], [Ended(2, JobStatus.ERR)], 10, "old"); // job-2 to the failed list

        // A new activation takes over and reads what the old one stored.
        Assert.Equal(["job-1", "job-3"], (await jobs.TakeOverAsync(Ev, "new")).Select(j => j.JobId).Order());

        // Every kind of job write by the old one is refused: accept, delivery mark, keyed accept, end, requeue, clear.
        await Assert.ThrowsAsync<JobOwnershipLostException>(() => jobs.WriteAsync(Ev, [Job(4)], [], 10, "old"));
        await Assert.ThrowsAsync<JobOwnershipLostException>(() => jobs.WriteAsync(Ev, [Job(1, deliveries: 1)], [], 10, "old"));
        await Assert.ThrowsAsync<JobOwnershipLostException>(() => jobs.WriteAsync(Ev, [Job(5, key: "k")], [], 10, "old"));
        await Assert.ThrowsAsync<JobOwnershipLostException>(() => jobs.WriteAsync(Ev, [], [Ended(3)], 10, "old"));
        await Assert.ThrowsAsync<JobOwnershipLostException>(() => jobs.RequeueFailedAsync(Ev, [Job(2, deliveries: 1)], "old"));
        await Assert.ThrowsAsync<JobOwnershipLostException>(() => jobs.ClearAsync(Ev, "old"));
        // Giving up an ownership it no longer holds leaves the new owner's in place.
        await jobs.ForgetIfEmptyAsync(Ev, "old");

        Assert.Equal([Job(1), Job(3, deliveries: 1)], (await jobs.LoadAsync(Ev)).OrderBy(j => j.Seq));
        Assert.Equal(["job-2"], (await history.LoadAsync(Ev, 10)).Select(r => r.JobId));
        Assert.Equal(["job-2"], (await jobs.LoadFailedAsync(Ev, 10)).Select(f => f.JobId));
        Assert.Empty(await jobs.HeldKeysAsync(Ev, ["k"], T0));

        // The new owner writes.
        await jobs.WriteAsync(Ev, [Job(1, deliveries: 1)], [Ended(3)], 10, "new");
        Assert.Equal([Job(1, deliveries: 1)], await jobs.LoadAsync(Ev));
    }

    [Fact]
    public async Task The_owners_write_repeated_after_a_lost_answer_passes_and_doubles_nothing()
    {
        var connection = redis.Connect();
        var jobs = new RedisJobStore(connection, FailedJobRetention.Default);
        var history = new RedisHistoryStore(connection);
        await jobs.TakeOverAsync(Ev, "owner");
        for (var attempt = 0; attempt < 2; attempt++)
        {
            // Each write twice, as the batcher repeats one whose answer it did not get.
            Assert.Empty(await jobs.WriteAsync(Ev, [Job(1), Job(2, key: "k")], [], 10, "owner"));
            Assert.Empty(await jobs.WriteAsync(Ev, [Job(2, deliveries: 1, key: "k")], [Ended(1)], 10, "owner"));
        }
        Assert.Equal([Job(2, deliveries: 1, key: "k")], await jobs.LoadAsync(Ev));
        Assert.Equal(["job-1"], (await history.LoadAsync(Ev, 10)).Select(r => r.JobId));

        // Once the owner leaves, nobody owns the event: a late write by it is refused too.
        await jobs.WriteAsync(Ev, [], [Ended(2)], 10, "owner");
        await jobs.ForgetIfEmptyAsync(Ev, "owner");
        Assert.Empty(await jobs.PendingEventsAsync());
        await Assert.ThrowsAsync<JobOwnershipLostException>(() => jobs.WriteAsync(Ev, [Job(3)], [], 10, "owner"));
        Assert.Empty(await jobs.LoadAsync(Ev));
    }
}
