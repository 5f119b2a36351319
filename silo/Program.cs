using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.ConvoOrchestrator.Runtime;

// The stock silo: embedded defaults (localhost clustering, memory storage, in-memory reminders) or Redis
// (--store redis --redis host:port), and the built-in handlers log, echo, fail and sleep.
// Content root = the build output, so appsettings.json is found whatever the working directory.
var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = args, ContentRootPath = AppContext.BaseDirectory });
builder.Configuration.AddCommandLine(args, new Dictionary<string, string>
{
    ["--store"] = "Convo:Store",
    ["--redis"] = "Convo:Redis",
    ["--silo-port"] = "Convo:SiloPort",
    ["--gateway-port"] = "Convo:GatewayPort",
    ["--cluster-id"] = "Convo:ClusterId",
    ["--service-id"] = "Convo:ServiceId",
    ["--advertised-address"] = "Convo:AdvertisedAddress",
});
ConvoSiloSettings settings;
try
{
    settings = builder.Configuration.GetSection("Convo").Get<ConvoSiloSettings>() ?? new ConvoSiloSettings();
    var problems = settings.Problems().ToList();
    if (problems.Count > 0) throw new InvalidOperationException(string.Join("; ", problems));
}
catch (InvalidOperationException ex)
{
    Console.Error.WriteLine($"convo-silo: {ex.Message}");
    return 2;
}
builder.Services.AddOptions<ConvoOrchestratorOptions>().Bind(builder.Configuration.GetSection("Convo:Orchestrator"));

builder.UseOrleans(silo =>
{
    silo.UseConvoCluster(settings);
    silo.AddConvoOrchestrator(handlers: new HandlerRegistry().RegisterBuiltIns());
});

using var host = builder.Build();
await host.StartAsync();
var log = host.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Orleans.ConvoOrchestrator.Silo");
var handlers = host.Services.GetRequiredService<HandlerRegistry>();
log.LogInformation(
    "ConvoOrchestrator silo is up: store {Store}, gateway port {GatewayPort} (cluster '{ClusterId}', service '{ServiceId}'), silo port {SiloPort}. " +
    "Handlers: {Handlers}. Try: dotnet run --project client -- status <event-id>",
    settings.Store, settings.GatewayPort, settings.ClusterId, settings.ServiceId, settings.SiloPort, string.Join(", ", handlers.Names));
await host.WaitForShutdownAsync();
return 0;
