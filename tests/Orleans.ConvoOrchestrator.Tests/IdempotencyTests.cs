using System.Collections.Concurrent;
using Orleans.ConvoOrchestrator.Tests.Support;

namespace Orleans.ConvoOrchestrator.Tests;

/// <summary>
/// Idempotency keys: a second emit with a key seen within the event's window creates no job and answers the first
/// job's id, whether the key comes with the emit or from the payload through the policy's key path.
/// </summary>
[Collection(ClusterCollection.Name)]
[Trait(Lane.Name, Lane.Cluster)]
public sealed class IdempotencyTests(ClusterFixture fx)
{
    private (string Handler, ConcurrentQueue<string> Runs) Recording()
    {
        var handler = ClusterFixture.Unique("idem");
        var runs = new ConcurrentQueue<string>();
        fx.Handlers.Register(handler, ctx => runs.Enqueue(ctx.JobId));
        return (handler, runs);
    }

    [Fact]
    public async Task Concurrent_emits_with_one_key_make_one_job_and_all_answer_its_id()
    {
        var (handler, runs) = Recording();
        var ev = await fx.SaveEventAsync(handler, new Policy(MaxConcurrency: 4));
        var emits = await Task.WhenAll(Enumerable.Range(0, 5).Select(n =>
            fx.Api.EmitAsync(ev, new { n }, new EmitOptions(IdempotencyKey: "order-42"))));
        var other = (await fx.Api.EmitAsync(ev, new { n = 9 }, new EmitOptions(IdempotencyKey: "order-43"))).Unwrap();

        var ids = emits.Select(e => e.Unwrap()).Distinct().ToList();
        var first = Assert.Single(ids);
        await fx.WaitForHistoryAsync(ev, 2);
        // After the job ended the key still answers, within the window.
        Assert.Equal(first, (await fx.Api.EmitAsync(ev, new { n = 7 }, new EmitOptions(IdempotencyKey: "order-42"))).Unwrap());
        Assert.Equal(new[] { first, other }.Order(StringComparer.Ordinal), runs.Order(StringComparer.Ordinal));
        Assert.Equal(2, (await fx.Api.HistoryAsync(ev, 10)).Unwrap().Count);
        Assert.Equal(2, (await fx.Api.StatusAsync(ev)).Unwrap() is { QueueDepth: 0, Running: 0 } ? runs.Count : -1);
        await Eventually.MatchAsync(async () => (await fx.Api.MetricsSnapshotAsync()).Unwrap().Counter(MetricNames.JobsDeduplicated, ev), n => n == 5,
            TimeSpan.FromSeconds(20), "deduplicated emits counted", 100);
    }

    [Fact]
    public async Task The_policy_takes_the_key_from_the_payload_and_a_payload_without_it_is_not_deduplicated()
    {
        var (handler, runs) = Recording();
        var ev = await fx.SaveEventAsync(handler, new Policy(IdempotencyKeyPath: "$.order.id", MaxConcurrency: 4));
        var a = (await fx.Api.EmitAsync(ev, new { order = new { id = 42 }, note = "first" })).Unwrap();
        var b = (await fx.Api.EmitAsync(ev, new { order = new { id = 42 }, note = "again" })).Unwrap();
        var c = (await fx.Api.EmitAsync(ev, new { order = new { id = "42" } })).Unwrap(); // the string "42": the same key
        var d = (await fx.Api.EmitAsync(ev, new { order = new { id = 43 } })).Unwrap();
        var e1 = (await fx.Api.EmitAsync(ev, new { other = 1 })).Unwrap();
        var e2 = (await fx.Api.EmitAsync(ev, new { other = 1 })).Unwrap();
        // A key given with the emit wins over the payload's.
        var f = (await fx.Api.EmitAsync(ev, new { order = new { id = 42 } }, new EmitOptions(IdempotencyKey: "explicit"))).Unwrap();
        // A test run waits for its own outcome: never deduplicated.
        var test = (await fx.Api.TestRunAsync(ev, new { order = new { id = 42 } })).Unwrap();

        Assert.Equal(a, b);
        Assert.Equal(a, c);
        Assert.Equal(5, new[] { a, d, e1, e2, f }.Distinct().Count());
        Assert.Equal(JobStatus.OK, test.Status);
        await fx.WaitForHistoryAsync(ev, 6);
        Assert.Equal(6, runs.Count);
    }

    [Fact]
    public async Task Bad_keys_paths_and_windows_are_refused_and_change_nothing()
    {
        var (handler, runs) = Recording();
        var ev = await fx.SaveEventAsync(handler);
        var badKey = await fx.Api.EmitAsync(ev, new { }, new EmitOptions(IdempotencyKey: "line\nbreak"));
        Assert.Equal(ErrorKind.VALIDATION, badKey.Error!.Kind);
        Assert.Contains("idempotency key", badKey.Error.Message);
        var badPath = await fx.Api.SaveEventAsync(new Event(new EventId(ClusterFixture.Unique("ev")), "x", handler, new Policy(IdempotencyKeyPath: "order.id")));
        Assert.Equal(ErrorKind.VALIDATION, badPath.Error!.Kind);
        Assert.Contains("must start with \"$.\"", badPath.Error.Message);
        var badWindow = await fx.Api.SaveEventAsync(new Event(ev, "x", handler, new Policy(IdempotencyWindowSec: 0)));
        Assert.Equal(ErrorKind.VALIDATION, badWindow.Error!.Kind);
        Assert.Contains("idempotency_window_sec", badWindow.Error.Message);
        Assert.Null((await fx.Api.GetEventAsync(ev)).Unwrap().Policy?.IdempotencyWindowSec);
        Assert.Empty(runs);
    }
}
