using Orleans.ConvoOrchestrator.Runtime;

namespace Orleans.ConvoOrchestrator.Tests.Support;

/// <summary>A cluster with Orleans activity propagation on, silo and client, as a traced deployment runs it.</summary>
public sealed class TelemetryClusterFixture : OrchestratorClusterFixture
{
    protected override void Configure(ISiloBuilder silo) => silo.AddActivityPropagation().AddConvoOrchestrator(o =>
    {
        o.BackoffBase = TimeSpan.FromMilliseconds(10);
        o.BackoffCap = TimeSpan.FromMilliseconds(20);
    }, Handlers);

    protected override void ConfigureClient(IClientBuilder client) => client.AddActivityPropagation();
}
