namespace Orleans.ConvoOrchestrator.Tests.Support;

/// <summary>
/// podman as it works on these machines: the runc runtime (crun refuses their cgroup layout), a containers.conf
/// of our own with no default ulimits (the sandbox forbids setting them), and host networking for builds and
/// containers (tests talk to loopback only). tests/setup/podman.sh installs it and makes the local base image;
/// <see cref="PrepareAsync"/> runs it too, so a filtered test run needs no other step.
/// </summary>
public sealed class Podman : IDisposable
{
    private const string CacheDirectory = "/var/cache/convo-orchestrator-tests";
    private readonly string _directory;
    private readonly Dictionary<string, string> _environment;

    private Podman(string directory, string baseImage)
    {
        _directory = directory;
        BaseImage = baseImage;
        var conf = Path.Combine(directory, "containers.conf");
        File.WriteAllText(conf, "[containers]\ndefault_ulimits = []\n");
        _environment = new Dictionary<string, string> { ["CONTAINERS_CONF"] = conf };
    }

    /// <summary>The local stand-in for the ASP.NET Core runtime image (a Debian base plus this machine's runtime).</summary>
    public string BaseImage { get; }

    /// <summary>Installs podman and the base image when missing (minutes the first time, a second afterwards).</summary>
    public static async Task<Podman> PrepareAsync()
    {
        await Command.RunCheckedAsync("bash", [Path.Combine(RepoPaths.Root, "tests", "setup", "podman.sh")], TimeSpan.FromMinutes(15));
        var baseImage = (await File.ReadAllTextAsync(Path.Combine(CacheDirectory, "base-image"))).Trim();
        var directory = Path.Combine(Path.GetTempPath(), "convo-podman-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(directory);
        return new Podman(directory, baseImage);
    }

    /// <summary>Runs <c>podman args</c>.</summary>
    public Task<Command.Result> RunAsync(IEnumerable<string> args, TimeSpan? within = null) =>
        Command.RunAsync("podman", args, within ?? TimeSpan.FromMinutes(2), _environment);

    /// <summary>Runs <c>podman args</c> and throws with its output unless it succeeded; returns its standard output.</summary>
    public async Task<string> RunCheckedAsync(IEnumerable<string> args, TimeSpan? within = null) =>
        (await Command.RunCheckedAsync("podman", args, within ?? TimeSpan.FromMinutes(2), _environment)).Stdout.Trim();

    /// <summary>Builds the repository's Dockerfile from <paramref name="context"/> (a publish folder) on the local base.</summary>
    public Task<string> BuildSiloImageAsync(string context, string tag) => RunCheckedAsync(
    [
        "build", "--runtime", "runc", "--network", "host",
        // Docker format: the OCI format drops HEALTHCHECK.
        "--format", "docker",
        "--build-arg", "BASE_IMAGE=" + BaseImage,
        "-f", Path.Combine(RepoPaths.Root, "Dockerfile"), "-t", tag, context,
    ], TimeSpan.FromMinutes(5));

    /// <summary>Removes containers and images by name (whatever exists of them).</summary>
    public async Task RemoveAsync(IEnumerable<string> containers, IEnumerable<string> images)
    {
        var names = containers.ToList();
        // -t 0: SIGKILL at once; the default would give a container still running 10 s to stop.
        if (names.Count > 0) await RunAsync(["rm", "-f", "-t", "0", .. names]);
        foreach (var image in images) await RunAsync(["rmi", "-f", image]);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // a leftover temporary file is harmless
        }
    }
}
