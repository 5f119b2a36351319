using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Orleans.ConvoOrchestrator.Tests.Support;
using Xunit.Abstractions;

namespace Orleans.ConvoOrchestrator.Tests;

/// <summary>
/// The image users run (the repository's Dockerfile, built here with podman on a local base): three silo containers
/// and a Redis, configured only through environment variables, on host networking with loopback ports. Emits go
/// through one silo's HTTP API while another container is killed; every accepted job still runs, the survivors
/// stay ready, and SIGTERM stops a container gracefully.
/// </summary>
[Trait(Lane.Name, Lane.System)]
public sealed class ContainerTests(ITestOutputHelper output)
{
    private const int EventCount = 8;
    private const int MaxConcurrency = 2;

    [Fact]
    public async Task Killing_one_of_three_silo_containers_loses_no_accepted_job_and_SIGTERM_stops_another_gracefully()
    {
        var id = Guid.NewGuid().ToString("N")[..8];
        var image = $"localhost/convo-silo-test:{id}";
        var names = Enumerable.Range(1, 3).Select(i => $"convo-test-{id}-silo{i}").ToList();
        var publish = Path.Combine(Path.GetTempPath(), "convo-publish-" + id);
        var clock = Stopwatch.StartNew();
        using var podman = await Podman.PrepareAsync();
        var prepared = clock.Elapsed;
        try
        {
            // The documented two steps: publish, then build the Dockerfile from what publish produced.
            var dll = SiloBuild.EnsureBuilt();
            await Command.RunCheckedAsync(WebSiloProcess.DotnetHost,
                ["publish", Path.Combine(RepoPaths.Root, "silo", "Silo.csproj"), "-c", RepoPaths.Configuration, "--no-build", "-o", publish, "-nologo", "-v", "q"],
                TimeSpan.FromMinutes(5), new Dictionary<string, string> { ["MSBUILDDISABLENODEREUSE"] = "1", ["DOTNET_CLI_USE_MSBUILD_SERVER"] = "0" });
            Assert.True(File.Exists(Path.Combine(publish, Path.GetFileName(dll))), "publish produced no convo-silo.dll");
            var published = clock.Elapsed;
            await podman.BuildSiloImageAsync(publish, image);
            var built = clock.Elapsed;
            var imageBytes = long.Parse(await podman.RunCheckedAsync(["image", "inspect", "--format", "{{.Size}}", image]), CultureInfo.InvariantCulture);

            await using var redis = await RedisServer.StartAsync();
            var cluster = "containers-" + id;
            var apiKey = Convert.ToHexString(RandomNumberGenerator.GetBytes(16));
            var environment = new Dictionary<string, string> { ["Convo__Orchestrator__HistorySize"] = "10000" };
            var silos = await Task.WhenAll(names.Select(name => SiloContainer.RunAsync(podman, image, name, redis.Configuration, cluster, apiKey, environment)));
            await Task.WhenAll(silos.Select(s => s.WaitReadyAsync(TimeSpan.FromSeconds(120))));
            var ready = clock.Elapsed;

            // The image as documented: a non-root user, dotnet itself as PID 1 (it gets SIGTERM), a working
            // HEALTHCHECK, and the API key from the environment guarding the API.
            Assert.Equal("1654", (await silos[0].ExecAsync("id", "-u")).Stdout.Trim());
            Assert.StartsWith("dotnet\0/app/convo-silo.dll", (await silos[0].ExecAsync("cat", "/proc/1/cmdline")).Stdout, StringComparison.Ordinal);
            Assert.Equal(0, await silos[0].HealthcheckAsync());
            using (var anonymous = new HttpClient())
                Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync(new Uri($"http://127.0.0.1:{silos[0].HttpPort}/api/events"))).StatusCode);

            var clients = silos.Select(s => s.CreateClient()).ToArray();
            var events = Enumerable.Range(0, EventCount).Select(i => $"steady-{i}").ToList();
            // Each event is created through a different silo, so that its grain starts there: the kill must hit work.
            for (var i = 0; i < events.Count; i++)
            {
                var body = new { name = events[i], handlerName = "sleep", policy = new { timeoutSec = 10, maxConcurrency = MaxConcurrency } };
                var created = await clients[i % clients.Length].PutAsJsonAsync($"api/events/{events[i]}", body);
                Assert.True(created.IsSuccessStatusCode, $"PUT {events[i]}: {(int)created.StatusCode} {await created.Content.ReadAsStringAsync()}");
            }

            var accepted = new ConcurrentDictionary<string, string>();
            using var stop = new CancellationTokenSource();
            // Every event gets a 300 ms job every ~100 ms, all through the first silo's HTTP API: its two slots stay
            // busy and a queue builds, so the kill lands on running and on queued jobs.
            var lastAcceptedSent = new ConcurrentDictionary<string, TimeSpan>();
            var emitters = EmitSteadily(clients[0], events, accepted, lastAcceptedSent, clock, stop.Token);
            await Task.Delay(TimeSpan.FromSeconds(3));

            // Of the two other silos, the one that started the most jobs (its own /metrics) is killed.
            var started = await Task.WhenAll(clients.Skip(1).Select(JobsStartedAsync));
            var victimIndex = 1 + Array.IndexOf(started, started.Max());
            var victim = silos[victimIndex];
            Assert.True(started.Max() > 0, "neither silo 2 nor silo 3 ran a job: the kill would test nothing");
            var acceptedBeforeKill = accepted.Count;
            await victim.KillAsync();
            var killedAt = clock.Elapsed;
            // Emits go on through the failover until it is over (every event, the killed silo's too, accepted an emit
            // sent after the kill), then 1 s more; 8 s at most: the assertions below say what did not come back.
            while (clock.Elapsed - killedAt < TimeSpan.FromSeconds(8) && !events.All(ev => lastAcceptedSent.TryGetValue(ev, out var sent) && sent > killedAt))
                await Task.Delay(100);
            var recovered = clock.Elapsed;
            await Task.Delay(TimeSpan.FromSeconds(1));
            await stop.CancelAsync();
            await emitters;

            // Every accepted job has an OK outcome in its event's history, read through a survivor.
            var outcomes = await Eventually.MatchAsync(() => OutcomesAsync(clients[0], events), o => accepted.Keys.All(o.ContainsKey),
                TimeSpan.FromSeconds(90), "every accepted job has an outcome", pollMs: 500);
            var allDone = clock.Elapsed;
            var lost = accepted.Keys.Where(job => !outcomes.ContainsKey(job)).ToList();
            var notOk = accepted.Keys.Where(job => outcomes.TryGetValue(job, out var o) && o.Status != "OK").ToList();
            var redelivered = accepted.Keys.Count(job => outcomes[job].Delivery >= 2);
            Assert.Empty(lost);
            Assert.Empty(notOk);
            Assert.True(redelivered > 0, "no job ran again as a redelivery: the kill landed on no running job");

            // The survivors are ready; the killed one died of SIGKILL.
            var survivors = silos.Where(s => s != victim).ToList();
            foreach (var survivor in survivors)
            {
                await Eventually.MatchAsync(survivor.ReadyStatusAsync, status => status == 200, TimeSpan.FromSeconds(30), $"{survivor.Name} /readyz", pollMs: 250);
                Assert.Equal(0, await survivor.HealthcheckAsync());
            }
            Assert.Equal(137, await victim.ExitCodeAsync());

            // SIGTERM (docker stop, Kubernetes) gives the graceful stop: the silo says so and exits 0.
            var stopping = survivors.Last();
            var stopClock = Stopwatch.StartNew();
            var exitCode = await stopping.StopAsync(TimeSpan.FromSeconds(45));
            var stopTook = stopClock.Elapsed;
            var stoppedLog = await stopping.LogsAsync();
            Assert.True(exitCode == 0, $"{stopping.Name} exited with {exitCode} after SIGTERM; its log:\n{stoppedLog}");
            Assert.Contains("ConvoOrchestrator silo stopped", stoppedLog, StringComparison.Ordinal);

            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"setup {prepared.TotalSeconds:F1} s, publish {(published - prepared).TotalSeconds:F1} s, image build {(built - published).TotalSeconds:F1} s " +
                $"({imageBytes / 1e6:F0} MB on {podman.BaseImage}), three silos ready {(ready - built).TotalSeconds:F1} s after the build"));
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"accepted {accepted.Count} jobs ({acceptedBeforeKill} before the kill of {victim.Name}, jobs started per silo 2/3: {string.Join("/", started)}); " +
                $"lost 0; redelivered {redelivered}; every event accepting again {(recovered - killedAt).TotalSeconds:F1} s after the kill; all outcomes stored {(allDone - killedAt).TotalSeconds:F1} s after the kill; " +
                $"SIGTERM to exit {stopTook.TotalSeconds:F1} s; total {clock.Elapsed.TotalSeconds:F0} s"));
            foreach (var client in clients) client.Dispose();
        }
        finally
        {
            await podman.RemoveAsync(names, [image]);
            if (Directory.Exists(publish)) Directory.Delete(publish, recursive: true);
        }
    }

    // One emitter per event until stopped; a 202's job id counts as accepted (refusals during the failover do not).
    // lastAcceptedSent holds, per event, when (on clock) the latest accepted emit was sent.
    private static Task EmitSteadily(HttpClient client, IEnumerable<string> events, ConcurrentDictionary<string, string> accepted,
        ConcurrentDictionary<string, TimeSpan> lastAcceptedSent, Stopwatch clock, CancellationToken stop) =>
        Task.WhenAll(events.Select(ev => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                var sent = clock.Elapsed;
                try
                {
                    using var body = new StringContent("""{"ms":300}""", Encoding.UTF8, "application/json");
                    using var response = await client.PostAsync($"api/events/{ev}/emit", body);
                    if (response.StatusCode == HttpStatusCode.Accepted)
                    {
                        using var answer = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
                        accepted[answer.RootElement.GetProperty("jobId").GetString()!] = ev;
                        lastAcceptedSent.AddOrUpdate(ev, sent, (_, before) => sent > before ? sent : before);
                    }
                }
                catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
                {
                    // not accepted: not counted
                }
                await Task.Delay(100);
            }
        })));

    // The silo's own count of job starts, from its Prometheus endpoint (every event_id series summed).
    private static async Task<double> JobsStartedAsync(HttpClient client)
    {
        var text = await client.GetStringAsync("metrics");
        return text.Split('\n').Where(line => line.StartsWith("jobs_started_total{", StringComparison.Ordinal))
            .Sum(line => double.Parse(line[(line.LastIndexOf('}') + 1)..].Trim().Split(' ')[0], CultureInfo.InvariantCulture));
    }

    // Job id -> (status, delivery) over the histories of every event.
    private static async Task<Dictionary<string, (string Status, int Delivery)>> OutcomesAsync(HttpClient client, IEnumerable<string> events)
    {
        var outcomes = new Dictionary<string, (string, int)>();
        foreach (var ev in events)
        {
            using var history = JsonDocument.Parse(await client.GetStringAsync($"api/events/{ev}/history?limit=10000"));
            foreach (var record in history.RootElement.EnumerateArray())
            {
                var outcome = record.GetProperty("outcome");
                outcomes[record.GetProperty("jobId").GetString()!] = (outcome.GetProperty("status").GetString()!, outcome.GetProperty("delivery").GetInt32());
            }
        }
        return outcomes;
    }
}
