using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;

namespace Orleans.ConvoOrchestrator.Tests.Support;

/// <summary>
/// The stock silo (silo/, as built next to the tests) as a real process on the Redis store, on free ports:
/// started, killed with SIGKILL, or stopped gracefully with SIGTERM. Its output is kept for failure messages.
/// </summary>
public sealed partial class SiloProcess : IAsyncDisposable
{
    private static readonly TimeSpan StartDeadline = TimeSpan.FromSeconds(60);
    private readonly StringBuilder _log = new();
    private readonly TaskCompletionSource _up = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Process _process;

    private SiloProcess(Process process, string name, int siloPort, int gatewayPort)
    {
        _process = process;
        Name = name;
        SiloPort = siloPort;
        GatewayPort = gatewayPort;
    }

    public int SiloPort { get; }

    public int GatewayPort { get; }

    public string Name { get; }

    public int Pid => _process.Id;

    public bool HasExited => _process.HasExited;

    public string Log
    {
        get { lock (_log) return _log.ToString(); }
    }

    /// <summary>
    /// Starts a silo of cluster <paramref name="clusterId"/> on <paramref name="redis"/>; returns once it logged that it
    /// is up. A restart on the same host reuses its predecessor's ports (as a service manager would): the new silo
    /// then supersedes a killed one's membership entry at once instead of waiting for it to be voted dead.
    /// </summary>
    public static async Task<SiloProcess> StartAsync(string name, string redis, string clusterId, IDictionary<string, string>? environment = null,
        SiloProcess? restartOf = null)
    {
        var siloPort = restartOf?.SiloPort ?? FreePort();
        var gatewayPort = restartOf?.GatewayPort ?? FreePort();
        var dll = RepoPaths.Program("silo", "convo-silo");
        var info = new ProcessStartInfo(DotnetHost)
        {
            WorkingDirectory = Path.GetDirectoryName(dll)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in (string[])[dll, "--store", "redis", "--redis", redis,
                     "--silo-port", siloPort.ToString(), "--gateway-port", gatewayPort.ToString(),
                     "--cluster-id", clusterId, "--service-id", clusterId,
                     "--Logging:LogLevel:Orleans.ConvoOrchestrator.Silo=Information"])
            info.ArgumentList.Add(arg);
        foreach (var (key, value) in environment ?? new Dictionary<string, string>()) info.Environment[key] = value;
        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var silo = new SiloProcess(process, name, siloPort, gatewayPort);
        process.OutputDataReceived += (_, e) => silo.OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => silo.OnLine(e.Data);
        process.Exited += (_, _) => silo._up.TrySetException(new InvalidOperationException($"silo {name} exited before it was up"));
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await silo._up.Task.WaitAsync(StartDeadline);
        }
        catch (Exception ex)
        {
            await silo.DisposeAsync();
            throw new InvalidOperationException($"silo {name} did not report 'silo is up' within {StartDeadline} ({ex.Message}). Its output:\n{silo.Log}", ex);
        }
        return silo;
    }

    /// <summary>SIGKILL: the process dies at once, as in a crash.</summary>
    public async Task KillAsync()
    {
        _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
    }

    /// <summary>SIGTERM: the host stops gracefully (running jobs get their grace period); waits for the exit.</summary>
    public async Task StopAsync(TimeSpan within)
    {
        _ = SendSignal(_process.Id, 15);
        await _process.WaitForExitAsync().WaitAsync(within);
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited) _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        }
        catch (Exception)
        {
            // Already gone or reaped with the test host.
        }
        _process.Dispose();
    }

    private static string DotnetHost =>
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : "dotnet";

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private void OnLine(string? line)
    {
        if (line is null) return;
        lock (_log) _log.AppendLine(line);
        if (line.Contains("silo is up", StringComparison.Ordinal)) _up.TrySetResult();
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "kill")]
    private static extern int SendSignal(int pid, int signal);
}
