using System.Diagnostics;
using System.Net.Http.Json;

namespace Orleans.ConvoOrchestrator.Bench.Comparison;

/// <summary>
/// Issue 21's failover scenario, ConvoOrchestrator only: three stock silo processes on one Redis server.
/// <list type="number">
/// <item>A 1 s INTERVAL trigger fires the probe handler; the silo that runs it is killed with SIGKILL, and the time
/// from the kill to the trigger's next fire on another silo is measured (and to the membership table's dead
/// verdict). A fresh silo replaces the dead one and the round repeats.</item>
/// <item>A handler keeps every core of one silo busy for a while: that silo must not be voted dead (the table keeps
/// it Active, with no death vote against it), its trigger keeps firing and it keeps answering HTTP.</item>
/// </list>
/// The silos run with their stock failure-detection settings (<c>Convo:ProbeTimeout</c>, <c>Convo:NumMissedProbesLimit</c>,
/// <c>Convo:DeadSiloHold</c>); that is what is measured.
/// </summary>
internal static class FailoverScenario
{
    private const string Handler = "bench-probe";
    private static readonly TimeSpan FireLimit = TimeSpan.FromSeconds(60);

    /// <summary>Runs <paramref name="rounds"/> kill rounds, then the CPU-load part for <paramref name="spinSeconds"/>.</summary>
    public static async Task<(Dictionary<string, double> Metrics, string? Note)> RunAsync(int rounds, double spinSeconds)
    {
        if (rounds < 1) throw new ArgumentException("the failover scenario needs at least one kill round (--size)");
        await using var redis = await RedisServer.StartAsync();
        var cluster = "failover-bench-" + Guid.NewGuid().ToString("N")[..8];
        var fires = new ProbeFires();
        // CONVO_BENCH_SILO_LOG=path keeps every silo line with the instant it arrived: where a failover's time goes.
        using var log = Environment.GetEnvironmentVariable("CONVO_BENCH_SILO_LOG") is { Length: > 0 } path ? new StreamWriter(path) { AutoFlush = true } : null;
        Task<SiloProcess> Start() => SiloProcess.StartAsync(redis.Configuration, cluster, onLine: (silo, line) =>
        {
            fires.Add(line);
            if (log is not null) lock (log) log.WriteLine($"{DateTime.UtcNow:HH:mm:ss.fff} {silo.Pid} {line}");
        });
        var clock = Stopwatch.StartNew();
        var silos = (await Task.WhenAll(Start(), Start(), Start())).ToList();
        Console.Error.WriteLine($"  three silos up in {clock.Elapsed.TotalSeconds:0.0} s");
        await using var membership = await MembershipTable.ConnectAsync(redis.Configuration, cluster);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        try
        {
            var tick = new EventId("failover-tick");
            await SaveAsync(http, silos, new Event(tick, "failover tick", Handler));
            await AttachAsync(http, silos, tick, new Trigger(new TriggerId("failover-tick-1s"), TriggerKind.INTERVAL, Interval: TimeSpan.FromSeconds(1)));

            var killToFire = new List<double>();
            var killToDead = new List<double>();
            for (var round = 1; round <= rounds; round++)
            {
                var owner = await SettledOwnerAsync(fires, tick.Value, silos);
                var victim = silos.Single(s => s.Pid == owner);
                var dead = WaitForStatusAsync(membership, victim.SiloPort, MembershipTable.Dead);
                var killedAt = DateTime.UtcNow;
                if (log is not null) lock (log) log.WriteLine($"{killedAt:HH:mm:ss.fff} bench SIGKILL {victim.Pid}");
                await victim.KillAsync();
                var next = await fires.FirstAsync(f => f.EventId == tick.Value && f.Pid != owner && f.At > killedAt, FireLimit)
                    ?? throw new InvalidOperationException($"round {round}: the trigger did not fire again within {FireLimit.TotalSeconds:0} s of the kill");
                var declared = await dead;
                killToFire.Add((next.At - killedAt).TotalSeconds);
                killToDead.Add(declared is { } d ? (d - killedAt).TotalSeconds : double.NaN);
                Console.Error.WriteLine($"  round {round}: killed pid {owner}; declared dead after {killToDead[^1]:0.00} s, " +
                    $"trigger fired on pid {next.Pid} {killToFire[^1]:0.00} s after the kill");
                // A fresh silo keeps three in the cluster for the next round (and for the CPU-load part).
                silos[silos.IndexOf(victim)] = await Start();
                await victim.DisposeAsync();
            }

            var spin = await SpinAsync(http, silos, membership, fires, spinSeconds);
            killToFire.Sort();
            var metrics = new Dictionary<string, double>
            {
                ["kill_to_fire_median_s"] = Median(killToFire),
                ["kill_to_fire_min_s"] = killToFire[0],
                ["kill_to_fire_max_s"] = killToFire[^1],
                ["kill_to_dead_median_s"] = Median(killToDead.Order().ToList()),
                ["rounds"] = rounds,
            };
            foreach (var (key, value) in spin) metrics[key] = value;
            return (metrics, "three stock silo processes on one Redis; SIGKILL of the silo running a 1 s INTERVAL trigger; " +
                $"then {spinSeconds:0.#} s of every core busy in one silo's handler");
        }
        finally
        {
            foreach (var silo in silos) await silo.DisposeAsync();
        }
    }

    // The silo that runs the trigger now: two fires in a row on the same live process.
    private static async Task<int> SettledOwnerAsync(ProbeFires fires, string eventId, IReadOnlyList<SiloProcess> silos)
    {
        var since = DateTime.UtcNow;
        var deadline = since + FireLimit;
        while (DateTime.UtcNow < deadline)
        {
            var recent = fires.Where(f => f.EventId == eventId && f.At > since);
            if (recent.Count >= 2 && recent[^1].Pid == recent[^2].Pid && silos.Any(s => s.Pid == recent[^1].Pid && !s.HasExited))
                return recent[^1].Pid;
            await Task.Delay(50);
        }
        throw new InvalidOperationException($"the trigger of {eventId} did not fire twice in a row on one live silo within {FireLimit.TotalSeconds:0} s");
    }

    // Polls the table every 50 ms until the silo on that port has the status; the instant it was first seen, or null.
    private static async Task<DateTime?> WaitForStatusAsync(MembershipTable membership, int port, int status)
    {
        var deadline = DateTime.UtcNow + FireLimit;
        while (DateTime.UtcNow < deadline)
        {
            var rows = await membership.ReadAsync();
            if (rows.Any(r => r.Port == port && r.Status == status)) return DateTime.UtcNow;
            await Task.Delay(50);
        }
        return null;
    }

    // Part two: a probe event whose trigger fires every second, and one job of it that keeps every core busy on the
    // silo running it. Meanwhile the table is polled for any live silo not Active or with a death vote against it,
    // the trigger's fires are counted, and the busy silo's /healthz is asked every second.
    private static async Task<Dictionary<string, double>> SpinAsync(HttpClient http, IReadOnlyList<SiloProcess> silos, MembershipTable membership,
        ProbeFires fires, double spinSeconds)
    {
        var busy = new EventId("failover-busy");
        await SaveAsync(http, silos, new Event(busy, "failover busy", Handler, new Policy(TimeoutSec: spinSeconds + 60, MaxConcurrency: 4)));
        await AttachAsync(http, silos, busy, new Trigger(new TriggerId("failover-busy-1s"), TriggerKind.INTERVAL, Interval: TimeSpan.FromSeconds(1)));
        var owner = await SettledOwnerAsync(fires, busy.Value, silos);
        var spinning = silos.Single(s => s.Pid == owner);

        var live = silos.Select(s => s.SiloPort).ToHashSet();
        var notActive = new HashSet<int>();
        var maxVotes = 0;
        var healthMs = new List<double>();
        var healthFailures = 0;
        using var stop = new CancellationTokenSource();
        var watch = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                foreach (var row in (await membership.ReadAsync()).Where(r => live.Contains(r.Port)))
                {
                    if (row.Status != MembershipTable.Active) notActive.Add(row.Port);
                    maxVotes = Math.Max(maxVotes, row.Suspicions);
                }
                await Task.Delay(200);
            }
        });
        var health = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                var asked = Stopwatch.StartNew();
                try
                {
                    using var answer = await http.GetAsync(new Uri(spinning.BaseUrl, "healthz"));
                    if (answer.IsSuccessStatusCode) healthMs.Add(asked.Elapsed.TotalMilliseconds);
                    else healthFailures++;
                }
                catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
                {
                    healthFailures++;
                }
                await Task.Delay(1000);
            }
        });

        var job = await EmitAsync(http, spinning, busy, $$"""{"spinSeconds": {{spinSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture)}}}""");
        var started = await fires.FirstAsync(f => f.JobId == job, FireLimit)
            ?? throw new InvalidOperationException($"the busy job {job} did not start within {FireLimit.TotalSeconds:0} s");
        var from = started.At;
        var to = from + TimeSpan.FromSeconds(spinSeconds);
        // The spin, and a few seconds after it: a late death vote would come then.
        await Task.Delay(to - DateTime.UtcNow + TimeSpan.FromSeconds(5));
        await stop.CancelAsync();
        await Task.WhenAll(watch, health);

        var during = fires.Where(f => f.EventId == busy.Value && f.JobId != job && f.At >= from && f.At < to).Select(f => f.At).Order().ToList();
        var gaps = during.Zip(during.Skip(1), (a, b) => (b - a).TotalSeconds).Append(during.Count > 0 ? (during[0] - from).TotalSeconds : spinSeconds);
        var onBusy = fires.Where(f => f.EventId == busy.Value && f.JobId != job && f.At >= from && f.At < to && f.Pid == spinning.Pid).Count;
        var rows = await membership.ReadAsync();
        Console.Error.WriteLine($"  busy silo pid {spinning.Pid} (job on pid {started.Pid}): {during.Count} fires during the spin, {onBusy} on it; " +
            $"not Active: {notActive.Count}, most death votes {maxVotes}; /healthz answered {healthMs.Count}, failed {healthFailures}");
        return new()
        {
            ["busy_false_dead"] = notActive.Count + live.Count(port => !rows.Any(r => r.Port == port && r.Status == MembershipTable.Active)),
            ["busy_death_votes"] = maxVotes,
            ["busy_fires_per_s"] = during.Count / spinSeconds,
            ["busy_fires_on_busy_silo_share"] = during.Count == 0 ? 0 : onBusy / (double)during.Count,
            ["busy_max_fire_gap_s"] = gaps.Max(),
            ["busy_healthz_max_ms"] = healthMs.Count == 0 ? double.NaN : healthMs.Max(),
            ["busy_healthz_failures"] = healthFailures,
            ["busy_job_on_busy_silo"] = started.Pid == spinning.Pid ? 1 : 0,
        };
    }

    private static double Median(List<double> sorted) => sorted.Count == 0 ? double.NaN
        : sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;

    // The JSON API of whichever silo is alive (definitions are stored in Redis; any silo takes them).
    private static SiloProcess AnyLive(IReadOnlyList<SiloProcess> silos) => silos.First(s => !s.HasExited);

    private static async Task SaveAsync(HttpClient http, IReadOnlyList<SiloProcess> silos, Event ev)
    {
        using var answer = await http.PutAsJsonAsync(new Uri(AnyLive(silos).BaseUrl, $"api/events/{ev.Id.Value}"), ev, ConvoJson.Options);
        await EnsureAsync(answer, "save " + ev.Id.Value);
    }

    private static async Task AttachAsync(HttpClient http, IReadOnlyList<SiloProcess> silos, EventId ev, Trigger trigger)
    {
        using var answer = await http.PostAsJsonAsync(new Uri(AnyLive(silos).BaseUrl, $"api/events/{ev.Value}/triggers"), trigger, ConvoJson.Options);
        await EnsureAsync(answer, $"attach {trigger.Id.Value} to {ev.Value}");
    }

    private static async Task<string> EmitAsync(HttpClient http, SiloProcess silo, EventId ev, string payloadJson)
    {
        using var content = new StringContent(payloadJson, System.Text.Encoding.UTF8, "application/json");
        using var answer = await http.PostAsync(new Uri(silo.BaseUrl, $"api/events/{ev.Value}/emit"), content);
        await EnsureAsync(answer, "emit to " + ev.Value);
        using var body = System.Text.Json.JsonDocument.Parse(await answer.Content.ReadAsStringAsync());
        return body.RootElement.GetProperty("jobId").GetString()!;
    }

    private static async Task EnsureAsync(HttpResponseMessage answer, string what)
    {
        if (!answer.IsSuccessStatusCode)
            throw new InvalidOperationException($"{what}: HTTP {(int)answer.StatusCode} {await answer.Content.ReadAsStringAsync()}");
    }
}
