using System.Globalization;
using System.Net;
using System.Text.Json;
using Orleans.ConvoOrchestrator.Tests.Support;

namespace Orleans.ConvoOrchestrator.Tests;

/// <summary>
/// deploy/kubernetes and deploy/compose.yaml, checked without a cluster or a container daemon: every Kubernetes
/// object against the schema of Kubernetes v1.36 and the compose file against the compose-spec schema, then what
/// the schemas cannot know: that the files fit the silo (probe paths it serves, its ports, its stop time, the
/// Redis it needs, the rights Orleans' hosting uses).
/// </summary>
[Trait(Lane.Name, Lane.System)]
public sealed class DeployManifestTests(WebSiloFixture web) : IClassFixture<WebSiloFixture>
{
    // The silo host waits ShutdownGracePeriod plus this for its own stop (silo/Program.cs, HostOptions.ShutdownTimeout).
    private static readonly TimeSpan HostStopMargin = TimeSpan.FromSeconds(20);
    private static readonly string KubernetesDirectory = Path.Combine(RepoPaths.Root, "deploy", "kubernetes");
    private static readonly string ComposeFile = Path.Combine(RepoPaths.Root, "deploy", "compose.yaml");

    [Fact]
    public async Task Every_Kubernetes_object_matches_the_schema_of_Kubernetes_1_36_and_the_kustomization_lists_every_file()
    {
        var files = Directory.GetFiles(KubernetesDirectory, "*.yaml").Order(StringComparer.Ordinal).ToList();
        var report = await ManifestCheck.RunAsync(files);

        Assert.All(report, d => Assert.True(d.Errors.Count == 0, $"{d}: {string.Join("\n", d.Errors)}"));
        Assert.Equal(
            ["Deployment", "PodDisruptionBudget", "Role", "RoleBinding", "Service", "Service", "ServiceAccount", "StatefulSet"],
            report.Where(d => d.Kubernetes).Select(d => d.Kind).Order(StringComparer.Ordinal));
        var kustomization = Assert.Single(report, d => !d.Kubernetes).Body;
        Assert.Equal("Kustomization", kustomization.GetProperty("kind").GetString());
        // kubectl apply -k applies what the kustomization lists: a manifest left out would never be deployed.
        Assert.Equal(
            files.Select(Path.GetFileName).Where(f => f != "kustomization.yaml").Order(StringComparer.Ordinal),
            kustomization.GetProperty("resources").EnumerateArray().Select(r => r.GetString()).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task The_schema_check_refuses_a_wrong_type_a_missing_field_an_unknown_kind_and_an_unknown_compose_key()
    {
        var file = Path.Combine(Path.GetTempPath(), "convo-bad-manifest-" + Guid.NewGuid().ToString("N")[..8] + ".yaml");
        await File.WriteAllTextAsync(file, """
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: bad}
            spec:
              selector: {matchLabels: {app: bad}}
              template:
                metadata: {labels: {app: bad}}
                spec:
                  containers:
                    - name: silo
                      image: convo-silo
                      ports: [{containerPort: "8080"}]
            ---
            apiVersion: policy/v1
            kind: PodDisruptionBudget
            metadata: {name: bad}
            spec: {maxUnavailable: 1, selector: {matchLabels: {app: bad}}}
            ---
            apiVersion: v1
            kind: Service
            metadata: {name: bad}
            spec: {ports: [{name: http}]}
            ---
            apiVersion: example.com/v1
            kind: Gadget
            metadata: {name: bad}
            ---
            services:
              silo: {image: convo-silo, stop_grace_periodd: 45s}
            """);
        try
        {
            var report = await ManifestCheck.RunAsync([file]);

            Assert.Contains(report[0].Errors, e => e.Contains("containerPort must be integer", StringComparison.Ordinal));
            Assert.Empty(report[1].Errors);
            Assert.Contains(report[2].Errors, e => e.Contains("must have required property port", StringComparison.Ordinal));
            Assert.Contains(report[3].Errors, e => e.Contains("no schema for example.com/v1 Gadget", StringComparison.Ordinal));
            Assert.Equal(["compose-spec: /services/silo must NOT have additional properties 'stop_grace_periodd'"], report[4].Errors);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task The_silo_Deployment_fits_the_silo_its_Redis_its_rights_and_its_disruption_budget()
    {
        var report = await ManifestCheck.RunAsync(Directory.GetFiles(KubernetesDirectory, "*.yaml"));
        JsonElement Object(string kind) => Assert.Single(report, d => d.Kubernetes && d.Kind == kind).Body;
        var deployment = Object("Deployment");
        var template = deployment.GetProperty("spec").GetProperty("template");
        var labels = Strings(template.GetProperty("metadata").GetProperty("labels"));
        var pod = template.GetProperty("spec");
        var silo = Assert.Single(pod.GetProperty("containers").EnumerateArray());
        var env = silo.GetProperty("env").EnumerateArray().ToDictionary(e => e.GetProperty("name").GetString()!);
        var ports = silo.GetProperty("ports").EnumerateArray().ToDictionary(p => p.GetProperty("name").GetString()!, p => p.GetProperty("containerPort").GetInt32());
        string Value(string name) => env[name].GetProperty("value").GetString()!;
        string Field(string name) => env[name].GetProperty("valueFrom").GetProperty("fieldRef").GetProperty("fieldPath").GetString()!;

        // The Deployment owns its pods, and Orleans' hosting finds its cluster by the two labels the ids come from.
        Assert.All(Strings(deployment.GetProperty("spec").GetProperty("selector").GetProperty("matchLabels")), l => Assert.True(labels.Contains(l), $"selector {l} not on the pods"));
        Assert.Contains("orleans/clusterId", labels.Keys);
        Assert.Contains("orleans/serviceId", labels.Keys);
        Assert.Equal("metadata.labels['orleans/clusterId']", Field("Convo__ClusterId"));
        Assert.Equal("metadata.labels['orleans/serviceId']", Field("Convo__ServiceId"));
        Assert.Equal("true", Value("Convo__Kubernetes__Enabled"));
        Assert.Equal("Redis", Value("Convo__Store"));
        Assert.Equal("status.podIP", Field("POD_IP"));
        Assert.Equal("metadata.name", Field("POD_NAME"));
        Assert.Equal("metadata.namespace", Field("POD_NAMESPACE"));
        var secret = env["Convo__Http__ApiKey"].GetProperty("valueFrom").GetProperty("secretKeyRef");
        Assert.False(string.IsNullOrEmpty(secret.GetProperty("name").GetString()));
        Assert.False(string.IsNullOrEmpty(secret.GetProperty("key").GetString()));

        // Ports: what the silo is told to use is what the pod declares.
        Assert.Equal(ports["http"], new Uri(Value("Convo__Http__Urls")).Port);
        Assert.Equal(ports["silo"], int.Parse(Value("Convo__SiloPort"), CultureInfo.InvariantCulture));
        Assert.Equal(ports["gateway"], int.Parse(Value("Convo__GatewayPort"), CultureInfo.InvariantCulture));

        // Probes on paths the silo serves, without a key, on its HTTP port.
        var probes = new Dictionary<string, string> { ["startupProbe"] = "/healthz", ["livenessProbe"] = "/healthz", ["readinessProbe"] = "/readyz" };
        using var anonymous = new HttpClient { BaseAddress = web.Silo.BaseUrl };
        foreach (var (probe, path) in probes)
        {
            var get = silo.GetProperty(probe).GetProperty("httpGet");
            Assert.Equal(path, get.GetProperty("path").GetString());
            Assert.Equal("http", get.GetProperty("port").GetString());
            Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync(path.TrimStart('/'))).StatusCode);
        }

        // Kubernetes waits longer than the silo's own stop (running handlers, then leaving the cluster).
        var grace = TimeSpan.Parse(Value("Convo__Orchestrator__ShutdownGracePeriod"), CultureInfo.InvariantCulture);
        var terminationGrace = TimeSpan.FromSeconds(pod.GetProperty("terminationGracePeriodSeconds").GetInt32());
        Assert.True(terminationGrace > grace + HostStopMargin, $"terminationGracePeriodSeconds {terminationGrace} <= {grace} + {HostStopMargin}");
        // Rolling upgrades add a pod before removing one; the image's user; requests for the scheduler.
        Assert.Equal(0, deployment.GetProperty("spec").GetProperty("strategy").GetProperty("rollingUpdate").GetProperty("maxUnavailable").GetInt32());
        Assert.True(pod.GetProperty("securityContext").GetProperty("runAsNonRoot").GetBoolean());
        Assert.Equal(1654, pod.GetProperty("securityContext").GetProperty("runAsUser").GetInt32());
        var requests = silo.GetProperty("resources").GetProperty("requests");
        Assert.True(requests.TryGetProperty("cpu", out _) && requests.TryGetProperty("memory", out _), "the silo requests no CPU or memory");

        // The rights UseKubernetesHosting uses (patch its pod's labels, list and watch pods), bound to the pods' account.
        var account = Object("ServiceAccount").GetProperty("metadata").GetProperty("name").GetString();
        Assert.Equal(account, pod.GetProperty("serviceAccountName").GetString());
        var role = Object("Role");
        var binding = Object("RoleBinding");
        Assert.Equal(role.GetProperty("metadata").GetProperty("name").GetString(), binding.GetProperty("roleRef").GetProperty("name").GetString());
        Assert.Contains(binding.GetProperty("subjects").EnumerateArray(), s => s.GetProperty("kind").GetString() == "ServiceAccount" && s.GetProperty("name").GetString() == account);
        var podRule = Assert.Single(role.GetProperty("rules").EnumerateArray(), r => r.GetProperty("resources").EnumerateArray().Any(x => x.GetString() == "pods"));
        Assert.Equal(["get", "list", "patch", "watch"], podRule.GetProperty("verbs").EnumerateArray().Select(v => v.GetString()).Order(StringComparer.Ordinal));

        // The budget and the HTTP Service select the silo pods; the Service targets the named HTTP port.
        var budget = Object("PodDisruptionBudget").GetProperty("spec");
        Assert.All(Strings(budget.GetProperty("selector").GetProperty("matchLabels")), l => Assert.True(labels.Contains(l), $"budget selector {l} not on the pods"));
        Assert.Equal(1, budget.GetProperty("maxUnavailable").GetInt32());
        var services = report.Where(d => d.Kubernetes && d.Kind == "Service").ToList();
        var siloService = Assert.Single(services, s => Strings(s.Body.GetProperty("spec").GetProperty("selector")).All(l => labels.Contains(l))).Body;
        Assert.Equal("http", Assert.Single(siloService.GetProperty("spec").GetProperty("ports").EnumerateArray()).GetProperty("targetPort").GetString());

        // The silo's Redis is the trial Redis' Service, which is durable: append-only, fsync always, on a volume.
        var redisService = Assert.Single(services, s => s.Name != siloService.GetProperty("metadata").GetProperty("name").GetString());
        var redisPort = Assert.Single(redisService.Body.GetProperty("spec").GetProperty("ports").EnumerateArray()).GetProperty("port").GetInt32();
        Assert.Equal($"{redisService.Name}:{redisPort}", Value("Convo__Redis"));
        var redis = Object("StatefulSet").GetProperty("spec");
        Assert.Equal(redisService.Name, redis.GetProperty("serviceName").GetString());
        var redisContainer = Assert.Single(redis.GetProperty("template").GetProperty("spec").GetProperty("containers").EnumerateArray());
        var args = string.Join(' ', redisContainer.GetProperty("args").EnumerateArray().Select(a => a.GetString()));
        Assert.Contains("--appendonly yes", args);
        Assert.Contains("--appendfsync always", args);
        var claim = Assert.Single(redis.GetProperty("volumeClaimTemplates").EnumerateArray()).GetProperty("metadata").GetProperty("name").GetString();
        var mount = Assert.Single(redisContainer.GetProperty("volumeMounts").EnumerateArray(), m => m.GetProperty("name").GetString() == claim);
        Assert.Contains($"--dir {mount.GetProperty("mountPath").GetString()}", args);
    }

    [Fact]
    public async Task The_compose_file_runs_a_durable_Redis_and_three_silos_each_advertising_its_own_address_on_loopback_ports()
    {
        var document = Assert.Single(await ManifestCheck.RunAsync([ComposeFile]));
        Assert.Empty(document.Errors);
        var services = document.Body.GetProperty("services");
        Assert.Equal(["redis", "silo-1", "silo-2", "silo-3"], services.EnumerateObject().Select(s => s.Name).Order(StringComparer.Ordinal));

        var redis = services.GetProperty("redis");
        var command = string.Join(' ', redis.GetProperty("command").EnumerateArray().Select(a => a.GetString()));
        Assert.Contains("--appendonly yes", command);
        Assert.Contains("--appendfsync always", command);
        Assert.Contains("--dir /data", command);
        var volume = Assert.Single(redis.GetProperty("volumes").EnumerateArray()).GetString()!;
        Assert.EndsWith(":/data", volume, StringComparison.Ordinal);
        Assert.True(document.Body.GetProperty("volumes").TryGetProperty(volume.Split(':')[0], out _), $"volume {volume} is not declared");
        Assert.True(redis.TryGetProperty("healthcheck", out _), "redis has no healthcheck for the silos to wait on");

        var addresses = new HashSet<string>();
        var published = new HashSet<string>();
        foreach (var name in new[] { "silo-1", "silo-2", "silo-3" })
        {
            var silo = services.GetProperty(name);
            var env = Strings(silo.GetProperty("environment"));
            Assert.Equal("Redis", env["Convo__Store"]);
            Assert.Equal("redis:6379", env["Convo__Redis"]);
            Assert.Equal("convo", env["Convo__ClusterId"]);
            Assert.StartsWith("${CONVO_API_KEY:?", env["Convo__Http__ApiKey"], StringComparison.Ordinal);
            // Each silo advertises the fixed address it has on the project's network, and no other silo's.
            var address = silo.GetProperty("networks").GetProperty("convo").GetProperty("ipv4_address").GetString()!;
            Assert.Equal(address, env["Convo__AdvertisedAddress"]);
            Assert.True(addresses.Add(address), $"{name} advertises {address} like another silo");
            // The events page: the container's HTTP port, published on loopback only, once per silo.
            var port = Assert.Single(silo.GetProperty("ports").EnumerateArray()).GetString()!.Split(':');
            Assert.Equal("127.0.0.1", port[0]);
            Assert.True(published.Add(port[1]), $"{name} publishes port {port[1]} like another silo");
            Assert.Equal(new Uri(env["Convo__Http__Urls"]).Port.ToString(CultureInfo.InvariantCulture), port[2]);
            Assert.Equal("service_healthy", silo.GetProperty("depends_on").GetProperty("redis").GetProperty("condition").GetString());
            var grace = TimeSpan.Parse(env["Convo__Orchestrator__ShutdownGracePeriod"], CultureInfo.InvariantCulture);
            var stopGrace = TimeSpan.FromSeconds(int.Parse(silo.GetProperty("stop_grace_period").GetString()!.TrimEnd('s'), CultureInfo.InvariantCulture));
            Assert.True(stopGrace > grace + HostStopMargin, $"{name}: stop_grace_period {stopGrace} <= {grace} + {HostStopMargin}");
        }
    }

    private static Dictionary<string, string> Strings(JsonElement map) =>
        map.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.ToString());
}
