using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;

namespace Orleans.ConvoOrchestrator.Tests.Support;

/// <summary>
/// The stock silo (silo/, convo-silo) as a real process on free ports with a unique cluster id: what an operator
/// runs, HTTP side included. Start it (on the memory store, or several on one Redis), talk to it over HTTP, stop it
/// with SIGTERM (graceful), kill it with SIGKILL (a crash), or let Dispose kill it.
/// </summary>
public sealed class WebSiloProcess : IAsyncDisposable
{
    private static readonly TimeSpan StartDeadline = TimeSpan.FromSeconds(90);
    private readonly StringBuilder _log = new();
    private readonly TaskCompletionSource _up = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Process _process;

    private WebSiloProcess(Process process, int httpPort, string clusterId, int siloPort, int gatewayPort)
    {
        _process = process;
        HttpPort = httpPort;
        ClusterId = clusterId;
        SiloPort = siloPort;
        GatewayPort = gatewayPort;
    }

    /// <summary>The silo-to-silo port.</summary>
    public int SiloPort { get; }

    /// <summary>The gateway port clients connect to.</summary>
    public int GatewayPort { get; }

    /// <summary>The HTTP port (Kestrel).</summary>
    public int HttpPort { get; }

    /// <summary>The cluster and service id (unique per process).</summary>
    public string ClusterId { get; }

    /// <summary>http://127.0.0.1:port/ (how tests reach it, whatever it is bound to).</summary>
    public Uri BaseUrl => new($"http://127.0.0.1:{HttpPort}/");

    /// <summary>Everything it printed so far.</summary>
    public string Log
    {
        get { lock (_log) return _log.ToString(); }
    }

    /// <summary>The process id.</summary>
    public int Pid => _process.Id;

    /// <summary>True once it exited.</summary>
    public bool HasExited => _process.HasExited;

    /// <summary>Its exit code (after it exited).</summary>
    public int ExitCode => _process.ExitCode;

    /// <summary>
    /// Starts the silo with <paramref name="extraArgs"/> after the port and id flags; unless <paramref name="bind"/>
    /// is given, HTTP listens on loopback at a free port. Returns once it logged "silo is up" (throws with its output otherwise).
    /// </summary>
    public static Task<WebSiloProcess> StartAsync(IEnumerable<string>? extraArgs = null, string? bind = null,
        IReadOnlyDictionary<string, string>? environment = null) =>
        WaitUpAsync(Launch(extraArgs, bind, environment));

    /// <summary>
    /// Starts a silo of cluster <paramref name="clusterId"/> on the Redis store at <paramref name="redis"/>. A restart
    /// on the same host reuses its predecessor's ports (as a service manager would): the new silo then supersedes a
    /// killed one's membership entry at once instead of waiting for it to be voted dead.
    /// </summary>
    public static Task<WebSiloProcess> StartOnRedisAsync(string redis, string clusterId,
        IReadOnlyDictionary<string, string>? environment = null, WebSiloProcess? restartOf = null) =>
        WaitUpAsync(Launch(["--store", "redis", "--redis", redis], null, environment, clusterId, restartOf?.SiloPort, restartOf?.GatewayPort));

    private static async Task<WebSiloProcess> WaitUpAsync(WebSiloProcess silo)
    {
        try
        {
            await silo._up.Task.WaitAsync(StartDeadline);
        }
        catch (Exception ex)
        {
            await silo.DisposeAsync();
            throw new InvalidOperationException($"convo-silo did not report 'silo is up' within {StartDeadline} ({ex.Message}). Its output:\n{silo.Log}", ex);
        }
        return silo;
    }

    /// <summary>Starts the silo and waits for it to exit on its own (for settings it must refuse).</summary>
    public static async Task<WebSiloProcess> RunToExitAsync(IEnumerable<string> extraArgs, string? bind, TimeSpan within)
    {
        var silo = Launch(extraArgs, bind, null);
        using var timeout = new CancellationTokenSource(within);
        try
        {
            await silo._process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            var log = silo.Log;
            await silo.DisposeAsync();
            throw new TimeoutException($"convo-silo was still running after {within}; output:\n{log}");
        }
        silo._process.WaitForExit(); // drains the redirected output
        return silo;
    }

    private static WebSiloProcess Launch(IEnumerable<string>? extraArgs, string? bind, IReadOnlyDictionary<string, string>? environment,
        string? clusterId = null, int? siloPort = null, int? gatewayPort = null)
    {
        var dll = SiloBuild.EnsureBuilt();
        var httpPort = FreePorts.Next();
        clusterId ??= "web-test-" + Guid.NewGuid().ToString("N")[..8];
        siloPort ??= FreePorts.Next();
        gatewayPort ??= FreePorts.Next();
        var start = new ProcessStartInfo(DotnetHost)
        {
            WorkingDirectory = Path.GetDirectoryName(dll)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in (string[])[
            dll,
            "--silo-port", siloPort.Value.ToString(), "--gateway-port", gatewayPort.Value.ToString(),
            "--cluster-id", clusterId, "--service-id", clusterId,
            "--http", (bind ?? "http://127.0.0.1:{port}").Replace("{port}", httpPort.ToString()),
            // The readiness line must show whatever appsettings.json says about log levels.
            "--Logging:LogLevel:Orleans.ConvoOrchestrator.Silo=Information"])
            start.ArgumentList.Add(arg);
        foreach (var arg in extraArgs ?? []) start.ArgumentList.Add(arg);
        // The host's own environment must not switch OTLP export on behind a test's back.
        start.Environment.Remove("OTEL_EXPORTER_OTLP_ENDPOINT");
        foreach (var (key, value) in environment ?? new Dictionary<string, string>()) start.Environment[key] = value;

        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        var silo = new WebSiloProcess(process, httpPort, clusterId, siloPort.Value, gatewayPort.Value);
        process.OutputDataReceived += (_, e) => silo.OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => silo.OnLine(e.Data);
        process.Exited += (_, _) => silo._up.TrySetException(new InvalidOperationException($"the silo exited before it was up"));
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return silo;
    }

    /// <summary>An HTTP client for it (optionally sending the API key as X-Api-Key).</summary>
    public HttpClient CreateClient(string? apiKey = null)
    {
        var client = new HttpClient { BaseAddress = BaseUrl, Timeout = TimeSpan.FromSeconds(60) };
        if (apiKey is not null) client.DefaultRequestHeaders.Add("X-Api-Key", apiKey);
        return client;
    }

    /// <summary>Sends SIGTERM (what a service manager or container runtime sends) and waits for the exit.</summary>
    public async Task<TimeSpan> TerminateAsync(TimeSpan within)
    {
        var clock = Stopwatch.StartNew();
        if (Kill(_process.Id, SigTerm) != 0) throw new InvalidOperationException($"kill(SIGTERM) failed: errno {Marshal.GetLastPInvokeError()}");
        using var timeout = new CancellationTokenSource(within);
        await _process.WaitForExitAsync(timeout.Token);
        _process.WaitForExit();
        return clock.Elapsed;
    }

    /// <summary>SIGSTOP: the process stops where it stands (no more writes) until killed; a crash caught mid-step.</summary>
    public void Freeze()
    {
        if (Kill(_process.Id, SigStop) != 0) throw new InvalidOperationException($"kill(SIGSTOP) failed: errno {Marshal.GetLastPInvokeError()}");
    }

    /// <summary>SIGKILL: the process dies at once, as in a crash.</summary>
    public async Task KillAsync()
    {
        _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited) _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        }
        catch (Exception)
        {
            // Already gone, or reaped with the test host.
        }
        _process.Dispose();
    }

    /// <summary>The dotnet executable running these tests (or "dotnet" from PATH).</summary>
    internal static string DotnetHost =>
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : "dotnet";

    private const int SigTerm = 15;
    private const int SigStop = 19;

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);

    private void OnLine(string? line)
    {
        if (line is null) return;
        lock (_log) _log.AppendLine(line);
        if (line.Contains("silo is up", StringComparison.Ordinal)) _up.TrySetResult();
    }
}
