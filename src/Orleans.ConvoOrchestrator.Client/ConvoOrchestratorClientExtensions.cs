using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Orleans.Configuration;
using Microsoft.Extensions.Hosting;
using Orleans.Hosting;

namespace Orleans.ConvoOrchestrator.Client;

/// <summary>Adds the cluster client to a .NET app.</summary>
public static class ConvoOrchestratorClientExtensions
{
    /// <summary>
    /// Adds an Orleans client connected to the ConvoOrchestrator cluster and registers
    /// <see cref="IEventOrchestrator"/> (a <see cref="ConvoOrchestratorClient"/>). The client connects when the host starts.
    /// </summary>
    public static IServiceCollection AddConvoOrchestratorClient(this IServiceCollection services, Action<ConvoClientOptions>? configure = null) =>
        services.AddConvoOrchestratorClient(configuration: null, configure);

    /// <summary>
    /// Like <see cref="AddConvoOrchestratorClient(IServiceCollection, Action{ConvoClientOptions})"/>, with the options
    /// read from <paramref name="configuration"/> first (for example the section "Convo:Client": <c>GatewayPort</c>,
    /// <c>ClusterId</c>, <c>ServiceId</c>, <c>Redis</c> (with UseRedisClustering() from Orleans.ConvoOrchestrator.Client.Redis), <c>ConnectRetries</c>, <c>ConnectRetryDelay</c>), then
    /// <paramref name="configure"/>. Values out of range throw an <see cref="ArgumentException"/> naming each one.
    /// </summary>
    public static IServiceCollection AddConvoOrchestratorClient(this IServiceCollection services, IConfiguration? configuration,
        Action<ConvoClientOptions>? configure = null)
    {
        var options = new ConvoClientOptions();
        configuration?.Bind(options);
        configure?.Invoke(options);
        if (options.Problems() is { Count: > 0 } problems) throw new ArgumentException(string.Join("; ", problems), nameof(configure));
        services.AddOrleansClient(client =>
        {
            if (options.ConfigureClustering is { } clustering) clustering(client);
            else client.UseLocalhostClustering(options.GatewayPort, options.ServiceId, options.ClusterId);
            // Trace context rides with each call, so a run's span links back to the app's emit.
            client.AddActivityPropagation();
            client.Configure<ClusterOptions>(o =>
            {
                o.ClusterId = options.ClusterId;
                o.ServiceId = options.ServiceId;
            });
        });
        // After AddOrleansClient, so it replaces Orleans' default (minutes-long) retry.
        services.AddSingleton<IClientConnectionRetryFilter>(new ConnectRetryFilter(options.ConnectRetries, options.ConnectRetryDelay));
        services.TryAddSingleton<IEventOrchestrator>(sp => new ConvoOrchestratorClient(sp.GetRequiredService<IClusterClient>()));
        return services;
    }
}
