using Quartz;

namespace Orleans.ConvoOrchestrator.Bench.Comparison;

/// <summary>Quartz.NET with its in-memory job store (RAMJobStore) and its default thread pool of <c>Workers</c> slots.</summary>
internal sealed class QuartzSystem(SystemSettings settings) : IJobSystem
{
    private static readonly JobKey BurstJob = new("bench-jobs");
    private StandaloneSchedulerFactory? _factory;
    private IScheduler _scheduler = null!;

    public bool BlockingEnqueue => false;

    public string DescribeRecurring(TimeSpan period) =>
        $"SimpleSchedule WithInterval({period.TotalSeconds:0} s).RepeatForever(), StartAt spread over the {(period == TimeSpan.FromSeconds(1) ? "second" : "period")}";

    public async Task StartAsync()
    {
        _factory = QuartzSchedulerBuilder.Create(q =>
        {
            q.UseInMemoryStore(_ => { });
            q.UseDefaultThreadPool(settings.Workers);
            // Acquire up to a pool's worth of due triggers per scheduler loop (the default is one), so the
            // scheduler thread does not limit a burst; no fire-ahead window, so nothing runs early.
            q.ConfigureScheduler(o => o.MaxBatchSize = settings.Workers);
        }).Build();
        _scheduler = await _factory.GetScheduler();
        await _scheduler.AddJob(JobBuilder.Create<QuartzRunJob>().WithIdentity(BurstJob).StoreDurably().Build(), default);
        await _scheduler.Start();
    }

    public async ValueTask EnqueueAsync(long emittedAt) =>
        await _scheduler.TriggerJob(BurstJob, new JobDataMap { [QuartzRunJob.EmittedAt] = emittedAt });

    public Task ScheduleRecurringAsync(int count, TimeSpan period, Func<int, DateTimeOffset> anchor, CancellationToken cancellationToken = default) =>
        ScheduleAsync(0, count, "tick", i => SimpleScheduleBuilder.Create().WithInterval(period).RepeatForever(), anchor, cancellationToken);

    public Task ScheduleIdleAsync(int first, int count) =>
        // 03:00 UTC daily (Quartz cron has a seconds field).
        ScheduleAsync(first, count, "idle", _ => CronScheduleBuilder.Create("0 0 3 * * ?"), _ => DateTimeOffset.UtcNow);

    public Task LetIdleRestAsync() => Task.CompletedTask; // nothing to free: its memory is the same at rest

    private async Task ScheduleAsync(int first, int count, string prefix, Func<int, IScheduleBuilder> schedule, Func<int, DateTimeOffset> start,
        CancellationToken cancellationToken = default) =>
        await Parallel.ForAsync(first, first + count, new ParallelOptions { MaxDegreeOfParallelism = 64, CancellationToken = cancellationToken }, async (i, _) =>
        {
            var job = JobBuilder.Create<QuartzFireJob>().WithIdentity($"{prefix}-{i}").Build();
            var trigger = TriggerBuilder.Create(TimeProvider.System).WithIdentity($"{prefix}-{i}").StartAt(start(i))
                .WithSchedule(schedule(i)).Build();
            await _scheduler.ScheduleJob(job, trigger, default);
        });

    public async ValueTask DisposeAsync()
    {
        if (_factory is null) return;
        await _scheduler.Shutdown(false, CancellationToken.None);
        await _factory.DisposeAsync();
    }
}
