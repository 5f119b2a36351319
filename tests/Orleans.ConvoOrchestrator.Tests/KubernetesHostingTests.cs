using Orleans.ConvoOrchestrator.Tests.Support;

namespace Orleans.ConvoOrchestrator.Tests;

/// <summary>
/// Convo:Kubernetes:Enabled turns on Orleans' Kubernetes hosting; where it cannot work the silo says why and stops
/// (exit code 2) instead of failing inside Orleans' start with a stack trace.
/// </summary>
[Trait(Lane.Name, Lane.System)]
public sealed class KubernetesHostingTests
{
    [Fact]
    public async Task Kubernetes_hosting_outside_a_pod_on_the_memory_store_without_a_pod_IP_is_refused_with_one_line_each()
    {
        await using var silo = await WebSiloProcess.RunToExitAsync(["--Convo:Kubernetes:Enabled=true"], bind: null, within: TimeSpan.FromSeconds(60));

        Assert.True(silo.ExitCode == 2, $"exit {silo.ExitCode}; output:\n{silo.Log}");
        var refusals = silo.Log.Split('\n').Select(l => l.TrimEnd()).Where(l => l.StartsWith("convo-silo: ", StringComparison.Ordinal)).ToList();
        Assert.Equal(
            [
                "convo-silo: Convo:Kubernetes:Enabled, but this is not a Kubernetes pod (no KUBERNETES_SERVICE_HOST/PORT or service account token): turn it off outside Kubernetes",
                "convo-silo: Convo:Kubernetes:Enabled needs the Redis store (Convo:Store=Redis): pods come and go, the memory store goes with them",
                "convo-silo: Convo:Kubernetes:Enabled needs the pod's IP: set POD_IP from the downward API (fieldPath: status.podIP) or Convo:AdvertisedAddress",
            ], refusals);
        Assert.DoesNotContain("   at ", silo.Log);
    }
}
