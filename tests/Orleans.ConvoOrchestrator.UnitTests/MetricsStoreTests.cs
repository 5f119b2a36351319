using Orleans.ConvoOrchestrator.Runtime;

namespace Orleans.ConvoOrchestrator.UnitTests;

public sealed class MetricsStoreTests
{
    private static SortedDictionary<string, string> Labels(string ev) => new(StringComparer.Ordinal) { [MetricNames.EventIdLabel] = ev };

    [Fact]
    public void Counters_add_per_name_and_labels()
    {
        var store = new MetricsStore();
        store.Add("c", Labels("a"), 1);
        store.Add("c", Labels("a"), 2);
        store.Add("c", Labels("b"), 5);

        var snapshot = store.Snapshot();

        Assert.Equal(3, snapshot.Counter("c", new EventId("a")));
        Assert.Equal(5, snapshot.Counter("c", new EventId("b")));
        Assert.Equal(8, snapshot.Counter("c"));
        Assert.Equal(["a", "b"], snapshot.Counters.Select(c => c.Labels[MetricNames.EventIdLabel]));
    }

    [Theory]
    [InlineData(0.0, 0)]
    [InlineData(0.01, 0)]
    [InlineData(0.011, 1)]
    [InlineData(0.3, 4)]
    [InlineData(30, 9)]
    [InlineData(31, 10)]
    public void Histogram_puts_each_value_in_its_bucket_with_an_overflow(double value, int bucket)
    {
        var store = new MetricsStore();
        store.Observe(MetricNames.JobDuration, Labels("a"), MetricNames.DurationBuckets, value);

        var h = store.Snapshot().Histogram(MetricNames.JobDuration, new EventId("a"))!;

        Assert.Equal(MetricNames.DurationBuckets, h.Buckets);
        Assert.Equal(11, h.Counts.Length);
        Assert.Equal(1, h.Counts[bucket]);
        Assert.Equal(1, h.Count);
        Assert.Equal(value, h.Sum);
    }

    [Fact]
    public void Merging_batches_adds_them_and_a_drained_batch_can_be_restored()
    {
        var silo = new MetricsCollector();
        var total = new MetricsStore();
        silo.Increment(MetricNames.JobsEnqueued, new EventId("a"));
        silo.Finished(new EventId("a"), new JobOutcome(JobStatus.OK, DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch.AddSeconds(0.2)));
        var batch = silo.Drain();
        Assert.True(silo.Drain().IsEmpty);
        silo.Restore(batch);
        total.Merge(silo.Drain());
        total.Merge(batch);

        var snapshot = total.Snapshot();

        Assert.Equal(2, snapshot.Counter(MetricNames.JobsEnqueued, new EventId("a")));
        Assert.Equal(2, snapshot.Counter(MetricNames.JobsSucceeded, new EventId("a")));
        Assert.Equal(2, snapshot.Histogram(MetricNames.JobDuration, new EventId("a"))!.Counts[3]); // 0.2 s: the 0.25 bucket
    }

    [Fact]
    public void A_drain_fills_the_lists_it_is_given_only_with_series_that_changed_and_refuses_lists_in_use()
    {
        var silo = new MetricsCollector();
        var (counters, histograms) = (new List<CounterSample>(), new List<HistogramSample>());
        silo.Finished(new EventId("a"), new JobOutcome(JobStatus.OK, DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch.AddSeconds(0.2)));
        silo.Finished(new EventId("b"), new JobOutcome(JobStatus.OK, DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch.AddSeconds(2)));

        var first = silo.Drain(counters, histograms);
        Assert.Same(counters, first.Counters);
        Assert.Same(histograms, first.Histograms);
        Assert.Equal(2, histograms.Count);
        Assert.Throws<ArgumentException>(() => silo.Drain(counters, []));

        // Reused for the next flush: only the series that saw something since come back.
        counters.Clear();
        histograms.Clear();
        silo.Finished(new EventId("b"), new JobOutcome(JobStatus.OK, DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch.AddSeconds(2)));
        var second = silo.Drain(counters, histograms);
        var h = Assert.Single(second.Histograms);
        Assert.Equal("b", h.Labels[MetricNames.EventIdLabel]);
        Assert.Equal(1, h.Counts.Sum());
        Assert.Equal(2.0, h.Sum);
    }

    [Fact]
    public void Skipped_and_cancelled_jobs_count_but_record_no_duration()
    {
        var silo = new MetricsCollector();
        var now = DateTimeOffset.UnixEpoch;
        silo.Finished(new EventId("a"), new JobOutcome(JobStatus.SKIPPED, now, now));
        silo.Finished(new EventId("a"), new JobOutcome(JobStatus.CANCELLED, now, now));
        var total = new MetricsStore();
        total.Merge(silo.Drain());

        var snapshot = total.Snapshot();

        Assert.Equal(1, snapshot.Counter(MetricNames.JobsSkipped));
        Assert.Equal(1, snapshot.Counter(MetricNames.JobsCancelled));
        Assert.Empty(snapshot.Histograms);
    }
}
