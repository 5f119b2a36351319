using System.Text.Json;
using Orleans.Core.Internal;
using Orleans.ConvoOrchestrator.Tests.Support;

namespace Orleans.ConvoOrchestrator.Tests;

/// <summary>Handlers run under their policy, through the cluster client against a real test cluster.</summary>
[Collection(ClusterCollection.Name)]
[Trait(Lane.Name, Lane.Cluster)]
public sealed class ExecutionTests(ClusterFixture fx)
{
    private sealed record Order(string Sku, int Quantity, decimal Price);

    [Fact]
    public async Task Payload_round_trips_typed_and_as_json_element()
    {
        var handler = ClusterFixture.Unique("h");
        Order? typed = null;
        JsonElement element = default;
        fx.Handlers.Register(handler, ctx =>
        {
            typed = ctx.PayloadAs<Order>();
            element = ctx.Payload;
            return typed!.Sku;
        });
        var id = await fx.SaveEventAsync(handler);

        var outcome = (await fx.Api.TestRunAsync(id, new Order("A-1", 3, 9.5m))).Unwrap();

        Assert.Equal(JobStatus.OK, outcome.Status);
        Assert.Equal("A-1", outcome.ResultPreview);
        Assert.Equal(new Order("A-1", 3, 9.5m), typed);
        Assert.Equal(3, element.GetProperty("quantity").GetInt32());
    }

    [Fact]
    public async Task Raw_json_payload_reaches_the_handler_unchanged_and_bad_json_is_rejected()
    {
        var handler = ClusterFixture.Unique("h");
        fx.Handlers.Register(handler, ctx => (object?)ctx.PayloadJson);
        var id = await fx.SaveEventAsync(handler);

        (await fx.Api.EmitJsonAsync(id, """{"a":[1,2,{"b":null}]}""")).Unwrap();
        var history = await fx.WaitForHistoryAsync(id, 1);
        Assert.Equal("""{"a":[1,2,{"b":null}]}""", history[0].Outcome.ResultPreview);

        var bad = await fx.Api.EmitJsonAsync(id, "{not json");
        Assert.Equal(ErrorKind.VALIDATION, bad.UnwrapErr().Kind);
    }

    [Fact]
    public async Task Sync_async_token_and_DI_handlers_all_run()
    {
        var sync = ClusterFixture.Unique("sync");
        var syncVoid = ClusterFixture.Unique("void");
        var asyncNoResult = ClusterFixture.Unique("async");
        var asyncResult = ClusterFixture.Unique("asyncr");
        var withToken = ClusterFixture.Unique("token");
        var di = ClusterFixture.Unique("di");
        var voidRan = false;
        var asyncRan = false;
        fx.Handlers
            .Register(sync, ctx => "sync:" + ctx.Attempt)
            .Register(syncVoid, ctx => { voidRan = true; })
            .Register(asyncNoResult, async ctx => { await Task.Yield(); asyncRan = true; })
            .Register(asyncResult, async ctx => { await Task.Delay(1); return 42; })
            .Register(withToken, async (ctx, ct) => { await Task.Delay(1, ct); return ct.CanBeCanceled; })
            .Register<GreetingHandler>(di);

        async Task<JobOutcome> Run(string handler) => (await fx.Api.TestRunAsync(await fx.SaveEventAsync(handler), new { name = "Ada" })).Unwrap();

        Assert.Equal("sync:1", (await Run(sync)).ResultPreview);
        Assert.Equal(JobStatus.OK, (await Run(syncVoid)).Status);
        Assert.True(voidRan);
        Assert.Equal(JobStatus.OK, (await Run(asyncNoResult)).Status);
        Assert.True(asyncRan);
        Assert.Equal("42", (await Run(asyncResult)).ResultPreview);
        Assert.Equal("true", (await Run(withToken)).ResultPreview);
        Assert.Equal("hello Ada", (await Run(di)).ResultPreview);
    }

    [Fact]
    public async Task Blocking_sync_handler_does_not_block_the_event_grain()
    {
        var handler = ClusterFixture.Unique("block");
        using var release = new ManualResetEventSlim();
        fx.Handlers.Register(handler, ctx => { release.Wait(TimeSpan.FromSeconds(20)); return "released"; });
        var id = await fx.SaveEventAsync(handler);

        (await fx.Api.EmitAsync(id)).Unwrap();
        // While the handler blocks its thread, the grain still answers.
        var status = await fx.WaitForStatusAsync(id, s => s.Running == 1);
        Assert.Equal(0, status.QueueDepth);
        release.Set();
        var done = await fx.WaitForStatusAsync(id, s => s.LastOutcome is not null);
        Assert.Equal("released", done.LastOutcome!.ResultPreview);
    }

    [Fact]
    public async Task The_last_outcome_outlives_the_event_grains_activation()
    {
        var handler = ClusterFixture.Unique("last");
        fx.Handlers.Register(handler, ctx => "kept");
        var id = await fx.SaveEventAsync(handler);
        (await fx.Api.EmitAsync(id)).Unwrap();
        var before = (await fx.WaitForStatusAsync(id, s => s.LastOutcome is not null)).LastOutcome!;

        // The activation keeps its last outcome as values and stores it with its outcome state when it goes.
        await fx.Cluster.Client.GetGrain<Grains.IEventGrain>(id.Value).Cast<IGrainManagementExtension>().DeactivateOnIdle();
        var after = (await fx.Api.StatusAsync(id)).Unwrap().LastOutcome;

        Assert.Equal(before, after);
        Assert.Equal("kept", after!.ResultPreview);
    }

    [Fact]
    public async Task Flaky_handler_with_one_retry_ends_OK_after_exactly_two_calls()
    {
        var handler = ClusterFixture.Unique("flaky");
        var calls = 0;
        fx.Handlers.Register(handler, ctx =>
        {
            if (Interlocked.Increment(ref calls) == 1) throw new InvalidOperationException("first call fails");
            return "ok on " + ctx.Attempt;
        });
        var id = await fx.SaveEventAsync(handler, new Policy(MaxRetries: 1));

        (await fx.Api.EmitAsync(id)).Unwrap();
        var outcome = (await fx.WaitForHistoryAsync(id, 1))[0].Outcome;

        Assert.Equal(JobStatus.OK, outcome.Status);
        Assert.Equal(1, outcome.Retries);
        Assert.Equal("ok on 2", outcome.ResultPreview);
        await Task.Delay(200);
        Assert.Equal(2, calls);
        var snapshot = (await fx.Api.MetricsSnapshotAsync()).Unwrap();
        Assert.Equal(1, snapshot.Counter(MetricNames.JobsRetried, id));
        Assert.Equal(1, snapshot.Counter(MetricNames.JobsSucceeded, id));
    }

    [Fact]
    public async Task Slow_handler_times_out_its_token_is_cancelled_and_it_counts_as_failed()
    {
        var handler = ClusterFixture.Unique("slow");
        var cancelled = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        fx.Handlers.Register(handler, async ctx =>
        {
            try
            {
                await Task.Delay(TimeSpan.FromSeconds(2), ctx.CancellationToken);
                cancelled.TrySetResult(false);
            }
            catch (OperationCanceledException)
            {
                cancelled.TrySetResult(ctx.CancellationToken.IsCancellationRequested);
                throw;
            }
        });
        var id = await fx.SaveEventAsync(handler, new Policy(TimeoutSec: 0.05));

        var outcome = (await fx.Api.TestRunAsync(id)).Unwrap();

        Assert.Equal(JobStatus.ERR, outcome.Status);
        Assert.Equal(ErrorKind.TIMEOUT, outcome.Error!.Kind);
        Assert.True(outcome.Duration < TimeSpan.FromSeconds(1.5), $"the timeout took {outcome.Duration}");
        Assert.True(await cancelled.Task.WaitAsync(TimeSpan.FromSeconds(10)));
        var snapshot = (await fx.Api.MetricsSnapshotAsync()).Unwrap();
        Assert.Equal(1, snapshot.Counter(MetricNames.JobsFailed, id));
        Assert.Equal(1, snapshot.Counter(MetricNames.JobsTimedOut, id));
    }

    [Fact]
    public async Task Handler_ignoring_its_token_still_ends_TIMEOUT_and_timed_out_attempts_are_retried()
    {
        var handler = ClusterFixture.Unique("deaf");
        var calls = 0;
        fx.Handlers.Register(handler, ctx =>
        {
            Interlocked.Increment(ref calls);
            Thread.Sleep(600); // ignores the token entirely
            return "too late";
        });
        // 0.25 s, not less: while earlier attempts still hold their threads, a retry waits for the watchdog to start
        // one (20 ms and more on a loaded machine), and an attempt whose timeout passes first never starts.
        var id = await fx.SaveEventAsync(handler, new Policy(TimeoutSec: 0.25, MaxRetries: 2, Backoff: BackoffKind.EXP));

        var outcome = (await fx.Api.TestRunAsync(id)).Unwrap();

        Assert.Equal(JobStatus.ERR, outcome.Status);
        Assert.Equal(ErrorKind.TIMEOUT, outcome.Error!.Kind);
        Assert.Equal(2, outcome.Retries);
        Assert.Equal(3, calls);
        Assert.Equal(3, (await fx.Api.MetricsSnapshotAsync()).Unwrap().Counter(MetricNames.JobsTimedOut, id));
    }

    [Fact]
    public async Task Exception_becomes_HANDLER_EXEC_ERROR_with_its_message()
    {
        var handler = ClusterFixture.Unique("throw");
        fx.Handlers.Register(handler, ctx => throw new ArgumentException("bad sku 42"));
        var id = await fx.SaveEventAsync(handler);

        var outcome = (await fx.Api.TestRunAsync(id)).Unwrap();

        Assert.Equal(JobStatus.ERR, outcome.Status);
        Assert.Equal(ErrorKind.HANDLER_EXEC_ERROR, outcome.Error!.Kind);
        Assert.Contains("bad sku 42", outcome.Error.Message);
        Assert.Equal(0, outcome.Retries);
    }

    [Fact]
    public async Task Unknown_handler_ends_HANDLER_NOT_FOUND()
    {
        var id = await fx.SaveEventAsync(ClusterFixture.Unique("nobody"));

        var outcome = (await fx.Api.TestRunAsync(id)).Unwrap();

        Assert.Equal(JobStatus.ERR, outcome.Status);
        Assert.Equal(ErrorKind.HANDLER_NOT_FOUND, outcome.Error!.Kind);
    }

    [Fact]
    public async Task Long_results_are_cut_to_256_characters_plus_ellipsis()
    {
        var handler = ClusterFixture.Unique("long");
        fx.Handlers.Register(handler, ctx => new string('x', 1000));
        var id = await fx.SaveEventAsync(handler);

        var preview = (await fx.Api.TestRunAsync(id)).Unwrap().ResultPreview!;

        Assert.Equal(259, preview.Length);
        Assert.EndsWith("...", preview);
    }

    [Fact]
    public async Task History_is_newest_first_and_bounded()
    {
        var handler = ClusterFixture.Unique("count");
        var n = 0;
        fx.Handlers.Register(handler, ctx => Interlocked.Increment(ref n));
        var id = await fx.SaveEventAsync(handler);

        for (var i = 0; i < 25; i++) await fx.Api.TestRunAsync(id);

        var history = (await fx.Api.HistoryAsync(id, 100)).Unwrap();
        Assert.Equal(20, history.Count); // the fixture's HistorySize
        Assert.Equal("25", history[0].Outcome.ResultPreview);
        Assert.Equal("6", history[^1].Outcome.ResultPreview);
    }

    public sealed class GreetingHandler : IEventHandler
    {
        public Task<object?> HandleAsync(EventContext context) =>
            Task.FromResult<object?>("hello " + context.Payload.GetProperty("name").GetString());
    }
}
