using System.Net;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.ConvoOrchestrator.Client;
using Orleans.Hosting;
using Orleans.Runtime;
using Microsoft.Extensions.Hosting;
using Orleans.ConvoOrchestrator;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Adds the ConvoOrchestrator cluster client to a .NET app.</summary>
public static class ConvoOrchestratorClientExtensions
{
    /// <summary>
    /// Adds an Orleans client connected to the ConvoOrchestrator cluster and registers
    /// <see cref="IEventOrchestrator"/> (a <see cref="ConvoOrchestratorClient"/>). The client connects when the host starts.
    /// </summary>
    public static IServiceCollection AddConvoOrchestratorClient(this IServiceCollection services, Action<ConvoClientOptions>? configure = null) =>
        services.AddConvoOrchestratorClient(configuration: null, configure);

    /// <summary>
    /// Like <see cref="AddConvoOrchestratorClient(IServiceCollection, Action{ConvoClientOptions})"/>, with
    /// <see cref="ConvoClientOptions"/> bound from <paramref name="configuration"/> (for example the section
    /// <see cref="ConvoClientOptions.SectionName"/>: <c>GatewayPort</c>, <c>ClusterId</c>, <c>ServiceId</c>,
    /// <c>Redis</c>, <c>ConnectRetries</c>, <c>ConnectRetryDelay</c>), then <paramref name="configure"/>, through the
    /// options pipeline (<c>IOptions&lt;ConvoClientOptions&gt;</c>). Values out of range stop the host's start with an
    /// <see cref="OptionsValidationException"/> naming each one. Calling it again adds only the new configuration.
    /// </summary>
    public static IServiceCollection AddConvoOrchestratorClient(this IServiceCollection services, IConfiguration? configuration,
        Action<ConvoClientOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = services.AddOptions<ConvoClientOptions>();
        if (configuration is not null) options.Bind(configuration);
        if (configure is not null) options.Configure(configure);
        if (services.Any(d => d.ServiceType == typeof(ClientRegistered))) return services;

        services.AddSingleton<ClientRegistered>();
        options.ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ConvoClientOptions>, ConvoClientOptionsValidator>());
        var redisChosen = services.Any(d => d.ServiceType == typeof(RedisClusteringChosen));
        services.AddOrleansClient(client =>
        {
            // Localhost unless Redis clustering was chosen first (AddConvoRedisClustering replaces it when it comes after).
            if (!redisChosen)
                client.UseStaticClustering(gateways => gateways.Configure<IOptions<ConvoClientOptions>>((o, convo) =>
                    o.Gateways = [new IPEndPoint(IPAddress.Loopback, convo.Value.GatewayPort).ToGatewayUri()]));
            // Trace context rides with each call, so a run's span links back to the app's emit.
            client.AddActivityPropagation();
        });
        services.AddOptions<ClusterOptions>().Configure<IOptions<ConvoClientOptions>>((o, convo) =>
        {
            o.ClusterId = convo.Value.ClusterId;
            o.ServiceId = convo.Value.ServiceId;
        });
        // After AddOrleansClient, so it replaces Orleans' default (minutes-long) retry.
        services.AddSingleton<IClientConnectionRetryFilter>(sp =>
        {
            var convo = sp.GetRequiredService<IOptions<ConvoClientOptions>>().Value;
            return new ConnectRetryFilter(convo.ConnectRetries, convo.ConnectRetryDelay);
        });
        services.TryAddSingleton<IEventOrchestrator>(sp => new ConvoOrchestratorClient(sp.GetRequiredService<IClusterClient>()));
        return services;
    }
}
