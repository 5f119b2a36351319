using Hangfire;
using Hangfire.Common;
using Hangfire.InMemory;
using Hangfire.Redis.StackExchange;

namespace Orleans.ConvoOrchestrator.Bench.Comparison;

/// <summary>
/// Hangfire with one <see cref="BackgroundJobServer"/> of <c>Workers</c> workers in this process, on
/// Hangfire.InMemory or on Redis (Hangfire.Redis.StackExchange).
/// </summary>
internal sealed class HangfireSystem(SystemSettings settings) : IJobSystem
{
    /// <summary>Every-second cron (6 fields, seconds first), which Hangfire 1.8 accepts.</summary>
    public const string EverySecondCron = "* * * * * *";

    private JobStorage _storage = null!;
    private BackgroundJobServer? _server;
    private BackgroundJobClient _client = null!;

    public bool BlockingEnqueue => true;

    public string DescribeRecurring(TimeSpan period) => period == TimeSpan.FromSeconds(1)
        ? $"RecurringJob with cron \"{EverySecondCron}\" (seconds field), SchedulePollingInterval {PollingInterval.TotalMilliseconds:0} ms; cron instants are whole seconds, so all fire at once"
        : $"RecurringJob with cron \"S * * * * *\", S the anchor's second (spread over the minute: a sixtieth of them fire together at each whole second), SchedulePollingInterval {PollingInterval.TotalMilliseconds:0} ms";

    // The recurring-job scheduler sleeps this long between passes: Hangfire's default (15 s) would make every
    // fire of a 1 s schedule late; 100 ms is what a user wanting 1 s schedules would set.
    private static TimeSpan PollingInterval => TimeSpan.FromMilliseconds(100);

    public Task StartAsync()
    {
        GlobalConfiguration.Configuration
            .SetDataCompatibilityLevel(CompatibilityLevel.Version_180)
            .UseSimpleAssemblyNameTypeSerializer()
            .UseRecommendedSerializerSettings();
        _storage = settings.RedisConfiguration is { } redis
            ? new RedisStorage(redis, new RedisStorageOptions { Prefix = "hangfire-bench:" })
            : new InMemoryStorage(new InMemoryStorageOptions());
        _client = new BackgroundJobClient(_storage);
        _server = new BackgroundJobServer(new BackgroundJobServerOptions
        {
            WorkerCount = settings.Workers,
            SchedulePollingInterval = PollingInterval,
            ServerName = "hangfire-bench",
        }, _storage);
        return Task.CompletedTask;
    }

    public ValueTask EnqueueAsync(long emittedAt)
    {
        _client.Enqueue(() => HangfireJobs.Run(emittedAt));
        return default;
    }

    // Cron has no anchor: a 60 s schedule fires at its anchor's whole second of every minute, the nearest Hangfire gets.
    public Task ScheduleRecurringAsync(int count, TimeSpan period, Func<int, DateTimeOffset> anchor, CancellationToken cancellationToken = default) =>
        period == TimeSpan.FromSeconds(1) ? AddRecurring(0, count, "tick", _ => EverySecondCron, cancellationToken)
        : period == TimeSpan.FromMinutes(1) ? AddRecurring(0, count, "tick", i => $"{anchor(i).UtcDateTime.Second} * * * * *", cancellationToken)
        : throw new ArgumentException($"a cron expression cannot express a {period} period", nameof(period));

    // 03:00 UTC daily.
    public Task ScheduleIdleAsync(int first, int count) => AddRecurring(first, count, "idle", _ => "0 3 * * *");

    public Task LetIdleRestAsync() => Task.CompletedTask; // nothing to free: its memory is the same at rest

    private Task AddRecurring(int first, int count, string prefix, Func<int, string> cron, CancellationToken cancellationToken = default)
    {
        var manager = new RecurringJobManager(_storage);
        var job = Job.FromExpression(() => HangfireJobs.Fire(null));
        var options = new RecurringJobOptions { TimeZone = TimeZoneInfo.Utc };
        Parallel.For(first, first + count, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount, CancellationToken = cancellationToken },
            i => manager.AddOrUpdate($"{prefix}-{i}", job, cron(i), options));
        return Task.CompletedTask;
    }

    public ValueTask DisposeAsync()
    {
        if (_server is not null)
        {
            _server.SendStop();
            _server.WaitForShutdown(TimeSpan.FromSeconds(10));
            _server.Dispose();
        }
        (_storage as IDisposable)?.Dispose();
        return default;
    }
}
