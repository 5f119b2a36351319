using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.ConvoOrchestrator.Grains;
using Orleans.Runtime;

namespace Orleans.ConvoOrchestrator.Runtime;

/// <summary>
/// Resumes stored jobs whose event grain nobody activates: when this silo starts, whenever a silo leaves the
/// cluster (and again a few seconds later, once its activations are gone from the directory), and every
/// <see cref="ConvoOrchestratorOptions.RecoverySweepInterval"/>, it wakes its share of the events listed by
/// <see cref="IJobStore.PendingEventsAsync"/>; an activated event loads its jobs and runs them. Waking an event
/// that is already active costs one message.
/// </summary>
public sealed partial class JobRecoveryService(
    IJobStore jobs,
    IGrainFactory grains,
    IClusterMembershipService membership,
    ILocalSiloDetails local,
    IOptions<ConvoOrchestratorOptions> options,
    ILogger<JobRecoveryService> logger) : ILifecycleParticipant<ISiloLifecycle>
{
    private static readonly TimeSpan SettleDelay = TimeSpan.FromSeconds(5);
    private readonly CancellationTokenSource _stop = new();
    private readonly SemaphoreSlim _sweepRequested = new(0);
    private Task _loops = Task.CompletedTask;

    /// <inheritdoc />
    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(JobRecoveryService), ServiceLifecycleStage.Active, OnStartAsync, OnStopAsync);

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
        if (pending.Count == 0) return;
        // Each active silo wakes the events that hash to its place in the sorted list of active silos. A silo not
        // (yet) in its own view wakes them all: waking twice is harmless, not waking is not.
        var silos = membership.CurrentSnapshot.Members.Values
            .Where(m => m.Status == SiloStatus.Active)
            .Select(m => m.SiloAddress.ToParsableString())
            .Order(StringComparer.Ordinal)
            .ToList();
        var me = silos.IndexOf(local.SiloAddress.ToParsableString());
        var woken = 0;
        foreach (var eventId in pending)
        {
            if (me >= 0 && (int)(StableHash.Of(eventId.Value) % (ulong)silos.Count) != me) continue;
            await grains.GetGrain<IEventGrain>(eventId.Value).WakeAsync(); // one-way: returns at once
            woken++;
        }
        LogSwept(pending.Count, woken);
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Job recovery: {Pending} events have stored jobs; woke {Woken} of them")]
    private partial void LogSwept(int pending, int woken);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Job recovery: a sweep failed; the next one retries")]
    private partial void LogSweepFailed(Exception ex);
}
