using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Orleans.ConvoOrchestrator.Tests.Support;

namespace Orleans.ConvoOrchestrator.Tests;

/// <summary>The stock silo as a host: graceful shutdown on SIGTERM, OTLP export switched on by configuration, bad settings refused.</summary>
[Trait(Lane.Name, Lane.System)]
public sealed class SiloHostTests
{
    [Fact]
    public async Task SIGTERM_lets_a_running_handler_finish_within_the_grace_period()
    {
        await using var silo = await WebSiloProcess.StartAsync(["--Convo:Orchestrator:ShutdownGracePeriod=00:00:30"]);
        using var http = silo.CreateClient();
        var (id, sinceEmit) = await StartSleeperAsync(http, seconds: 8);

        await silo.TerminateAsync(TimeSpan.FromSeconds(60));
        var emitToExit = sinceEmit.Elapsed;

        Assert.True(silo.ExitCode == 0, $"exit {silo.ExitCode}; output:\n{silo.Log}");
        Assert.Contains("1 run(s) in flight get up to 00:00:30", silo.Log);
        Assert.Contains("stopped: 0 run(s) left in flight", silo.Log);
        // The 8 s handler cannot have started before its emit was sent, so a host that waited for it exits at least
        // 8 s after that; one that cut it off exits about 3 s after SIGTERM (sent as soon as the run was seen).
        Assert.True(emitToExit >= TimeSpan.FromSeconds(7.9), $"exited {emitToExit.TotalSeconds:0.0} s after the emit: the run was not waited for (event {id})");
    }

    [Fact]
    public async Task SIGTERM_cancels_a_handler_that_outlives_the_grace_period()
    {
        await using var silo = await WebSiloProcess.StartAsync(["--Convo:Orchestrator:ShutdownGracePeriod=00:00:01"]);
        using var http = silo.CreateClient();
        await StartSleeperAsync(http, seconds: 60);

        var elapsed = await silo.TerminateAsync(TimeSpan.FromSeconds(60));

        Assert.True(silo.ExitCode == 0, $"exit {silo.ExitCode}; output:\n{silo.Log}");
        Assert.Contains("1 run(s) in flight get up to 00:00:01", silo.Log);
        Assert.Contains("stopped: 0 run(s) left in flight", silo.Log);
        Assert.True(elapsed < TimeSpan.FromSeconds(30), $"stopped after {elapsed.TotalSeconds:0.0} s: the 1 s grace period was not enforced");
    }

    [Fact]
    public async Task Bad_orchestrator_settings_stop_the_silo_with_exit_code_2_and_one_line_per_setting_and_its_range()
    {
        await using var silo = await WebSiloProcess.RunToExitAsync(
            ["--Convo:Orchestrator:HistorySize=0", "--Convo:Orchestrator:MaxConcurrentRuns=0", "--Convo:Orchestrator:ReminderPeriod=00:00:00.5"],
            bind: null, within: TimeSpan.FromSeconds(60));

        Assert.True(silo.ExitCode == 2, $"exit {silo.ExitCode}; output:\n{silo.Log}");
        var refusals = silo.Log.Split('\n').Select(l => l.TrimEnd()).Where(l => l.StartsWith("convo-silo: ", StringComparison.Ordinal)).ToList();
        Assert.Equal(
            [
                "convo-silo: Convo:Orchestrator:MaxConcurrentRuns must be at least 1 (got 0)",
                "convo-silo: Convo:Orchestrator:HistorySize must be at least 1 (got 0)",
                "convo-silo: Convo:Orchestrator:ReminderPeriod must be at least 00:00:01 (got 00:00:00.5000000)",
            ], refusals);
        Assert.DoesNotContain("silo is up", silo.Log);
        Assert.DoesNotContain("Exception", silo.Log);
        Assert.DoesNotContain("   at ", silo.Log);
    }

    [Fact]
    public async Task An_OTLP_endpoint_in_configuration_switches_on_export_of_metrics_traces_and_logs()
    {
        using var collector = new FakeOtlpCollector();
        await using var silo = await WebSiloProcess.StartAsync(
            ["--otel-endpoint", collector.Url, "--Convo:Otel:Protocol=http/protobuf"],
            environment: new Dictionary<string, string> { ["OTEL_METRIC_EXPORT_INTERVAL"] = "500", ["OTEL_BSP_SCHEDULE_DELAY"] = "500" });
        Assert.Contains("OTLP export on", silo.Log);
        using var http = silo.CreateClient();
        var (id, _) = await StartSleeperAsync(http, seconds: 0.1);

        // Protobuf keeps names as plain bytes: the orchestrator's and Orleans' instruments and spans are in there.
        var metrics = await collector.WaitForAsync("/v1/metrics",
            body => body.Contains("Microsoft.Orleans") && body.Contains(MetricNames.JobsSucceeded) && body.Contains(id), TimeSpan.FromSeconds(30));
        Assert.Contains("convo-silo", metrics); // the resource's service name
        await collector.WaitForAsync("/v1/traces", body => body.Contains("convo.run") && body.Contains(id), TimeSpan.FromSeconds(30));
        await collector.WaitForAsync("/v1/traces", body => body.Contains("Microsoft.Orleans"), TimeSpan.FromSeconds(30));
        // Logs too: the readiness line went out as an OTLP log record.
        await collector.WaitForAsync("/v1/logs", body => body.Contains("silo is up"), TimeSpan.FromSeconds(30));
    }

    // Saves a `sleep` event, emits one job and waits until it is running; the stopwatch started as the emit was sent.
    private static async Task<(string Id, System.Diagnostics.Stopwatch SinceEmit)> StartSleeperAsync(HttpClient http, double seconds)
    {
        var id = WebSiloFixture.NewId("ev-sleep");
        using var saved = await http.PutAsync($"api/events/{id}", WebSiloFixture.Json("""{"name":"sleeper","handlerName":"sleep","policy":{"timeoutSec":120}}"""));
        Assert.Equal(HttpStatusCode.OK, saved.StatusCode);
        var sinceEmit = System.Diagnostics.Stopwatch.StartNew();
        using var emitted = await http.PostAsync($"api/events/{id}/emit", WebSiloFixture.Json($$"""{"seconds":{{seconds.ToString(System.Globalization.CultureInfo.InvariantCulture)}}}"""));
        Assert.Equal(HttpStatusCode.Accepted, emitted.StatusCode);
        if (seconds >= 1)
            await Eventually.MatchAsync(async () => await http.GetFromJsonAsync<JsonElement>($"api/events/{id}/status"),
                s => s.GetProperty("running").GetInt32() == 1, TimeSpan.FromSeconds(30), $"{id} running", pollMs: 50);
        return (id, sinceEmit);
    }

    /// <summary>A stand-in OTLP/HTTP collector on a free loopback port: records what is posted where.</summary>
    private sealed class FakeOtlpCollector : IDisposable
    {
        private readonly HttpListener _listener = new();
        private readonly ConcurrentQueue<(string Path, string Body)> _received = new();

        public FakeOtlpCollector()
        {
            Url = $"http://127.0.0.1:{FreePorts.Next()}";
            _listener.Prefixes.Add(Url + "/");
            _listener.Start();
            _ = Task.Run(ServeAsync);
        }

        public string Url { get; }

        public async Task<string> WaitForAsync(string path, Func<string, bool> matches, TimeSpan within)
        {
            var deadline = DateTime.UtcNow + within;
            while (DateTime.UtcNow < deadline)
            {
                var hit = _received.FirstOrDefault(r => r.Path == path && matches(r.Body));
                if (hit.Body is not null) return hit.Body;
                await Task.Delay(100);
            }
            throw new TimeoutException($"nothing matching was posted to {path} within {within}; received: " +
                string.Join(", ", _received.Select(r => $"{r.Path} ({r.Body.Length} chars)")));
        }

        public void Dispose() => _listener.Close();

        private async Task ServeAsync()
        {
            while (_listener.IsListening)
            {
                HttpListenerContext context;
                try
                {
                    context = await _listener.GetContextAsync();
                }
                catch (Exception)
                {
                    return; // closed
                }
                using var body = new MemoryStream();
                await context.Request.InputStream.CopyToAsync(body);
                // Protobuf keeps strings as UTF-8 bytes: reading it as Latin-1 text is enough to find names in it.
                _received.Enqueue((context.Request.Url!.AbsolutePath, Encoding.Latin1.GetString(body.ToArray())));
                context.Response.StatusCode = 200;
                context.Response.ContentType = "application/x-protobuf";
                context.Response.Close();
            }
        }
    }
}
