using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Orleans.Hosting;

namespace Orleans.ConvoOrchestrator.Postgres;

/// <summary>Adds the PostgreSQL LISTEN/NOTIFY adapter to a host.</summary>
public static class ConvoPostgresNotifyExtensions
{
    /// <summary>
    /// Runs <see cref="PostgresNotifyListener"/> as a hosted service: a NOTIFY on a channel named after an active
    /// EXTERNAL trigger fires it. Needs an <see cref="IEventOrchestrator"/> in the container (a silo with
    /// <c>AddConvoOrchestrator</c>, or a client host with <c>AddConvoOrchestratorClient</c>). Options are validated
    /// when the host starts. Calling it again only adds configuration.
    /// </summary>
    public static IServiceCollection AddConvoPostgresNotify(this IServiceCollection services, Action<ConvoPostgresNotifyOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        services.AddOptions<ConvoPostgresNotifyOptions>().Configure(configure).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ConvoPostgresNotifyOptions>, ConvoPostgresNotifyOptionsValidator>());
        if (services.Any(d => d.ServiceType == typeof(PostgresNotifyListener))) return services;
        services.TryAddSingleton<PostgresNotifyListener>();
        services.AddHostedService(sp => sp.GetRequiredService<PostgresNotifyListener>());
        return services;
    }

    /// <summary>The same for a silo: <c>silo.AddConvoPostgresNotify(o => o.ConnectionString = "...")</c>.</summary>
    public static ISiloBuilder AddConvoPostgresNotify(this ISiloBuilder silo, Action<ConvoPostgresNotifyOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(silo);
        silo.Services.AddConvoPostgresNotify(configure);
        return silo;
    }
}
