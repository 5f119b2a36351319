using Microsoft.Extensions.DependencyInjection;
using Orleans.Runtime;
using Orleans.Storage;

namespace Orleans.ConvoOrchestrator.Runtime.Hosting;

/// <summary>
/// Stops a silo as it starts when the host chose no store for the orchestrator (no grain storage named
/// <see cref="ConvoOrchestratorOptions.StorageName"/>, or no reminder service): such a silo would otherwise start and
/// fail at the first event or trigger it activates. Looks at the registrations only; nothing is created.
/// </summary>
internal sealed class StoreChosenCheck(IServiceProvider services) : ILifecycleParticipant<ISiloLifecycle>
{
    /// <inheritdoc />
    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(StoreChosenCheck), ServiceLifecycleStage.RuntimeInitialize, _ =>
        {
            if (Missing() is { Count: > 0 } missing)
                throw new InvalidOperationException($"Orleans.ConvoOrchestrator has no store: {string.Join(" and ", missing)} missing. " +
                    "Call UseConvoInMemoryStore() or UseConvoRedisStore(...) on the silo builder.");
            return Task.CompletedTask;
        });

    /// <summary>What the silo lacks for the orchestrator's state; empty when a store was chosen.</summary>
    public List<string> Missing()
    {
        var missing = new List<string>();
        var keyed = services.GetService<IServiceProviderIsKeyedService>();
        if (keyed?.IsKeyedService(typeof(IGrainStorage), ConvoOrchestratorOptions.StorageName) != true)
            missing.Add($"a grain storage named '{ConvoOrchestratorOptions.StorageName}'");
        if (services.GetService<IServiceProviderIsService>()?.IsService(typeof(IReminderTable)) != true)
            missing.Add("a reminder service");
        return missing;
    }
}
