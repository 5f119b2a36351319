using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Configuration;
using Orleans.ConvoOrchestrator.Client;
using Orleans.Hosting;
using Orleans.Runtime;

namespace Orleans.ConvoOrchestrator.Runtime;

/// <summary>
/// The guide's EventManager: hosts one in-process silo on memory storage and exposes the
/// <see cref="IEventOrchestrator"/> API over it. Definitions saved in the repository before
/// <see cref="Start"/> are loaded when it starts; after <see cref="StopAsync"/>, <see cref="Status"/> and the
/// metrics keep answering with the final state.
/// </summary>
public sealed class EventManager : IEventOrchestrator, IAsyncDisposable
{
    private readonly InMemoryEventRepository _repo;
    private readonly HandlerRegistry _handlers;
    private readonly TimeProvider _clock;
    private readonly InMemoryMetrics _metrics;
    private readonly Action<ConvoOrchestratorOptions>? _configure;
    private readonly Action<ILoggingBuilder>? _logging;
    private readonly ConditionRegistry? _conditions;
    private readonly int? _queueMaxsize;
    private readonly int _schedulerTickMs;
    private readonly SemaphoreSlim _lifecycle = new(1, 1);
    private readonly Dictionary<string, EventRuntimeStatus> _finalStatus = new(StringComparer.Ordinal);
    private IHost? _host;
    private ConvoOrchestratorClient? _client;

    /// <summary>Creates a manager; nothing runs until <see cref="Start"/>.</summary>
    /// <param name="repo">Where definitions live.</param>
    /// <param name="handlerRegistry">The handlers events name.</param>
    /// <param name="clock">The clock (<see cref="SystemClock"/>, or a <c>FakeTimeProvider</c> in tests); it also drives grain timers.</param>
    /// <param name="metrics">Receives the metrics.</param>
    /// <param name="queueMaxsize">Bound of each event's queue; null keeps the default (<see cref="ConvoOrchestratorOptions.QueueMaxSize"/>).</param>
    /// <param name="schedulerTickMs">Trigger timer granularity in milliseconds (<see cref="ConvoOrchestratorOptions.SchedulerTick"/>).</param>
    /// <param name="configure">Further options.</param>
    /// <param name="logging">Logging of the embedded silo; warnings and errors to the console when null.</param>
    /// <param name="conditions">Predicates CONDITION triggers name.</param>
    public EventManager(
        InMemoryEventRepository repo,
        HandlerRegistry handlerRegistry,
        TimeProvider clock,
        InMemoryMetrics metrics,
        int? queueMaxsize = null,
        int schedulerTickMs = 100,
        Action<ConvoOrchestratorOptions>? configure = null,
        Action<ILoggingBuilder>? logging = null,
        ConditionRegistry? conditions = null)
    {
        _conditions = conditions;
        ArgumentNullException.ThrowIfNull(repo);
        ArgumentNullException.ThrowIfNull(handlerRegistry);
        ArgumentNullException.ThrowIfNull(clock);
        ArgumentNullException.ThrowIfNull(metrics);
        if (queueMaxsize is < 1) throw new ArgumentOutOfRangeException(nameof(queueMaxsize), "queue_maxsize must be at least 1");
        if (schedulerTickMs < 1) throw new ArgumentOutOfRangeException(nameof(schedulerTickMs), "scheduler_tick_ms must be at least 1");
        _repo = repo;
        _handlers = handlerRegistry;
        _clock = clock;
        _metrics = metrics;
        _queueMaxsize = queueMaxsize;
        _schedulerTickMs = schedulerTickMs;
        _configure = configure;
        _logging = logging;
    }

    /// <summary>True between <see cref="Start"/> and <see cref="StopAsync"/>.</summary>
    public bool IsRunning => _client is not null;

    /// <summary>The embedded silo's services while running (for advanced use and tests).</summary>
    public IServiceProvider? Services => _host?.Services;

    /// <summary>Starts the embedded silo and loads the repository into it (blocks until ready, about two seconds).</summary>
    public void Start() => StartAsync().GetAwaiter().GetResult();

    /// <summary>Starts the embedded silo and loads the repository into it.</summary>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        await _lifecycle.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_host is not null) return;
            var host = BuildHost();
            await host.StartAsync(cancellationToken).ConfigureAwait(false);
            var client = new ConvoOrchestratorClient(host.Services.GetRequiredService<IGrainFactory>());
            try
            {
                await _repo.BindAsync(client).ConfigureAwait(false);
                await _metrics.BindAsync(host.Services.GetRequiredService<IGrainFactory>()).ConfigureAwait(false);
            }
            catch
            {
                await host.StopAsync(CancellationToken.None).ConfigureAwait(false);
                host.Dispose();
                throw;
            }
            _finalStatus.Clear();
            _host = host;
            _client = client;
        }
        finally
        {
            _lifecycle.Release();
        }
    }

    /// <summary>
    /// Stops gracefully: running handlers get <see cref="ConvoOrchestratorOptions.ShutdownGracePeriod"/> to finish
    /// (then are cancelled); final statuses and metrics are kept; definitions go back to the repository.
    /// </summary>
    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        await _lifecycle.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_host is not { } host || _client is not { } client) return;
            _client = null; // new emits are refused from here on
            host.Services.GetRequiredService<SiloStopping>().Signal(); // and triggers stop firing
            await host.Services.GetRequiredService<JobRunner>().StopAsync(cancellationToken).ConfigureAwait(false);
            await host.Services.GetRequiredService<MetricsFlusher>().FlushAsync().ConfigureAwait(false);
            foreach (var ev in (await client.ListEventsAsync().ConfigureAwait(false)).UnwrapOr([]))
            {
                var status = await client.StatusAsync(ev.Id).ConfigureAwait(false);
                if (status.IsOk) _finalStatus[ev.Id.Value] = status.Unwrap();
            }
            _metrics.Unbind((await client.MetricsSnapshotAsync().ConfigureAwait(false)).Unwrap());
            await _repo.UnbindAsync().ConfigureAwait(false);
            await host.StopAsync(cancellationToken).ConfigureAwait(false);
            host.Dispose();
            _host = null;
        }
        finally
        {
            _lifecycle.Release();
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync() => await StopAsync().ConfigureAwait(false);

    /// <summary>An event's status (blocks while it asks the silo; prefer <see cref="StatusAsync"/> in async code).
    /// After <see cref="StopAsync"/> it returns the status the event had when the manager stopped.</summary>
    public Result<EventRuntimeStatus> Status(EventId eventId) => StatusAsync(eventId).GetAwaiter().GetResult();

    /// <inheritdoc />
    public Task<Result<EventRuntimeStatus>> StatusAsync(EventId eventId, CancellationToken cancellationToken = default)
    {
        if (_client is { } client) return client.StatusAsync(eventId, cancellationToken);
        if (_finalStatus.TryGetValue(eventId.Value ?? string.Empty, out var final)) return Task.FromResult(Result<EventRuntimeStatus>.Ok(final));
        var ev = _repo.GetEvent(eventId);
        return Task.FromResult(ev.Map(e => new EventRuntimeStatus(e.Active, 0, 0, null, null)));
    }

    /// <inheritdoc />
    public Task<Result> SaveEventAsync(Event definition, CancellationToken cancellationToken = default) =>
        _repo.SaveAsync(definition, mustExist: null, cancellationToken);

    /// <inheritdoc />
    public Task<Result<int>> SaveEventsAsync(IReadOnlyList<EventSetup> setups, CancellationToken cancellationToken = default) =>
        _repo.SaveEventsAsync(setups, cancellationToken);

    /// <inheritdoc />
    public Task<Result> CreateEventAsync(Event definition, CancellationToken cancellationToken = default) =>
        _repo.SaveAsync(definition, mustExist: false, cancellationToken);

    /// <inheritdoc />
    public Task<Result> UpdateEventAsync(Event definition, CancellationToken cancellationToken = default) =>
        _repo.SaveAsync(definition, mustExist: true, cancellationToken);

    /// <inheritdoc />
    public Task<Result<Event>> GetEventAsync(EventId eventId, CancellationToken cancellationToken = default) =>
        _repo.GetEventAsync(eventId, cancellationToken);

    /// <inheritdoc />
    public Task<Result<IReadOnlyList<Event>>> ListEventsAsync(CancellationToken cancellationToken = default) =>
        _repo.ListEventsAsync(cancellationToken);

    /// <inheritdoc />
    public Task<Result<Page<Event>>> ListEventsPageAsync(int limit, string? pageToken = null, CancellationToken cancellationToken = default) =>
        _repo.ListEventsPageAsync(limit, pageToken, cancellationToken);

    /// <inheritdoc />
    public Task<Result> RemoveEventAsync(EventId eventId, CancellationToken cancellationToken = default) =>
        _repo.RemoveEventAsync(eventId, cancellationToken);

    /// <inheritdoc />
    public Task<Result> SetEventActiveAsync(EventId eventId, bool active, CancellationToken cancellationToken = default) =>
        Running(c => c.SetEventActiveAsync(eventId, active, cancellationToken));

    /// <inheritdoc />
    public Task<Result<SubscriptionId>> AttachTriggerAsync(EventId eventId, Trigger trigger, CancellationToken cancellationToken = default) =>
        _repo.AttachTriggerAsync(eventId, trigger, cancellationToken);

    /// <inheritdoc />
    public Task<Result> DetachTriggerAsync(SubscriptionId subscriptionId, CancellationToken cancellationToken = default) =>
        _repo.DetachTriggerAsync(subscriptionId, cancellationToken);

    /// <inheritdoc />
    public Task<Result<IReadOnlyList<Trigger>>> ListTriggersAsync(EventId? eventId = null, CancellationToken cancellationToken = default) =>
        _repo.ListTriggersAsync(eventId, cancellationToken);

    /// <inheritdoc />
    public Task<Result<Page<Trigger>>> ListTriggersPageAsync(int limit, string? pageToken = null, EventId? eventId = null,
        CancellationToken cancellationToken = default) =>
        _repo.ListTriggersPageAsync(limit, pageToken, eventId, cancellationToken);

    /// <inheritdoc />
    public Task<Result<string>> EmitAsync(EventId eventId, object? payload = null, EmitOptions? options = null, CancellationToken cancellationToken = default) =>
        Running(c => c.EmitAsync(eventId, payload, options, cancellationToken));

    /// <inheritdoc />
    public Task<Result<string>> EmitJsonAsync(EventId eventId, string payloadJson, EmitOptions? options = null, CancellationToken cancellationToken = default) =>
        Running(c => c.EmitJsonAsync(eventId, payloadJson, options, cancellationToken));

    /// <inheritdoc />
    public Task<Result<JobOutcome>> TestRunAsync(EventId eventId, object? payload = null, CancellationToken cancellationToken = default) =>
        Running(c => c.TestRunAsync(eventId, payload, cancellationToken));

    /// <inheritdoc />
    public Task<Result<int>> FireTriggerAsync(TriggerId triggerId, object? payload = null, CancellationToken cancellationToken = default) =>
        Running(c => c.FireTriggerAsync(triggerId, payload, cancellationToken));

    /// <inheritdoc />
    public Task<Result<TriggerStatus>> TriggerStatusAsync(TriggerId triggerId, CancellationToken cancellationToken = default) =>
        Running(c => c.TriggerStatusAsync(triggerId, cancellationToken));

    /// <inheritdoc />
    public Task<Result> CancelJobAsync(EventId eventId, string jobId, CancellationToken cancellationToken = default) =>
        Running(c => c.CancelJobAsync(eventId, jobId, cancellationToken));

    /// <inheritdoc />
    public Task<Result<IReadOnlyList<InFlightJob>>> ListJobsAsync(EventId eventId, int limit = 100, CancellationToken cancellationToken = default) =>
        Running(c => c.ListJobsAsync(eventId, limit, cancellationToken));

    /// <inheritdoc />
    public Task<Result<int>> CancelWaitingJobsAsync(EventId eventId, CancellationToken cancellationToken = default) =>
        Running(c => c.CancelWaitingJobsAsync(eventId, cancellationToken));

    /// <inheritdoc />
    public Task<Result<IReadOnlyList<FailedJob>>> ListFailedJobsAsync(EventId? eventId = null, int limit = 100, CancellationToken cancellationToken = default) =>
        Running(c => c.ListFailedJobsAsync(eventId, limit, cancellationToken));

    /// <inheritdoc />
    public Task<Result<int>> RequeueFailedJobsAsync(EventId eventId, IReadOnlyList<string>? jobIds = null, CancellationToken cancellationToken = default) =>
        Running(c => c.RequeueFailedJobsAsync(eventId, jobIds, cancellationToken));

    /// <inheritdoc />
    public Task<Result<int>> DiscardFailedJobsAsync(EventId eventId, IReadOnlyList<string>? jobIds = null, CancellationToken cancellationToken = default) =>
        Running(c => c.DiscardFailedJobsAsync(eventId, jobIds, cancellationToken));

    /// <inheritdoc />
    public Task<Result> SetTriggerPausedAsync(TriggerId triggerId, bool paused, CancellationToken cancellationToken = default) =>
        Running(c => c.SetTriggerPausedAsync(triggerId, paused, cancellationToken));

    /// <inheritdoc />
    public Task<Result<IReadOnlyList<DateTimeOffset>>> NextFiresAsync(TriggerId triggerId, int count = 10, CancellationToken cancellationToken = default) =>
        Running(c => c.NextFiresAsync(triggerId, count, cancellationToken));

    /// <inheritdoc />
    public Task<Result<BackfillReport>> BackfillTriggerAsync(TriggerId triggerId, DateTimeOffset from, DateTimeOffset to,
        CancellationToken cancellationToken = default) =>
        Running(c => c.BackfillTriggerAsync(triggerId, from, to, cancellationToken));

    /// <inheritdoc />
    public Task<Result> SaveCalendarAsync(Calendar calendar, CancellationToken cancellationToken = default) =>
        _repo.SaveCalendarAsync(calendar, cancellationToken);

    /// <inheritdoc />
    public Task<Result<Calendar>> GetCalendarAsync(string name, CancellationToken cancellationToken = default) =>
        _repo.GetCalendarAsync(name, cancellationToken);

    /// <inheritdoc />
    public Task<Result<IReadOnlyList<Calendar>>> ListCalendarsAsync(CancellationToken cancellationToken = default) =>
        _repo.ListCalendarsAsync(cancellationToken);

    /// <inheritdoc />
    public Task<Result> RemoveCalendarAsync(string name, CancellationToken cancellationToken = default) =>
        _repo.RemoveCalendarAsync(name, cancellationToken);

    /// <inheritdoc />
    public Task<Result<IReadOnlyList<JobRecord>>> HistoryAsync(EventId eventId, int limit = 50, CancellationToken cancellationToken = default) =>
        Running(c => c.HistoryAsync(eventId, limit, cancellationToken));

    /// <inheritdoc />
    public async Task<Result<MetricsSnapshot>> MetricsSnapshotAsync(CancellationToken cancellationToken = default) =>
        await _metrics.SnapshotAsync(cancellationToken).ConfigureAwait(false);

    // Not QUEUE_UNAVAILABLE: that means an unreachable cluster, which waiting may cure; this needs a call to Start().
    private const string NotRunning = "the EventManager is not running; call Start() first";

    private Task<Result<T>> Running<T>(Func<IEventOrchestrator, Task<Result<T>>> call) => _client is { } client
        ? call(client)
        : Task.FromResult(Result<T>.Err(ErrorKind.SCHEDULER_ERROR, NotRunning));

    private Task<Result> Running(Func<IEventOrchestrator, Task<Result>> call) => _client is { } client
        ? call(client)
        : Task.FromResult(Result.Err(ErrorKind.SCHEDULER_ERROR, NotRunning));

    private IHost BuildHost()
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Logging.ClearProviders();
        if (_logging is not null) _logging(builder.Logging);
        else
        {
            // An embedded silo is part of someone's app: our warnings, but only Orleans' errors (not its startup notes).
            builder.Logging.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Warning)
                .AddFilter("Orleans", LogLevel.Error)
                .AddFilter("Orleans.ConvoOrchestrator", LogLevel.Warning);
        }
        var clusterId = "convo-embedded-" + Guid.NewGuid().ToString("N")[..8];
        builder.UseOrleans(silo =>
        {
            // Free ports: an embedded manager must not collide with a stock silo or another manager.
            silo.UseLocalhostClustering(FreePort(), FreePort(), serviceId: clusterId, clusterId: clusterId);
            silo.UseConvoInMemoryStore();
            silo.AddConvoOrchestrator(o =>
            {
                if (_queueMaxsize is { } max) o.QueueMaxSize = max;
                o.SchedulerTick = TimeSpan.FromMilliseconds(_schedulerTickMs);
                _configure?.Invoke(o);
            }, _handlers, _clock, _conditions);
            if (!SystemClock.IsSystem(_clock))
                silo.Services.AddKeyedSingleton(TimeProviderNames.Grains, _clock);
        });
        return builder.Build();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
