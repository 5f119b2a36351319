using System.Runtime.Loader;
using Microsoft.Extensions.Configuration;
using Orleans.ConvoOrchestrator.Runtime;
using Orleans.ConvoOrchestrator.Tests.Support;

namespace Orleans.ConvoOrchestrator.Tests;

/// <summary>Handler plugins: the sample plugin assembly, built by the solution, loaded from its own folder as a silo would.</summary>
[Collection(ClusterCollection.Name)]
[Trait(Lane.Name, Lane.Cluster)]
public sealed class HandlerPluginTests(ClusterFixture fx)
{
    private static readonly string SamplePlugin = RepoPaths.Program("samples/PluginHandlers", "PluginHandlers");
    private static readonly Lock RegisterOnce = new();
    private static bool _registered;

    [Fact]
    public void The_sample_plugin_has_two_handlers_in_their_own_load_context_sharing_the_hosts_contracts()
    {
        var handlers = HandlerPluginLoader.Discover(SamplePlugin);

        Assert.Equal(["greet", "word-count"], handlers.Select(h => h.Name).Order().ToArray());
        foreach (var h in handlers)
        {
            Assert.True(typeof(IEventHandler).IsAssignableFrom(h.HandlerType));
            var context = AssemblyLoadContext.GetLoadContext(h.HandlerType.Assembly);
            Assert.NotSame(AssemblyLoadContext.Default, context);
            Assert.StartsWith("convo-plugin:", context!.Name);
            Assert.Equal(Path.GetFullPath(SamplePlugin), h.AssemblyPath);
        }
        // The contracts come from the host, not from the copy beside the plugin.
        Assert.Same(AssemblyLoadContext.Default, AssemblyLoadContext.GetLoadContext(typeof(IEventHandler).Assembly));
    }

    [Fact]
    public async Task Plugin_handlers_run_through_an_emit_and_a_test_run_in_a_cluster()
    {
        lock (RegisterOnce)
        {
            if (!_registered) fx.Handlers.RegisterPlugins([SamplePlugin]);
            _registered = true;
        }
        var greet = await fx.SaveEventAsync("greet");
        var words = await fx.SaveEventAsync("word-count");

        (await fx.Api.EmitAsync(greet, new { name = "Ada" })).Unwrap();
        var outcome = (await fx.WaitForHistoryAsync(greet, 1))[0].Outcome;
        var counted = (await fx.Api.TestRunAsync(words, "three small words")).Unwrap();

        Assert.Equal(JobStatus.OK, outcome.Status);
        Assert.Equal("hello, Ada", outcome.ResultPreview);
        Assert.Equal(JobStatus.OK, counted.Status);
        Assert.Equal("3", counted.ResultPreview);
    }

    [Fact]
    public void A_missing_file_is_a_clear_error_and_registers_nothing()
    {
        var registry = new HandlerRegistry();
        var missing = Path.Combine(Path.GetTempPath(), $"no-such-plugin-{Guid.NewGuid():N}.dll");

        var ex = Assert.Throws<HandlerPluginException>(() => registry.RegisterPlugins([SamplePlugin, missing]));

        Assert.Equal($"handler plugin '{missing}': no such file", ex.Message);
        Assert.Equal(missing, ex.AssemblyPath);
        Assert.Empty(registry.Names);
    }

    [Fact]
    public void A_file_that_is_not_an_assembly_is_a_clear_error()
    {
        var dir = Directory.CreateTempSubdirectory("convo-plugin-");
        try
        {
            var bogus = Path.Combine(dir.FullName, "Bogus.dll");
            File.WriteAllText(bogus, "this is not a PE file");

            var ex = Assert.Throws<HandlerPluginException>(() => HandlerPluginLoader.Discover(bogus));

            Assert.Equal($"handler plugin '{bogus}': not a .NET assembly", ex.Message);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public void An_assembly_the_silo_already_has_is_refused_without_loading_a_second_copy()
    {
        var abstractions = typeof(IEventHandler).Assembly.Location;

        var ex = Assert.Throws<HandlerPluginException>(() => HandlerPluginLoader.Discover(abstractions));

        Assert.Contains("'Orleans.ConvoOrchestrator.Abstractions' is an assembly the silo already has, not a handler plugin", ex.Message);
        // Only the loader's own contexts count: other tests load the CLI, with its own copy, into a context of theirs.
        Assert.DoesNotContain(AssemblyLoadContext.All, c => c.Name?.StartsWith("convo-plugin:", StringComparison.Ordinal) == true
            && c.Assemblies.Any(a => a.GetName().Name == "Orleans.ConvoOrchestrator.Abstractions"));
    }

    [Fact]
    public void A_name_already_registered_or_loaded_twice_is_refused_and_nothing_is_registered()
    {
        var registry = new HandlerRegistry().Register("greet", ctx => "host's greet");

        var taken = Assert.Throws<HandlerPluginException>(() => registry.RegisterPlugins([SamplePlugin]));
        var twice = Assert.Throws<HandlerPluginException>(() => new HandlerRegistry().RegisterPlugins([SamplePlugin, SamplePlugin]));

        Assert.Contains("handler name 'greet' of PluginHandlers.GreetHandler is already registered on this silo", taken.Message);
        Assert.Equal(["greet"], registry.Names); // word-count was not registered either
        Assert.Contains("is already used by PluginHandlers.", twice.Message);
    }

    [Fact]
    public void Relative_paths_start_at_the_base_directory()
    {
        var dir = Path.GetDirectoryName(SamplePlugin)!;
        var registry = new HandlerRegistry();

        var loaded = registry.RegisterPlugins(["PluginHandlers.dll"], baseDirectory: dir);

        Assert.Equal(2, loaded.Count);
        Assert.Equal(["greet", "word-count"], registry.Names);
    }

    [Theory]
    [InlineData(typeof(SendInvoiceHandler), "send-invoice")]
    [InlineData(typeof(HTTPPingHandler), "http-ping")]
    [InlineData(typeof(Handler), "handler")]
    [InlineData(typeof(Resize2Images), "resize2-images")]
    public void Default_names_are_the_class_name_without_Handler_in_kebab_case(Type type, string expected) =>
        Assert.Equal(expected, HandlerPluginLoader.DefaultName(type));

    [Fact]
    public void Paths_come_from_Convo_Plugins_then_from_every_plugin_flag()
    {
        var config = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Convo:Plugins:0"] = "a.dll",
            ["Convo:Plugins:1"] = "b.dll",
        }).Build();

        var paths = HandlerPluginConfiguration.ReadPaths(config, ["--gateway-port", "30001", "--plugin", "c.dll", "--plugin=d.dll"]);

        Assert.Equal(["a.dll", "b.dll", "c.dll", "d.dll"], paths);
        Assert.Throws<ArgumentException>(() => HandlerPluginConfiguration.ReadPaths(config, ["--plugin"]));
    }

    private sealed class SendInvoiceHandler;
    private sealed class HTTPPingHandler;
    private sealed class Handler;
    private sealed class Resize2Images;
}
