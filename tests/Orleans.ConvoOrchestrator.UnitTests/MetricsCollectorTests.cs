using Orleans.ConvoOrchestrator.Grains;
using Orleans.ConvoOrchestrator.Runtime;

namespace Orleans.ConvoOrchestrator.UnitTests;

/// <summary>The silo-local metrics batcher: drains lose nothing under concurrent recording; series share bucket bounds.</summary>
public sealed class MetricsCollectorTests
{
    private static JobOutcome Ok(double seconds) =>
        new(JobStatus.OK, DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch.AddSeconds(seconds));

    [Fact]
    public void Drain_takes_every_series_once_and_leaves_nothing_behind()
    {
        var collector = new MetricsCollector();
        for (var i = 0; i < 1_000; i++) collector.Finished(new EventId($"ev-{i}"), Ok(0.02));
        collector.Increment(MetricNames.JobsSucceeded, new EventId("ev-0"), 2);

        var batch = collector.Drain();

        Assert.Equal(1_000, batch.Counters.Count);
        Assert.Equal(1_002, batch.Counters.Sum(c => c.Value));
        Assert.Equal(3, batch.Counters.Single(c => c.Labels[MetricNames.EventIdLabel] == "ev-0").Value);
        Assert.Equal(1_000, batch.Histograms.Count);
        Assert.All(batch.Histograms, h => Assert.Equal(1, h.Counts.Sum()));
        Assert.True(collector.Drain().IsEmpty);
    }

    [Fact]
    public void Every_series_of_a_histogram_shares_one_bucket_array_and_the_store_merges_batches_with_arrays_of_their_own()
    {
        var collector = new MetricsCollector();
        for (var i = 0; i < 100; i++) collector.Finished(new EventId($"ev-{i}"), Ok(0.2));
        var batch = collector.Drain();
        Assert.Single(batch.Histograms.Select(h => h.Buckets).Distinct(ReferenceEqualityComparer.Instance));
        Assert.Equal(MetricNames.DurationBuckets, batch.Histograms[0].Buckets);

        // A batch from another silo arrives with arrays of its own.
        var store = new MetricsStore();
        store.Merge(new MetricsBatch([], [.. batch.Histograms.Select(h => h with { Buckets = [.. h.Buckets] })]));
        store.Observe(MetricNames.JobDuration, new SortedDictionary<string, string>(StringComparer.Ordinal) { [MetricNames.EventIdLabel] = "new" },
            MetricNames.DurationBuckets, 1);
        var again = store.ToBatch();
        Assert.Equal(101, again.Histograms.Count);
        Assert.Equal(1, again.Histograms.Single(h => h.Labels[MetricNames.EventIdLabel] == "ev-7").Counts[3]);
    }

    [Fact]
    public void Shared_bucket_layouts_are_equal_by_bounds_and_distinct_otherwise()
    {
        var a = BucketLayouts.Shared([0.5, 1, 2.5]);
        Assert.Same(a, BucketLayouts.Shared(new List<double> { 0.5, 1, 2.5 }));
        Assert.NotSame(a, BucketLayouts.Shared([0.5, 1]));
        Assert.NotSame(a, BucketLayouts.Shared([0.5, 1, 2.6]));
        Assert.Equal([0.5, 1, 2.5], a);
    }

    [Fact]
    public async Task Draining_while_threads_record_loses_and_doubles_nothing()
    {
        var collector = new MetricsCollector();
        const int threads = 4, each = 20_000;
        long drained = 0, observed = 0;
        using var done = new CancellationTokenSource();
        var drainer = Task.Run(() =>
        {
            while (!done.IsCancellationRequested)
            {
                var batch = collector.Drain();
                drained += batch.Counters.Sum(c => c.Value);
                observed += batch.Histograms.Sum(h => h.Counts.Sum());
            }
        });
        // New events keep appearing while the drainer enumerates: cells added mid-drain are taken by a later one.
        await Task.WhenAll(Enumerable.Range(0, threads).Select(t => Task.Run(() =>
        {
            for (var i = 0; i < each; i++) collector.Finished(new EventId($"ev-{t}-{i % 500}"), Ok(0.01));
        })));
        await done.CancelAsync();
        await drainer;
        var rest = collector.Drain();
        drained += rest.Counters.Sum(c => c.Value);
        observed += rest.Histograms.Sum(h => h.Counts.Sum());
        Assert.Equal(threads * each, drained);
        Assert.Equal(threads * each, observed);
    }
}
