using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using Orleans.ConvoOrchestrator.Runtime;
using Orleans.ConvoOrchestrator.Tests.Support;

namespace Orleans.ConvoOrchestrator.Tests;

/// <summary>
/// OpenTelemetry's view: the meter and the activity source, observed with plain MeterListener / ActivityListener
/// (what the OpenTelemetry SDK uses underneath). Series are told apart by their unique event ids.
/// </summary>
[Trait(Lane.Name, Lane.Cluster)]
public sealed class TelemetryTests(TelemetryClusterFixture fx) : IClassFixture<TelemetryClusterFixture>
{
    [Fact]
    public async Task Runs_and_trigger_fires_feed_the_meters_counters_and_histograms()
    {
        using var meter = new RecordingMeterListener();
        var ok = await SaveAsync("ok", ctx => "fine");
        var failing = await SaveAsync("fail", ctx => throw new InvalidOperationException("no"), new Policy(MaxRetries: 1));
        var slow = await SaveAsync("slow", async ctx => { await Task.Delay(TimeSpan.FromSeconds(5), ctx.CancellationToken); }, new Policy(TimeoutSec: 0.05));
        var paused = await SaveAsync("paused", ctx => "never", active: false);
        var external = new TriggerId(ClusterFixture.Unique("ext"));
        (await fx.Api.AttachTriggerAsync(paused, new Trigger(external, TriggerKind.EXTERNAL))).Unwrap();
        var at = new TriggerId(ClusterFixture.Unique("at"));

        (await fx.Api.EmitAsync(ok)).Unwrap();
        (await fx.Api.EmitAsync(ok)).Unwrap();
        (await fx.Api.EmitAsync(failing)).Unwrap();
        (await fx.Api.EmitAsync(slow)).Unwrap();
        Assert.Equal(ErrorKind.NOT_ACTIVE, (await fx.Api.EmitAsync(paused)).UnwrapErr().Kind);
        (await fx.Api.FireTriggerAsync(external, new { n = 1 })).Unwrap();
        (await fx.Api.AttachTriggerAsync(ok, new Trigger(at, TriggerKind.AT, At: DateTimeOffset.UtcNow.AddSeconds(-1)))).Unwrap();
        await fx.WaitForHistoryAsync(ok, 3);
        await fx.WaitForHistoryAsync(failing, 1);
        await fx.WaitForHistoryAsync(slow, 1);
        await fx.WaitForHistoryAsync(paused, 1);

        // Every instrument is named as in the snapshot and lives on the orchestrator's meter.
        await Eventually.MatchAsync(() => Task.FromResult(meter.Sum(MetricNames.JobsSucceeded, ok)), v => v == 3, TimeSpan.FromSeconds(10), "succeeded");
        Assert.Equal(3, meter.Sum(MetricNames.JobsEnqueued, ok));
        Assert.Equal(3, meter.Sum(MetricNames.JobsStarted, ok));
        Assert.Equal(3, meter.Count(MetricNames.JobDuration, ok));
        Assert.Equal(1, meter.Sum(MetricNames.JobsFailed, failing));
        Assert.Equal(1, meter.Sum(MetricNames.JobsRetried, failing));
        Assert.Equal(1, meter.Sum(MetricNames.JobsTimedOut, slow));
        Assert.Equal(1, meter.Sum(MetricNames.JobsFailed, slow));
        Assert.Equal(1, meter.Sum(MetricNames.JobsSkipped, paused));
        // The direct emit and the trigger's fire into the paused event were both refused.
        Assert.Equal(2, meter.Sum(MetricNames.JobsRejected, paused, (MetricNames.ReasonLabel, "NOT_ACTIVE")));
        Assert.Equal(1, meter.SumForTrigger(MetricNames.TriggerFires, external));
        Assert.Equal(1, meter.SumForTrigger(MetricNames.TriggerFires, at));
        Assert.Equal(1, meter.Count(MetricNames.TriggerLateness, ok, (MetricNames.TriggerIdLabel, at.Value)));
        Assert.Equal(0, meter.Sum(MetricNames.JobsSucceeded, failing));
        Assert.All(meter.Instruments, i => Assert.Equal(ConvoTelemetry.MeterName, i.Meter.Name));
        var duration = meter.Instruments.Single(i => i.Name == MetricNames.JobDuration);
        Assert.Equal("s", duration.Unit);
    }

    [Fact]
    public async Task A_run_is_one_span_child_of_and_linked_to_the_span_that_emitted_it()
    {
        using var spans = new RecordingActivityListener();
        var ev = await SaveAsync("traced", ctx => Activity.Current?.TraceId.ToString());
        using var caller = new Activity("test-caller").SetIdFormat(ActivityIdFormat.W3C).Start();

        var jobId = (await fx.Api.EmitAsync(ev)).Unwrap();
        caller.Stop();
        var outcome = (await fx.WaitForHistoryAsync(ev, 1))[0].Outcome;

        var emit = await spans.SingleAsync(ConvoTelemetry.EmitSpanName, jobId);
        var run = await spans.SingleAsync(ConvoTelemetry.RunSpanName, jobId);
        // Orleans' activity propagation carried the caller's trace into the grain that accepted the job.
        Assert.Equal(caller.TraceId, emit.TraceId);
        Assert.Equal(ActivityKind.Producer, emit.Kind);
        Assert.Equal(ActivityKind.Consumer, run.Kind);
        Assert.Equal(emit.SpanId, run.ParentSpanId);
        Assert.Equal(emit.TraceId, run.TraceId);
        var link = Assert.Single(run.Links);
        Assert.Equal(emit.Context.TraceId, link.Context.TraceId);
        Assert.Equal(emit.Context.SpanId, link.Context.SpanId);
        Assert.Equal(ev.Value, run.GetTagItem(ConvoTelemetry.EventIdTag));
        Assert.Equal("OK", run.GetTagItem(ConvoTelemetry.StatusTag));
        Assert.Equal(ActivityStatusCode.Ok, run.Status);
        // The handler ran inside the run span: its own spans would nest there.
        Assert.Equal(run.TraceId.ToString(), outcome.ResultPreview);
    }

    [Fact]
    public async Task A_failed_run_span_carries_the_error_and_a_queued_run_still_links_to_its_emit()
    {
        using var spans = new RecordingActivityListener();
        using var gate = new SemaphoreSlim(0);
        var ev = await SaveAsync("queued", async ctx =>
        {
            if (ctx.Payload.GetInt32() == 1) await gate.WaitAsync(TimeSpan.FromSeconds(20));
            else throw new InvalidOperationException("boom");
        }, new Policy(MaxConcurrency: 1));

        var first = (await fx.Api.EmitAsync(ev, 1)).Unwrap();
        var second = (await fx.Api.EmitAsync(ev, 2)).Unwrap(); // waits in the queue behind the first
        await WaitForStatusAsync(ev, s => s.QueueDepth == 1);
        gate.Release();
        await fx.WaitForHistoryAsync(ev, 2);

        var emit = await spans.SingleAsync(ConvoTelemetry.EmitSpanName, second);
        var run = await spans.SingleAsync(ConvoTelemetry.RunSpanName, second);
        Assert.Equal(emit.SpanId, Assert.Single(run.Links).Context.SpanId);
        Assert.Equal(ActivityStatusCode.Error, run.Status);
        Assert.Equal("HANDLER_EXEC_ERROR", run.GetTagItem(ConvoTelemetry.ErrorKindTag));
        Assert.NotNull(await spans.SingleAsync(ConvoTelemetry.RunSpanName, first));
    }

    private async Task<EventId> SaveAsync(string prefix, Func<EventContext, object?> handler, Policy? policy = null, bool active = true)
    {
        var name = ClusterFixture.Unique(prefix);
        fx.Handlers.Register(name, handler);
        return await SaveEventAsync(name, policy, active);
    }

    private async Task<EventId> SaveAsync(string prefix, Func<EventContext, Task> handler, Policy? policy = null, bool active = true)
    {
        var name = ClusterFixture.Unique(prefix);
        fx.Handlers.Register(name, handler);
        return await SaveEventAsync(name, policy, active);
    }

    private async Task<EventId> SaveEventAsync(string handler, Policy? policy, bool active)
    {
        var id = new EventId(ClusterFixture.Unique("ev"));
        (await fx.Api.SaveEventAsync(new Event(id, "telemetry", handler, policy, active))).Unwrap();
        return id;
    }

    private Task<EventRuntimeStatus> WaitForStatusAsync(EventId id, Func<EventRuntimeStatus, bool> done) =>
        Eventually.MatchAsync(async () => (await fx.Api.StatusAsync(id)).Unwrap(), done, TimeSpan.FromSeconds(30), $"status of {id}");

    /// <summary>Every measurement of the orchestrator's meter, with its tags.</summary>
    private sealed class RecordingMeterListener : IDisposable
    {
        private readonly MeterListener _listener = new();
        private readonly ConcurrentQueue<(string Name, double Value, Dictionary<string, string?> Tags)> _measurements = new();
        private readonly ConcurrentDictionary<Instrument, bool> _instruments = new();

        public RecordingMeterListener()
        {
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name != ConvoTelemetry.MeterName) return;
                _instruments[instrument] = true;
                listener.EnableMeasurementEvents(instrument);
            };
            _listener.SetMeasurementEventCallback<long>((i, v, tags, _) => Add(i, v, tags));
            _listener.SetMeasurementEventCallback<double>((i, v, tags, _) => Add(i, v, tags));
            _listener.Start();
        }

        public IEnumerable<Instrument> Instruments => _instruments.Keys;

        public double Sum(string name, EventId ev, params (string Key, string Value)[] more) => Matching(name, MetricNames.EventIdLabel, ev.Value, more).Sum(m => m.Value);

        public int Count(string name, EventId ev, params (string Key, string Value)[] more) => Matching(name, MetricNames.EventIdLabel, ev.Value, more).Count();

        public double SumForTrigger(string name, TriggerId trigger) => Matching(name, MetricNames.TriggerIdLabel, trigger.Value, []).Sum(m => m.Value);

        public void Dispose() => _listener.Dispose();

        private IEnumerable<(string Name, double Value, Dictionary<string, string?> Tags)> Matching(string name, string key, string value, (string Key, string Value)[] more) =>
            _measurements.Where(m => m.Name == name && m.Tags.GetValueOrDefault(key) == value && more.All(t => m.Tags.GetValueOrDefault(t.Key) == t.Value));

        private void Add(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            var copy = new Dictionary<string, string?>();
            foreach (var t in tags) copy[t.Key] = t.Value?.ToString();
            _measurements.Enqueue((instrument.Name, value, copy));
        }
    }

    /// <summary>Every span of the orchestrator's source, plus Orleans' own so propagation happens as in production.</summary>
    private sealed class RecordingActivityListener : IDisposable
    {
        private readonly ActivityListener _listener;
        private readonly ConcurrentQueue<Activity> _stopped = new();

        public RecordingActivityListener()
        {
            _listener = new ActivityListener
            {
                ShouldListenTo = s => s.Name == ConvoTelemetry.ActivitySourceName || s.Name.StartsWith("Microsoft.Orleans", StringComparison.Ordinal),
                Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
                ActivityStopped = a => _stopped.Enqueue(a),
            };
            ActivitySource.AddActivityListener(_listener);
        }

        public async Task<Activity> SingleAsync(string name, string jobId)
        {
            var found = await Eventually.MatchAsync(
                () => Task.FromResult(_stopped.Where(a => a.Source.Name == ConvoTelemetry.ActivitySourceName && a.OperationName == name && (string?)a.GetTagItem(ConvoTelemetry.JobIdTag) == jobId).ToList()),
                list => list.Count > 0, TimeSpan.FromSeconds(10), $"{name} span of job {jobId}");
            await Task.Delay(50); // a second one would show up by now
            return Assert.Single(_stopped, a => a.Source.Name == ConvoTelemetry.ActivitySourceName && a.OperationName == name && (string?)a.GetTagItem(ConvoTelemetry.JobIdTag) == jobId);
        }

        public void Dispose() => _listener.Dispose();
    }
}
