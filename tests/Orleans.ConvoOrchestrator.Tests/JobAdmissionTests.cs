using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Orleans.ConvoOrchestrator.Runtime;
using Orleans.ConvoOrchestrator.Runtime.Grains;
using Orleans.ConvoOrchestrator.Tests.Support;

namespace Orleans.ConvoOrchestrator.Tests;

/// <summary>A cluster whose job store records every write it is given.</summary>
public sealed class RecordingStoreClusterFixture : OrchestratorClusterFixture
{
    internal RecordingJobStore Store { get; } = new();

    protected override void Configure(ISiloBuilder silo)
    {
        silo.AddConvoOrchestrator(handlers: Handlers);
        // Over the silo's own memory job store, so ended jobs land in the history the grains read.
        silo.Services.AddSingleton<IJobStore>(sp => Store.Over(sp.GetRequiredService<MemoryJobStore>()));
    }
}

/// <summary>The memory job store, recording each job's stored delivery counts in write order.</summary>
internal sealed class RecordingJobStore : IJobStore
{
    private IJobStore _inner = new MemoryJobStore();

    /// <summary>Records the writes given to <paramref name="inner"/>.</summary>
    public RecordingJobStore Over(IJobStore inner)
    {
        _inner = inner;
        return this;
    }

    /// <summary>Per job id, the delivery count of each upsert of it, in order.</summary>
    public ConcurrentDictionary<string, List<int>> Upserts { get; } = new();

    public Task<IReadOnlyList<KeyConflict>> WriteAsync(EventId eventId, IReadOnlyList<QueuedJob> upserts, IReadOnlyList<JobRecord> ended, int historySize,
        string? owner = null)
    {
        foreach (var job in upserts)
        {
            var list = Upserts.GetOrAdd(job.JobId, _ => []);
            lock (list) list.Add(job.Deliveries);
        }
        return _inner.WriteAsync(eventId, upserts, ended, historySize, owner);
    }

    public Task<IReadOnlyList<QueuedJob>> LoadAsync(EventId eventId) => _inner.LoadAsync(eventId);

    public Task<IReadOnlyList<QueuedJob>> TakeOverAsync(EventId eventId, string owner) => _inner.TakeOverAsync(eventId, owner);

    public Task<IReadOnlyList<FailedJob>> LoadFailedAsync(EventId eventId, int limit) => _inner.LoadFailedAsync(eventId, limit);

    public Task<IReadOnlyList<EventId>> EventsWithFailedAsync() => _inner.EventsWithFailedAsync();

    public Task<IReadOnlyList<string>> RequeueFailedAsync(EventId eventId, IReadOnlyList<QueuedJob> jobs, string? owner = null) => _inner.RequeueFailedAsync(eventId, jobs, owner);

    public Task<int> DiscardFailedAsync(EventId eventId, IReadOnlyList<string>? jobIds) => _inner.DiscardFailedAsync(eventId, jobIds);

    public Task<long> CountAsync(EventId eventId) => _inner.CountAsync(eventId);

    public Task<IReadOnlyDictionary<string, string>> HeldKeysAsync(EventId eventId, IReadOnlyList<string> keys, DateTimeOffset now) =>
        _inner.HeldKeysAsync(eventId, keys, now);

    public Task ClearAsync(EventId eventId, string? owner = null) => _inner.ClearAsync(eventId, owner);

    public Task ForgetIfEmptyAsync(EventId eventId, string? owner = null) => _inner.ForgetIfEmptyAsync(eventId, owner);

    public Task<IReadOnlyList<EventId>> PendingEventsAsync() => _inner.PendingEventsAsync();

    public IReadOnlyList<int> Of(string jobId)
    {
        if (!Upserts.TryGetValue(jobId, out var list)) return [];
        lock (list) return [.. list];
    }
}

[Trait(Lane.Name, Lane.Cluster)]
public sealed class JobAdmissionTests(RecordingStoreClusterFixture fx) : IClassFixture<RecordingStoreClusterFixture>
{
    [Fact]
    public async Task A_job_with_a_free_slot_is_stored_once_with_its_delivery_count_and_runs_as_delivery_1()
    {
        var handler = ClusterFixture.Unique("admit");
        var seen = new ConcurrentQueue<int>();
        fx.Handlers.Register(handler, ctx => seen.Enqueue(ctx.Delivery));
        var ev = new EventId(ClusterFixture.Unique("ev"));
        (await fx.Api.SaveEventAsync(new Event(ev, "admission", handler, new Policy(MaxConcurrency: 1)))).Unwrap();

        var jobId = (await fx.Api.EmitAsync(ev, new { n = 1 })).Unwrap();
        await fx.WaitForHistoryAsync(ev, 1);

        Assert.Equal([1], seen);
        Assert.Equal([1], fx.Store.Of(jobId)); // one write: the append carried the delivery count
    }

    [Fact]
    public async Task A_job_behind_a_busy_slot_is_stored_waiting_then_marked_before_it_runs_in_order()
    {
        var handler = ClusterFixture.Unique("busy");
        using var release = new ManualResetEventSlim();
        var order = new ConcurrentQueue<string>();
        fx.Handlers.Register(handler, ctx =>
        {
            order.Enqueue(ctx.PayloadJson);
            release.Wait(TimeSpan.FromSeconds(20));
        });
        var ev = new EventId(ClusterFixture.Unique("ev"));
        (await fx.Api.SaveEventAsync(new Event(ev, "admission", handler, new Policy(MaxConcurrency: 1)))).Unwrap();

        var first = (await fx.Api.EmitJsonAsync(ev, "1")).Unwrap();
        var second = (await fx.Api.EmitJsonAsync(ev, "2")).Unwrap();
        var third = (await fx.Api.EmitJsonAsync(ev, "3")).Unwrap();
        Assert.Equal(2, (await fx.Api.StatusAsync(ev)).Unwrap().QueueDepth);
        release.Set();
        await fx.WaitForHistoryAsync(ev, 3);

        Assert.Equal(["1", "2", "3"], order);
        Assert.Equal([1], fx.Store.Of(first));
        Assert.Equal([0, 1], fx.Store.Of(second)); // stored waiting, then its delivery marked before it ran
        Assert.Equal([0, 1], fx.Store.Of(third));
    }
}
