using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Orleans.Configuration;
using Orleans.ConvoOrchestrator.Redis;
using StackExchange.Redis;

// In Orleans.Hosting, beside the silo builder it extends, as Orleans' own provider packages do.
namespace Orleans.Hosting;

/// <summary>Joins a silo to its cluster with the chosen store (memory or Redis).</summary>
public static class ConvoSiloHostingExtensions
{
    /// <summary>
    /// Applies <paramref name="settings"/>: with the memory store, localhost clustering and
    /// <see cref="ConvoOrchestratorSiloExtensions.UseConvoInMemoryStore"/>; with Redis, Redis clustering with fast
    /// failure detection and <see cref="UseConvoRedisStore"/>. Throws <see cref="ArgumentException"/> naming every
    /// problem when the settings are not usable.
    /// </summary>
    public static ISiloBuilder UseConvoCluster(this ISiloBuilder silo, ConvoSiloSettings settings)
    {
        var problems = settings.Problems().ToList();
        if (problems.Count > 0) throw new ArgumentException("invalid silo settings: " + string.Join("; ", problems), nameof(settings));
        silo.Configure<ClusterOptions>(o =>
        {
            o.ClusterId = settings.ClusterId;
            o.ServiceId = settings.ServiceId;
        });
        if (settings.Store == ConvoStoreKind.Memory)
        {
            silo.UseLocalhostClustering(settings.SiloPort, settings.GatewayPort, serviceId: settings.ServiceId, clusterId: settings.ClusterId);
            return silo.UseConvoInMemoryStore();
        }

        var address = settings.AdvertisedAddress is { } a ? IPAddress.Parse(a) : IPAddress.Loopback;
        silo.ConfigureEndpoints(address, settings.SiloPort, settings.GatewayPort, listenOnAnyHostAddress: !IPAddress.IsLoopback(address));
        silo.UseRedisClustering(o => o.ConfigurationOptions = RedisConnectionSettings.Parse(settings.Redis!));
        silo.Configure<ClusterMembershipOptions>(o =>
        {
            // Defaults take ~12 s to declare a killed silo dead; these take ~2 s (ORLEANS-NOTES). The liveness
            // check is left on: it keeps a slow-but-alive silo from being voted out during a GC pause.
            o.ProbeTimeout = settings.ProbeTimeout;
            o.NumMissedProbesLimit = settings.NumMissedProbesLimit;
        });
        // The default directory loses the registrations a crashed silo owned, so a call can create a second
        // activation of a grain that still lives elsewhere: two event activations would both run jobs and break
        // max_concurrency. The distributed directory recovers registrations from the survivors (no duplicates).
#pragma warning disable ORLEANSEXP003 // experimental in 10.4.2; it is the directory Orleans' own test clusters use
        silo.AddDistributedGrainDirectory();
#pragma warning restore ORLEANSEXP003
        silo.Configure<GrainDirectoryOptions>(o =>
        {
            // Its lease counts from the estimated failure (declaration minus the detection window: the adaptive
            // probe timeout's maximum, 4 x ProbeTimeout, times the missed probes). The default 30 s would keep a
            // crashed silo's grains (and triggers) away for ~22 s; this keeps them away DeadSiloHold past the declaration
            // (0 by default: none).
            o.RangeLeaseDuration = settings.ProbeTimeout * 4 * settings.NumMissedProbesLimit + settings.DeadSiloHold;
        });
        return silo.UseConvoRedisStore(settings.Redis!);
    }

    /// <summary>
    /// The durable store on Redis: grain state (definitions, schedules, status), reminders, and the job queues
    /// (every accepted job is in Redis before its emit returns). Clustering is separate (see <see cref="UseConvoCluster"/>).
    /// </summary>
    /// <param name="silo">The silo.</param>
    /// <param name="redisConfiguration">
    /// StackExchange.Redis configuration string: one server (<c>127.0.0.1:6379</c>), a Redis Cluster's nodes
    /// (<c>10.0.0.1:7000,10.0.0.2:7000</c>), or Sentinels and the master's name (<c>s1:26379,s2:26379,serviceName=mymaster</c>).
    /// </param>
    /// <param name="configure">Options of the project's own stores (<see cref="ConvoRedisOptions"/>, e.g. <c>AckReplicas</c>).</param>
    public static ISiloBuilder UseConvoRedisStore(this ISiloBuilder silo, string redisConfiguration, Action<ConvoRedisOptions>? configure = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(redisConfiguration);
        var parsed = RedisConnectionSettings.Parse(redisConfiguration);
        silo.AddRedisGrainStorage(ConvoOrchestratorOptions.StorageName, o => o.ConfigurationOptions = parsed.Clone());
        silo.UseRedisReminderService(o => o.ConfigurationOptions = parsed.Clone());
        var options = silo.Services.AddOptions<ConvoRedisOptions>();
        if (configure is not null) options.Configure(configure);
        options.ValidateOnStart();
        silo.Services.TryAddEnumerable(ServiceDescriptor.Singleton<Microsoft.Extensions.Options.IValidateOptions<ConvoRedisOptions>, ConvoRedisOptionsValidator>());
        silo.Services.AddSingleton(sp => new RedisConnection(redisConfiguration, sp.GetRequiredService<Microsoft.Extensions.Options.IOptions<ClusterOptions>>(),
            sp.GetRequiredService<Microsoft.Extensions.Options.IOptions<ConvoRedisOptions>>(), sp.GetService<Microsoft.Extensions.Logging.ILogger<RedisConnection>>()));
        silo.Services.Replace(ServiceDescriptor.Singleton(StoreCapabilities.Durable));
        silo.Services.Replace(ServiceDescriptor.Singleton<IJobStore, RedisJobStore>());
        silo.Services.Replace(ServiceDescriptor.Singleton<IHistoryStore, RedisHistoryStore>());
        silo.Services.Replace(ServiceDescriptor.Singleton<ICatalogStore, RedisCatalogStore>());
        return silo;
    }
}
