using System.Globalization;
using System.Net;

namespace Orleans.ConvoOrchestrator.Tests.Support;

/// <summary>
/// One stock-silo container on host networking, configured only through environment variables (as compose and
/// Kubernetes do), on free loopback ports. Kill it (SIGKILL), stop it (SIGTERM, graceful) or read its log.
/// </summary>
public sealed class SiloContainer
{
    private readonly Podman _podman;

    private SiloContainer(Podman podman, string name, int httpPort, string apiKey)
    {
        _podman = podman;
        Name = name;
        HttpPort = httpPort;
        ApiKey = apiKey;
    }

    /// <summary>The container's name (unique per test run: clean-up goes by name).</summary>
    public string Name { get; }

    /// <summary>The HTTP port on 127.0.0.1.</summary>
    public int HttpPort { get; }

    /// <summary>The API key every request but /healthz and /readyz needs.</summary>
    public string ApiKey { get; }

    /// <summary>Runs <paramref name="image"/> as a Redis silo of <paramref name="cluster"/>; returns once podman started it.</summary>
    public static async Task<SiloContainer> RunAsync(Podman podman, string image, string name, string redis, string cluster,
        string apiKey, IReadOnlyDictionary<string, string>? environment = null)
    {
        var httpPort = FreePorts.Next();
        var settings = new Dictionary<string, string>
        {
            ["Convo__Store"] = "Redis",
            ["Convo__Redis"] = redis,
            ["Convo__ClusterId"] = cluster,
            ["Convo__ServiceId"] = cluster,
            ["Convo__SiloPort"] = FreePorts.Next().ToString(CultureInfo.InvariantCulture),
            ["Convo__GatewayPort"] = FreePorts.Next().ToString(CultureInfo.InvariantCulture),
            // Host networking: loopback only, never the image's 0.0.0.0.
            ["Convo__Http__Urls"] = $"http://127.0.0.1:{httpPort}",
            ["Convo__Http__ApiKey"] = apiKey,
        };
        foreach (var (key, value) in environment ?? new Dictionary<string, string>()) settings[key] = value;
        List<string> args = ["run", "-d", "--name", name, "--runtime", "runc", "--network", "host"];
        foreach (var (key, value) in settings) args.AddRange(["-e", $"{key}={value}"]);
        args.Add(image);
        await podman.RunCheckedAsync(args);
        return new SiloContainer(podman, name, httpPort, apiKey);
    }

    /// <summary>An HTTP client sending the API key.</summary>
    public HttpClient CreateClient()
    {
        var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{HttpPort}/"), Timeout = TimeSpan.FromSeconds(30) };
        client.DefaultRequestHeaders.Add("X-Api-Key", ApiKey);
        return client;
    }

    /// <summary>The HTTP status of /readyz (0 when nothing answers).</summary>
    public async Task<int> ReadyStatusAsync()
    {
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        try
        {
            using var response = await client.GetAsync(new Uri($"http://127.0.0.1:{HttpPort}/readyz"));
            return (int)response.StatusCode;
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            return 0;
        }
    }

    /// <summary>Waits for /readyz to answer 200; throws with the container's log otherwise.</summary>
    public async Task WaitReadyAsync(TimeSpan within)
    {
        var deadline = DateTime.UtcNow + within;
        while (await ReadyStatusAsync() != (int)HttpStatusCode.OK)
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"{Name} was not ready within {within}; its log:\n{await LogsAsync()}");
            await Task.Delay(250);
        }
    }

    /// <summary>What the silo printed.</summary>
    public async Task<string> LogsAsync() => (await _podman.RunAsync(["logs", Name])).Output;

    /// <summary>Runs a command inside the container; returns its exit code and output.</summary>
    public Task<Command.Result> ExecAsync(params string[] command) => _podman.RunAsync(["exec", Name, .. command]);

    /// <summary>Runs the image's HEALTHCHECK once (podman cannot schedule it here: no systemd); returns its exit code.</summary>
    public async Task<int> HealthcheckAsync() => (await _podman.RunAsync(["healthcheck", "run", Name])).ExitCode;

    /// <summary>SIGKILL, as a crash of the machine or an OOM kill.</summary>
    public Task KillAsync() => _podman.RunCheckedAsync(["kill", "--signal", "KILL", Name]);

    /// <summary>SIGTERM (what docker stop and Kubernetes send), SIGKILL after <paramref name="grace"/>; returns the exit code.</summary>
    public async Task<int> StopAsync(TimeSpan grace)
    {
        await _podman.RunCheckedAsync(["stop", "-t", ((int)grace.TotalSeconds).ToString(CultureInfo.InvariantCulture), Name], grace + TimeSpan.FromSeconds(30));
        return await ExitCodeAsync();
    }

    /// <summary>The container's exit code once it stopped.</summary>
    public async Task<int> ExitCodeAsync() =>
        int.Parse(await _podman.RunCheckedAsync(["inspect", "--format", "{{.State.ExitCode}}", Name]), CultureInfo.InvariantCulture);
}
