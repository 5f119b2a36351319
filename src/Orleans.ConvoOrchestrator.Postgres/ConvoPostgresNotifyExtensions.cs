using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Orleans.ConvoOrchestrator.Postgres;

// Beside IServiceCollection, as Microsoft.Extensions' own registration extensions are. The adapter needs only
// IEventOrchestrator, so it works the same in a silo (silo.Services) and in a client app.
namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Adds the PostgreSQL LISTEN/NOTIFY adapter to a host.</summary>
public static class ConvoPostgresNotifyExtensions
{
    /// <summary>
    /// Runs <see cref="PostgresNotifyListener"/> as a hosted service: a NOTIFY on a channel named after an active
    /// EXTERNAL trigger fires it. Needs an <see cref="Orleans.ConvoOrchestrator.IEventOrchestrator"/> in the container (a silo with
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
}
