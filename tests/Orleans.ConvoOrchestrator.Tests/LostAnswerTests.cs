using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Orleans.ConvoOrchestrator.Runtime;
using Orleans.ConvoOrchestrator.Runtime.Grains;
using Orleans.ConvoOrchestrator.Tests.Support;
using Orleans.Runtime;
using Orleans.Storage;

namespace Orleans.ConvoOrchestrator.Tests;

/// <summary>What a store write can be asked to fail as: the kind of change it carries.</summary>
public enum JobWriteKind
{
    /// <summary>Accepted jobs (delivery count 0, stored to wait).</summary>
    Append,

    /// <summary>Delivery counts of jobs about to be handed to a handler.</summary>
    Mark,

    /// <summary>Ended jobs: outcomes appended, records deleted.</summary>
    End,
}

/// <summary>
/// A cluster whose stores apply a write and then fail it, as a store does when its answer is lost on the way back:
/// the job store (each kind of job write) and the grain storage (each state). Declared durable, so the grains
/// write as they do with Redis (the last outcome's state on a timer).
/// </summary>
public sealed class LostAnswerClusterFixture : OrchestratorClusterFixture
{
    internal LostAnswerJobStore Jobs { get; } = new();

    public LostAnswerGrainStorage? States { get; private set; }

    public RecordingLoggerProvider Log { get; } = new("Orleans.ConvoOrchestrator");

    protected override void Configure(ISiloBuilder silo)
    {
        silo.AddConvoOrchestrator(o => o.HistoryWriteDelay = TimeSpan.FromMilliseconds(50), Handlers);
        silo.Services.AddSingleton(StoreCapabilities.Durable);
        silo.Services.AddSingleton<IJobStore>(sp => Jobs.Over(sp.GetRequiredService<MemoryJobStore>()));
        silo.Services.AddKeyedSingleton<IGrainStorage>(ConvoOrchestratorOptions.StorageName,
            (sp, _) => States = new LostAnswerGrainStorage(ActivatorUtilities.CreateInstance<SiloMemoryGrainStorage>(sp)));
        silo.Services.AddSingleton<ILoggerProvider>(Log);
    }
}

/// <summary>The silo's memory job store, made to lose the answer of chosen writes after applying them.</summary>
internal sealed class LostAnswerJobStore : IJobStore
{
    private readonly ConcurrentDictionary<JobWriteKind, int> _toLose = new();
    private IJobStore _inner = new MemoryJobStore();

    /// <summary>Writes whose answers were lost, by kind.</summary>
    public ConcurrentDictionary<JobWriteKind, int> Lost { get; } = new();

    public LostAnswerJobStore Over(IJobStore inner)
    {
        _inner = inner;
        return this;
    }

    /// <summary>The next <paramref name="count"/> writes carrying <paramref name="kind"/> are applied, then fail.</summary>
    public void LoseNext(JobWriteKind kind, int count = 1) => _toLose[kind] = count;

    public async Task<IReadOnlyList<KeyConflict>> WriteAsync(EventId eventId, IReadOnlyList<QueuedJob> upserts, IReadOnlyList<JobRecord> ended, int historySize,
        string? owner = null)
    {
        // One write may carry several kinds (the ends of a batch of completions and the marks of the jobs they start).
        var carried = new List<JobWriteKind>(3);
        if (ended.Count > 0) carried.Add(JobWriteKind.End);
        if (upserts.Any(j => j.Deliveries > 0)) carried.Add(JobWriteKind.Mark);
        if (upserts.Any(j => j.Deliveries == 0)) carried.Add(JobWriteKind.Append);
        var refused = await _inner.WriteAsync(eventId, upserts, ended, historySize, owner);
        // Asynchronously, as a remote store answers.
        await Task.Yield();
        foreach (var kind in carried)
        {
            if (_toLose.TryGetValue(kind, out var left) && left > 0 && _toLose.TryUpdate(kind, left - 1, left))
            {
                Lost.AddOrUpdate(kind, 1, (_, n) => n + 1);
                throw new TimeoutException($"the answer to a write carrying {kind} was lost");
            }
        }
        return refused;
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
}

/// <summary>Grain storage that applies chosen writes and then fails them without telling the grain the new version.</summary>
public sealed class LostAnswerGrainStorage(IGrainStorage inner) : IGrainStorage
{
    private int _toLose;
    private string? _stateName;

    /// <summary>Writes of the state whose answers were lost.</summary>
    public int Lost => Volatile.Read(ref _lost);

    private int _lost;

    /// <summary>The next write of state <paramref name="stateName"/> is applied, then fails.</summary>
    public void LoseNext(string stateName)
    {
        _stateName = stateName;
        Volatile.Write(ref _toLose, 1);
    }

    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) => inner.ReadStateAsync(stateName, grainId, grainState);

    public async Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        var etag = grainState.ETag;
        var existed = grainState.RecordExists;
        await inner.WriteStateAsync(stateName, grainId, grainState);
        if (stateName != _stateName || Interlocked.Exchange(ref _toLose, 0) == 0) return;
        // The store has the new version; the grain, whose answer is lost, still holds the old one.
        grainState.ETag = etag;
        grainState.RecordExists = existed;
        Interlocked.Increment(ref _lost);
        await Task.Yield();
        throw new TimeoutException($"the answer to a write of '{stateName}' was lost");
    }

    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) => inner.ClearStateAsync(stateName, grainId, grainState);
}

/// <summary>
/// Every store write is safe to repeat after an unanswered success: a job write whose answer is lost is written
/// again, and the job is accepted, run and listed once; a state write whose answer is lost is not taken for another
/// activation's write.
/// </summary>
[Trait(Lane.Name, Lane.Cluster)]
public sealed class LostAnswerTests(LostAnswerClusterFixture fx) : IClassFixture<LostAnswerClusterFixture>
{
    [Theory]
    [InlineData(JobWriteKind.Append)]
    [InlineData(JobWriteKind.Mark)]
    [InlineData(JobWriteKind.End)]
    public async Task A_job_write_whose_answer_is_lost_runs_and_lists_each_job_once(JobWriteKind kind)
    {
        var handler = ClusterFixture.Unique("lost-" + kind);
        var runs = new ConcurrentDictionary<string, int>();
        using var gate = new SemaphoreSlim(0);
        fx.Handlers.Register(handler, async ctx =>
        {
            runs.AddOrUpdate(ctx.JobId, 1, (_, n) => n + 1);
            await gate.WaitAsync(TimeSpan.FromSeconds(20));
        });
        var ev = new EventId(ClusterFixture.Unique("ev"));
        (await fx.Api.SaveEventAsync(new Event(ev, "lost answers", handler, new Policy(MaxConcurrency: 1)))).Unwrap();

        // The first job starts at once; the two behind it wait, and are marked when the slot frees.
        var first = (await fx.Api.EmitAsync(ev, new { n = 1 })).Unwrap();
        fx.Jobs.LoseNext(kind);
        var ids = new List<string> { first };
        for (var n = 2; n <= 3; n++) ids.Add((await fx.Api.EmitAsync(ev, new { n })).Unwrap()); // accepted: never an error
        gate.Release(3);

        var history = await fx.WaitForHistoryAsync(ev, 3);
        Assert.Equal(1, fx.Jobs.Lost.GetValueOrDefault(kind)); // the fault did happen
        Assert.Equal(ids.Order(), history.Select(r => r.JobId).Order()); // each listed once
        Assert.All(ids, id => Assert.Equal(1, runs[id])); // each run once
        Assert.All(history, r => Assert.Equal(1, r.Outcome.Delivery));
        await Eventually.TrueAsync(async () => await fx.Jobs.CountAsync(ev) == 0, TimeSpan.FromSeconds(10)); // no record left to run again
    }

    [Fact]
    public async Task A_state_write_whose_answer_is_lost_is_not_taken_for_another_activation()
    {
        var handler = ClusterFixture.Unique("state");
        fx.Handlers.Register(handler, ctx => ctx.PayloadJson);
        var ev = new EventId(ClusterFixture.Unique("ev"));
        (await fx.Api.SaveEventAsync(new Event(ev, "lost state answer", handler))).Unwrap();

        fx.States!.LoseNext("outcomes");
        (await fx.Api.EmitJsonAsync(ev, "1")).Unwrap();
        await Eventually.TrueAsync(() => Task.FromResult(fx.States.Lost == 1), TimeSpan.FromSeconds(10));
        // The next outcome write finds a newer version than it holds: its own lost write, not another activation's.
        (await fx.Api.EmitJsonAsync(ev, "2")).Unwrap();
        await fx.WaitForHistoryAsync(ev, 2);
        await Eventually.TrueAsync(() => Task.FromResult(fx.Log.Lines.Any(l => l.Contains("state write failed"))), TimeSpan.FromSeconds(10));
        await Task.Delay(300); // a few outcome-write periods of 50 ms

        Assert.DoesNotContain(fx.Log.Lines, l => l.Contains(ev.Value) && l.Contains("stale"));
        Assert.Equal("2", (await fx.Api.StatusAsync(ev)).Unwrap().LastOutcome!.ResultPreview);
        (await fx.Api.EmitJsonAsync(ev, "3")).Unwrap();
        Assert.Equal(3, (await fx.WaitForHistoryAsync(ev, 3)).Count);
        Assert.DoesNotContain(fx.Log.Lines, l => l.Contains(ev.Value) && l.Contains("stale"));
    }
}
