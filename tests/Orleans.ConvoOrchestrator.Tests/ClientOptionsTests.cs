using Orleans.ConvoOrchestrator.Tests.Support;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.ConvoOrchestrator.Client;
using Orleans.Messaging;
using Microsoft.Extensions.Hosting;

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
    public void Values_out_of_range_are_refused_each_by_name_through_the_options_pipeline()
    {
        var config = Config(("GatewayPort", "0"), ("ConnectRetries", "-1"), ("ClusterId", " "));
        var services = new ServiceCollection();
        services.AddConvoOrchestratorClient(config);

        using var provider = services.BuildServiceProvider();
        var refused = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<ConvoClientOptions>>().Value);
        Assert.Contains("GatewayPort must be between 1 and 65535 (got 0)", refused.Failures);
        Assert.Contains("ConnectRetries must not be negative (got -1)", refused.Failures);
        Assert.Contains("ClusterId must not be empty", refused.Failures);
    }

    [Fact]
    public async Task A_host_with_bad_client_options_does_not_start()
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddConvoOrchestratorClient(o => o.ConnectRetryDelay = TimeSpan.FromSeconds(-1));
        using var host = builder.Build();
        var refused = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());
        Assert.Contains("ConnectRetryDelay must be 00:00:00 or longer (got -00:00:01)", refused.Failures);
    }

    [Fact]
    public void Redis_without_Redis_clustering_is_refused_naming_the_package()
    {
        var services = new ServiceCollection();
        services.AddConvoOrchestratorClient(Config(("Redis", "127.0.0.1:6379")));
        using var provider = services.BuildServiceProvider();
        var refused = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<ConvoClientOptions>>().Value);
        Assert.Contains(refused.Failures, f => f.Contains("Orleans.ConvoOrchestrator.Client.Redis") && f.Contains("AddConvoRedisClustering"));
    }

    [Fact]
    public void Redis_clustering_without_Redis_is_refused()
    {
        var services = new ServiceCollection();
        services.AddConvoOrchestratorClient().AddConvoRedisClustering();
        using var provider = services.BuildServiceProvider();
        var refused = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<ConvoClientOptions>>().Value);
        Assert.Contains(refused.Failures, f => f.Contains("Redis is not set"));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Redis_clustering_replaces_the_localhost_gateway_in_either_order(bool redisFirst)
    {
        var services = new ServiceCollection();
        var config = Config(("Redis", "127.0.0.1:6379"), ("ClusterId", "prod"));
        if (redisFirst) services.AddConvoRedisClustering();
        services.AddConvoOrchestratorClient(config);
        if (!redisFirst) services.AddConvoRedisClustering();

        var gateways = services.Where(d => d.ServiceType == typeof(IGatewayListProvider)).ToList();
        Assert.Single(gateways);
        Assert.Contains("Redis", gateways[0].ImplementationType?.Name ?? gateways[0].ImplementationFactory?.Method.DeclaringType?.Name ?? "");
        using var provider = services.BuildServiceProvider();
        Assert.Equal("127.0.0.1:6379", provider.GetRequiredService<IOptions<ConvoClientOptions>>().Value.Redis);
        Assert.Equal("prod", provider.GetRequiredService<IOptions<ClusterOptions>>().Value.ClusterId);
    }

    [Fact]
    public void Localhost_clustering_reads_the_gateway_port_from_the_options()
    {
        var services = new ServiceCollection();
        services.AddConvoOrchestratorClient(Config(("GatewayPort", "31234")));
        using var provider = services.BuildServiceProvider();
        var gateways = provider.GetRequiredService<IOptions<StaticGatewayListProviderOptions>>().Value.Gateways;
        Assert.Equal(31234, Assert.Single(gateways).Port);
    }

    [Fact]
    public void Adding_the_client_twice_registers_it_once_and_keeps_both_configurations()
    {
        var services = new ServiceCollection();
        services.AddConvoOrchestratorClient(o => o.ClusterId = "first");
        var count = services.Count;
        services.AddConvoOrchestratorClient(o => o.ServiceId = "second");

        Assert.Equal(count + 1, services.Count); // only the second configure callback
        using var provider = services.BuildServiceProvider();
        var cluster = provider.GetRequiredService<IOptions<ClusterOptions>>().Value;
        Assert.Equal(("first", "second"), (cluster.ClusterId, cluster.ServiceId));
    }
}
