using System.Collections.Concurrent;

namespace Orleans.ConvoOrchestrator.Runtime;

/// <summary>
/// A silo's metrics batcher: the hot path records here (no grain call); <see cref="MetricsFlusher"/> hands the
/// batch to the metrics grain periodically and whenever a snapshot drains it.
/// </summary>
public sealed class MetricsCollector
{
    private readonly object _gate = new();
    private readonly ConcurrentDictionary<string, SortedDictionary<string, string>> _eventLabels = new(StringComparer.Ordinal);
    private MetricsStore _pending = new();

    /// <summary>Adds to a counter labelled with the event id.</summary>
    public void Increment(string name, EventId eventId, long delta = 1) => Increment(name, LabelsFor(eventId), delta);

    /// <summary>Adds to a counter with explicit labels.</summary>
    public void Increment(string name, SortedDictionary<string, string> labels, long delta = 1)
    {
        lock (_gate) _pending.Add(name, labels, delta);
    }

    /// <summary>Counts a rejected emit with its reason.</summary>
    public void Rejected(EventId eventId, ErrorKind reason) => Increment(MetricNames.JobsRejected,
        new SortedDictionary<string, string>(StringComparer.Ordinal)
        {
            [MetricNames.EventIdLabel] = eventId.Value,
            [MetricNames.ReasonLabel] = reason.ToString(),
        });

    /// <summary>Records how late a trigger's fire became a job.</summary>
    public void Lateness(TriggerId triggerId, EventId eventId, TimeSpan lateness)
    {
        var labels = new SortedDictionary<string, string>(StringComparer.Ordinal)
        {
            [MetricNames.EventIdLabel] = eventId.Value,
            [MetricNames.TriggerIdLabel] = triggerId.Value,
        };
        lock (_gate) _pending.Observe(MetricNames.TriggerLateness, labels, MetricNames.LatenessBuckets, Math.Max(0, lateness.TotalSeconds));
    }

    /// <summary>Counts a finished job by status and, when it ran, its duration.</summary>
    public void Finished(EventId eventId, JobOutcome outcome)
    {
        var labels = LabelsFor(eventId);
        var name = outcome.Status switch
        {
            JobStatus.OK => MetricNames.JobsSucceeded,
            JobStatus.ERR => MetricNames.JobsFailed,
            JobStatus.CANCELLED => MetricNames.JobsCancelled,
            _ => MetricNames.JobsSkipped,
        };
        lock (_gate)
        {
            _pending.Add(name, labels, 1);
            if (outcome.Status is JobStatus.OK or JobStatus.ERR)
                _pending.Observe(MetricNames.JobDuration, labels, MetricNames.DurationBuckets, Math.Max(0, outcome.Duration.TotalSeconds));
        }
    }

    /// <summary>Takes everything recorded since the last drain.</summary>
    public MetricsBatch Drain()
    {
        MetricsStore taken;
        lock (_gate)
        {
            if (_pending.IsEmpty) return new MetricsBatch([], []);
            taken = _pending;
            _pending = new MetricsStore();
        }
        return taken.ToBatch();
    }

    /// <summary>Puts back a batch whose flush failed, so nothing is lost.</summary>
    public void Restore(MetricsBatch batch)
    {
        lock (_gate) _pending.Merge(batch);
    }

    private SortedDictionary<string, string> LabelsFor(EventId eventId) => _eventLabels.GetOrAdd(eventId.Value,
        id => new SortedDictionary<string, string>(StringComparer.Ordinal) { [MetricNames.EventIdLabel] = id });
}
