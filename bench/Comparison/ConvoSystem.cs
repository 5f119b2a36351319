using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.ConvoOrchestrator.Runtime;
using Orleans.Hosting;

namespace Orleans.ConvoOrchestrator.Bench.Comparison;

/// <summary>
/// ConvoOrchestrator on one silo embedded in this process (as <c>EventManager</c> hosts it): memory store, or
/// Redis through <c>UseConvoRedisStore</c>. Driven through <see cref="IEventOrchestrator"/> over the silo's grain factory.
/// </summary>
internal sealed class ConvoSystem(SystemSettings settings) : IJobSystem
{
    private const string Handler = "noop";
    private static readonly EventId BurstEvent = new("bench-jobs");
    private IHost? _host;
    private IEventOrchestrator _api = null!;

    public bool BlockingEnqueue => false;

    public string DescribeRecurring(TimeSpan period) =>
        $"INTERVAL trigger, Interval = {period.TotalSeconds:0} s, anchors spread over the {(period == TimeSpan.FromSeconds(1) ? "second" : "period")}";

    public async Task StartAsync()
    {
        var handlers = new HandlerRegistry().Register(Handler, ctx =>
        {
            if (ctx.ScheduledAt is { } due) Probe.Fired(due);
            else Probe.Ran(long.Parse(ctx.PayloadJson, CultureInfo.InvariantCulture));
        });
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Logging.ClearProviders();
        builder.Logging.AddConsole(c => c.LogToStandardErrorThreshold = LogLevel.Trace).SetMinimumLevel(LogLevel.Error);
        var clusterId = "convo-bench-" + Guid.NewGuid().ToString("N")[..8];
        builder.UseOrleans(silo =>
        {
            silo.UseLocalhostClustering(FreePorts.Next(), FreePorts.Next(), serviceId: clusterId, clusterId: clusterId);
            if (settings.RedisConfiguration is { } redis) silo.UseConvoRedisStore(redis);
            else silo.UseConvoInMemoryStore();
            // Orleans drops a grain directory cache entry idle for MaximumCacheTTL (240 s): long before an idle grain is
            // collected (15 min), so at rest no entry is left. Shortened to match the forced collection below.
            if (settings.IdleRest) silo.Configure<Orleans.Configuration.GrainDirectoryOptions>(o => o.MaximumCacheTTL = RestCacheTtl);
            silo.AddConvoOrchestrator(o =>
            {
                o.MaxConcurrentRuns = settings.Workers;
                o.QueueMaxSize = null; // a burst of 100,000 must not be refused
                // A/B of the fire lead (issue 21): CONVO_BENCH_FIRE_LEAD_MS=0 turns it off, unset keeps the default.
                if (SystemSettings.FireLeadFromEnvironment() is { } lead) o.FireLead = lead;
            }, handlers);
        });
        _host = builder.Build();
        await _host.StartAsync();
        _api = _host.Services.GetRequiredService<IEventOrchestrator>();
        (await _api.SaveEventAsync(NoopEvent(BurstEvent))).Unwrap();
    }

    public async ValueTask EnqueueAsync(long emittedAt) =>
        (await _api.EmitJsonAsync(BurstEvent, emittedAt.ToString(CultureInfo.InvariantCulture))).Unwrap();

    public async Task ScheduleRecurringAsync(int count, TimeSpan period, Func<int, DateTimeOffset> anchor, CancellationToken cancellationToken = default) =>
        // An INTERVAL trigger fires at anchor + k * interval for k >= 1: anchored one period early, its first fire is
        // at anchor(i), where the other systems' first fire is.
        await AttachAsync(0, count, PrecisionAttachConcurrency, i => new Trigger(new TriggerId($"bench-tr-{i}"), TriggerKind.INTERVAL,
            Interval: period, Anchor: anchor(i) - period), cancellationToken);

    public async Task ScheduleIdleAsync(int first, int count) =>
        // 03:00 UTC daily: nothing fires during a run (the run would have to straddle 03:00).
        await AttachAsync(first, count, IdleAttachConcurrency, i => new Trigger(new TriggerId($"bench-idle-{i}"), TriggerKind.Cron, Cron: "0 3 * * *"));

    private static readonly TimeSpan RestCacheTtl = TimeSpan.FromSeconds(5);

    // Orleans' activation collector deactivates grains idle for CollectionAge (15 min by default); an idle
    // schedule's grains are idle (its trigger waits in a wake bucket, whose one reminder ticks just before the
    // fire), so at rest only their stored state, catalog and bucket entries stay. Forced here instead of waiting a
    // quarter of an hour; then the directory cache's idle entries expire (within two TTLs: its sweep runs every TTL).
    public async Task LetIdleRestAsync()
    {
        var management = _host!.Services.GetRequiredService<IGrainFactory>().GetGrain<IManagementGrain>(0);
        await management.ForceActivationCollection(TimeSpan.Zero);
        var left = await management.GetTotalActivationCount();
        for (var settled = 0; settled < 3; )
        {
            await Task.Delay(200);
            var now = await management.GetTotalActivationCount();
            settled = now < left ? 0 : settled + 1;
            left = now;
        }
        await Task.Delay(2 * RestCacheTtl + TimeSpan.FromSeconds(1));
    }

    // Each schedule feeds its own event. Every save and attach adds to the catalog, whose concurrent changes
    // share one write: many in flight at once make few, large writes instead of many.
    // Idle (cron) schedules go 512 at once, which cut the setup's attach time (3f6c205). Every-second
    // schedules start firing while the rest are attached: with 256 or more at once, attaches under a loaded machine
    // hit the 30 s response timeout, so those go 64 at once (as the issue-3 benchmark does).
    private const int IdleAttachConcurrency = 512;
    private const int PrecisionAttachConcurrency = 64;

    private async Task AttachAsync(int first, int count, int concurrency, Func<int, Trigger> trigger, CancellationToken cancellationToken = default) =>
        await Parallel.ForAsync(first, first + count, new ParallelOptions { MaxDegreeOfParallelism = concurrency, CancellationToken = cancellationToken }, async (i, _) =>
        {
            var id = new EventId($"bench-ev-{i}");
            (await _api.SaveEventAsync(NoopEvent(id))).Unwrap();
            (await _api.AttachTriggerAsync(id, trigger(i))).Unwrap();
        });

    // No timeout (like the other systems' jobs); MaxConcurrency = the worker count so the event is not the bottleneck.
    private Event NoopEvent(EventId id) =>
        new(id, id.Value!, Handler, new Policy(TimeoutSec: null, MaxConcurrency: settings.Workers));

    public async ValueTask DisposeAsync()
    {
        if (_host is null) return;
        await _host.StopAsync();
        _host.Dispose();
    }
}
