using Orleans.ConvoOrchestrator.Runtime;
using Orleans.ConvoOrchestrator.Runtime.Triggers;

namespace Orleans.ConvoOrchestrator.UnitTests;

public sealed class TriggerWriteThrottleTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 2, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Periodic_progress_is_written_at_most_once_per_interval()
    {
        var writes = new TriggerWriteThrottle(ProgressWrites.Periodically, TimeSpan.FromSeconds(5));
        Assert.False(writes.Due(T0)); // nothing changed
        writes.Changed();
        Assert.True(writes.Due(T0)); // the first change goes at once
        writes.Written(T0);
        Assert.False(writes.Dirty);
        writes.Changed();
        Assert.False(writes.Due(T0.AddSeconds(4.9)));
        Assert.True(writes.Dirty);
        Assert.True(writes.Due(T0.AddSeconds(5)));
    }

    [Fact]
    public void Progress_of_a_store_that_dies_with_the_process_waits_for_deactivation()
    {
        var writes = new TriggerWriteThrottle(ProgressWrites.WhenDeactivated, TimeSpan.FromSeconds(5));
        writes.Changed();
        Assert.False(writes.Due(T0.AddDays(1)));
        Assert.True(writes.Dirty); // what deactivation looks at
        writes.Written(T0.AddDays(1));
        Assert.False(writes.Dirty);
    }
}
