using System.Net.Http.Json;
using System.Text.Json;
using Orleans.ConvoOrchestrator.Tests.Support;

namespace Orleans.ConvoOrchestrator.Tests;

/// <summary>The stock silo loads handler plugins named on its command line, and refuses to start with a bad one.</summary>
[Trait(Lane.Name, Lane.System)]
public sealed class SiloPluginTests
{
    private static string SamplePlugin => RepoPaths.Program("samples/PluginHandlers", "PluginHandlers");

    [Fact]
    public async Task A_plugin_named_with_plugin_flag_is_loaded_and_runs()
    {
        Assert.True(File.Exists(SamplePlugin), $"the sample plugin is built by the solution build: {SamplePlugin}");
        await using var silo = await WebSiloProcess.StartAsync(["--plugin", SamplePlugin]);
        Assert.Contains("greet", silo.Log);
        using var http = silo.CreateClient();
        using (var saved = await http.PutAsync("api/events/ev-greet", new StringContent("""{"name":"greeter","handlerName":"greet"}""", System.Text.Encoding.UTF8, "application/json")))
            Assert.True(saved.IsSuccessStatusCode, await saved.Content.ReadAsStringAsync());
        using (var emitted = await http.PostAsync("api/events/ev-greet/emit", new StringContent("""{"name":"Ada"}""", System.Text.Encoding.UTF8, "application/json")))
            Assert.True(emitted.IsSuccessStatusCode, await emitted.Content.ReadAsStringAsync());
        var status = await Eventually.MatchAsync(
            async () => await http.GetFromJsonAsync<JsonElement>("api/events/ev-greet/status"),
            s => s.TryGetProperty("lastOutcome", out var o) && o.ValueKind == JsonValueKind.Object,
            TimeSpan.FromSeconds(60), "status of ev-greet", pollMs: 100);
        var outcome = status.GetProperty("lastOutcome");
        Assert.Equal("OK", outcome.GetProperty("status").GetString());
        Assert.Equal("hello, Ada", outcome.GetProperty("resultPreview").GetString());
    }

    [Fact]
    public async Task A_missing_plugin_stops_the_silo_with_a_clear_message()
    {
        var missing = Path.Combine(Path.GetTempPath(), "no-such-plugin-" + Guid.NewGuid().ToString("N")[..8] + ".dll");
        await using var silo = await WebSiloProcess.RunToExitAsync(["--plugin", missing], bind: null, within: TimeSpan.FromSeconds(60));
        Assert.Equal(2, silo.ExitCode);
        Assert.Contains(missing, silo.Log);
        Assert.DoesNotContain("silo is up", silo.Log);
    }
}
