namespace Orleans.ConvoOrchestrator.Postgres;

/// <summary>Options of the PostgreSQL LISTEN/NOTIFY adapter (<see cref="PostgresNotifyListener"/>).</summary>
public sealed class ConvoPostgresNotifyOptions
{
    /// <summary>The configuration section hosts bind these options from: <c>Convo:Postgres</c>.</summary>
    public const string SectionName = "Convo:Postgres";

    /// <summary>An Npgsql connection string, e.g. <c>Host=db;Port=5432;Database=app;Username=convo;Password=...</c>. Required.</summary>
    public string ConnectionString { get; set; } = "";

    /// <summary>How often the set of EXTERNAL triggers is read again, so new ones are listened to and removed ones no longer (5 s).</summary>
    public TimeSpan RefreshInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>The wait before the first reconnect after PostgreSQL went away; it doubles per failure up to <see cref="MaxReconnectDelay"/> (1 s).</summary>
    public TimeSpan ReconnectDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The longest wait between reconnects (30 s).</summary>
    public TimeSpan MaxReconnectDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// The channel an active EXTERNAL trigger is listened on; null (the default) means its id. Return null to leave a
    /// trigger out. Any text works (channels are quoted); PostgreSQL cuts names at 63 bytes.
    /// </summary>
    public Func<Trigger, string?>? ChannelName { get; set; }

    /// <summary>What is wrong with these options, if anything.</summary>
    public IEnumerable<string> Problems()
    {
        if (string.IsNullOrWhiteSpace(ConnectionString)) yield return "ConnectionString is required";
        else
        {
            string? error = null;
            try
            {
                _ = new Npgsql.NpgsqlConnectionStringBuilder(ConnectionString);
            }
            catch (Exception ex) when (ex is ArgumentException or FormatException or InvalidCastException)
            {
                error = $"ConnectionString is not a valid Npgsql connection string: {ex.Message}";
            }
            if (error is not null) yield return error;
        }
        if (RefreshInterval <= TimeSpan.Zero) yield return "RefreshInterval must be positive";
        if (ReconnectDelay <= TimeSpan.Zero) yield return "ReconnectDelay must be positive";
        if (MaxReconnectDelay < ReconnectDelay) yield return "MaxReconnectDelay must be at least ReconnectDelay";
    }
}
