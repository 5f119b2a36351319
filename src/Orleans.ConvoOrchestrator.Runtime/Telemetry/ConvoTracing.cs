using System.Diagnostics;
using Orleans.ConvoOrchestrator.Grains;
using Orleans.Runtime;

namespace Orleans.ConvoOrchestrator.Runtime.Telemetry;

/// <summary>
/// The spans of <see cref="ConvoTelemetry.ActivitySourceName"/>: an emit span where a job is accepted, and a run span
/// per job that starts later — from the queue, maybe on another silo — as a child of its emit span, with a link to it.
/// The emit's W3C <c>traceparent</c> travels with the job (<see cref="JobRequest.TraceParent"/>) to connect the two.
/// </summary>
internal static class ConvoTracing
{
    /// <summary>The activity source.</summary>
    public static ActivitySource Source { get; } = new(ConvoTelemetry.ActivitySourceName, typeof(ConvoTracing).Assembly.GetName().Version?.ToString());

    /// <summary>
    /// Records the emit span of a job being accepted and returns its traceparent for the job to carry. Its parent is the
    /// current activity (the incoming grain call when Orleans activity propagation is on and its sources are listened to)
    /// or else the caller's traceparent in the Orleans request context. When nobody listens to this source, the
    /// caller's traceparent itself is returned, so the run can still join the caller's trace.
    /// </summary>
    public static string? RecordEmit(EventId eventId, string jobId, TriggerId? triggerId)
    {
        var parent = Activity.Current is { IdFormat: ActivityIdFormat.W3C } current ? current.Id : RequestContext.Get("traceparent") as string;
        if (!Source.HasListeners()) return parent;
        ActivityContext.TryParse(parent, null, isRemote: true, out var parentContext);
        using var emit = Source.StartActivity(ConvoTelemetry.EmitSpanName, ActivityKind.Producer, parentContext);
        if (emit is null) return parent; // sampled out
        if (emit.IsAllDataRequested)
        {
            emit.SetTag(ConvoTelemetry.EventIdTag, eventId.Value);
            emit.SetTag(ConvoTelemetry.JobIdTag, jobId);
            if (triggerId is { } t) emit.SetTag(ConvoTelemetry.TriggerIdTag, t.Value);
        }
        return emit.Id;
    }

    /// <summary>Starts the run span of <paramref name="job"/> (null when nobody listens); it becomes the handler's current activity.</summary>
    public static Activity? StartRun(JobRequest job)
    {
        if (!Source.HasListeners()) return null;
        ActivityLink[]? links = null;
        if (ActivityContext.TryParse(job.TraceParent, null, isRemote: true, out var emitted)) links = [new ActivityLink(emitted)];
        var run = Source.StartActivity(ConvoTelemetry.RunSpanName, ActivityKind.Consumer, emitted, tags: null, links);
        if (run is { IsAllDataRequested: true })
        {
            run.SetTag(ConvoTelemetry.EventIdTag, job.EventId.Value);
            run.SetTag(ConvoTelemetry.JobIdTag, job.JobId);
            run.SetTag(ConvoTelemetry.HandlerTag, job.HandlerName);
            if (job.TriggerId is { } t) run.SetTag(ConvoTelemetry.TriggerIdTag, t.Value);
        }
        return run;
    }

    /// <summary>Ends a run span with its outcome.</summary>
    public static void EndRun(Activity? run, JobOutcome outcome)
    {
        if (run is null) return;
        if (run.IsAllDataRequested)
        {
            run.SetTag(ConvoTelemetry.StatusTag, outcome.Status.ToString());
            run.SetTag(ConvoTelemetry.RetriesTag, outcome.Retries);
            if (outcome.Error is { } error) run.SetTag(ConvoTelemetry.ErrorKindTag, error.Kind.ToString());
        }
        if (outcome.Status == JobStatus.ERR) run.SetStatus(ActivityStatusCode.Error, outcome.Error?.Message);
        else if (outcome.Status == JobStatus.OK) run.SetStatus(ActivityStatusCode.Ok);
        run.Dispose();
    }
}
