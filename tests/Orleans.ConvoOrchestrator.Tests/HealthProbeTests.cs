using Orleans.ConvoOrchestrator.Tests.Support;

namespace Orleans.ConvoOrchestrator.Tests;

/// <summary>
/// `convo-silo probe [path]`, the container image's HEALTHCHECK: it finds the silo beside it through the same
/// configuration (a wildcard address becomes loopback) and exits 0 only when the path answers 200.
/// </summary>
[Trait(Lane.Name, Lane.System)]
public sealed class HealthProbeTests
{
    [Fact]
    public async Task The_probe_exits_0_when_the_silo_answers_and_1_when_nothing_does_or_no_port_is_known()
    {
        await using var silo = await WebSiloProcess.StartAsync();
        var dll = SiloBuild.EnsureBuilt();
        Task<Command.Result> Probe(params string[] args) => Command.RunAsync(WebSiloProcess.DotnetHost, [dll, "probe", .. args], TimeSpan.FromSeconds(60));

        // As in the image: the silo is configured with a wildcard address, the probe asks loopback.
        var ready = await Probe("/readyz", "--http", $"http://0.0.0.0:{silo.HttpPort}");
        Assert.True(ready.ExitCode == 0, ready.Output);
        Assert.Contains("/readyz: 200 Healthy", ready.Stdout);
        var alive = await Probe("--http", $"http://127.0.0.1:{silo.HttpPort}");
        Assert.True(alive.ExitCode == 0, alive.Output);
        Assert.Contains("/healthz: 200 Healthy", alive.Stdout);

        var nobody = await Probe("--http", $"http://127.0.0.1:{FreePorts.Next()}");
        Assert.Equal(1, nobody.ExitCode);
        Assert.Contains("/healthz: no answer from", nobody.Stderr);
        // Port 0 (any free port) names no port to ask.
        var unknown = await Probe("--http", "http://127.0.0.1:0");
        Assert.Equal(1, unknown.ExitCode);
        Assert.Contains("no HTTP address to probe", unknown.Stderr);
    }
}
