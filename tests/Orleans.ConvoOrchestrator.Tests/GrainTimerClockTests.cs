using Orleans.ConvoOrchestrator.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Time.Testing;
using Orleans.ConvoOrchestrator.Runtime;
using Orleans.Hosting;
using Orleans.Runtime;

namespace Orleans.ConvoOrchestrator.Tests;

// Which clock drives the silo's grain timers: built, not started, so only the registrations are looked at.
[Trait(Lane.Name, Lane.Cluster)]
public sealed class GrainTimerClockTests
{
    private static TimeProvider GrainClock(Action<ISiloBuilder> configure)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.UseOrleans(silo =>
        {
            silo.UseLocalhostClustering();
            configure(silo);
        });
        using var host = builder.Build();
        return host.Services.GetRequiredKeyedService<TimeProvider>(TimeProviderNames.Grains);
    }

    [Fact]
    public void With_the_system_clock_grain_timers_run_on_the_timer_heap()
    {
        Assert.IsType<HeapTimerProvider>(GrainClock(silo => silo.AddConvoOrchestrator()));
        Assert.IsType<HeapTimerProvider>(GrainClock(silo => silo.AddConvoOrchestrator(clock: new SystemClock())));
    }

    [Fact]
    public void The_option_turns_it_off_and_a_fake_clock_or_the_hosts_own_grain_clock_is_kept()
    {
        Assert.Same(TimeProvider.System, GrainClock(silo => silo.AddConvoOrchestrator(o => o.HeapGrainTimers = false)));
        Assert.IsNotType<HeapTimerProvider>(GrainClock(silo => silo.AddConvoOrchestrator(clock: new FakeTimeProvider())));
        var own = new FakeTimeProvider();
        Assert.Same(own, GrainClock(silo =>
        {
            silo.Services.AddKeyedSingleton<TimeProvider>(TimeProviderNames.Grains, own);
            silo.AddConvoOrchestrator();
        }));
    }
}
