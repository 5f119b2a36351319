using System.Net.Http.Json;
using System.Text.Json;
using Orleans.ConvoOrchestrator.Tests.Support;

namespace Orleans.ConvoOrchestrator.Tests;

/// <summary>
/// A client that aborts an HTTP test run: the silo stops waiting for it, cancels the run, and logs no error for the
/// aborted request.
/// </summary>
[Collection(WebSiloCollection.Name)]
[Trait(Lane.Name, Lane.System)]
public sealed class HttpAbortTests(WebSiloFixture web)
{
    [Fact]
    public async Task An_aborted_test_run_request_cancels_the_run_and_leaves_no_error_in_the_log()
    {
        var id = await web.SaveEventAsync("sleep", """{"timeoutSec":120}""");
        var logBefore = web.Silo.Log.Length;
        using var abort = new CancellationTokenSource();
        var request = web.Http.PostAsync($"api/events/{id}/test-run", WebSiloFixture.Json("""{"seconds":30}"""), abort.Token);
        await Eventually.MatchAsync(async () => await web.Http.GetFromJsonAsync<JsonElement>($"api/events/{id}/status"),
            s => s.GetProperty("running").GetInt32() == 1, TimeSpan.FromSeconds(20), $"the test run of {id} to start", pollMs: 50);

        abort.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => request);

        // The server-side wait ended and the 30 s run with it: CANCELLED within seconds, not after 30.
        var status = await Eventually.MatchAsync(async () => await web.Http.GetFromJsonAsync<JsonElement>($"api/events/{id}/status"),
            s => s.GetProperty("running").GetInt32() == 0 && s.TryGetProperty("lastOutcome", out _), TimeSpan.FromSeconds(10),
            $"the test run of {id} to end", pollMs: 50);
        Assert.Equal("CANCELLED", status.GetProperty("lastOutcome").GetProperty("status").GetString());
        await Eventually.TrueAsync(() => Task.FromResult(web.Silo.Log[logBefore..].Contains($"Event {id}: the caller of test run")),
            TimeSpan.FromSeconds(5), "the silo to log the abandoned test run");
        var since = web.Silo.Log[logBefore..];
        Assert.DoesNotContain("fail:", since);
        Assert.DoesNotContain("unhandled exception", since, StringComparison.OrdinalIgnoreCase);
    }
}
