using System.Text.Json;
using Orleans.ConvoOrchestrator.Tests.Support;

namespace Orleans.ConvoOrchestrator.Tests;

/// <summary>
/// What each package drags into an app, read from the dependency files the build writes: a client-only app gets no
/// Orleans runtime and no Redis client unless it asks for Redis clustering; a plugin's closure has no runtime either.
/// </summary>
[Trait(Lane.Name, Lane.System)]
public sealed class PackageClosureTests
{
    [Fact]
    public void A_client_app_carries_no_Orleans_runtime_and_no_Redis_client()
    {
        var closure = Closure("Orleans.ConvoOrchestrator.Client");
        Assert.Contains("Microsoft.Orleans.Core", closure); // the client itself
        Assert.DoesNotContain(closure, IsRuntimeOrRedis);
        Assert.DoesNotContain("Orleans.ConvoOrchestrator.Runtime", closure);
    }

    [Fact]
    public void Redis_clustering_for_a_client_brings_the_Redis_client_and_no_ConvoOrchestrator_runtime()
    {
        var closure = Closure("Orleans.ConvoOrchestrator.Client.Redis");
        Assert.Contains("StackExchange.Redis", closure);
        // Orleans ships Redis clustering for silos and clients in one package that depends on its runtime: asking for
        // Redis clustering brings that (Orleans' packaging, not ours), never this project's runtime or a server.
        Assert.DoesNotContain(closure, p => p is "Microsoft.Orleans.Server" or "Orleans.ConvoOrchestrator.Runtime" or "Orleans.ConvoOrchestrator.Redis");
    }

    [Theory]
    [InlineData("Orleans.ConvoOrchestrator.Abstractions")]
    [InlineData("Orleans.ConvoOrchestrator.Postgres")]
    [InlineData("Orleans.ConvoOrchestrator.Contracts")]
    public void Plugins_and_adapters_need_neither_the_runtime_nor_Redis(string package)
    {
        var closure = Closure(package);
        Assert.DoesNotContain(closure, IsRuntimeOrRedis);
        Assert.DoesNotContain("Orleans.ConvoOrchestrator.Runtime", closure);
    }

    [Fact]
    public void The_runtime_holds_no_Redis_and_no_client_package()
    {
        var closure = Closure("Orleans.ConvoOrchestrator.Runtime");
        Assert.Contains("Microsoft.Orleans.Runtime", closure);
        Assert.DoesNotContain(closure, p => p.StartsWith("StackExchange.Redis", StringComparison.Ordinal) || p.Contains(".Redis", StringComparison.Ordinal));
        Assert.DoesNotContain("Orleans.ConvoOrchestrator.Client", closure);
    }

    private static bool IsRuntimeOrRedis(string package) =>
        package is "Microsoft.Orleans.Runtime" or "Microsoft.Orleans.Server" || package.StartsWith("StackExchange.Redis", StringComparison.Ordinal)
        || package.Contains(".Redis", StringComparison.Ordinal);

    // Every library in the project's deps.json (packages and projects), by name without version.
    private static HashSet<string> Closure(string project)
    {
        var path = Path.Combine(RepoPaths.Root, "src", project, "bin", "Release", "net10.0", project + ".deps.json");
        Assert.True(File.Exists(path), $"build the solution in Release first: {path} is missing");
        using var deps = JsonDocument.Parse(File.ReadAllText(path));
        return deps.RootElement.GetProperty("libraries").EnumerateObject().Select(l => l.Name.Split('/')[0]).Where(n => n != project).ToHashSet();
    }
}
