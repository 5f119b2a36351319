using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.ConvoOrchestrator.Client;

namespace Orleans.ConvoOrchestrator.Cli;

/// <summary>
/// A short-lived Orleans client: built, connected, used for one command, stopped. The connection attempt is
/// bounded by <see cref="ConnectionSettings.ConnectTimeout"/> so "no silo" is reported in seconds, not minutes.
/// </summary>
internal sealed class CliConnection : IAsyncDisposable
{
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(5);
    private readonly IHost _host;

    private CliConnection(IHost host)
    {
        _host = host;
        Orchestrator = host.Services.GetRequiredService<IEventOrchestrator>();
    }

    /// <summary>The API, talking to the cluster.</summary>
    public IEventOrchestrator Orchestrator { get; }

    /// <summary>Connects, or throws <see cref="NoSiloException"/>.</summary>
    public static async Task<CliConnection> ConnectAsync(ConnectionSettings settings, CancellationToken cancellationToken)
    {
        // DisableDefaults: no appsettings.json/environment from the working directory and no console logger on
        // stdout; the CLI's output must be exactly what the command prints.
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
        {
            DisableDefaults = true,
            ContentRootPath = AppContext.BaseDirectory,
        });
        ConfigureLogging(builder.Logging, settings.Verbose);
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = StopTimeout);
        // System.CommandLine owns Ctrl+C (it cancels the command's token); the host's ConsoleLifetime would
        // race it and turn an interrupt into a failed start.
        builder.Services.AddSingleton<IHostLifetime, CommandLifetime>();
        builder.Services.AddConvoOrchestratorClient(o =>
        {
            o.GatewayPort = settings.GatewayPort;
            o.ClusterId = settings.ClusterId;
            o.ServiceId = settings.ServiceId;
            // A silo that is still starting gets a couple of seconds; an absent one is reported at once.
            o.ConnectRetries = 3;
            o.ConnectRetryDelay = TimeSpan.FromMilliseconds(500);
        });
        if (settings.Redis is { } redisSettings) builder.Services.AddConvoRedisClustering(redisSettings.Configuration);

        var host = builder.Build();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(settings.ConnectTimeout);
        try
        {
            // Orleans' client connects inside StartAsync, retrying as ConnectRetryFilter allows. A gateway that
            // accepts and never answers could still stall it: the timeout (and WaitAsync) is the hard bound.
            await host.StartAsync(timeout.Token).WaitAsync(timeout.Token).ConfigureAwait(false);
            return new CliConnection(host);
        }
        catch (Exception) when (cancellationToken.IsCancellationRequested)
        {
            // Ctrl+C: whatever the interrupted start threw, the user stopped us; not a "no silo" case.
            Abandon(host);
            throw new OperationCanceledException(cancellationToken);
        }
        catch (Exception ex)
        {
            // Whatever the client threw (connection refused, gateway rejected the cluster id, timeout), the user's
            // next step is the same: check that a silo is running with these settings.
            Abandon(host);
            var reason = ex is OperationCanceledException ? $"timed out after {settings.ConnectTimeout.TotalSeconds:0} s" : ex.Message;
            // With --redis there are two things to be missing; say which, since the fixes differ. The client's own
            // error does not always tell (a slow Redis failure ends as our timeout), so ask Redis directly.
            var message = settings.Redis is { } redis && !await RedisAnswersAsync(redis).ConfigureAwait(false)
                ? $"cannot reach Redis at {redis.Endpoints} (where the silos of cluster '{settings.ClusterId}' register); check --redis / ${GlobalOptions.RedisVariable}"
                : $"no silo reachable at {settings.Describe()}; start one with: {settings.StartHint()}";
            throw new NoSiloException(message, detail: reason, inner: ex);
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        // A graceful close tells the gateway we are gone; bounded, because a dead silo must not delay the exit.
        using var stop = new CancellationTokenSource(StopTimeout);
        try
        {
            await _host.StopAsync(stop.Token).WaitAsync(StopTimeout).ConfigureAwait(false);
        }
        catch (Exception)
        {
            // The command's answer is already printed; a failed goodbye changes nothing for the user.
        }
        _host.Dispose();
    }

    private static void ConfigureLogging(ILoggingBuilder logging, bool verbose)
    {
        logging.ClearProviders();
        if (!verbose)
        {
            // Failures reach the user as one "error: ..." line; Orleans' own logs (with stack traces) would bury it.
            logging.SetMinimumLevel(LogLevel.None);
            return;
        }
        logging.SetMinimumLevel(LogLevel.Warning);
        // Every level to stderr, so stdout stays parseable with --json even when diagnosing.
        logging.AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
    }

    // The host lives exactly as long as one command; nothing to wait for, no signals to handle.
    private sealed class CommandLifetime : IHostLifetime
    {
        public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;
        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }

    private static readonly TimeSpan RedisProbeTimeout = TimeSpan.FromSeconds(3);

    // True when Redis accepts a connection and answers PING within a few seconds.
    private static async Task<bool> RedisAnswersAsync(RedisTarget redis)
    {
        try
        {
            var options = StackExchange.Redis.ConfigurationOptions.Parse(redis.Configuration);
            options.ConnectTimeout = (int)RedisProbeTimeout.TotalMilliseconds;
            options.AbortOnConnectFail = true;
            options.ConnectRetry = 1;
            await using var connection = await StackExchange.Redis.ConnectionMultiplexer.ConnectAsync(options)
                .WaitAsync(RedisProbeTimeout * 2).ConfigureAwait(false);
            await connection.GetDatabase().PingAsync().WaitAsync(RedisProbeTimeout).ConfigureAwait(false);
            return true;
        }
        catch (Exception)
        {
            return false;
        }
    }

    // A failed or timed-out start may leave work running; dispose in the background instead of waiting on it.
    private static void Abandon(IHost host) => _ = Task.Run(() =>
    {
        try { host.Dispose(); } catch (Exception) { /* nothing useful to do */ }
    });
}
