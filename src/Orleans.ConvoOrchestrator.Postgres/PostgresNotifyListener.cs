using System.Collections.Concurrent;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Orleans.ConvoOrchestrator.Postgres;

/// <summary>
/// The PostgreSQL LISTEN/NOTIFY adapter: holds one connection that LISTENs on a channel per active EXTERNAL trigger
/// (named after the trigger; the set is read again every <see cref="ConvoPostgresNotifyOptions.RefreshInterval"/>)
/// and fires the trigger for every NOTIFY on its channel, with the payload as JSON when it is JSON, else as text.
/// When PostgreSQL goes away it reconnects with a doubling delay and listens again; a NOTIFY sent while it was
/// away is lost (PostgreSQL keeps none for absent listeners).
/// </summary>
public sealed partial class PostgresNotifyListener : BackgroundService
{
    private readonly IEventOrchestrator _orchestrator;
    private readonly ConvoPostgresNotifyOptions _options;
    private readonly ILogger<PostgresNotifyListener> _logger;
    private readonly ILoggerFactory _loggerFactory;
    private readonly IHostApplicationLifetime? _lifetime;
    // Channel -> trigger, as listened on the current connection; read by others (status, tests), written by the loop.
    private readonly ConcurrentDictionary<string, TriggerId> _listening = new(StringComparer.Ordinal);
    private NpgsqlDataSource? _dataSource;
    private volatile bool _connected;
    private long _fired;
    private bool _refreshFailing;
    private readonly HashSet<string> _reportedClashes = new(StringComparer.Ordinal);

    /// <summary>Created by DI.</summary>
    public PostgresNotifyListener(
        IEventOrchestrator orchestrator,
        IOptions<ConvoPostgresNotifyOptions> options,
        ILogger<PostgresNotifyListener> logger,
        ILoggerFactory loggerFactory,
        IHostApplicationLifetime? lifetime = null)
    {
        _orchestrator = orchestrator;
        _options = options.Value;
        _logger = logger;
        _loggerFactory = loggerFactory;
        _lifetime = lifetime;
    }

    /// <summary>True while the LISTEN connection is up.</summary>
    public bool IsConnected => _connected;

    /// <summary>The channels listened on now, each with its trigger.</summary>
    public IReadOnlyDictionary<string, TriggerId> Channels => new Dictionary<string, TriggerId>(_listening, StringComparer.Ordinal);

    /// <summary>Notifications that fired their trigger (the trigger accepted the fire) since start.</summary>
    public long Fired => Interlocked.Read(ref _fired);

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // In a silo host the silo starts with the host: wait for it, so the first read of the triggers finds it up.
        if (_lifetime is not null)
        {
            var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            await using (_lifetime.ApplicationStarted.Register(() => started.TrySetResult()))
            await using (stoppingToken.Register(() => started.TrySetCanceled(stoppingToken)))
            {
                try { await started.Task.ConfigureAwait(false); }
                catch (OperationCanceledException) { return; }
            }
        }

        var builder = new NpgsqlDataSourceBuilder(_options.ConnectionString);
        // One long-lived connection: a pooled one would be reset (UNLISTEN *) when returned, and a restarted
        // server leaves dead connections in a pool. Keepalives notice a silently dropped connection while we wait.
        builder.ConnectionStringBuilder.Pooling = false;
        if (builder.ConnectionStringBuilder.KeepAlive == 0) builder.ConnectionStringBuilder.KeepAlive = 15;
        builder.UseLoggerFactory(_loggerFactory);
        _dataSource = builder.Build();
        var where = $"{builder.ConnectionStringBuilder.Host}:{builder.ConnectionStringBuilder.Port}/{builder.ConnectionStringBuilder.Database}";

        var delay = _options.ReconnectDelay;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await ListenAsync(where, () => delay = _options.ReconnectDelay, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex)
            {
                LogConnectionLost(where, delay.TotalSeconds, ex.GetType().Name, ex.Message);
            }
            finally
            {
                _connected = false;
                _listening.Clear();
            }
            try
            {
                await Task.Delay(delay, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                break;
            }
            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, _options.MaxReconnectDelay.Ticks));
        }
        LogStopped(where);
    }

    /// <inheritdoc />
    public override void Dispose()
    {
        base.Dispose();
        _dataSource?.Dispose();
    }

    // One connection's life: returns only by cancellation, or throws when the connection fails.
    private async Task ListenAsync(string where, Action connected, CancellationToken ct)
    {
        await using var connection = await _dataSource!.OpenConnectionAsync(ct).ConfigureAwait(false);
        var received = new List<(string Channel, string Payload)>();
        // Raised on this loop's own flow, inside WaitAsync or a command: no lock needed.
        connection.Notification += (_, e) => received.Add((e.Channel, e.Payload));
        _connected = true;
        connected();
        LogConnected(where);

        var nextRefresh = DateTimeOffset.UtcNow;
        while (true)
        {
            ct.ThrowIfCancellationRequested();
            if (DateTimeOffset.UtcNow >= nextRefresh)
            {
                await RefreshAsync(connection, ct).ConfigureAwait(false);
                nextRefresh = DateTimeOffset.UtcNow + _options.RefreshInterval;
            }
            if (received.Count == 0)
            {
                // Whole milliseconds, at least one: Npgsql reads a timeout of 0 ms as "wait forever".
                var wait = Math.Ceiling((nextRefresh - DateTimeOffset.UtcNow).TotalMilliseconds);
                if (wait > 0) await connection.WaitAsync((int)Math.Min(wait, int.MaxValue), ct).ConfigureAwait(false);
            }
            if (received.Count == 0) continue;
            var batch = received.ToArray();
            received.Clear();
            foreach (var (channel, payload) in batch) await FireAsync(channel, payload).ConfigureAwait(false);
        }
    }

    // Reads the active EXTERNAL triggers and makes the connection listen on exactly their channels.
    private async Task RefreshAsync(NpgsqlConnection connection, CancellationToken ct)
    {
        var listed = await _orchestrator.ListTriggersAsync(cancellationToken: ct).ConfigureAwait(false);
        if (listed.IsErr)
        {
            // Keep listening on what we have; say so once per streak, not every few seconds.
            if (!_refreshFailing) LogRefreshFailed(listed.Error.ToString());
            _refreshFailing = true;
            return;
        }
        if (_refreshFailing) LogRefreshRecovered();
        _refreshFailing = false;

        var wanted = new Dictionary<string, TriggerId>(StringComparer.Ordinal);
        var clashes = new HashSet<string>(StringComparer.Ordinal);
        foreach (var trigger in listed.Unwrap())
        {
            if (trigger is not { Kind: TriggerKind.EXTERNAL, Active: true }) continue;
            var name = _options.ChannelName is { } map ? map(trigger) : trigger.Id.Value;
            if (string.IsNullOrEmpty(name)) continue;
            var channel = PgChannel.Normalize(name);
            if (wanted.TryGetValue(channel, out var other) && other != trigger.Id)
            {
                // Two triggers on one channel: a NOTIFY could not say which it means, so neither is listened to.
                clashes.Add(channel);
                if (_reportedClashes.Add(channel)) LogClash(channel, other.Value, trigger.Id.Value);
                continue;
            }
            wanted[channel] = trigger.Id;
        }
        foreach (var channel in clashes) wanted.Remove(channel);

        var listen = wanted.Where(w => !_listening.TryGetValue(w.Key, out var id) || id != w.Value).ToList();
        var unlisten = _listening.Keys.Where(c => !wanted.ContainsKey(c)).ToList();
        if (listen.Count == 0 && unlisten.Count == 0) return;

        var sql = string.Join("; ", unlisten.Select(c => "UNLISTEN " + PgChannel.Quote(c))
            .Concat(listen.Select(l => "LISTEN " + PgChannel.Quote(l.Key))));
        await using (var command = new NpgsqlCommand(sql, connection))
            await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        foreach (var channel in unlisten)
        {
            _listening.TryRemove(channel, out var was);
            LogUnlistened(channel, was.Value);
        }
        foreach (var (channel, triggerId) in listen)
        {
            _listening[channel] = triggerId;
            LogListening(channel, triggerId.Value);
        }
    }

    private async Task FireAsync(string channel, string payload)
    {
        if (!_listening.TryGetValue(channel, out var triggerId))
        {
            LogNotListened(channel);
            return;
        }
        var fired = await _orchestrator.FireTriggerAsync(triggerId, NotifyPayload.Parse(payload)).ConfigureAwait(false);
        if (fired.IsOk)
        {
            Interlocked.Increment(ref _fired);
            LogFired(triggerId.Value, channel, fired.Unwrap());
        }
        else
        {
            LogFireFailed(triggerId.Value, channel, fired.Error.ToString());
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "PostgreSQL NOTIFY adapter connected to {Where}; listening on the channels of active EXTERNAL triggers")]
    private partial void LogConnected(string where);

    [LoggerMessage(Level = LogLevel.Warning, Message = "PostgreSQL NOTIFY adapter: the connection to {Where} failed or was lost ({ErrorType}: {Error}); reconnecting in {DelaySeconds} s")]
    private partial void LogConnectionLost(string where, double delaySeconds, string errorType, string error);

    [LoggerMessage(Level = LogLevel.Information, Message = "PostgreSQL NOTIFY adapter stopped listening on {Where}")]
    private partial void LogStopped(string where);

    [LoggerMessage(Level = LogLevel.Information, Message = "PostgreSQL NOTIFY adapter: listening on channel \"{Channel}\" for trigger '{TriggerId}'")]
    private partial void LogListening(string channel, string triggerId);

    [LoggerMessage(Level = LogLevel.Information, Message = "PostgreSQL NOTIFY adapter: no longer listening on channel \"{Channel}\" (trigger '{TriggerId}' is gone, inactive or no longer EXTERNAL)")]
    private partial void LogUnlistened(string channel, string triggerId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "PostgreSQL NOTIFY adapter: reading the triggers failed ({Error}); listening on the channels it had until it works again")]
    private partial void LogRefreshFailed(string error);

    [LoggerMessage(Level = LogLevel.Information, Message = "PostgreSQL NOTIFY adapter: reading the triggers works again")]
    private partial void LogRefreshRecovered();

    [LoggerMessage(Level = LogLevel.Warning, Message = "PostgreSQL NOTIFY adapter: triggers '{First}' and '{Second}' share channel \"{Channel}\" (PostgreSQL cuts channel names at 63 bytes); neither is listened to. Set ChannelName to tell them apart")]
    private partial void LogClash(string channel, string first, string second);

    [LoggerMessage(Level = LogLevel.Debug, Message = "PostgreSQL NOTIFY adapter: NOTIFY on channel \"{Channel}\" fired trigger '{TriggerId}' ({Accepted} events accepted)")]
    private partial void LogFired(string triggerId, string channel, int accepted);

    [LoggerMessage(Level = LogLevel.Warning, Message = "PostgreSQL NOTIFY adapter: NOTIFY on channel \"{Channel}\" could not fire trigger '{TriggerId}': {Error}")]
    private partial void LogFireFailed(string triggerId, string channel, string error);

    [LoggerMessage(Level = LogLevel.Debug, Message = "PostgreSQL NOTIFY adapter: NOTIFY on channel \"{Channel}\", which is no longer listened to, ignored")]
    private partial void LogNotListened(string channel);
}
