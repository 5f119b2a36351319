using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.ConvoOrchestrator.Grains;
using Orleans.Runtime;

namespace Orleans.ConvoOrchestrator.Runtime.Metrics;

/// <summary>
/// Flushes this silo's <see cref="MetricsCollector"/> to the metrics grain every
/// <see cref="ConvoOrchestratorOptions.MetricsFlushInterval"/>, and is the silo's <see cref="IMetricsSource"/>
/// so a snapshot can drain it on demand. One flush or drain at a time, so a snapshot never overtakes a batch
/// already on its way.
/// </summary>
internal sealed partial class MetricsFlusher : IMetricsSource, ILifecycleParticipant<ISiloLifecycle>, IDisposable
{
    private readonly MetricsCollector _collector;
    private readonly IGrainFactory _grains;
    private readonly ConvoOrchestratorOptions _options;
    private readonly ILogger<MetricsFlusher> _logger;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly CancellationTokenSource _stopping = new();
    private IMetricsSource? _self;
    // The last flush's lists, emptied, for the next one.
    private List<CounterSample>? _counters;
    private List<HistogramSample>? _histograms;
    private Task _loop = Task.CompletedTask;
    private int _disposed;

    /// <summary>Created by DI.</summary>
    public MetricsFlusher(MetricsCollector collector, IGrainFactory grains, IOptions<ConvoOrchestratorOptions> options, ILogger<MetricsFlusher> logger)
    {
        _collector = collector;
        _grains = grains;
        _options = options.Value;
        _logger = logger;
    }

    /// <inheritdoc />
    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(MetricsFlusher), ServiceLifecycleStage.Active, StartAsync, StopAsync);

    /// <inheritdoc />
    public async Task<MetricsBatch> DrainAsync()
    {
        await _gate.WaitAsync().ConfigureAwait(false);
        try
        {
            return _collector.Drain();
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Sends what is pending now.</summary>
    public async Task FlushAsync()
    {
        if (_self is null) return;
        await _gate.WaitAsync().ConfigureAwait(false);
        var batch = _collector.Drain(_counters ?? [], _histograms ?? []);
        (_counters, _histograms) = (null, null);
        try
        {
            await _grains.GetGrain<IMetricsGrain>(MetricsGrainKey.Cluster).FlushAsync(batch, _self).ConfigureAwait(false);
            // Sent and merged by the metrics grain, which keeps no sample: the lists serve the next flush.
            batch.Counters.Clear();
            batch.Histograms.Clear();
            (_counters, _histograms) = (batch.Counters, batch.Histograms);
        }
        catch (Exception ex)
        {
            // Not reused: a failed call is not known to be done with them.
            _collector.Restore(batch);
            LogFlushFailed(ex);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        // DI disposes us once per service registration we are exposed under.
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        _stopping.Cancel();
        _stopping.Dispose();
        _gate.Dispose();
    }

    private async Task StartAsync(CancellationToken ct)
    {
        _self = _grains.CreateObjectReference<IMetricsSource>(this);
        // Register with the metrics grain now, not a flush interval later, so the first snapshot drains us too.
        await FlushAsync().ConfigureAwait(false);
        _loop = Task.Run(LoopAsync, CancellationToken.None);
    }

    private async Task StopAsync(CancellationToken ct)
    {
        _stopping.Cancel();
        await _loop.ConfigureAwait(false);
        await FlushAsync().ConfigureAwait(false);
    }

    private async Task LoopAsync()
    {
        using var timer = new PeriodicTimer(_options.MetricsFlushInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(_stopping.Token).ConfigureAwait(false))
                await FlushAsync().ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Stopping: the final flush happens in StopAsync.
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Metrics flush failed; the batch is kept for the next one")]
    private partial void LogFlushFailed(Exception ex);
}
