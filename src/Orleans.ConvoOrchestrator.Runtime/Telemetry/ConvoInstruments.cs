using System.Collections.Frozen;
using System.Diagnostics.Metrics;

namespace Orleans.ConvoOrchestrator.Runtime.Telemetry;

/// <summary>
/// The meter <see cref="ConvoTelemetry.MeterName"/>: one counter per job and trigger counter of <see cref="MetricNames"/>
/// and the histograms <see cref="MetricNames.JobDuration"/> and <see cref="MetricNames.TriggerLateness"/> (bucket
/// boundaries advised as in the snapshot), tagged like the snapshot's series (<c>event_id</c>, <c>trigger_id</c>, <c>reason</c>).
/// Fed by <see cref="MetricsCollector"/>; when nobody listens a recording costs one flag check.
/// </summary>
internal sealed class ConvoInstruments : IDisposable
{
    private readonly Meter _meter;
    private readonly bool _ownsMeter;
    private readonly FrozenDictionary<string, Counter<long>> _counters;
    private readonly FrozenDictionary<string, Histogram<double>> _histograms;

    /// <summary>Created by DI: the meter comes from the host's <see cref="IMeterFactory"/> when there is one.</summary>
    public ConvoInstruments(IMeterFactory? meterFactory = null)
    {
        var options = new MeterOptions(ConvoTelemetry.MeterName) { Version = typeof(ConvoInstruments).Assembly.GetName().Version?.ToString() };
        _ownsMeter = meterFactory is null;
        _meter = meterFactory?.Create(options) ?? new Meter(options);
        _counters = new Dictionary<string, Counter<long>>
        {
            [MetricNames.JobsEnqueued] = Counter(MetricNames.JobsEnqueued, "Jobs accepted into an event's queue"),
            [MetricNames.JobsStarted] = Counter(MetricNames.JobsStarted, "Jobs whose first attempt started"),
            [MetricNames.JobsSucceeded] = Counter(MetricNames.JobsSucceeded, "Jobs that ended OK"),
            [MetricNames.JobsFailed] = Counter(MetricNames.JobsFailed, "Jobs that ended ERR"),
            [MetricNames.JobsCancelled] = Counter(MetricNames.JobsCancelled, "Jobs that ended CANCELLED"),
            [MetricNames.JobsSkipped] = Counter(MetricNames.JobsSkipped, "Jobs recorded SKIPPED instead of running"),
            [MetricNames.JobsRetried] = Counter(MetricNames.JobsRetried, "Retries performed (attempts after the first)"),
            [MetricNames.JobsTimedOut] = Counter(MetricNames.JobsTimedOut, "Attempts that timed out"),
            [MetricNames.JobsAbandoned] = Counter(MetricNames.JobsAbandoned, "Runs whose attempt ended while their handler still held its thread"),
            [MetricNames.JobsRejected] = Counter(MetricNames.JobsRejected, "Emits refused, by reason"),
            [MetricNames.JobsRequeued] = Counter(MetricNames.JobsRequeued, "Failed jobs run again by an operator"),
            [MetricNames.JobsDiscarded] = Counter(MetricNames.JobsDiscarded, "Failed jobs dropped from the failed list by an operator"),
            [MetricNames.JobsDeduplicated] = Counter(MetricNames.JobsDeduplicated, "Emits answered with an earlier job's id (idempotency key seen)"),
            [MetricNames.TriggerFires] = Counter(MetricNames.TriggerFires, "Trigger fires"),
            [MetricNames.TriggerMisfires] = Counter(MetricNames.TriggerMisfires, "Trigger fires that were missed"),
        }.ToFrozenDictionary(StringComparer.Ordinal);
        _histograms = new Dictionary<string, Histogram<double>>
        {
            [MetricNames.JobDuration] = Histogram(MetricNames.JobDuration, "Job wall time, all attempts included", MetricNames.DurationBuckets),
            [MetricNames.TriggerLateness] = Histogram(MetricNames.TriggerLateness, "From a fire's scheduled time to its job being enqueued", MetricNames.LatenessBuckets),
        }.ToFrozenDictionary(StringComparer.Ordinal);
    }

    /// <summary>The meter (for listeners that match on the instance).</summary>
    public Meter Meter => _meter;

    /// <summary>Adds to the counter named <paramref name="name"/>; names without an instrument are ignored.</summary>
    public void Add(string name, ReadOnlySpan<KeyValuePair<string, object?>> tags, long delta)
    {
        if (_counters.TryGetValue(name, out var counter) && counter.Enabled) counter.Add(delta, tags);
    }

    /// <summary>Records into the histogram named <paramref name="name"/>; names without an instrument are ignored.</summary>
    public void Record(string name, ReadOnlySpan<KeyValuePair<string, object?>> tags, double value)
    {
        if (_histograms.TryGetValue(name, out var histogram) && histogram.Enabled) histogram.Record(value, tags);
    }

    /// <summary>True when someone listens to the instrument named <paramref name="name"/>: callers skip building tags otherwise.</summary>
    public bool IsEnabled(string name) =>
        (_counters.TryGetValue(name, out var c) && c.Enabled) || (_histograms.TryGetValue(name, out var h) && h.Enabled);

    /// <inheritdoc />
    public void Dispose()
    {
        // A factory's meters are disposed with the factory.
        if (_ownsMeter) _meter.Dispose();
    }

    private Counter<long> Counter(string name, string description) => _meter.CreateCounter<long>(name, unit: null, description);

    private Histogram<double> Histogram(string name, string description, IReadOnlyList<double> buckets) =>
        _meter.CreateHistogram(name, unit: "s", description, tags: null,
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = buckets.ToArray() });
}
