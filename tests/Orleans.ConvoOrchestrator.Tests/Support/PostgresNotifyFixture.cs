using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Orleans.ConvoOrchestrator.Client;
using Orleans.ConvoOrchestrator.Postgres;
using Orleans.ConvoOrchestrator.Runtime;
using Orleans.TestingHost;

namespace Orleans.ConvoOrchestrator.Tests.Support;

/// <summary>A real PostgreSQL server and a one-silo test cluster running the LISTEN/NOTIFY adapter against it (quick refresh and reconnects).</summary>
public sealed class PostgresNotifyFixture : IAsyncLifetime
{
    public static readonly TimeSpan RefreshInterval = TimeSpan.FromMilliseconds(200);

    public HandlerRegistry Handlers { get; } = new();

    /// <summary>What the adapter logged (shown when a wait fails).</summary>
    public RecordingLoggerProvider AdapterLog { get; } = new("Orleans.ConvoOrchestrator.Postgres");

    public PostgresServer Server { get; private set; } = null!;

    public InProcessTestCluster Cluster { get; private set; } = null!;

    public IEventOrchestrator Api { get; private set; } = null!;

    public PostgresNotifyListener Listener { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Server = await PostgresServer.StartAsync();
        var builder = new InProcessTestClusterBuilder(initialSilosCount: 1);
        builder.ConfigureSiloHost((_, host) => host.Logging.AddProvider(AdapterLog).SetMinimumLevel(LogLevel.Debug));
        builder.ConfigureSilo((_, silo) => silo
            .UseConvoInMemoryStore()
            .AddConvoOrchestrator(handlers: Handlers)
            .Services.AddConvoPostgresNotify(o =>
            {
                o.ConnectionString = Server.ConnectionString;
                o.RefreshInterval = RefreshInterval;
                o.ReconnectDelay = TimeSpan.FromMilliseconds(100);
                o.MaxReconnectDelay = TimeSpan.FromMilliseconds(500);
            }));
        Cluster = builder.Build();
        await Cluster.DeployAsync();
        Api = new ConvoOrchestratorClient(Cluster.Client);
        Listener = ((InProcessSiloHandle)Cluster.Silos[0]).ServiceProvider.GetRequiredService<PostgresNotifyListener>();
        await Eventually.MatchAsync(() => Task.FromResult(Listener.IsConnected), c => c, TimeSpan.FromSeconds(30), "the NOTIFY adapter's connection");
    }

    public async Task DisposeAsync()
    {
        await Cluster.DisposeAsync();
        await Server.DisposeAsync();
    }

    /// <summary>Waits until the adapter listens (or, with <paramref name="listening"/> false, no longer listens) on <paramref name="channel"/>.</summary>
    public Task WaitForChannelAsync(string channel, bool listening = true) =>
        Eventually.MatchAsync(() => Task.FromResult(Listener.IsConnected && Listener.Channels.ContainsKey(channel) == listening), ok => ok,
            TimeSpan.FromSeconds(30), $"channel \"{channel}\" listened = {listening}; the adapter logged:\n{string.Join('\n', AdapterLog.Lines.TakeLast(30))}\n");
}
