using Orleans.ConvoOrchestrator.Redis;
using Orleans.ConvoOrchestrator.Runtime;

namespace Orleans.ConvoOrchestrator.Silo.Hosting;

/// <summary>
/// Kubernetes hosting (section "Convo:Kubernetes", e.g. <c>Convo__Kubernetes__Enabled=true</c>): when enabled the
/// silo calls Orleans' <c>UseKubernetesHosting()</c>, which names the silo after its pod, labels the pod with the
/// cluster and service ids, and watches the pods: a silo whose pod is deleted is declared dead at once instead of
/// after missed probes. Membership, state and jobs stay in Redis.
/// </summary>
public sealed class KubernetesSettings
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "Convo:Kubernetes";

    /// <summary>The pod's IP, set by the downward API (<c>status.podIP</c>); also what Orleans' hosting reads.</summary>
    public const string PodIpVariable = "POD_IP";

    /// <summary>Turns Kubernetes hosting on (default off: the silo runs anywhere else unchanged).</summary>
    public bool Enabled { get; set; }

    /// <summary>
    /// Lets the silos delete the pod of a silo the cluster declared dead (a hung process that still looks alive to
    /// Kubernetes), so the Deployment replaces it. Off by default; it needs the "delete" verb on pods.
    /// </summary>
    public bool DeleteDefunctSiloPods { get; set; }

    /// <summary>
    /// The address the silo advertises: <see cref="ConvoSiloSettings.AdvertisedAddress"/> when set, else the pod's IP
    /// from <paramref name="podIp"/> (null when neither is there).
    /// </summary>
    public static string? AdvertisedAddress(ConvoSiloSettings silo, string? podIp) =>
        !string.IsNullOrWhiteSpace(silo.AdvertisedAddress) ? silo.AdvertisedAddress : string.IsNullOrWhiteSpace(podIp) ? null : podIp.Trim();

    /// <summary>
    /// The problems with these settings, empty when they are usable or hosting is off. Call it after
    /// <see cref="ConvoSiloSettings.AdvertisedAddress"/> got the pod's IP (<see cref="AdvertisedAddress"/>).
    /// <paramref name="inCluster"/> says whether this process runs in a pod (the API server's address in the
    /// environment and a service account token): Orleans' hosting cannot start anywhere else.
    /// </summary>
    public IEnumerable<string> Problems(ConvoSiloSettings silo, bool inCluster)
    {
        if (!Enabled) yield break;
        if (!inCluster)
            yield return "Convo:Kubernetes:Enabled, but this is not a Kubernetes pod (no KUBERNETES_SERVICE_HOST/PORT or service account token): turn it off outside Kubernetes";
        // Pods come and go: a silo that keeps its state in its own memory would lose it with the pod.
        if (silo.Store != ConvoStoreKind.Redis)
            yield return "Convo:Kubernetes:Enabled needs the Redis store (Convo:Store=Redis): pods come and go, the memory store goes with them";
        if (string.IsNullOrWhiteSpace(silo.AdvertisedAddress))
            yield return $"Convo:Kubernetes:Enabled needs the pod's IP: set {PodIpVariable} from the downward API (fieldPath: status.podIP) or Convo:AdvertisedAddress";
    }
}
