using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Orleans.ConvoOrchestrator.Client;

namespace Orleans.ConvoOrchestrator.Tests.Support;

/// <summary>A cluster client that finds the silos of <c>clusterId</c> through Redis clustering, as an app would.</summary>
public sealed class RedisClusterClient : IAsyncDisposable
{
    private readonly IHost _host;

    private RedisClusterClient(IHost host)
    {
        _host = host;
        Api = host.Services.GetRequiredService<IEventOrchestrator>();
    }

    public IEventOrchestrator Api { get; }

    public static async Task<RedisClusterClient> ConnectAsync(string redis, string clusterId)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddConvoOrchestratorClient(o =>
        {
            o.ClusterId = clusterId;
            o.ServiceId = clusterId;
            o.ConnectRetries = 20;
        }).AddConvoRedisClustering(redis);
        var host = builder.Build();
        await host.StartAsync();
        return new RedisClusterClient(host);
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await _host.StopAsync(TimeSpan.FromSeconds(5));
        }
        finally
        {
            _host.Dispose();
        }
    }
}
