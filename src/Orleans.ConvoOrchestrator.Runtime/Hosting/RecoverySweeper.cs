using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.ConvoOrchestrator.Grains;
using Orleans.Runtime;

namespace Orleans.ConvoOrchestrator.Runtime.Hosting;

/// <summary>
/// Resumes work whose grain nobody activates. Jobs: when this silo starts, whenever a silo leaves the cluster
/// (and again a few seconds later, once its activations are gone from the directory), and every
/// <see cref="ConvoOrchestratorOptions.RecoverySweepInterval"/>, it wakes its share of the events listed by
/// <see cref="IJobStore.PendingEventsAsync"/>; an activated event loads its jobs and runs them. Triggers: when this
/// silo starts and whenever a silo leaves, it wakes its share of all triggers, which reconcile their schedules at
/// once instead of at their next reminder tick (up to a reminder period later). Waking an active grain costs one message.
/// </summary>
internal sealed partial class RecoverySweeper(
    IJobStore jobs,
    IGrainFactory grains,
    IClusterMembershipService membership,
    ILocalSiloDetails local,
    IOptions<ConvoOrchestratorOptions> options,
    ILogger<RecoverySweeper> logger) : ILifecycleParticipant<ISiloLifecycle>
{
    private static readonly TimeSpan SettleDelay = TimeSpan.FromSeconds(5);
    private readonly CancellationTokenSource _stop = new();
    private readonly SemaphoreSlim _sweepRequested = new(0);
    private volatile bool _wakeTriggers = true;
    private Task _loops = Task.CompletedTask;

    /// <inheritdoc />
    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(RecoverySweeper), ServiceLifecycleStage.Active, OnStartAsync, OnStopAsync);

    private Task OnStartAsync(CancellationToken ct)
    {
        _loops = Task.WhenAll(Task.Run(SweepLoopAsync), Task.Run(WatchMembershipAsync), Task.Run(TickAsync));
        _sweepRequested.Release();
        return Task.CompletedTask;
    }

    private async Task OnStopAsync(CancellationToken ct)
    {
        await _stop.CancelAsync();
        try
        {
            await _loops.WaitAsync(ct);
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task SweepLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                await _sweepRequested.WaitAsync(_stop.Token);
                while (_sweepRequested.CurrentCount > 0) await _sweepRequested.WaitAsync(_stop.Token); // coalesce requests
                await SweepAsync();
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                LogSweepFailed(ex);
            }
        }
    }

    private async Task WatchMembershipAsync()
    {
        HashSet<SiloAddress>? previous = null;
        try
        {
            await foreach (var snapshot in membership.MembershipUpdates.WithCancellation(_stop.Token))
            {
                var active = snapshot.Members.Values.Where(m => m.Status == SiloStatus.Active).Select(m => m.SiloAddress).ToHashSet();
                if (previous is not null && previous.Except(active).Any())
                {
                    _wakeTriggers = true;
                    _sweepRequested.Release();
                    _ = SweepAgainLaterAsync();
                }
                previous = active;
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
        }
    }

    private async Task SweepAgainLaterAsync()
    {
        try
        {
            await Task.Delay(SettleDelay, _stop.Token);
            _sweepRequested.Release();
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task TickAsync()
    {
        using var timer = new PeriodicTimer(options.Value.RecoverySweepInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(_stop.Token)) _sweepRequested.Release();
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task SweepAsync()
    {
        var pending = await jobs.PendingEventsAsync();
        var wakeTriggers = _wakeTriggers;
        _wakeTriggers = false;
        // Each active silo wakes the events that hash to its place in the sorted list of active silos. A silo not
        // (yet) in its own view wakes them all: waking twice is harmless, not waking is not.
        var silos = membership.CurrentSnapshot.Members.Values
            .Where(m => m.Status == SiloStatus.Active)
            .Select(m => m.SiloAddress.ToParsableString())
            .Order(StringComparer.Ordinal)
            .ToList();
        var me = silos.IndexOf(local.SiloAddress.ToParsableString());
        bool Mine(string id) => me < 0 || (int)(StableHash.Of(id) % (ulong)silos.Count) == me;
        var woken = 0;
        foreach (var eventId in pending)
        {
            if (!Mine(eventId.Value)) continue;
            await grains.GetGrain<Grains.IEventJobsGrain>(eventId.Value).WakeAsync(); // one-way: returns at once
            woken++;
        }
        var triggers = 0;
        if (wakeTriggers)
        {
            var catalog = grains.GetGrain<ICatalogGrain>(CatalogKeys.Triggers);
            string? after = null;
            while (!_stop.IsCancellationRequested)
            {
                var page = await catalog.ListAsync(after, 1000);
                foreach (var triggerId in page)
                {
                    if (!Mine(triggerId)) continue;
                    await grains.GetGrain<ITriggerGrain>(triggerId).WakeAsync();
                    triggers++;
                }
                if (page.Count < 1000) break;
                after = page[^1];
            }
        }
        LogSwept(pending.Count, woken, triggers);
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Recovery sweep: {Pending} events have stored jobs; woke {Woken} of them and {Triggers} triggers")]
    private partial void LogSwept(int pending, int woken, int triggers);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Job recovery: a sweep failed; the next one retries")]
    private partial void LogSweepFailed(Exception ex);
}
