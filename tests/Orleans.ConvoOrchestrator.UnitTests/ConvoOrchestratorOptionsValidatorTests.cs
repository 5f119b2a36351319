using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Orleans.ConvoOrchestrator.Runtime;

namespace Orleans.ConvoOrchestrator.UnitTests;

public sealed class ConvoOrchestratorOptionsValidatorTests
{
    public static TheoryData<string, Action<ConvoOrchestratorOptions>, string> OutOfRange => new()
    {
        { nameof(ConvoOrchestratorOptions.MaxConcurrentRuns), o => o.MaxConcurrentRuns = 0, "at least 1 (got 0)" },
        { nameof(ConvoOrchestratorOptions.QueueMaxSize), o => o.QueueMaxSize = 0, "at least 1, or null" },
        { nameof(ConvoOrchestratorOptions.HistorySize), o => o.HistorySize = -1, "at least 1 (got -1)" },
        { nameof(ConvoOrchestratorOptions.HistoryWriteDelay), o => o.HistoryWriteDelay = TimeSpan.Zero, "longer than 00:00:00" },
        { nameof(ConvoOrchestratorOptions.TriggerStateWriteInterval), o => o.TriggerStateWriteInterval = TimeSpan.FromSeconds(-1), "00:00:00 or longer" },
        { nameof(ConvoOrchestratorOptions.MaxPayloadBytes), o => o.MaxPayloadBytes = 15, "at least 16 (got 15)" },
        { nameof(ConvoOrchestratorOptions.MetricsFlushInterval), o => o.MetricsFlushInterval = TimeSpan.Zero, "longer than 00:00:00" },
        { nameof(ConvoOrchestratorOptions.ShutdownGracePeriod), o => o.ShutdownGracePeriod = TimeSpan.FromSeconds(-1), "00:00:00 or longer" },
        { nameof(ConvoOrchestratorOptions.CancelGracePeriod), o => o.CancelGracePeriod = TimeSpan.FromSeconds(-1), "00:00:00 or longer" },
        { nameof(ConvoOrchestratorOptions.HandlerThreadNice), o => o.HandlerThreadNice = 20, "0 to 19 (got 20)" },
        { nameof(ConvoOrchestratorOptions.HandlerThreadNice), o => o.HandlerThreadNice = -1, "0 to 19 (got -1)" },
        { nameof(ConvoOrchestratorOptions.FailedJobsKept), o => o.FailedJobsKept = -1, "0 (keep none) or more" },
        { nameof(ConvoOrchestratorOptions.FailedJobsMaxAge), o => o.FailedJobsMaxAge = TimeSpan.Zero, "longer than 00:00:00" },
        { nameof(ConvoOrchestratorOptions.BackoffBase), o => o.BackoffBase = TimeSpan.FromSeconds(-1), "00:00:00 or longer" },
        { nameof(ConvoOrchestratorOptions.BackoffCap), o => o.BackoffCap = TimeSpan.FromMilliseconds(100), "at least BackoffBase (00:00:00.5000000)" },
        { nameof(ConvoOrchestratorOptions.SchedulerTick), o => o.SchedulerTick = TimeSpan.Zero, "at least 00:00:00.001" },
        { nameof(ConvoOrchestratorOptions.RecoverySweepInterval), o => o.RecoverySweepInterval = TimeSpan.FromMilliseconds(999), "at least 00:00:01" },
        { nameof(ConvoOrchestratorOptions.ReminderPeriod), o => o.ReminderPeriod = TimeSpan.Zero, "at least 00:00:01" },
        { nameof(ConvoOrchestratorOptions.WakeLead), o => o.WakeLead = TimeSpan.FromSeconds(-1), "00:00:00 or longer" },
        { nameof(ConvoOrchestratorOptions.MisfireThreshold), o => o.MisfireThreshold = TimeSpan.FromSeconds(-1), "00:00:00 or longer" },
        { nameof(ConvoOrchestratorOptions.BackfillMaxRange), o => o.BackfillMaxRange = TimeSpan.Zero, "longer than 00:00:00" },
        { nameof(ConvoOrchestratorOptions.BackfillMaxFires), o => o.BackfillMaxFires = 0, "from 1 to 1000000 (got 0)" },
        { nameof(ConvoOrchestratorOptions.BackfillMaxFires), o => o.BackfillMaxFires = 1_000_001, "from 1 to 1000000 (got 1000001)" },
        { nameof(ConvoOrchestratorOptions.FireLead), o => o.FireLead = TimeSpan.FromMilliseconds(-1), "from 00:00:00 (off) to 00:00:01" },
        { nameof(ConvoOrchestratorOptions.FireLead), o => o.FireLead = TimeSpan.FromSeconds(1.5), "from 00:00:00 (off) to 00:00:01 (got 00:00:01.5000000)" },
    };

    [Theory]
    [MemberData(nameof(OutOfRange))]
    public void A_setting_out_of_range_fails_the_options_with_its_name_and_range(string property, Action<ConvoOrchestratorOptions> spoil, string range)
    {
        using var services = new ServiceCollection()
            .AddOptions<ConvoOrchestratorOptions>().Configure(spoil).Services
            .AddSingleton<IValidateOptions<ConvoOrchestratorOptions>, ConvoOrchestratorOptionsValidator>()
            .BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptions<ConvoOrchestratorOptions>>().Value);

        var failure = Assert.Single(error.Failures);
        Assert.StartsWith(property + " must be ", failure);
        Assert.Contains(range, failure);
    }

    [Fact]
    public void The_defaults_pass()
    {
        Assert.True(new ConvoOrchestratorOptionsValidator().Validate(null, new ConvoOrchestratorOptions()).Succeeded);
    }
}
