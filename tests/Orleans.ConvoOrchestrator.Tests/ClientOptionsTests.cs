using Orleans.ConvoOrchestrator.Tests.Support;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.ConvoOrchestrator.Client;

namespace Orleans.ConvoOrchestrator.Tests;

/// <summary>The cluster client's options from configuration, as an app's appsettings.json or environment gives them.</summary>
[Trait(Lane.Name, Lane.Cluster)]
public sealed class ClientOptionsTests
{
    private static IConfiguration Config(params (string Key, string Value)[] values) =>
        new ConfigurationBuilder().AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>(v.Key, v.Value))).Build();

    [Fact]
    public void Options_are_read_from_a_configuration_section_and_code_goes_last()
    {
        var config = Config(("Convo:Client:ClusterId", "prod-eu"), ("Convo:Client:ServiceId", "billing"), ("Convo:Client:ConnectRetryDelay", "00:00:02"));
        var services = new ServiceCollection();
        services.AddConvoOrchestratorClient(config.GetSection("Convo:Client"), o => o.ServiceId = "billing-v2");

        using var provider = services.BuildServiceProvider();
        var cluster = provider.GetRequiredService<IOptions<ClusterOptions>>().Value;
        Assert.Equal(("prod-eu", "billing-v2"), (cluster.ClusterId, cluster.ServiceId));
        Assert.NotNull(provider.GetService<IEventOrchestrator>());
    }

    [Fact]
    public void Values_out_of_range_are_refused_each_by_name()
    {
        var config = Config(("GatewayPort", "0"), ("ConnectRetries", "-1"), ("ClusterId", " "));
        var refused = Assert.Throws<ArgumentException>(() => new ServiceCollection().AddConvoOrchestratorClient(config));
        Assert.Contains("GatewayPort must be between 1 and 65535 (got 0)", refused.Message);
        Assert.Contains("ConnectRetries must not be negative (got -1)", refused.Message);
        Assert.Contains("ClusterId must not be empty", refused.Message);
    }
}
