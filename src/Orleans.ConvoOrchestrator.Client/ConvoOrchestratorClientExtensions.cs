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
    public static IServiceCollection AddConvoOrchestratorClient(this IServiceCollection services, Action<ConvoClientOptions>? configure = null)
    {
        var options = new ConvoClientOptions();
        configure?.Invoke(options);
        services.AddOrleansClient(client =>
        {
            if (options.ConfigureClustering is { } clustering) clustering(client);
            else if (!string.IsNullOrWhiteSpace(options.Redis))
                client.UseRedisClustering(o => o.ConfigurationOptions = StackExchange.Redis.ConfigurationOptions.Parse(options.Redis));
            else client.UseLocalhostClustering(options.GatewayPort, options.ServiceId, options.ClusterId);
            // Trace context rides with each call, so a run's span links back to the app's emit.
            client.AddActivityPropagation();
            client.Configure<ClusterOptions>(o =>
            {
                o.ClusterId = options.ClusterId;
                o.ServiceId = options.ServiceId;
            });
        });
        if (options.ConnectRetries < 0) throw new ArgumentOutOfRangeException(nameof(configure), "ConnectRetries must not be negative");
        // After AddOrleansClient, so it replaces Orleans' default (minutes-long) retry.
        services.AddSingleton<IClientConnectionRetryFilter>(new ConnectRetryFilter(options.ConnectRetries, options.ConnectRetryDelay));
        services.TryAddSingleton<IEventOrchestrator>(sp => new ConvoOrchestratorClient(sp.GetRequiredService<IClusterClient>()));
        return services;
    }
}
