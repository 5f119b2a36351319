namespace Orleans.ConvoOrchestrator.Bench.Comparison;

/// <summary>
/// One job system as the scenarios drive it, through its own public API. Every job runs the same no-op handler
/// (<see cref="Probe"/>) and the system runs at most <see cref="SystemSettings.Workers"/> handlers at once.
/// </summary>
internal interface IJobSystem : IAsyncDisposable
{
    /// <summary>Starts the system and prepares one job type (event) for <see cref="EnqueueAsync"/>.</summary>
    Task StartAsync();

    /// <summary>Enqueues one fire-and-forget job whose handler calls <c>Probe.Ran(emittedAt)</c>.</summary>
    ValueTask EnqueueAsync(long emittedAt);

    /// <summary>True when <see cref="EnqueueAsync"/> is a blocking call under the hood (it then gets emitting
    /// threads, one per core, instead of many asynchronous calls in flight).</summary>
    bool BlockingEnqueue { get; }

    /// <summary>Adds <paramref name="count"/> recurring schedules firing every <paramref name="period"/> (1 s or 60 s;
    /// the i-th firing first at <paramref name="anchor"/>(i), as closely as the system can express anchors); handlers
    /// call <c>Probe.Fired(due)</c>. Stops early, throwing <see cref="OperationCanceledException"/>, when
    /// <paramref name="cancellationToken"/> is cancelled (a bounded setup).</summary>
    Task ScheduleRecurringAsync(int count, TimeSpan period, Func<int, DateTimeOffset> anchor, CancellationToken cancellationToken = default);

    /// <summary>How this system expresses the schedule of <paramref name="period"/>.</summary>
    string DescribeRecurring(TimeSpan period);

    /// <summary>Adds <paramref name="count"/> jobs/events (numbered from <paramref name="first"/>) each with a daily
    /// schedule that does not fire during the run.</summary>
    Task ScheduleIdleAsync(int first, int count);

    /// <summary>Brings idle schedules to the state they rest in when left alone: what the system frees by itself
    /// after a while is freed now (forced rather than waited for). A no-op for systems that keep nothing extra.</summary>
    Task LetIdleRestAsync();
}
