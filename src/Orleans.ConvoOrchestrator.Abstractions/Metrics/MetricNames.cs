namespace Orleans.ConvoOrchestrator;

/// <summary>The metric names the runtime records (the guide's names plus ours).</summary>
public static class MetricNames
{
    /// <summary>Jobs accepted into an event's queue.</summary>
    public const string JobsEnqueued = "jobs_enqueued_total";
    /// <summary>Jobs whose first attempt started.</summary>
    public const string JobsStarted = "jobs_started_total";
    /// <summary>Jobs that ended OK.</summary>
    public const string JobsSucceeded = "jobs_succeeded_total";
    /// <summary>Jobs that ended ERR.</summary>
    public const string JobsFailed = "jobs_failed_total";
    /// <summary>Jobs that ended CANCELLED.</summary>
    public const string JobsCancelled = "jobs_cancelled_total";
    /// <summary>Jobs recorded SKIPPED instead of running.</summary>
    public const string JobsSkipped = "jobs_skipped_total";
    /// <summary>Retries performed (attempts after the first).</summary>
    public const string JobsRetried = "jobs_retries_total";
    /// <summary>Attempts that timed out.</summary>
    public const string JobsTimedOut = "jobs_timeouts_total";
    /// <summary>Emits answered with an earlier job's id: their idempotency key was seen within the window.</summary>
    public const string JobsDeduplicated = "jobs_deduplicated_total";
    /// <summary>Failed jobs run again by an operator (requeued from the failed list).</summary>
    public const string JobsRequeued = "jobs_requeued_total";
    /// <summary>Failed jobs an operator dropped from the failed list.</summary>
    public const string JobsDiscarded = "jobs_discarded_total";
    /// <summary>Runs abandoned: their attempt ended (timeout, cancel grace, shutdown) while their handler still held its thread.</summary>
    public const string JobsAbandoned = "jobs_abandoned_total";
    /// <summary>Emits refused (label <c>reason</c>: the error kind).</summary>
    public const string JobsRejected = "jobs_rejected_total";
    /// <summary>Job wall time, all attempts included.</summary>
    public const string JobDuration = "job_duration_seconds";

    /// <summary>Trigger fires (label <c>trigger_id</c>).</summary>
    public const string TriggerFires = "trigger_fires_total";
    /// <summary>Trigger fires that were missed (label <c>trigger_id</c>).</summary>
    public const string TriggerMisfires = "trigger_misfires_total";
    /// <summary>From a fire's scheduled time to its job being enqueued (labels <c>trigger_id</c>, <c>event_id</c>).</summary>
    public const string TriggerLateness = "trigger_lateness_seconds";
    /// <summary>The label of trigger metrics.</summary>
    public const string TriggerIdLabel = "trigger_id";

    /// <summary>Upper bounds of <see cref="TriggerLateness"/>'s buckets, in seconds; one overflow bucket follows.</summary>
    public static IReadOnlyList<double> LatenessBuckets { get; } = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5];

    /// <summary>The label every job metric carries.</summary>
    public const string EventIdLabel = "event_id";
    /// <summary>The label naming why an emit was rejected.</summary>
    public const string ReasonLabel = "reason";

    /// <summary>Upper bounds of <see cref="JobDuration"/>'s buckets, in seconds; one overflow bucket follows.</summary>
    public static IReadOnlyList<double> DurationBuckets { get; } = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30];
}
