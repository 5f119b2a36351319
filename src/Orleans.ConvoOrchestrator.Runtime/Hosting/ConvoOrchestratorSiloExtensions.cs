using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Orleans.ConvoOrchestrator.Client;
using Orleans.Hosting;
using Orleans.Configuration;
using Orleans.Runtime;
using Orleans.Runtime.Hosting;
using Microsoft.Extensions.Options;
using Orleans.Storage;
using Orleans.ConvoOrchestrator;

namespace Orleans.Hosting;

/// <summary>Adds the orchestrator to a silo.</summary>
public static class ConvoOrchestratorSiloExtensions
{
    /// <summary>
    /// Adds the orchestrator's services (handler registry, worker pool, metrics batching) to a silo and registers
    /// <see cref="IEventOrchestrator"/> for code running in the silo. Storage is the host's choice: register a
    /// grain storage named <see cref="ConvoOrchestratorOptions.StorageName"/> (see <see cref="UseConvoInMemoryStore"/>);
    /// a silo without one stops as it starts, saying so. Calling it again only adds <paramref name="configure"/> (and
    /// replaces the handlers and conditions when given): its services are registered once.
    /// </summary>
    /// <param name="silo">The silo.</param>
    /// <param name="configure">Options.</param>
    /// <param name="handlers">The handlers to run; when null a <see cref="HandlerRegistry"/> registered in DI is used, or an empty one.</param>
    /// <param name="clock">Where time comes from (timestamps, timeouts, backoff, schedules); <see cref="TimeProvider.System"/> by default.</param>
    /// <param name="conditions">Predicates of CONDITION triggers; when null one registered in DI is used, or an empty one.</param>
    public static ISiloBuilder AddConvoOrchestrator(this ISiloBuilder silo, Action<ConvoOrchestratorOptions>? configure = null,
        HandlerRegistry? handlers = null, TimeProvider? clock = null, ConditionRegistry? conditions = null)
    {
        var services = silo.Services;
        if (conditions is not null) services.Replace(ServiceDescriptor.Singleton(conditions));
        services.AddOptions<ConvoOrchestratorOptions>()
            .Configure(o => configure?.Invoke(o))
            .ValidateOnStart();
        if (handlers is not null) services.Replace(ServiceDescriptor.Singleton(handlers));
        // Once per silo: a second call must not subscribe the lifecycle participants (worker pool, sweeper) twice.
        if (services.Any(d => d.ServiceType == typeof(StoreChosenCheck))) return silo;
        services.AddSingleton<StoreChosenCheck>();
        services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(sp => sp.GetRequiredService<StoreChosenCheck>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ConvoOrchestratorOptions>, ConvoOrchestratorOptionsValidator>());
        services.TryAddSingleton<HandlerRegistry>();
        services.TryAddKeyedSingleton(ConvoServiceKeys.Clock, clock ?? TimeProvider.System);
        // Grain timers on a heap of due times unless HeapGrainTimers is off (docs/adr/0005-heap-grain-timers.md).
        if (SystemClock.IsSystem(clock) && !HasGrainClock(services))
        {
            services.TryAddSingleton<HeapTimerProvider>();
            services.AddKeyedSingleton<TimeProvider>(TimeProviderNames.Grains, static (sp, _) =>
                sp.GetRequiredService<IOptions<ConvoOrchestratorOptions>>().Value.HeapGrainTimers
                    ? sp.GetRequiredService<HeapTimerProvider>()
                    : sp.GetRequiredService<TimeProvider>());
        }
        services.TryAddSingleton<ConditionRegistry>();
        // Triggers keep a reminder of ReminderPeriod; Orleans refuses periods under its minimum unless lowered.
        services.AddOptions<Orleans.Hosting.ReminderOptions>().Configure<IOptions<ConvoOrchestratorOptions>>((reminders, convo) =>
        {
            if (convo.Value.ReminderPeriod < reminders.MinimumReminderPeriod) reminders.MinimumReminderPeriod = convo.Value.ReminderPeriod;
        });
        services.AddMetrics(); // IMeterFactory for the orchestrator's meter (idempotent)
        services.TryAddSingleton<ConvoInstruments>();
        services.TryAddSingleton<MetricsCollector>(sp => new MetricsCollector(sp.GetRequiredService<ConvoInstruments>()));
        services.TryAddSingleton<MetricsFlusher>();
        // Handlers run on threads of their own, never the pool's (docs/adr/0002-handler-isolation.md); the container
        // disposes them on shutdown (idle threads end; blocked ones are background threads, never waited for).
        services.TryAddSingleton(sp => new HandlerThreads(sp.GetRequiredService<IOptions<ConvoOrchestratorOptions>>(),
            sp.GetService<Microsoft.Extensions.Logging.ILogger<HandlerThreads>>()));
        services.TryAddSingleton<AbandonedRuns>();
        services.TryAddSingleton<JobExecutor>();
        services.TryAddSingleton<JobRunner>();
        services.TryAddSingleton<IHandlerRuns>(sp => sp.GetRequiredService<JobRunner>());
        AddMemoryStores(services, replace: false);
        services.TryAddSingleton<RecoverySweeper>();
        services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(sp => sp.GetRequiredService<RecoverySweeper>());
        services.TryAddSingleton<SiloStopping>();
        services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(sp => sp.GetRequiredService<SiloStopping>());
        services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(sp => sp.GetRequiredService<MetricsFlusher>());
        services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(sp => sp.GetRequiredService<JobRunner>());
        services.TryAddSingleton<IEventOrchestrator>(sp => new ConvoOrchestratorClient(sp.GetRequiredService<IGrainFactory>()));
        return silo;
    }

    // A grain clock the host registered itself (a test's fake clock, say) is kept.
    private static bool HasGrainClock(IServiceCollection services) =>
        services.Any(d => d.IsKeyedService && d.ServiceType == typeof(TimeProvider) && Equals(d.ServiceKey, TimeProviderNames.Grains));

    /// <summary>
    /// The embedded store, for one silo: grain states, jobs, histories and catalogs in this silo's memory
    /// (<see cref="SiloMemoryGrainStorage"/> and friends) and in-memory reminders. Nothing survives the process.
    /// </summary>
    public static ISiloBuilder UseConvoInMemoryStore(this ISiloBuilder silo)
    {
        silo.UseInMemoryReminderService();
        silo.Services.AddGrainStorage(ConvoOrchestratorOptions.StorageName, (sp, _) => ActivatorUtilities.CreateInstance<SiloMemoryGrainStorage>(sp));
        AddMemoryStores(silo.Services, replace: true);
        return silo;
    }

    // The memory stores and what they can do; as defaults (a store chosen before stays) or as the choice.
    private static void AddMemoryStores(IServiceCollection services, bool replace)
    {
        ServiceDescriptor[] stores =
        [
            ServiceDescriptor.Singleton(StoreCapabilities.Memory),
            ServiceDescriptor.Singleton<IJobStore>(sp => sp.GetRequiredService<MemoryJobStore>()),
            ServiceDescriptor.Singleton<IHistoryStore>(sp => sp.GetRequiredService<MemoryHistoryStore>()),
            ServiceDescriptor.Singleton<ICatalogStore, MemoryCatalogStore>(),
        ];
        services.TryAddSingleton<MemoryHistoryStore>();
        services.TryAddSingleton(sp => FailedJobRetention.From(sp.GetRequiredService<IOptions<ConvoOrchestratorOptions>>().Value));
        services.TryAddSingleton<MemoryJobStore>();
        foreach (var store in stores)
        {
            if (replace) services.Replace(store);
            else services.TryAdd(store);
        }
    }
}
