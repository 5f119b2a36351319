using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.ConvoOrchestrator.Postgres;
using Orleans.ConvoOrchestrator.Redis;
using Orleans.ConvoOrchestrator.Runtime;
using Orleans.ConvoOrchestrator.Silo.Hosting;
using Orleans.ConvoOrchestrator.Silo.Http;
using Orleans.ConvoOrchestrator.Silo.Pages;
using Orleans.ConvoOrchestrator.Silo.Telemetry;
using Orleans.Dashboard;
using Orleans.Hosting;
using Orleans.ConvoOrchestrator.Runtime.Execution;
using Orleans.ConvoOrchestrator.Runtime.Hosting;
using Orleans.ConvoOrchestrator.Runtime.Handlers.BuiltIn;
using Orleans.ConvoOrchestrator.Runtime.Handlers.Plugins;

// The stock silo: an ASP.NET Core host running one Orleans silo (memory store by default, or Redis with
// --store redis --redis host:port), the built-in handlers log, echo, fail and sleep, and on HTTP (loopback by
// default) the events page, the JSON API, the Orleans dashboard, health probes and Prometheus metrics.
// "convo-silo probe /healthz": the container HEALTHCHECK asks the running silo, then exits.
if (args is [HealthProbe.Command, ..]) return await HealthProbe.RunAsync(args[1..]);

// Content root = the build output, so appsettings.json is found whatever the working directory.
var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
builder.Configuration.AddCommandLine(args, SiloCommandLine.Switches);

ConvoSiloSettings settings;
HandlerRegistry handlerRegistry;
HttpSettings http;
OtelSettings otel;
ConvoOrchestratorOptions orchestrator;
ConvoRedisOptions redisOptions;
KubernetesSettings kubernetes;
try
{
    settings = builder.Configuration.GetSection("Convo").Get<ConvoSiloSettings>() ?? new ConvoSiloSettings();
    kubernetes = builder.Configuration.GetSection(KubernetesSettings.SectionName).Get<KubernetesSettings>() ?? new KubernetesSettings();
    // In a pod the silo advertises the pod's IP (downward API), so other pods reach it; loopback would not do.
    if (kubernetes.Enabled)
        settings.AdvertisedAddress = KubernetesSettings.AdvertisedAddress(settings, Environment.GetEnvironmentVariable(KubernetesSettings.PodIpVariable));
    http = builder.Configuration.GetSection("Convo:Http").Get<HttpSettings>() ?? new HttpSettings();
    otel = builder.Configuration.GetSection("Convo:Otel").Get<OtelSettings>() ?? new OtelSettings();
    orchestrator = builder.Configuration.GetSection("Convo:Orchestrator").Get<ConvoOrchestratorOptions>() ?? new ConvoOrchestratorOptions();
    // Convo:Redis is the configuration string; its children (Convo:Redis:AckReplicas, ...) are the store's options.
    redisOptions = builder.Configuration.GetSection(ConvoRedisOptions.SectionName).Get<ConvoRedisOptions>() ?? new ConvoRedisOptions();
    var problems = settings.Problems().Concat(kubernetes.Problems(settings, k8s.KubernetesClientConfiguration.IsInCluster())).Concat(http.Problems()).Concat(otel.Problems())
        .Concat(orchestrator.Problems().Select(p => "Convo:Orchestrator:" + p))
        .Concat(redisOptions.Problems().Select(p => ConvoRedisOptions.SectionName + ":" + p))
        .Concat(PostgresProblems(builder.Configuration)).ToList();
    if (problems.Count > 0) return Refuse(problems);
    // Handler plugins (Convo:Plugins, --plugin <dll>): all load, or the silo does not start.
    handlerRegistry = new HandlerRegistry().RegisterBuiltIns();
    handlerRegistry.RegisterPlugins(HandlerPluginConfiguration.ReadPaths(builder.Configuration, args));
}
catch (Exception ex) when (ex is InvalidOperationException or HandlerPluginException or ArgumentException)
{
    return Refuse([ex.Message]);
}

builder.WebHost.UseUrls(http.UrlList.ToArray());
builder.WebHost.ConfigureKestrel(kestrel => RequestSizeLimits.ApplyTo(kestrel.Limits));
builder.Services.AddOptions<ConvoOrchestratorOptions>().Bind(builder.Configuration.GetSection("Convo:Orchestrator"));
builder.Services.AddOptions<ConvoRedisOptions>().Bind(builder.Configuration.GetSection(ConvoRedisOptions.SectionName));
// Stopping waits for running handlers up to ShutdownGracePeriod (the silo's own stop); the host must give the
// silo that long and a margin for leaving the cluster, or it would cut the grace period short.
builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = orchestrator.ShutdownGracePeriod + TimeSpan.FromSeconds(20));
builder.Services.AddProblemDetails(o => o.CustomizeProblemDetails = FrameworkProblems.Complete);
builder.Services.AddHealthChecks().AddCheck<ClusterReadyCheck>("cluster", tags: ["ready"]);
builder.AddConvoTelemetry(otel);

builder.UseOrleans(silo =>
{
    silo.UseConvoCluster(settings);
    // Pod names as silo names, pod labels, and a pod watch: a deleted pod's silo is declared dead at once.
    if (kubernetes.Enabled) silo.UseKubernetesHosting(o => o.Configure(k => k.DeleteDefunctSiloPods = kubernetes.DeleteDefunctSiloPods));
    silo.AddConvoOrchestrator(handlers: handlerRegistry);
    // PostgreSQL LISTEN/NOTIFY fires EXTERNAL triggers when a connection string is configured (--postgres).
    var postgres = builder.Configuration.GetSection(ConvoPostgresNotifyOptions.SectionName);
    if (!string.IsNullOrWhiteSpace(postgres["ConnectionString"])) silo.Services.AddConvoPostgresNotify(o => postgres.Bind(o));
    silo.AddActivityPropagation();
    silo.AddDashboard();
});

// Disposed before exit: that flushes the console logger, whose last lines would otherwise be lost.
await using var app = builder.Build();
// Outside the exception handler: a request whose client left is no error (see AbortedRequests).
app.UseMiddleware<AbortedRequests>();
app.UseExceptionHandler();
app.UseStatusCodePages();
app.UseMiddleware<RequestSizeLimits>();
if (http.HasApiKey) app.UseMiddleware<ApiKeyMiddleware>(http.Keys);
app.MapHealthChecks("/healthz", new HealthCheckOptions { Predicate = _ => false });
app.MapHealthChecks("/readyz", new HealthCheckOptions { Predicate = check => check.Tags.Contains("ready") });
app.MapConvoApi();
app.MapEventsPage($"{settings.ClusterId} / {settings.ServiceId} · {settings.Store}");
app.MapOrleansDashboard("/dashboard");
app.MapPrometheusScrapingEndpoint("/metrics");

try
{
    await app.StartAsync();
}
catch (OptionsValidationException ex)
{
    // Options checked only as the host starts (a library's own, say): refused like the settings above.
    return Refuse(ex.Failures);
}
var log = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Orleans.ConvoOrchestrator.Silo");

// The addresses Kestrel really bound (configuration elsewhere, e.g. Kestrel:Endpoints, could add some):
// off loopback without a key is refused here too, after the fact.
var bound = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.ToList() ?? [];
var exposed = bound.Where(a => !HttpSettings.IsLoopback(new Uri(a.Replace("://+", "://0.0.0.0").Replace("://*", "://0.0.0.0")))).ToList();
if (exposed.Count > 0 && !http.HasApiKey)
{
    Console.Error.WriteLine($"convo-silo: refusing to serve HTTP on {string.Join(", ", exposed)} without an API key (--api-key)");
    await app.StopAsync();
    return 2;
}

var handlers = app.Services.GetRequiredService<HandlerRegistry>();
log.LogInformation(
    "ConvoOrchestrator silo is up: store {Store}, gateway port {GatewayPort} (cluster '{ClusterId}', service '{ServiceId}'), silo port {SiloPort}. " +
    "Handlers: {Handlers}. HTTP: {Http} (events page /, API /api, dashboard /dashboard, /healthz, /readyz, /metrics; API key {KeyState}); OTLP export {Otlp}. " +
    "Try: dotnet run --project client -- status <event-id>",
    settings.Store, settings.GatewayPort, settings.ClusterId, settings.ServiceId, settings.SiloPort, string.Join(", ", handlers.Names),
    string.Join(", ", bound), http.HasApiKey ? "required" : "off", builder.OtlpEnabled(otel) ? "on" : "off");

var lifetime = app.Services.GetRequiredService<IHostApplicationLifetime>();
lifetime.ApplicationStopping.Register(() => log.LogInformation(
    "ConvoOrchestrator silo is stopping: {InFlight} run(s) in flight get up to {Grace} to finish",
    app.Services.GetRequiredService<IHandlerRuns>().InFlight, app.Services.GetRequiredService<IOptions<ConvoOrchestratorOptions>>().Value.ShutdownGracePeriod));
await app.WaitForShutdownAsync();
log.LogInformation("ConvoOrchestrator silo stopped: {InFlight} run(s) left in flight", app.Services.GetRequiredService<IHandlerRuns>().InFlight);
return 0;

// Settings the silo cannot run with: one line per problem, exit code 2, no stack trace.
static int Refuse(IEnumerable<string> problems)
{
    foreach (var problem in problems) Console.Error.WriteLine($"convo-silo: {problem}");
    return 2;
}

// The PostgreSQL adapter's options, checked with the rest when it is switched on (--postgres).
static IEnumerable<string> PostgresProblems(IConfiguration configuration)
{
    var section = configuration.GetSection(ConvoPostgresNotifyOptions.SectionName);
    if (string.IsNullOrWhiteSpace(section["ConnectionString"])) return [];
    var options = section.Get<ConvoPostgresNotifyOptions>() ?? new ConvoPostgresNotifyOptions();
    return options.Problems().Select(p => $"{ConvoPostgresNotifyOptions.SectionName}:{p}");
}
