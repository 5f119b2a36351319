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
        await SetUpAsync(0, count, i => new Trigger(new TriggerId($"bench-tr-{i}"), TriggerKind.INTERVAL,
            Interval: period, Anchor: anchor(i) - period));

    public async Task ScheduleIdleAsync(int first, int count) =>
        // 03:00 UTC daily: nothing fires during a run (the run would have to straddle 03:00).
        await SetUpAsync(first, count, i => new Trigger(new TriggerId($"bench-idle-{i}"), TriggerKind.Cron, Cron: "0 3 * * *"));

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

    // Each schedule feeds its own event; all are set up with one bulk call (issue 21), which the client sends in
    // chunks and the silo fans out to the event grains.
    private async Task SetUpAsync(int first, int count, Func<int, Trigger> trigger)
    {
        var setups = new List<EventSetup>(count);
        for (var i = first; i < first + count; i++) setups.Add(new EventSetup(NoopEvent(new EventId($"bench-ev-{i}")), [trigger(i)]));
        (await _api.SaveEventsAsync(setups)).Unwrap();
    }

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
