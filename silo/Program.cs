using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.ConvoOrchestrator.Runtime;
using Orleans.ConvoOrchestrator.Silo;

// The stock silo: embedded defaults (localhost clustering, memory storage, in-memory reminders) and the
// built-in handlers log, echo, fail and sleep.
// Content root = the build output, so appsettings.json is found whatever the working directory.
var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = args, ContentRootPath = AppContext.BaseDirectory });
builder.Configuration.AddCommandLine(args, new Dictionary<string, string>
{
    ["--silo-port"] = "Convo:SiloPort",
    ["--gateway-port"] = "Convo:GatewayPort",
    ["--cluster-id"] = "Convo:ClusterId",
    ["--service-id"] = "Convo:ServiceId",
});
var settings = builder.Configuration.GetSection("Convo").Get<SiloSettings>() ?? new SiloSettings();
builder.Services.AddOptions<ConvoOrchestratorOptions>().Bind(builder.Configuration.GetSection("Convo:Orchestrator"));

builder.UseOrleans(silo =>
{
    silo.UseLocalhostClustering(settings.SiloPort, settings.GatewayPort, serviceId: settings.ServiceId, clusterId: settings.ClusterId);
    silo.UseConvoInMemoryStore();
    silo.AddConvoOrchestrator(handlers: new HandlerRegistry().RegisterBuiltIns());
});

using var host = builder.Build();
await host.StartAsync();
var log = host.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Orleans.ConvoOrchestrator.Silo");
var handlers = host.Services.GetRequiredService<HandlerRegistry>();
log.LogInformation(
    "ConvoOrchestrator silo is up: gateway localhost:{GatewayPort} (cluster '{ClusterId}', service '{ServiceId}'), silo port {SiloPort}. " +
    "Handlers: {Handlers}. Try: dotnet run --project client -- status <event-id>",
    settings.GatewayPort, settings.ClusterId, settings.ServiceId, settings.SiloPort, string.Join(", ", handlers.Names));
await host.WaitForShutdownAsync();
