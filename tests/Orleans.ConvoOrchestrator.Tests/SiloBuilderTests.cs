using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Orleans.ConvoOrchestrator.Runtime;
using Orleans.ConvoOrchestrator.Tests.Support;
using Orleans.Hosting;
using Orleans.Runtime;

namespace Orleans.ConvoOrchestrator.Tests;

/// <summary>The silo builder extensions as a host uses them: safe to call twice, and a missing store said at start.</summary>
[Trait(Lane.Name, Lane.Cluster)]
public sealed class SiloBuilderTests
{
    private static HostApplicationBuilder Host(Action<ISiloBuilder> configure)
    {
        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder();
        builder.UseOrleans(silo =>
        {
            silo.UseLocalhostClustering(siloPort: FreePorts.Next(), gatewayPort: FreePorts.Next());
            configure(silo);
        });
        return builder;
    }

    [Fact]
    public void Adding_the_orchestrator_twice_registers_its_services_once_and_keeps_both_configurations()
    {
        using var host = Host(silo =>
        {
            silo.AddConvoOrchestrator(o => o.HistorySize = 7);
            silo.AddConvoOrchestrator(o => o.QueueMaxSize = 9);
            silo.UseConvoInMemoryStore();
        }).Build();

        var participants = host.Services.GetServices<ILifecycleParticipant<ISiloLifecycle>>().ToList();
        Assert.Single(participants.OfType<JobRunner>());
        Assert.Single(participants.OfType<RecoverySweeper>());
        Assert.Single(participants.OfType<MetricsFlusher>());
        var options = host.Services.GetRequiredService<IOptions<ConvoOrchestratorOptions>>().Value;
        Assert.Equal((7, 9), (options.HistorySize, options.QueueMaxSize));
    }

    [Fact]
    public async Task A_silo_without_a_store_stops_as_it_starts_and_says_which_call_is_missing()
    {
        using var host = Host(silo => silo.AddConvoOrchestrator()).Build();

        var failure = await Assert.ThrowsAnyAsync<Exception>(() => host.StartAsync());
        var text = failure.ToString();
        Assert.Contains("has no store", text);
        Assert.Contains("UseConvoInMemoryStore()", text);
        Assert.Contains("a grain storage named 'convo'", text);
    }
}
