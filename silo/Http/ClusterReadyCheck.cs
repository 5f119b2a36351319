using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Orleans.Runtime;

namespace Orleans.ConvoOrchestrator.Silo.Http;

/// <summary>
/// /readyz: the host has started (the silo with it), is not stopping, and the cluster answers a grain call
/// (the management grain lists the active silos) within a few seconds.
/// </summary>
public sealed class ClusterReadyCheck(IHostApplicationLifetime lifetime, IGrainFactory grains) : IHealthCheck
{
    private static readonly TimeSpan CallLimit = TimeSpan.FromSeconds(5);

    /// <inheritdoc />
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (!lifetime.ApplicationStarted.IsCancellationRequested) return HealthCheckResult.Unhealthy("the silo is starting");
        if (lifetime.ApplicationStopping.IsCancellationRequested) return HealthCheckResult.Unhealthy("the silo is stopping");
        try
        {
            var hosts = await grains.GetGrain<IManagementGrain>(0).GetHosts(onlyActive: true).WaitAsync(CallLimit, cancellationToken);
            return hosts.Count > 0
                ? HealthCheckResult.Healthy($"{hosts.Count} active silo(s)")
                : HealthCheckResult.Unhealthy("the cluster reports no active silo");
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return HealthCheckResult.Unhealthy($"the cluster did not answer: {ex.Message}");
        }
    }
}
