using System.Diagnostics;
using System.Text;

namespace Orleans.ConvoOrchestrator.Bench.Comparison;

/// <summary>
/// The stock silo (silo/, convo-silo) as a process of its own on the Redis store, on free ports, with the
/// failover probe plugin loaded: what an operator runs. Every line it prints goes to <see cref="Line"/> as it
/// arrives; <see cref="KillAsync"/> is a crash (SIGKILL).
/// </summary>
internal sealed class SiloProcess : IAsyncDisposable
{
    private static readonly TimeSpan StartDeadline = TimeSpan.FromSeconds(90);
    private readonly StringBuilder _log = new();
    private readonly TaskCompletionSource _up = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Process _process;

    private SiloProcess(Process process, int httpPort, int siloPort)
    {
        _process = process;
        HttpPort = httpPort;
        SiloPort = siloPort;
    }

    /// <summary>Called with every line the silo prints (from its output-reading thread).</summary>
    public event Action<SiloProcess, string>? Line;

    /// <summary>The HTTP port (JSON API, /healthz).</summary>
    public int HttpPort { get; }

    /// <summary>The silo-to-silo port: with the host, the silo's address in the membership table.</summary>
    public int SiloPort { get; }

    /// <summary>The process id.</summary>
    public int Pid => _process.Id;

    /// <summary>True once it exited.</summary>
    public bool HasExited => _process.HasExited;

    /// <summary>http://127.0.0.1:port/.</summary>
    public Uri BaseUrl => new($"http://127.0.0.1:{HttpPort}/");

    /// <summary>The last lines it printed, for error reports.</summary>
    public string Tail(int lines)
    {
        lock (_log) return string.Join('\n', _log.ToString().Split('\n').TakeLast(lines));
    }

    /// <summary>The silo's dll, built with this program (Bench.csproj references silo/ without using it).</summary>
    public static string SiloDll => RepoFile("silo", "convo-silo.dll");

    /// <summary>The probe plugin's dll (bench/FailoverProbe), built with this program.</summary>
    public static string ProbePluginDll => RepoFile(Path.Combine("bench", "FailoverProbe"), "FailoverProbe.dll");

    /// <summary>
    /// Starts a silo of cluster <paramref name="clusterId"/> on the Redis server at <paramref name="redis"/>, with
    /// <paramref name="settings"/> as extra <c>--Key=value</c> configuration; returns once it logged "silo is up".
    /// </summary>
    public static async Task<SiloProcess> StartAsync(string redis, string clusterId, IReadOnlyDictionary<string, string>? settings = null,
        Action<SiloProcess, string>? onLine = null)
    {
        var dll = SiloDll;
        var plugin = ProbePluginDll;
        if (!File.Exists(dll) || !File.Exists(plugin))
            throw new InvalidOperationException($"{dll} or {plugin} is missing: build the solution (or bench/) in this configuration first");
        var httpPort = FreePorts.Next();
        var siloPort = FreePorts.Next();
        var info = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = Path.GetDirectoryName(dll)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in (string[])[
            dll, "--store", "redis", "--redis", redis,
            "--silo-port", siloPort.ToString(), "--gateway-port", FreePorts.Next().ToString(),
            "--cluster-id", clusterId, "--service-id", clusterId,
            "--http", $"http://127.0.0.1:{httpPort}", "--plugin", plugin,
            // The readiness line is logged at Information, whatever appsettings.json says.
            "--Logging:LogLevel:Orleans.ConvoOrchestrator.Silo=Information"])
            info.ArgumentList.Add(arg);
        foreach (var (key, value) in settings ?? new Dictionary<string, string>()) info.ArgumentList.Add($"--{key}={value}");
        info.Environment.Remove("OTEL_EXPORTER_OTLP_ENDPOINT");

        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var silo = new SiloProcess(process, httpPort, siloPort);
        if (onLine is not null) silo.Line += onLine;
        process.OutputDataReceived += (_, e) => silo.OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => silo.OnLine(e.Data);
        process.Exited += (_, _) => silo._up.TrySetException(new InvalidOperationException("the silo exited before it was up"));
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await silo._up.Task.WaitAsync(StartDeadline);
        }
        catch (Exception ex)
        {
            var tail = silo.Tail(30);
            await silo.DisposeAsync();
            throw new InvalidOperationException($"convo-silo did not report 'silo is up' within {StartDeadline.TotalSeconds:0} s ({ex.Message}):\n{tail}", ex);
        }
        return silo;
    }

    /// <summary>SIGKILL: the process dies at once, as in a crash. Returns when it is gone.</summary>
    public async Task KillAsync()
    {
        _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
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
            // Already gone.
        }
        _process.Dispose();
    }

    private void OnLine(string? line)
    {
        if (line is null) return;
        lock (_log)
        {
            // Only the recent past is ever shown; a long run must not grow without bound.
            if (_log.Length > 256 * 1024) _log.Remove(0, _log.Length / 2);
            _log.AppendLine(line);
        }
        if (line.Contains("silo is up", StringComparison.Ordinal)) _up.TrySetResult();
        Line?.Invoke(this, line);
    }

    // bin/<configuration>/net10.0 of a project of the repository this program was built in, in this program's configuration.
    private static string RepoFile(string projectDir, string file)
    {
        var configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Debug{Path.DirectorySeparatorChar}") ? "Debug" : "Release";
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Orleans.ConvoOrchestrator.sln")))
                return Path.Combine(dir.FullName, projectDir, "bin", configuration, "net10.0", file);
        throw new InvalidOperationException("Orleans.ConvoOrchestrator.sln not found above " + AppContext.BaseDirectory);
    }
}
