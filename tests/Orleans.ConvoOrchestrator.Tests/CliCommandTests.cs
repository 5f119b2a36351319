using Orleans.ConvoOrchestrator.Tests.Support;
using System.Diagnostics;
using System.Text;
using System.Text.Json;

namespace Orleans.ConvoOrchestrator.Tests;

/// <summary>
/// The CLI's management commands as a user runs them against the stock silo: pause/resume, triggers
/// attach/list/fire/detach, test-run and watch, checked through their exit codes, tables and JSON.
/// </summary>
[Collection(StockSiloCollection.Name)]
[Trait(Lane.Name, Lane.System)]
public sealed class CliCommandTests(StockSiloFixture silo)
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Pause_refuses_emits_until_resume_while_test_run_still_runs()
    {
        var eventId = await silo.SaveEventAsync();

        var paused = await silo.RunClientAsync("events", "pause", eventId);
        CliRun.AssertExit(0, paused);
        Assert.Equal($"paused event {eventId}", paused.StdOut.Trim());

        var refused = await silo.RunClientAsync("emit", eventId);
        CliRun.AssertExit(1, refused);
        Assert.StartsWith("error: NOT_ACTIVE: ", refused.StdErr.Trim());

        // test-run is for trying a handler out, paused or not.
        var tried = await silo.RunClientAsync("test-run", eventId);
        CliRun.AssertExit(0, tried);

        var resumed = await silo.RunClientAsync("--json", "events", "resume", eventId);
        CliRun.AssertExit(0, resumed);
        Assert.True(CliRun.ParseJson(resumed).GetProperty("active").GetBoolean());
        CliRun.AssertExit(0, await silo.RunClientAsync("emit", eventId));
    }

    [Fact]
    public async Task Triggers_backfill_runs_a_past_range_once_prints_its_report_and_refuses_bad_ranges()
    {
        var eventId = await silo.SaveEventAsync(maxConcurrency: 8);
        var suffix = Guid.NewGuid().ToString("N")[..8];
        var (hourly, hook) = ($"hourly-{suffix}", $"hook-{suffix}");
        CliRun.AssertExit(0, await silo.RunClientAsync("triggers", "attach", eventId, "--every", "1h", "--anchor", "2026-01-01T00:00:00Z", "--id", hourly));
        CliRun.AssertExit(0, await silo.RunClientAsync("triggers", "attach", eventId, "--external", "--id", hook));

        var first = await silo.RunClientAsync("--json", "triggers", "backfill", hourly, "--from", "2026-01-01T00:00:00Z", "--to", "2026-01-01T06:00:00Z");
        CliRun.AssertExit(0, first);
        var report = CliRun.ParseJson(first);
        Assert.Equal((hourly, 6, 1, 6, 0), (report.GetProperty("triggerId").GetString(), report.GetProperty("instants").GetInt32(),
            report.GetProperty("events").GetInt32(), report.GetProperty("queued").GetInt32(), report.GetProperty("alreadyBackfilled").GetInt32()));

        // The same range again, as a table: nothing runs twice.
        var again = await silo.RunClientAsync("triggers", "backfill", hourly, "--from", "2026-01-01T00:00:00Z", "--to", "2026-01-01T06:00:00Z");
        CliRun.AssertExit(0, again);
        Assert.Contains($"backfilled trigger {hourly} from 2026-01-01 00:00:00.000Z to 2026-01-01 06:00:00.000Z: 6 instants into 1 event", again.StdOut);
        var row = again.StdOut.Split('\n').SkipWhile(l => !l.Contains("ALREADY BACKFILLED")).Skip(1).First();
        Assert.Equal(["0", "0", "6", "0"], row.Split(' ', StringSplitOptions.RemoveEmptyEntries));

        // Relative instants: a day ago to 23 hours ago holds exactly one hourly fire.
        var relative = await silo.RunClientAsync("--json", "triggers", "backfill", hourly, "--from", "-1d", "--to", "-23h");
        CliRun.AssertExit(0, relative);
        Assert.Equal(1, CliRun.ParseJson(relative).GetProperty("instants").GetInt32());
        await Eventually.TrueAsync(async () => CliRun.ParseJson(await silo.RunClientAsync("--json", "history", eventId)).GetArrayLength() == 7,
            TimeSpan.FromSeconds(30), "seven runs");

        // Bad ranges: usage errors (2) before anything is sent, the cluster's refusals (1) with their kind.
        CliRun.AssertExit(2, await silo.RunClientAsync("triggers", "backfill", hourly, "--from", "-1h", "--to", "-2h"));
        CliRun.AssertExit(2, await silo.RunClientAsync("triggers", "backfill", hourly, "--from", "yesterday", "--to", "now"));
        CliRun.AssertExit(2, await silo.RunClientAsync("triggers", "backfill", hourly, "--to", "now"));
        var future = await silo.RunClientAsync("triggers", "backfill", hourly, "--from", "-1h", "--to", "+1h");
        CliRun.AssertExit(1, future);
        Assert.StartsWith("error: VALIDATION: ", future.StdErr.Trim());
        Assert.Contains("in the future", future.StdErr);
        var external = await silo.RunClientAsync("triggers", "backfill", hook, "--from", "-1h");
        CliRun.AssertExit(1, external);
        Assert.Contains("has no schedule", external.StdErr);
        Assert.Equal(7, CliRun.ParseJson(await silo.RunClientAsync("--json", "history", eventId)).GetArrayLength());
    }

    [Fact]
    public async Task Triggers_attach_from_flags_and_file_list_with_counters_fire_and_detach()
    {
        var eventId = await silo.SaveEventAsync(maxConcurrency: 4);
        var suffix = Guid.NewGuid().ToString("N")[..8];
        var (hook, fast, cron) = ($"hook-{suffix}", $"fast-{suffix}", $"cron-{suffix}");

        var external = await silo.RunClientAsync("triggers", "attach", eventId, "--external", "--id", hook);
        CliRun.AssertExit(0, external);
        Assert.Contains($"attached trigger {hook} (external) to event {eventId}", external.StdOut);

        var interval = await silo.RunClientAsync("--json", "triggers", "attach", eventId, "--every", "300ms", "--id", fast);
        CliRun.AssertExit(0, interval);
        Assert.Equal($"{eventId}/{fast}", CliRun.ParseJson(interval).GetProperty("subscriptionId").GetString());

        var file = Path.Combine(Path.GetTempPath(), $"{cron}.json");
        File.WriteAllText(file, $$"""{"id":"{{cron}}","kind":"Cron","cron":"0 0 12 * * *","timeZone":"Europe/Berlin"}""");
        try
        {
            CliRun.AssertExit(0, await silo.RunClientAsync("triggers", "attach", eventId, "-f", file));
        }
        finally
        {
            File.Delete(file);
        }

        // The cron trigger's next fires: noon in Berlin, one day apart (in winter 11:00 UTC, in summer 10:00 UTC).
        var next = await silo.RunClientAsync("--json", "triggers", "next", cron, "--count", "3");
        CliRun.AssertExit(0, next);
        var noons = CliRun.ParseJson(next).GetProperty("fires").EnumerateArray().Select(f => f.GetDateTimeOffset()).ToList();
        Assert.Equal(3, noons.Count);
        Assert.All(noons, n => Assert.Contains(n.UtcDateTime.Hour, new[] { 10, 11 }));
        var plain = await silo.RunClientAsync("triggers", "next", hook);
        CliRun.AssertExit(0, plain);
        Assert.Contains("no fire ahead", plain.StdOut);
        CliRun.AssertExit(2, await silo.RunClientAsync("triggers", "next", cron, "--count", "0"));
        var pause = await silo.RunClientAsync("triggers", "pause", cron);
        CliRun.AssertExit(0, pause);
        Assert.Equal($"paused trigger {cron}", pause.StdOut.Trim());
        Assert.Contains("no fire ahead", (await silo.RunClientAsync("triggers", "next", cron)).StdOut);
        CliRun.AssertExit(0, await silo.RunClientAsync("triggers", "resume", cron));
        Assert.Equal(3, CliRun.ParseJson(await silo.RunClientAsync("--json", "triggers", "next", cron, "--count", "3")).GetProperty("fires").GetArrayLength());
        // run-all needs a catch-up window; with one, the stored trigger carries both.
        var noWindow = await silo.RunClientAsync("triggers", "attach", eventId, "--every", "1h", "--misfire", "run-all");
        CliRun.AssertExit(2, noWindow);
        Assert.Contains("catchUpWindow", noWindow.StdErr);
        var caughtUp = await silo.RunClientAsync("--json", "triggers", "attach", eventId, "--every", "1h", "--misfire", "run-all",
            "--catch-up", "30m", "--overlap", "skip", "--id", $"cu-{suffix}");
        CliRun.AssertExit(0, caughtUp);
        var stored = CliRun.ParseJson(caughtUp).GetProperty("trigger");
        Assert.Equal(("RunAll", "00:30:00", "Skip"), (stored.GetProperty("misfire").GetString(), stored.GetProperty("catchUpWindow").GetString(),
            stored.GetProperty("overlap").GetString()));
        CliRun.AssertExit(0, await silo.RunClientAsync("triggers", "detach", eventId, $"cu-{suffix}"));

        var fired = await silo.RunClientAsync("--json", "triggers", "fire", hook, "--payload", """{"n":42}""");
        CliRun.AssertExit(0, fired);
        Assert.Equal(1, CliRun.ParseJson(fired).GetProperty("accepted").GetInt32());

        // The interval trigger fires on its own; wait until the list shows it did, twice.
        Dictionary<string, JsonElement> byId;
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var listed = await silo.RunClientAsync("--json", "triggers", "list", "--event", eventId);
            CliRun.AssertExit(0, listed);
            byId = CliRun.ParseJson(listed).EnumerateArray().ToDictionary(t => t.GetProperty("trigger").GetProperty("id").GetString()!);
            Assert.Equal(new[] { cron, fast, hook }, byId.Keys.Order(StringComparer.Ordinal));
            if (byId[fast].GetProperty("fireCount").GetInt64() >= 2) break;
            Assert.True(clock.Elapsed < Deadline, $"{fast} did not fire twice within {Deadline}: {listed.StdOut}");
            await Task.Delay(300);
        }
        Assert.Equal(1, byId[hook].GetProperty("fireCount").GetInt64());
        Assert.Equal(JsonValueKind.String, byId[hook].GetProperty("lastFiredAt").ValueKind);
        Assert.Equal(JsonValueKind.String, byId[fast].GetProperty("nextFire").ValueKind);
        Assert.Equal("Europe/Berlin", byId[cron].GetProperty("trigger").GetProperty("timeZone").GetString());
        // Noon in Berlin is 10:00 or 11:00 UTC, depending on daylight saving time.
        var noon = byId[cron].GetProperty("nextFire").GetDateTimeOffset().UtcDateTime;
        Assert.True(noon.Hour is 10 or 11 && noon.Minute == 0, $"cron next fire {noon:o}");
        foreach (var t in byId.Values) Assert.Equal(new[] { eventId }, t.GetProperty("subscribers").EnumerateArray().Select(e => e.GetString()));

        // The human table: one line per trigger, with its schedule and counters.
        var table = await silo.RunClientAsync("triggers", "list", "--event", eventId);
        CliRun.AssertExit(0, table);
        var lines = table.StdOut.Split('\n');
        Assert.StartsWith("TRIGGER ", lines[0]);
        Assert.Contains(lines, l => l.StartsWith(fast + " ", StringComparison.Ordinal) && l.Contains("every 300 ms"));
        Assert.Contains(lines, l => l.StartsWith(cron + " ", StringComparison.Ordinal) && l.Contains("cron '0 0 12 * * *' Europe/Berlin"));
        Assert.Contains(lines, l => l.StartsWith(hook + " ", StringComparison.Ordinal) && l.Contains("external"));

        // The fired job ran with the payload and is recorded under the trigger.
        await AssertEventuallyAsync(async () =>
        {
            var history = await silo.RunClientAsync("--json", "history", eventId, "--limit", "100");
            CliRun.AssertExit(0, history);
            return CliRun.ParseJson(history).EnumerateArray().Any(r =>
                r.TryGetProperty("triggerId", out var t) && t.GetString() == hook
                && r.GetProperty("outcome").GetProperty("resultPreview").GetString()!.Contains("42"));
        }, $"a history record of {hook} with the payload");

        // Both ways of naming the subscription; the cron trigger stays.
        var detached = await silo.RunClientAsync("triggers", "detach", eventId, fast);
        CliRun.AssertExit(0, detached);
        Assert.Equal($"detached trigger {fast} from event {eventId}", detached.StdOut.Trim());
        CliRun.AssertExit(0, await silo.RunClientAsync("triggers", "detach", $"{eventId}/{hook}"));
        var left = await silo.RunClientAsync("--json", "triggers", "list", "--event", eventId);
        CliRun.AssertExit(0, left);
        Assert.Equal(new[] { cron }, CliRun.ParseJson(left).EnumerateArray().Select(t => t.GetProperty("trigger").GetProperty("id").GetString()));
    }

    [Fact]
    public async Task Failed_jobs_are_listed_requeued_and_discarded_and_emit_keys_deduplicate()
    {
        var fail = await silo.SaveEventAsync("fail");
        var first = await silo.RunClientAsync("emit", fail, "--key", "order-1", "--payload", """{"message":"declined"}""");
        CliRun.AssertExit(0, first);
        var again = await silo.RunClientAsync("emit", fail, "--key", "order-1");
        Assert.Equal(first.StdOut.Trim(), again.StdOut.Trim()); // the same job: nothing new enqueued
        var second = (await silo.RunClientAsync("emit", fail)).StdOut.Trim();

        JsonElement listed = default;
        var deadline = DateTime.UtcNow + Deadline;
        while (DateTime.UtcNow < deadline)
        {
            var list = await silo.RunClientAsync("--json", "failed", "list", fail);
            CliRun.AssertExit(0, list);
            listed = CliRun.ParseJson(list);
            if (listed.GetArrayLength() == 2) break;
            await Task.Delay(100);
        }
        Assert.Equal(new[] { first.StdOut.Trim(), second }.Order(), listed.EnumerateArray().Select(f => f.GetProperty("jobId").GetString()).Order());
        var table = await silo.RunClientAsync("failed", "list");
        Assert.Contains("declined", table.StdOut);

        var usage = await silo.RunClientAsync("failed", "requeue", fail);
        CliRun.AssertExit(2, usage);
        var requeued = await silo.RunClientAsync("failed", "requeue", fail, second);
        CliRun.AssertExit(0, requeued);
        Assert.Equal($"requeued 1 failed job of event {fail}", requeued.StdOut.Trim());
        var discarded = await silo.RunClientAsync("--json", "failed", "discard", fail, "--all");
        CliRun.AssertExit(0, discarded);
        Assert.True(CliRun.ParseJson(discarded).GetProperty("discarded").GetInt32() >= 1);
    }

    [Fact]
    public async Task Calendars_are_saved_from_flags_named_by_triggers_and_removed_once_unused()
    {
        var eventId = await silo.SaveEventAsync();
        var suffix = Guid.NewGuid().ToString("N")[..8];
        var (office, trigger) = ($"office-{suffix}", $"office-tr-{suffix}");

        var saved = await silo.RunClientAsync("calendars", "save", office, "--tz", "Europe/Berlin", "--only-window", "09:00-17:00",
            "--cron", "* * * * 0,6", "--annual", "12-25", "--range", "2026-12-24..2027-01-01", "--date", "2027-05-01", "--exclude-window", "12:00-13:00");
        CliRun.AssertExit(0, saved);
        Assert.Equal($"saved calendar {office} (6 rules, Europe/Berlin)", saved.StdOut.Trim());
        var got = await silo.RunClientAsync("calendars", "get", office);
        CliRun.AssertExit(0, got);
        foreach (var words in new[] { "outside 09:00-17:00 daily", "cron '* * * * 0,6'", "12-25 every year", "2026-12-24 to 2027-01-01", "2027-05-01", "12:00-13:00 daily" })
            Assert.Contains(words, got.StdOut);
        var listed = await silo.RunClientAsync("--json", "calendars", "list");
        CliRun.AssertExit(0, listed);
        Assert.Contains(CliRun.ParseJson(listed).EnumerateArray(), c => c.GetProperty("name").GetString() == office);

        var attached = await silo.RunClientAsync("triggers", "attach", eventId, "--every", "30m", "--anchor", "2026-01-01T00:00:00Z", "--id", trigger, "--calendar", office);
        CliRun.AssertExit(0, attached);
        Assert.Contains($"every 30m except calendar {office}", attached.StdOut);
        var next = await silo.RunClientAsync("--json", "triggers", "next", trigger, "--count", "40");
        CliRun.AssertExit(0, next);
        var berlin = TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin");
        var fires = CliRun.ParseJson(next).GetProperty("fires").EnumerateArray().Select(f => TimeZoneInfo.ConvertTime(f.GetDateTimeOffset(), berlin)).ToList();
        Assert.Equal(40, fires.Count);
        Assert.All(fires, f => Assert.True(f.Hour is >= 9 and < 17 && f.Hour != 12 && f.DayOfWeek is not (DayOfWeek.Saturday or DayOfWeek.Sunday), $"{f} is excluded"));

        var inUse = await silo.RunClientAsync("calendars", "remove", office);
        CliRun.AssertExit(1, inUse);
        Assert.StartsWith("error: CONFLICT: ", inUse.StdErr.Trim());
        Assert.Contains(trigger, inUse.StdErr);
        var unknown = await silo.RunClientAsync("triggers", "attach", eventId, "--cron", "0 * * * *", "--calendar", $"nope-{suffix}");
        CliRun.AssertExit(1, unknown);
        Assert.StartsWith("error: NOT_FOUND: ", unknown.StdErr.Trim());
        CliRun.AssertExit(2, await silo.RunClientAsync("triggers", "attach", eventId, "--external", "--calendar", office));
        CliRun.AssertExit(2, await silo.RunClientAsync("calendars", "save", office, "--only-window", "9-17"));
        CliRun.AssertExit(2, await silo.RunClientAsync("calendars", "save", office));

        CliRun.AssertExit(0, await silo.RunClientAsync("triggers", "detach", eventId, trigger));
        var removed = await silo.RunClientAsync("calendars", "remove", office);
        CliRun.AssertExit(0, removed);
        Assert.Equal($"removed calendar {office}", removed.StdOut.Trim());
        CliRun.AssertExit(1, await silo.RunClientAsync("calendars", "get", office));
    }

    [Fact]
    public async Task Jobs_cancel_stops_a_running_job_and_it_ends_CANCELLED()
    {
        var sleeper = await silo.SaveEventAsync("sleep");
        var job = (await silo.RunClientAsync("emit", sleeper, "--payload", """{"seconds":60}""")).StdOut.Trim();
        var cancelled = await silo.RunClientAsync("jobs", "cancel", sleeper, job);
        CliRun.AssertExit(0, cancelled);
        Assert.Equal($"cancelled job {job} of event {sleeper}", cancelled.StdOut.Trim());
        var history = await silo.RunClientAsync("--json", "history", sleeper);
        Assert.Contains(CliRun.ParseJson(history).EnumerateArray(), r => r.GetProperty("jobId").GetString() == job
            && r.GetProperty("outcome").GetProperty("status").GetString() == "CANCELLED");
    }

    [Fact]
    public async Task Jobs_list_shows_the_running_job_then_the_queued_ones_and_refuses_a_bad_limit()
    {
        var sleeper = $"ev-cli-jobs-{Guid.NewGuid():N}"[..20];
        var file = Path.Combine(Path.GetTempPath(), $"{sleeper}.json");
        File.WriteAllText(file, $$$"""{"id":"{{{sleeper}}}","name":"jobs list","handlerName":"sleep","policy":{"timeoutSec":120,"maxConcurrency":1}}""");
        try
        {
            CliRun.AssertExit(0, await silo.RunClientAsync("events", "save", "-f", file));
        }
        finally
        {
            File.Delete(file);
        }
        var running = (await silo.RunClientAsync("emit", sleeper, "--payload", """{"seconds":120}""")).StdOut.Trim();
        var queued = (await silo.RunClientAsync("emit", sleeper, "--payload", """{"seconds":120}""")).StdOut.Trim();

        var listed = await silo.RunClientAsync("--json", "jobs", "list", sleeper);
        CliRun.AssertExit(0, listed);
        var jobs = CliRun.ParseJson(listed).EnumerateArray().ToList();
        Assert.Equal([running, queued], jobs.Select(j => j.GetProperty("jobId").GetString()));
        Assert.Equal(["Running", "Queued"], jobs.Select(j => j.GetProperty("state").GetString()));
        var table = await silo.RunClientAsync("jobs", "list", sleeper, "--limit", "1");
        CliRun.AssertExit(0, table);
        var lines = table.StdOut.Trim().Split('\n');
        Assert.StartsWith("JOB", lines[0]);
        Assert.Contains(running, lines[1]);
        Assert.Contains("running", lines[1]);
        Assert.Equal(2, lines.Length);

        CliRun.AssertExit(2, await silo.RunClientAsync("jobs", "list", sleeper, "--limit", "0"));
        CliRun.AssertExit(2, await silo.RunClientAsync("jobs", "list", sleeper, "--limit", "1001"));
        var unknown = await silo.RunClientAsync("jobs", "list", "ev-cli-no-such-event");
        CliRun.AssertExit(1, unknown);
        Assert.StartsWith("error: NOT_FOUND: ", unknown.StdErr.Trim());

        CliRun.AssertExit(0, await silo.RunClientAsync("jobs", "cancel", sleeper, "--waiting"));
        CliRun.AssertExit(0, await silo.RunClientAsync("jobs", "cancel", sleeper, running));
        var empty = await silo.RunClientAsync("jobs", "list", sleeper);
        CliRun.AssertExit(0, empty);
        Assert.Equal($"no queued or running jobs for {sleeper}", empty.StdOut.Trim());
    }

    [Fact]
    public async Task Test_run_prints_the_outcome_and_exits_4_when_the_handler_fails()
    {
        var echo = await silo.SaveEventAsync("echo");
        var ok = await silo.RunClientAsync("--json", "test-run", echo, "--payload", """{"x":"from test-run"}""");
        CliRun.AssertExit(0, ok);
        var outcome = CliRun.ParseJson(ok);
        Assert.Equal("OK", outcome.GetProperty("status").GetString());
        Assert.Contains("from test-run", outcome.GetProperty("resultPreview").GetString());

        var fail = await silo.SaveEventAsync("fail");
        var failed = await silo.RunClientAsync("test-run", fail, "--payload", """{"message":"boom on purpose"}""");
        CliRun.AssertExit(4, failed);
        Assert.Contains(failed.StdOut.Split('\n'), l => l.StartsWith("status ", StringComparison.Ordinal) && l.Contains("ERR"));
        Assert.Contains("boom on purpose", failed.StdOut);
        Assert.Equal("", failed.StdErr.Trim());
    }

    [Fact]
    public async Task Watch_with_count_prints_that_many_plain_tables_or_json_lines_and_exits_0()
    {
        var eventId = await silo.SaveEventAsync();
        CliRun.AssertExit(0, await silo.RunClientAsync("test-run", eventId));

        // Without ids: every event (this one among those other tests left).
        var plain = await silo.RunClientAsync("watch", "--interval", "200ms", "--count", "3");
        CliRun.AssertExit(0, plain);
        // Not a terminal (our pipe): successive tables, no cursor movement.
        Assert.DoesNotContain('\u001b', plain.StdOut);
        var lines = plain.StdOut.Split('\n');
        Assert.Equal(new[] { "refresh 1 of 3", "refresh 2 of 3", "refresh 3 of 3" },
            lines.Where(l => l.Contains("refresh ")).Select(l => l[l.IndexOf("refresh ", StringComparison.Ordinal)..].Trim()));
        var rows = lines.Where(l => l.StartsWith(eventId + " ", StringComparison.Ordinal)).ToList();
        Assert.Equal(3, rows.Count);
        // ACTIVE yes, RUNNING 0, QUEUED 0, NEXT RUN -, LAST OUTCOME "OK ... ago", OK >= 1, FAILED 0.
        Assert.All(rows, r => Assert.Matches(@"^\S+\s+yes\s+0\s+0\s+-\s+OK .+ ago\s+[1-9]\d*\s+0$", r.TrimEnd()));
        // Three refreshes 200 ms apart take at least 400 ms.
        Assert.True(plain.Elapsed >= TimeSpan.FromMilliseconds(400), plain.Describe());

        var json = await silo.RunClientAsync("--json", "watch", eventId, "-i", "200ms", "-c", "2");
        CliRun.AssertExit(0, json);
        var frames = json.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement.Clone()).ToList();
        Assert.Equal(new[] { 1, 2 }, frames.Select(f => f.GetProperty("refresh").GetInt32()));
        foreach (var frame in frames)
        {
            var row = Assert.Single(frame.GetProperty("events").EnumerateArray());
            Assert.Equal(eventId, row.GetProperty("eventId").GetString());
            Assert.True(row.GetProperty("active").GetBoolean());
            Assert.Equal("OK", row.GetProperty("lastOutcome").GetProperty("status").GetString());
            Assert.True(row.GetProperty("succeeded").GetInt64() >= 1, frame.ToString());
        }

        var unknown = await silo.RunClientAsync("watch", "ev-not-there-" + Guid.NewGuid().ToString("N")[..8], "--count", "1");
        CliRun.AssertExit(1, unknown);
        Assert.StartsWith("error: NOT_FOUND: ", unknown.StdErr.Trim());
    }

    [Fact]
    public async Task Watch_runs_until_stopped_by_a_signal_and_then_exits_0()
    {
        var binaries = await CliBinaries.EnsureBuiltAsync();
        var start = new ProcessStartInfo(CliBinaries.DotnetHost)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in (string[])[binaries.Client, "--gateway-port", silo.GatewayPort.ToString(), "--cluster-id", silo.ClusterId,
                     "--service-id", silo.ClusterId, "watch", "--interval", "200ms"])
            start.ArgumentList.Add(arg);
        start.Environment.Remove("CONVO_REDIS");

        var stdout = new StringBuilder();
        var stderr = new StringBuilder();
        var secondFrame = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            lock (stdout) stdout.AppendLine(e.Data);
            if (e.Data.Contains("refresh 2", StringComparison.Ordinal)) secondFrame.TrySetResult();
        };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (stderr) stderr.AppendLine(e.Data); };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await secondFrame.Task.WaitAsync(Deadline);
            // SIGTERM, as a service manager or `timeout` sends it; Ctrl+C (SIGINT) takes the same path.
            using (var kill = Process.Start("kill", ["-TERM", process.Id.ToString()])) await kill.WaitForExitAsync();
            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        }
        finally
        {
            if (!process.HasExited) process.Kill(entireProcessTree: true);
        }

        lock (stdout) lock (stderr)
        {
            Assert.True(process.ExitCode == 0, $"exit {process.ExitCode}; stdout: {stdout}; stderr: {stderr}");
            Assert.Equal("", stderr.ToString().Trim());
            // The frames taken before the signal are all there, whole.
            Assert.Contains("refresh 2", stdout.ToString());
        }
    }

    [Fact]
    public async Task Watch_on_a_terminal_redraws_in_place()
    {
        var binaries = await CliBinaries.EnsureBuiltAsync();
        string[] command = [CliBinaries.DotnetHost, binaries.Client, "--gateway-port", silo.GatewayPort.ToString(), "--cluster-id", silo.ClusterId,
            "--service-id", silo.ClusterId, "watch", "--interval", "200ms", "--count", "2"];
        // script(1) runs the command on a pseudo-terminal: stdout is then a terminal, as in a user's shell.
        var run = await CliRun.RunAsync("script", ["-qec", string.Join(' ', command.Select(Quote)), "/dev/null"], TimeSpan.FromSeconds(90),
            new Dictionary<string, string?> { ["TERM"] = "xterm", ["CONVO_REDIS"] = null });

        CliRun.AssertExit(0, run);
        var output = run.StdOut;
        // Frame 1 hides the cursor and clears the screen; every frame starts at home and clears what it does not
        // overwrite; at the end the cursor comes back and the last table stays.
        Assert.Contains("\u001b[?25l\u001b[H\u001b[2J", output);
        Assert.Equal(2, CountOf(output, "\u001b[H"));
        Assert.Equal(2, CountOf(output, "\u001b[J"));
        Assert.Contains("refresh 2 of 2, Ctrl+C to stop\u001b[K", output);
        Assert.Contains("\u001b[?25h", output);
    }

    private static int CountOf(string text, string part)
    {
        var count = 0;
        for (var i = text.IndexOf(part, StringComparison.Ordinal); i >= 0; i = text.IndexOf(part, i + part.Length, StringComparison.Ordinal)) count++;
        return count;
    }

    private static string Quote(string arg) => "'" + arg.Replace("'", "'\\''") + "'";

    private static async Task AssertEventuallyAsync(Func<Task<bool>> condition, string what)
    {
        var clock = Stopwatch.StartNew();
        while (!await condition())
        {
            Assert.True(clock.Elapsed < Deadline, $"not within {Deadline}: {what}");
            await Task.Delay(300);
        }
    }
}
