using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Orleans.ConvoOrchestrator.Runtime;

namespace Orleans.ConvoOrchestrator.UnitTests;

public sealed class ConvoRedisOptionsTests
{
    [Fact]
    public void The_defaults_wait_for_no_replica_and_are_valid() =>
        Assert.Equal((0, TimeSpan.FromSeconds(2), 0), (new ConvoRedisOptions().AckReplicas, new ConvoRedisOptions().AckTimeout, new ConvoRedisOptions().Problems().Count()));

    [Theory]
    [InlineData(-1, 2000, "Convo:Redis:AckReplicas must be 0 (no replica waited for) or more (got -1)")]
    [InlineData(1, 0, "Convo:Redis:AckTimeout must be from 00:00:00.001 to 00:10:00 (got 00:00:00)")]
    public void A_setting_out_of_range_fails_the_options_with_its_name_and_range(int ackReplicas, int timeoutMs, string problem)
    {
        using var services = new ServiceCollection()
            .AddOptions<ConvoRedisOptions>().Configure(o => (o.AckReplicas, o.AckTimeout) = (ackReplicas, TimeSpan.FromMilliseconds(timeoutMs))).Services
            .AddSingleton<IValidateOptions<ConvoRedisOptions>, ConvoRedisOptionsValidator>()
            .BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptions<ConvoRedisOptions>>().Value);

        Assert.Equal(problem, Assert.Single(error.Failures));
    }
}
