using System.Diagnostics;
using Npgsql;

namespace Orleans.ConvoOrchestrator.Tests.Support;

/// <summary>
/// A throwaway PostgreSQL server for tests: initdb into a temporary directory, listening on 127.0.0.1 at a free port
/// (its unix socket in the same directory). initdb and postgres refuse to run as root, so as root they run as the
/// <c>postgres</c> OS user (runuser). tests/setup/postgres.sh installs the binaries.
/// </summary>
public sealed class PostgresServer : IAsyncDisposable
{
    private readonly string _bin;
    private readonly string _dir;
    private readonly bool _asPostgresUser;

    private PostgresServer(string bin, string dir, int port, bool asPostgresUser)
    {
        _bin = bin;
        _dir = dir;
        Port = port;
        _asPostgresUser = asPostgresUser;
    }

    public int Port { get; }

    public string ConnectionString => $"Host=127.0.0.1;Port={Port};Username=postgres;Database=postgres;Pooling=false";

    public static async Task<PostgresServer> StartAsync()
    {
        var bin = FindBin();
        var dir = Directory.CreateTempSubdirectory("convo-pg-").FullName;
        var asPostgresUser = Environment.UserName == "root";
        if (asPostgresUser) await RunAsync("chown", ["-R", "postgres:postgres", dir]);
        var server = new PostgresServer(bin, dir, FreePorts.Next(), asPostgresUser);
        await server.PgAsync("initdb", ["-D", server.DataDir, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync"]);
        await server.StartAgainAsync();
        return server;
    }

    private string DataDir => Path.Combine(_dir, "data");

    /// <summary>Starts the (stopped) server again on the same port and waits until it accepts connections.</summary>
    public Task StartAgainAsync() => PgAsync("pg_ctl", ["-D", DataDir, "-l", Path.Combine(_dir, "server.log"), "-w", "-t", "60",
        "-o", $"-p {Port} -k {_dir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off", "start"]);

    /// <summary>Stops the server (fast: clients are disconnected at once).</summary>
    public Task StopAsync() => PgAsync("pg_ctl", ["-D", DataDir, "-m", "fast", "-w", "-t", "60", "stop"]);

    /// <summary>Sends <c>pg_notify(channel, payload)</c> from a connection of its own.</summary>
    public async Task NotifyAsync(string channel, string payload)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT pg_notify(@channel, @payload)", connection);
        command.Parameters.AddWithValue("channel", channel);
        command.Parameters.AddWithValue("payload", payload);
        await command.ExecuteNonQueryAsync();
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await PgAsync("pg_ctl", ["-D", DataDir, "-m", "immediate", "-w", "-t", "30", "stop"]);
        }
        catch (InvalidOperationException)
        {
            // Already stopped.
        }
        Directory.Delete(_dir, recursive: true);
    }

    private Task PgAsync(string tool, string[] args) => _asPostgresUser
        ? RunAsync("runuser", ["-u", "postgres", "--", Path.Combine(_bin, tool), .. args])
        : RunAsync(Path.Combine(_bin, tool), args);

    private static async Task RunAsync(string file, string[] args)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"{file} {string.Join(' ', args)} exited {process.ExitCode}: {await stderr}{await stdout}");
    }

    // The newest installed server: /usr/lib/postgresql/<version>/bin.
    private static string FindBin()
    {
        var root = "/usr/lib/postgresql";
        var bin = Directory.Exists(root)
            ? Directory.GetDirectories(root)
                .Select(d => (Dir: d, Version: int.TryParse(Path.GetFileName(d), out var v) ? v : -1))
                .Where(d => File.Exists(Path.Combine(d.Dir, "bin", "initdb")))
                .OrderByDescending(d => d.Version)
                .Select(d => Path.Combine(d.Dir, "bin"))
                .FirstOrDefault()
            : null;
        return bin ?? throw new InvalidOperationException("PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/initdb): run tests/setup/postgres.sh");
    }
}
