namespace Orleans.ConvoOrchestrator.Runtime.Telemetry;

/// <summary>
/// The names OpenTelemetry (or <c>dotnet-counters</c>, <c>dotnet-trace</c>) subscribes to:
/// <c>AddMeter(ConvoTelemetry.MeterName)</c> and <c>AddSource(ConvoTelemetry.ActivitySourceName)</c>.
/// </summary>
public static class ConvoTelemetry
{
    /// <summary>The <see cref="System.Diagnostics.Metrics.Meter"/> of job and trigger counters and histograms (instrument names: <see cref="MetricNames"/>).</summary>
    public const string MeterName = "Orleans.ConvoOrchestrator";

    /// <summary>The <see cref="System.Diagnostics.ActivitySource"/> of emit and run spans.</summary>
    public const string ActivitySourceName = "Orleans.ConvoOrchestrator";

    /// <summary>The span of a job being accepted (kind Producer), child of the caller's span when Orleans activity propagation carries it.</summary>
    public const string EmitSpanName = "convo.emit";

    /// <summary>The span of one job's run, all attempts (kind Consumer): a child of its emit span, with a link to it.</summary>
    public const string RunSpanName = "convo.run";

    /// <summary>Span tag: the event id.</summary>
    public const string EventIdTag = "convo.event_id";
    /// <summary>Span tag: the job id.</summary>
    public const string JobIdTag = "convo.job_id";
    /// <summary>Span tag: the trigger that caused the job, when one did.</summary>
    public const string TriggerIdTag = "convo.trigger_id";
    /// <summary>Span tag: the handler's name.</summary>
    public const string HandlerTag = "convo.handler";
    /// <summary>Span tag: the outcome's status (OK, ERR, CANCELLED, SKIPPED).</summary>
    public const string StatusTag = "convo.status";
    /// <summary>Span tag: retries performed.</summary>
    public const string RetriesTag = "convo.retries";
    /// <summary>Span tag: the error kind of a failed run.</summary>
    public const string ErrorKindTag = "convo.error_kind";
}
