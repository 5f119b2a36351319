using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Orleans.ConvoOrchestrator.Tests.Support;

namespace Orleans.ConvoOrchestrator.Tests;

/// <summary>The silo's HTTP API (/api), health probes and Prometheus endpoint, against the stock silo as a process.</summary>
[Collection(WebSiloCollection.Name)]
[Trait(Lane.Name, Lane.System)]
public sealed class HttpApiTests(WebSiloFixture web)
{
    private HttpClient Http => web.Http;

    [Fact]
    public async Task Events_are_created_read_listed_replaced_and_removed()
    {
        var id = WebSiloFixture.NewId();
        using var created = await Http.PostAsync("api/events", WebSiloFixture.Json($$"""{"id":"{{id}}","name":"first","handlerName":"echo"}"""));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);

        using var again = await Http.PostAsync("api/events", WebSiloFixture.Json($$"""{"id":"{{id}}","name":"again","handlerName":"echo"}"""));
        await AssertProblemAsync(again, HttpStatusCode.Conflict, "CONFLICT");

        var got = await Http.GetFromJsonAsync<JsonElement>($"api/events/{id}");
        Assert.Equal("first", got.GetProperty("name").GetString());

        // PUT replaces; the body may leave the id out (the route names it).
        using var replaced = await Http.PutAsync($"api/events/{id}", WebSiloFixture.Json("""{"name":"second","handlerName":"log","policy":{"maxConcurrency":3}}"""));
        Assert.Equal(HttpStatusCode.OK, replaced.StatusCode);
        got = await Http.GetFromJsonAsync<JsonElement>($"api/events/{id}");
        Assert.Equal("second", got.GetProperty("name").GetString());
        Assert.Equal("log", got.GetProperty("handlerName").GetString());
        Assert.Equal(3, got.GetProperty("policy").GetProperty("maxConcurrency").GetInt32());

        var list = await Http.GetFromJsonAsync<JsonElement>("api/events");
        Assert.Contains(list.EnumerateArray(), e => e.GetProperty("id").GetString() == id);

        using var removed = await Http.DeleteAsync($"api/events/{id}");
        Assert.Equal(HttpStatusCode.NoContent, removed.StatusCode);
        using var gone = await Http.GetAsync($"api/events/{id}");
        await AssertProblemAsync(gone, HttpStatusCode.NotFound, "NOT_FOUND");
        using var removedTwice = await Http.DeleteAsync($"api/events/{id}");
        await AssertProblemAsync(removedTwice, HttpStatusCode.NotFound, "NOT_FOUND");
    }

    [Fact]
    public async Task An_emit_repeated_with_its_Idempotency_Key_answers_the_first_job_and_a_bad_key_is_refused()
    {
        var id = await web.SaveEventAsync("echo");
        async Task<HttpResponseMessage> EmitAsync(string key)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, $"api/events/{id}/emit") { Content = WebSiloFixture.Json("""{"msg":"once"}""") };
            request.Headers.TryAddWithoutValidation("Idempotency-Key", key);
            return await Http.SendAsync(request);
        }
        using var first = await EmitAsync("payment-1");
        using var again = await EmitAsync("payment-1");
        Assert.Equal(HttpStatusCode.Accepted, again.StatusCode);
        var jobId = (await first.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("jobId").GetString();
        Assert.Equal(jobId, (await again.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("jobId").GetString());
        using var tooLong = await EmitAsync(new string('k', 201));
        await AssertProblemAsync(tooLong, HttpStatusCode.BadRequest, "VALIDATION");

        await web.WaitForOutcomeAsync(id);
        var history = await Http.GetFromJsonAsync<JsonElement>($"api/events/{id}/history");
        Assert.Equal([jobId], history.EnumerateArray().Select(r => r.GetProperty("jobId").GetString()));
    }

    [Fact]
    public async Task The_readme_route_table_lists_every_api_route_the_server_answers()
    {
        var served = (await Http.GetFromJsonAsync<JsonElement>("api/routes")).EnumerateArray()
            .Select(r => $"{r.GetProperty("method").GetString()} {r.GetProperty("pattern").GetString()}")
            .Where(r => r.Contains(" /api/", StringComparison.Ordinal))
            .ToHashSet();
        var documented = new HashSet<string>();
        foreach (var line in File.ReadLines(Path.Combine(RepoPaths.Root, "README.md")))
        {
            var cell = line.StartsWith("| `", StringComparison.Ordinal) ? line[2..line.IndexOf(" |", 2, StringComparison.Ordinal)] : "";
            var first = System.Text.RegularExpressions.Regex.Match(cell, @"^`(GET|POST|PUT|DELETE|PATCH) (/api/[^`?]*)[^`]*`");
            if (!first.Success) continue;
            var (method, path) = (first.Groups[1].Value, first.Groups[2].Value);
            documented.Add($"{method} {path}");
            // More in the same cell: `/resume` (the last segment replaced) or `POST /api/...` in full.
            foreach (System.Text.RegularExpressions.Match more in System.Text.RegularExpressions.Regex.Matches(cell[first.Length..], @"`(?:(GET|POST|PUT|DELETE|PATCH) )?(/[^`?]*)[^`]*`"))
            {
                var m = more.Groups[1].Success ? more.Groups[1].Value : method;
                var p = more.Groups[2].Value.StartsWith("/api/", StringComparison.Ordinal) ? more.Groups[2].Value : path[..path.LastIndexOf('/')] + more.Groups[2].Value;
                documented.Add($"{m} {p}");
            }
        }
        Assert.True(served.Count >= 20, $"only {served.Count} API routes served");
        Assert.Empty(served.Except(documented).Order()); // served but not in the README
        Assert.Empty(documented.Except(served).Order()); // in the README but not served
    }

    [Fact]
    public async Task Failed_jobs_are_listed_requeued_and_discarded_over_http()
    {
        var id = await web.SaveEventAsync("fail");
        var jobs = new List<string>();
        for (var i = 0; i < 2; i++)
        {
            using var emitted = await Http.PostAsync($"api/events/{id}/emit", WebSiloFixture.Json($$"""{"message":"card {{i}} declined"}"""));
            jobs.Add((await emitted.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("jobId").GetString()!);
        }
        var failed = await Eventually.MatchAsync(async () => await Http.GetFromJsonAsync<JsonElement>($"api/events/{id}/failed"),
            f => f.GetArrayLength() == 2, TimeSpan.FromSeconds(20), "both jobs in the failed list", 100);
        Assert.Contains(failed.EnumerateArray(), f => f.GetProperty("payloadJson").GetString()!.Contains("card 0 declined")
            && f.GetProperty("outcome").GetProperty("error").GetProperty("message").GetString() == "InvalidOperationException: card 0 declined");
        var everywhere = await Http.GetFromJsonAsync<JsonElement>("api/failed?limit=1000");
        Assert.True(everywhere.EnumerateArray().Count(f => f.GetProperty("eventId").GetString() == id) == 2);

        using (var requeued = await Http.PostAsync($"api/events/{id}/failed/requeue", WebSiloFixture.Json($$"""{"jobIds":["{{jobs[0]}}"]}""")))
            Assert.Equal(1, (await requeued.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("requeued").GetInt32());
        // It fails again (the handler always does): back in the list, as its second delivery.
        await Eventually.TrueAsync(async () => (await Http.GetFromJsonAsync<JsonElement>($"api/events/{id}/failed")).EnumerateArray()
            .Any(f => f.GetProperty("jobId").GetString() == jobs[0] && f.GetProperty("outcome").GetProperty("delivery").GetInt32() == 2),
            TimeSpan.FromSeconds(20), "the requeued job to fail again");
        using (var bad = await Http.PostAsync($"api/events/{id}/failed/discard", WebSiloFixture.Json("""{"ids":[]}""")))
            await AssertProblemAsync(bad, HttpStatusCode.BadRequest, "VALIDATION");
        using (var all = await Http.PostAsync($"api/events/{id}/failed/discard", null))
            Assert.Equal(2, (await all.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("discarded").GetInt32());
        Assert.Equal(0, (await Http.GetFromJsonAsync<JsonElement>($"api/events/{id}/failed")).GetArrayLength());
    }

    [Fact]
    public async Task Emit_runs_the_handler_and_status_history_metrics_and_overview_show_it()
    {
        var id = await web.SaveEventAsync("echo");
        using var request = new HttpRequestMessage(HttpMethod.Post, $"api/events/{id}/emit") { Content = WebSiloFixture.Json("""{"msg":"hello over http"}""") };
        request.Headers.Add("X-Correlation-Id", "corr-42");
        using var emitted = await Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.Accepted, emitted.StatusCode);
        var jobId = (await emitted.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("jobId").GetString();
        Assert.False(string.IsNullOrEmpty(jobId));

        var status = await web.WaitForOutcomeAsync(id);
        var outcome = status.GetProperty("lastOutcome");
        Assert.Equal("OK", outcome.GetProperty("status").GetString());
        Assert.Contains("hello over http", outcome.GetProperty("resultPreview").GetString());
        Assert.True(status.GetProperty("active").GetBoolean());
        Assert.Equal(0, status.GetProperty("queueDepth").GetInt32());

        var history = await Http.GetFromJsonAsync<JsonElement>($"api/events/{id}/history?limit=5");
        Assert.Contains(history.EnumerateArray(), r => r.GetProperty("jobId").GetString() == jobId && r.GetProperty("outcome").GetProperty("status").GetString() == "OK");

        var snapshot = await Http.GetFromJsonAsync<JsonElement>("api/metrics");
        Assert.True(Counter(snapshot, MetricNames.JobsSucceeded, id) >= 1, snapshot.ToString());
        var histogram = snapshot.GetProperty("histograms").EnumerateArray()
            .Single(h => h.GetProperty("name").GetString() == MetricNames.JobDuration && h.GetProperty("labels").GetProperty("event_id").GetString() == id);
        Assert.Equal(11, histogram.GetProperty("counts").GetArrayLength()); // 10 buckets + overflow, the guide's shape

        var overview = await Http.GetFromJsonAsync<JsonElement>("api/overview");
        var mine = overview.GetProperty("events").EnumerateArray().Single(e => e.GetProperty("definition").GetProperty("id").GetString() == id);
        Assert.Equal("OK", mine.GetProperty("status").GetProperty("lastOutcome").GetProperty("status").GetString());
        Assert.True(mine.GetProperty("counters").GetProperty(MetricNames.JobsSucceeded).GetInt64() >= 1);

        using var testRun = await Http.PostAsync($"api/events/{id}/test-run", WebSiloFixture.Json("""{"n":7}"""));
        Assert.Equal(HttpStatusCode.OK, testRun.StatusCode);
        var ran = await testRun.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("OK", ran.GetProperty("status").GetString());
        Assert.Equal("""{"n":7}""", ran.GetProperty("resultPreview").GetString());
    }

    [Fact]
    public async Task An_EXTERNAL_trigger_is_attached_listed_fired_as_a_webhook_and_detached()
    {
        var id = await web.SaveEventAsync("echo");
        var triggerId = WebSiloFixture.NewId("tr");
        using var attached = await Http.PostAsync($"api/events/{id}/triggers", WebSiloFixture.Json($$"""{"id":"{{triggerId}}","kind":"EXTERNAL"}"""));
        Assert.Equal(HttpStatusCode.Created, attached.StatusCode);
        Assert.Equal($"{id}/{triggerId}", (await attached.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("subscriptionId").GetString());

        var ofEvent = await Http.GetFromJsonAsync<JsonElement>($"api/events/{id}/triggers");
        Assert.Equal(triggerId, ofEvent.EnumerateArray().Single().GetProperty("id").GetString());
        var all = await Http.GetFromJsonAsync<JsonElement>("api/triggers");
        Assert.Contains(all.EnumerateArray(), t => t.GetProperty("id").GetString() == triggerId && t.GetProperty("kind").GetString() == "EXTERNAL");

        using var fired = await Http.PostAsync($"api/triggers/{triggerId}/fire", WebSiloFixture.Json("""{"order":1234}"""));
        Assert.Equal(HttpStatusCode.Accepted, fired.StatusCode);
        Assert.Equal(1, (await fired.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("accepted").GetInt32());
        var status = await web.WaitForOutcomeAsync(id);
        Assert.Equal("""{"order":1234}""", status.GetProperty("lastOutcome").GetProperty("resultPreview").GetString());
        var history = await Http.GetFromJsonAsync<JsonElement>($"api/events/{id}/history");
        Assert.Equal(triggerId, history.EnumerateArray().First().GetProperty("triggerId").GetString());

        var triggerStatus = await Http.GetFromJsonAsync<JsonElement>($"api/triggers/{triggerId}");
        Assert.Equal(1, triggerStatus.GetProperty("fireCount").GetInt64());
        Assert.Equal(id, triggerStatus.GetProperty("subscribers").EnumerateArray().Single().GetString());

        using var detached = await Http.DeleteAsync($"api/events/{id}/triggers/{triggerId}");
        Assert.Equal(HttpStatusCode.NoContent, detached.StatusCode);
        Assert.Equal(0, (await Http.GetFromJsonAsync<JsonElement>($"api/events/{id}/triggers")).GetArrayLength());
        using var detachedTwice = await Http.DeleteAsync($"api/events/{id}/triggers/{triggerId}");
        await AssertProblemAsync(detachedTwice, HttpStatusCode.NotFound, "NOT_FOUND");
    }

    // Emits jobs of the sleep handler that each last 20 s; answers their ids in emit order.
    private async Task<List<string>> EmitSleepersAsync(string eventId, int count)
    {
        var jobs = new List<string>();
        for (var i = 0; i < count; i++)
        {
            using var emitted = await Http.PostAsync($"api/events/{eventId}/emit", WebSiloFixture.Json("""{"ms":20000}"""));
            Assert.Equal(HttpStatusCode.Accepted, emitted.StatusCode);
            jobs.Add((await emitted.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("jobId").GetString()!);
        }
        return jobs;
    }

    [Fact]
    public async Task Jobs_are_cancelled_one_or_all_waiting_running_ones_included()
    {
        var id = await web.SaveEventAsync("sleep", """{"maxConcurrency":1,"timeoutSec":60}""");
        var jobs = await EmitSleepersAsync(id, 3);
        await Eventually.TrueAsync(async () => (await Http.GetFromJsonAsync<JsonElement>($"api/events/{id}/status")).GetProperty("running").GetInt32() == 1,
            TimeSpan.FromSeconds(20), "the first job to run");

        using (var one = await Http.PostAsync($"api/events/{id}/jobs/{jobs[2]}/cancel", null)) Assert.Equal(HttpStatusCode.NoContent, one.StatusCode);
        using (var again = await Http.PostAsync($"api/events/{id}/jobs/{jobs[2]}/cancel", null))
            await AssertProblemAsync(again, HttpStatusCode.NotFound, "NOT_FOUND"); // its end is stored: the event no longer holds it
        using (var all = await Http.PostAsync($"api/events/{id}/jobs/cancel-waiting", null))
        {
            Assert.Equal(HttpStatusCode.OK, all.StatusCode);
            Assert.Equal(1, (await all.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("cancelled").GetInt32());
        }

        var status = await Http.GetFromJsonAsync<JsonElement>($"api/events/{id}/status");
        Assert.Equal((0, 1), (status.GetProperty("queueDepth").GetInt32(), status.GetProperty("running").GetInt32()));
        // The running one: its handler's token is cancelled, and it stops.
        using (var running = await Http.PostAsync($"api/events/{id}/jobs/{jobs[0]}/cancel", null)) Assert.Equal(HttpStatusCode.NoContent, running.StatusCode);
        await Eventually.TrueAsync(async () => (await Http.GetFromJsonAsync<JsonElement>($"api/events/{id}/status")).GetProperty("running").GetInt32() == 0,
            TimeSpan.FromSeconds(20), "the cancelled handler to stop");
        var history = await Http.GetFromJsonAsync<JsonElement>($"api/events/{id}/history");
        var cancelled = history.EnumerateArray().Where(r => r.GetProperty("outcome").GetProperty("status").GetString() == "CANCELLED")
            .Select(r => r.GetProperty("jobId").GetString()).Order().ToList();
        Assert.Equal(jobs.Order(), cancelled);
        using var removed = await Http.DeleteAsync($"api/events/{id}");
        Assert.Equal(HttpStatusCode.NoContent, removed.StatusCode);
    }

    [Fact]
    public async Task In_flight_jobs_are_listed_running_first_then_the_queue_in_order_and_bad_limits_get_400()
    {
        var id = await web.SaveEventAsync("sleep", """{"maxConcurrency":1,"timeoutSec":60}""");
        var jobs = await EmitSleepersAsync(id, 3);
        // The running one reports its attempt once the worker pool has started it.
        var listed = await Eventually.MatchAsync(async () => await Http.GetFromJsonAsync<JsonElement>($"api/events/{id}/jobs"),
            l => l.GetArrayLength() == 3 && l[0].TryGetProperty("attempt", out _), TimeSpan.FromSeconds(20), "the first job to run", 100);
        Assert.Equal(jobs, listed.EnumerateArray().Select(j => j.GetProperty("jobId").GetString()));
        Assert.Equal(["Running", "Queued", "Queued"], listed.EnumerateArray().Select(j => j.GetProperty("state").GetString()));
        var running = listed[0];
        Assert.Equal((1, 1), (running.GetProperty("delivery").GetInt32(), running.GetProperty("attempt").GetInt32()));
        Assert.True(running.GetProperty("startedAt").GetDateTimeOffset() >= running.GetProperty("enqueuedAt").GetDateTimeOffset());
        Assert.False(listed[1].TryGetProperty("startedAt", out _)); // null, so left out: it has not started
        Assert.Equal(0, listed[1].GetProperty("delivery").GetInt32());

        var first = await Http.GetFromJsonAsync<JsonElement>($"api/events/{id}/jobs?limit=1");
        Assert.Equal([jobs[0]], first.EnumerateArray().Select(j => j.GetProperty("jobId").GetString()));
        foreach (var bad in (string[])["0", "-1", "abc", "1001"])
        {
            using var refused = await Http.GetAsync($"api/events/{id}/jobs?limit={bad}");
            await AssertProblemAsync(refused, HttpStatusCode.BadRequest, "VALIDATION", $"limit={bad}");
            Assert.Contains(bad == "1001" ? "between 1 and 1000" : $"'{bad}'", await refused.Content.ReadAsStringAsync());
        }
        using (var unknown = await Http.GetAsync($"api/events/{WebSiloFixture.NewId("ev-none")}/jobs"))
            await AssertProblemAsync(unknown, HttpStatusCode.NotFound, "NOT_FOUND");
        using (var badId = await Http.GetAsync($"api/events/{new string('x', 201)}/jobs"))
            await AssertProblemAsync(badId, HttpStatusCode.BadRequest, "VALIDATION");

        // Cancelled jobs leave the list: nothing in flight afterwards.
        using (var waiting = await Http.PostAsync($"api/events/{id}/jobs/cancel-waiting", null)) Assert.Equal(HttpStatusCode.OK, waiting.StatusCode);
        using (var stop = await Http.PostAsync($"api/events/{id}/jobs/{jobs[0]}/cancel", null)) Assert.Equal(HttpStatusCode.NoContent, stop.StatusCode);
        await Eventually.TrueAsync(async () => (await Http.GetFromJsonAsync<JsonElement>($"api/events/{id}/jobs")).GetArrayLength() == 0,
            TimeSpan.FromSeconds(20), "no job in flight after the cancels");
        using var removed = await Http.DeleteAsync($"api/events/{id}");
        Assert.Equal(HttpStatusCode.NoContent, removed.StatusCode);
    }

    [Fact]
    public async Task Next_fires_are_previewed_in_order_and_bad_counts_are_refused()
    {
        var id = await web.SaveEventAsync("echo");
        var triggerId = WebSiloFixture.NewId("tr");
        using var attached = await Http.PostAsync($"api/events/{id}/triggers",
            WebSiloFixture.Json($$"""{"id":"{{triggerId}}","kind":"INTERVAL","interval":"01:00:00","anchor":"2026-01-01T00:30:00Z","overlap":"BufferOne"}"""));
        Assert.Equal(HttpStatusCode.Created, attached.StatusCode);

        var preview = await Http.GetFromJsonAsync<JsonElement>($"api/triggers/{triggerId}/next?count=3");
        var fires = preview.GetProperty("fires").EnumerateArray().Select(f => f.GetDateTimeOffset()).ToList();
        Assert.Equal(3, fires.Count);
        Assert.All(fires, f => Assert.Equal((30, 0), (f.Minute, f.Second))); // on the anchor's grid
        Assert.Equal([TimeSpan.FromHours(1), TimeSpan.FromHours(1)], fires.Zip(fires.Skip(1), (a, b) => b - a));
        var status = await Http.GetFromJsonAsync<JsonElement>($"api/triggers/{triggerId}");
        Assert.Equal(fires[0], status.GetProperty("nextFire").GetDateTimeOffset());
        Assert.Equal("BufferOne", status.GetProperty("trigger").GetProperty("overlap").GetString());
        Assert.Equal(10, (await Http.GetFromJsonAsync<JsonElement>($"api/triggers/{triggerId}/next")).GetProperty("fires").GetArrayLength());

        // Paused, it has no fire ahead; resumed, the same schedule again.
        using (var paused = await Http.PostAsync($"api/triggers/{triggerId}/pause", null)) Assert.Equal(HttpStatusCode.NoContent, paused.StatusCode);
        Assert.True((await Http.GetFromJsonAsync<JsonElement>($"api/triggers/{triggerId}")).GetProperty("paused").GetBoolean());
        Assert.Equal(0, (await Http.GetFromJsonAsync<JsonElement>($"api/triggers/{triggerId}/next")).GetProperty("fires").GetArrayLength());
        using (var resumed = await Http.PostAsync($"api/triggers/{triggerId}/resume", null)) Assert.Equal(HttpStatusCode.NoContent, resumed.StatusCode);
        var again = await Http.GetFromJsonAsync<JsonElement>($"api/triggers/{triggerId}/next?count=3");
        Assert.Equal(fires, again.GetProperty("fires").EnumerateArray().Select(f => f.GetDateTimeOffset()));
        using (var unknownPause = await Http.PostAsync($"api/triggers/{WebSiloFixture.NewId("tr")}/pause", null))
            await AssertProblemAsync(unknownPause, HttpStatusCode.NotFound, "NOT_FOUND");

        foreach (var bad in new[] { "0", "1001", "-1", "ten" })
        {
            using var refused = await Http.GetAsync($"api/triggers/{triggerId}/next?count={bad}");
            await AssertProblemAsync(refused, HttpStatusCode.BadRequest, "VALIDATION", bad);
        }
        using var unknown = await Http.GetAsync($"api/triggers/{WebSiloFixture.NewId("tr")}/next");
        await AssertProblemAsync(unknown, HttpStatusCode.NotFound, "NOT_FOUND");
    }

    [Fact]
    public async Task A_backfill_answers_202_with_its_report_runs_each_instant_once_and_refusals_are_problems()
    {
        var id = await web.SaveEventAsync("echo");
        var triggerId = WebSiloFixture.NewId("tr");
        using (var attached = await Http.PostAsync($"api/events/{id}/triggers",
                   WebSiloFixture.Json($$"""{"id":"{{triggerId}}","kind":"INTERVAL","interval":"01:00:00","anchor":"2026-01-01T00:30:00Z"}""")))
            Assert.Equal(HttpStatusCode.Created, attached.StatusCode);
        var range = WebSiloFixture.Json("""{"from":"2026-01-01T00:00:00Z","to":"2026-01-01T06:00:00+00:00"}""");

        // The fixture's queue holds 2 waiting jobs (QueueMaxSize): one instant runs, two wait, three are refused.
        using var backfilled = await Http.PostAsync($"api/triggers/{triggerId}/backfill", range);
        Assert.Equal(HttpStatusCode.Accepted, backfilled.StatusCode);
        var report = await backfilled.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(triggerId, report.GetProperty("triggerId").GetString());
        Assert.Equal(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero), report.GetProperty("from").GetDateTimeOffset());
        Assert.Equal((6, 1, WebSiloFixture.QueueMaxSize + 1, 0, 0, 3), Counts(report));
        Assert.False(report.GetProperty("cut").GetBoolean());
        Assert.False(report.TryGetProperty("resumeFrom", out _));
        await WaitForRunsAsync(3);

        // The same request again: the three that ran are not run again, the refused ones are queued now; then nothing is left.
        Assert.Equal((6, 1, 3, 0, 3, 0), Counts(await BackfillAsync()));
        await WaitForRunsAsync(6);
        Assert.Equal((6, 1, 0, 0, 6, 0), Counts(await BackfillAsync()));
        var runs = (await Http.GetFromJsonAsync<JsonElement>($"api/events/{id}/history")).EnumerateArray().ToList();
        Assert.All(runs, r => Assert.Equal("OK", r.GetProperty("outcome").GetProperty("status").GetString()));

        // Every refusal is a problem, and changes nothing.
        var hook = WebSiloFixture.NewId("tr");
        using (var attached = await Http.PostAsync($"api/events/{id}/triggers", WebSiloFixture.Json($$"""{"id":"{{hook}}","kind":"EXTERNAL"}""")))
            Assert.Equal(HttpStatusCode.Created, attached.StatusCode);
        var future = DateTimeOffset.UtcNow.AddDays(1).ToString("O");
        foreach (var (trigger, body, status, kind, detail) in new[]
        {
            (triggerId, $$"""{"from":"2026-01-01T00:00:00Z","to":"{{future}}"}""", HttpStatusCode.BadRequest, "VALIDATION", "in the future"),
            (triggerId, """{"from":"2026-01-01T06:00:00Z","to":"2026-01-01T00:00:00Z"}""", HttpStatusCode.BadRequest, "VALIDATION", "must be before"),
            (triggerId, """{"from":"2024-01-01T00:00:00Z","to":"2026-01-01T00:00:00Z"}""", HttpStatusCode.BadRequest, "VALIDATION", "BackfillMaxRange"),
            (triggerId, """{"from":"2026-01-01T00:00:00Z"}""", HttpStatusCode.BadRequest, "VALIDATION", "both required"),
            (triggerId, """{"from":"2026-01-01T00:00:00Z","to":"yesterday"}""", HttpStatusCode.BadRequest, "VALIDATION", "$.to"),
            (triggerId, """{"from":"2026-01-01T00:00:00Z","to":"2026-01-02T00:00:00Z","count":3}""", HttpStatusCode.BadRequest, "VALIDATION", "count"),
            (hook, """{"from":"2026-01-01T00:00:00Z","to":"2026-01-02T00:00:00Z"}""", HttpStatusCode.BadRequest, "VALIDATION", "has no schedule"),
            (WebSiloFixture.NewId("tr"), """{"from":"2026-01-01T00:00:00Z","to":"2026-01-02T00:00:00Z"}""", HttpStatusCode.NotFound, "NOT_FOUND", "does not exist"),
        })
        {
            using var refused = await Http.PostAsync($"api/triggers/{trigger}/backfill", WebSiloFixture.Json(body));
            await AssertProblemAsync(refused, status, kind, body);
            Assert.Contains(detail, (await refused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString());
        }
        using (var paused = await Http.PostAsync($"api/triggers/{triggerId}/pause", null)) Assert.Equal(HttpStatusCode.NoContent, paused.StatusCode);
        using (var refused = await Http.PostAsync($"api/triggers/{triggerId}/backfill", WebSiloFixture.Json("""{"from":"2025-12-31T00:00:00Z","to":"2026-01-01T00:00:00Z"}""")))
            await AssertProblemAsync(refused, HttpStatusCode.Conflict, "NOT_ACTIVE", "paused");
        using (var notJson = await Http.PostAsync($"api/triggers/{triggerId}/backfill", new StringContent("from=x", System.Text.Encoding.UTF8, "application/x-www-form-urlencoded")))
            Assert.Equal(HttpStatusCode.UnsupportedMediaType, notJson.StatusCode);
        await Task.Delay(300);
        Assert.Equal(6, (await Http.GetFromJsonAsync<JsonElement>($"api/events/{id}/history")).GetArrayLength());

        static (int, int, int, int, int, int) Counts(JsonElement r) => (r.GetProperty("instants").GetInt32(), r.GetProperty("events").GetInt32(),
            r.GetProperty("queued").GetInt32(), r.GetProperty("skipped").GetInt32(), r.GetProperty("alreadyBackfilled").GetInt32(), r.GetProperty("refused").GetInt32());

        async Task<JsonElement> BackfillAsync()
        {
            using var answer = await Http.PostAsync($"api/triggers/{triggerId}/backfill", WebSiloFixture.Json("""{"from":"2026-01-01T00:00:00Z","to":"2026-01-01T06:00:00Z"}"""));
            Assert.Equal(HttpStatusCode.Accepted, answer.StatusCode);
            return await answer.Content.ReadFromJsonAsync<JsonElement>();
        }

        Task WaitForRunsAsync(int count) => Eventually.TrueAsync(
            async () => (await Http.GetFromJsonAsync<JsonElement>($"api/events/{id}/history")).GetArrayLength() == count, TimeSpan.FromSeconds(30), $"{count} runs");
    }

    [Fact]
    public async Task Calendars_are_saved_listed_applied_to_previews_and_removed_once_unused()
    {
        var name = WebSiloFixture.NewId("cal");
        using (var saved = await Http.PutAsync($"api/calendars/{name}", WebSiloFixture.Json("""
            {"timeZone":"Europe/Berlin","rules":[{"kind":"Cron","cron":"* * * * 0,6"},{"kind":"OutsideDailyWindow","start":"09:00","end":"17:00"}]}
            """)))
            Assert.Equal(HttpStatusCode.OK, saved.StatusCode);
        var got = await Http.GetFromJsonAsync<JsonElement>($"api/calendars/{name}");
        Assert.Equal(name, got.GetProperty("name").GetString());
        Assert.Equal("OutsideDailyWindow", got.GetProperty("rules")[1].GetProperty("kind").GetString());
        Assert.Contains((await Http.GetFromJsonAsync<JsonElement>("api/calendars")).EnumerateArray(), c => c.GetProperty("name").GetString() == name);

        // An hourly trigger with the calendar fires on weekdays from 09:00 to 16:30 Berlin time only.
        var id = await web.SaveEventAsync("echo");
        var triggerId = WebSiloFixture.NewId("tr");
        using (var attached = await Http.PostAsync($"api/events/{id}/triggers",
                   WebSiloFixture.Json($$"""{"id":"{{triggerId}}","kind":"INTERVAL","interval":"01:00:00","anchor":"2026-01-01T00:30:00Z","calendars":["{{name}}"]}""")))
            Assert.Equal(HttpStatusCode.Created, attached.StatusCode);
        var berlin = TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin");
        var fires = (await Http.GetFromJsonAsync<JsonElement>($"api/triggers/{triggerId}/next?count=50")).GetProperty("fires").EnumerateArray()
            .Select(f => TimeZoneInfo.ConvertTime(f.GetDateTimeOffset(), berlin)).ToList();
        Assert.Equal(50, fires.Count);
        Assert.All(fires, f => Assert.True(f.DayOfWeek is not (DayOfWeek.Saturday or DayOfWeek.Sunday) && f.Hour is >= 9 and < 17, $"{f} is excluded"));

        // Every refusal is a problem, and changes nothing.
        using (var inUse = await Http.DeleteAsync($"api/calendars/{name}"))
        {
            await AssertProblemAsync(inUse, HttpStatusCode.Conflict, "CONFLICT");
            Assert.Contains(triggerId, await inUse.Content.ReadAsStringAsync()); // says who holds it
        }
        using (var bad = await Http.PutAsync($"api/calendars/{name}", WebSiloFixture.Json("""{"rules":[{"kind":"Annual","month":2,"day":30}]}""")))
            await AssertProblemAsync(bad, HttpStatusCode.BadRequest, "VALIDATION", "day must be between 1 and 29");
        using (var other = await Http.PutAsync($"api/calendars/{name}", WebSiloFixture.Json("""{"name":"other","rules":[{"kind":"Date","date":"2027-01-01"}]}""")))
            await AssertProblemAsync(other, HttpStatusCode.BadRequest, "VALIDATION", "differs");
        using (var typo = await Http.PutAsync($"api/calendars/{name}", WebSiloFixture.Json("""{"rules":[{"kind":"Date","dat":"2027-01-01"}]}""")))
            await AssertProblemAsync(typo, HttpStatusCode.BadRequest, "VALIDATION");
        Assert.Equal(2, (await Http.GetFromJsonAsync<JsonElement>($"api/calendars/{name}")).GetProperty("rules").GetArrayLength());
        var unknownCalendar = WebSiloFixture.NewId("cal");
        using (var unknown = await Http.PostAsync($"api/events/{id}/triggers",
                   WebSiloFixture.Json($$"""{"id":"{{WebSiloFixture.NewId("tr")}}","kind":"Cron","cron":"0 * * * *","calendars":["{{unknownCalendar}}"]}""")))
        {
            await AssertProblemAsync(unknown, HttpStatusCode.NotFound, "NOT_FOUND");
            Assert.Contains($"calendar '{unknownCalendar}' does not exist", await unknown.Content.ReadAsStringAsync());
        }
        using (var atWithCalendar = await Http.PostAsync($"api/events/{id}/triggers",
                   WebSiloFixture.Json($$"""{"id":"{{WebSiloFixture.NewId("tr")}}","kind":"AT","at":"2030-01-01T00:00:00Z","calendars":["{{name}}"]}""")))
            await AssertProblemAsync(atWithCalendar, HttpStatusCode.BadRequest, "VALIDATION", "only for INTERVAL and Cron");

        using (var detached = await Http.DeleteAsync($"api/events/{id}/triggers/{triggerId}")) Assert.Equal(HttpStatusCode.NoContent, detached.StatusCode);
        using (var removed = await Http.DeleteAsync($"api/calendars/{name}")) Assert.Equal(HttpStatusCode.NoContent, removed.StatusCode);
        using (var gone = await Http.GetAsync($"api/calendars/{name}")) await AssertProblemAsync(gone, HttpStatusCode.NotFound, "NOT_FOUND");
        using (var again = await Http.DeleteAsync($"api/calendars/{name}")) await AssertProblemAsync(again, HttpStatusCode.NotFound, "NOT_FOUND");
    }

    [Fact]
    public async Task Only_EXTERNAL_triggers_fire_from_outside_and_unknown_ones_are_404()
    {
        var id = await web.SaveEventAsync("echo");
        var triggerId = WebSiloFixture.NewId("tr");
        using var attached = await Http.PostAsync($"api/events/{id}/triggers", WebSiloFixture.Json($$"""{"id":"{{triggerId}}","kind":"INTERVAL","interval":"01:00:00"}"""));
        Assert.Equal(HttpStatusCode.Created, attached.StatusCode);

        using var interval = await Http.PostAsync($"api/triggers/{triggerId}/fire", null);
        await AssertProblemAsync(interval, HttpStatusCode.BadRequest, "VALIDATION");
        using var unknown = await Http.PostAsync($"api/triggers/{WebSiloFixture.NewId("tr")}/fire", null);
        await AssertProblemAsync(unknown, HttpStatusCode.NotFound, "NOT_FOUND");
        using var unknownStatus = await Http.GetAsync($"api/triggers/{WebSiloFixture.NewId("tr")}");
        await AssertProblemAsync(unknownStatus, HttpStatusCode.NotFound, "NOT_FOUND");
    }

    [Fact]
    public async Task Pause_refuses_emits_with_409_and_resume_accepts_them_again()
    {
        var id = await web.SaveEventAsync("echo");
        using var paused = await Http.PostAsync($"api/events/{id}/pause", null);
        Assert.Equal(HttpStatusCode.NoContent, paused.StatusCode);
        Assert.False((await Http.GetFromJsonAsync<JsonElement>($"api/events/{id}/status")).GetProperty("active").GetBoolean());

        using var refused = await Http.PostAsync($"api/events/{id}/emit", WebSiloFixture.Json("{}"));
        await AssertProblemAsync(refused, HttpStatusCode.Conflict, "NOT_ACTIVE");

        using var resumed = await Http.PostAsync($"api/events/{id}/resume", null);
        Assert.Equal(HttpStatusCode.NoContent, resumed.StatusCode);
        using var accepted = await Http.PostAsync($"api/events/{id}/emit", null);
        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        Assert.Equal("OK", (await web.WaitForOutcomeAsync(id)).GetProperty("lastOutcome").GetProperty("status").GetString());

        using var unknown = await Http.PostAsync($"api/events/{WebSiloFixture.NewId()}/pause", null);
        await AssertProblemAsync(unknown, HttpStatusCode.NotFound, "NOT_FOUND");
    }

    [Fact]
    public async Task A_full_queue_refuses_emits_with_429()
    {
        // Concurrency 1: the first job runs (sleeping), the next QueueMaxSize wait, the one after is refused.
        var id = await web.SaveEventAsync("sleep", """{"maxConcurrency":1,"timeoutSec":30}""");
        for (var i = 0; i <= WebSiloFixture.QueueMaxSize; i++)
        {
            using var ok = await Http.PostAsync($"api/events/{id}/emit", WebSiloFixture.Json("""{"seconds":2}"""));
            Assert.Equal(HttpStatusCode.Accepted, ok.StatusCode);
        }
        using var full = await Http.PostAsync($"api/events/{id}/emit", WebSiloFixture.Json("""{"seconds":2}"""));
        await AssertProblemAsync(full, HttpStatusCode.TooManyRequests, "QUEUE_FULL");
        await Http.PostAsync($"api/events/{id}/pause", null); // the queued sleepers still run out; no new ones
    }

    [Fact]
    public async Task Bad_input_gets_400_problem_json_and_changes_nothing()
    {
        var id = WebSiloFixture.NewId();
        // Malformed JSON, a typo'd property, an invalid policy, an id differing from the route, no body.
        foreach (var body in (string[])[
            """{"name":"x","handlerName":""",
            """{"name":"x","handlerName":"echo","activ":false}""",
            """{"name":"x","handlerName":"echo","policy":{"maxConcurrency":0}}""",
            """{"name":"","handlerName":"echo"}""",
            $$"""{"id":"{{id}}-other","name":"x","handlerName":"echo"}""",
            ""])
        {
            using var response = await Http.PutAsync($"api/events/{id}", WebSiloFixture.Json(body));
            await AssertProblemAsync(response, HttpStatusCode.BadRequest, "VALIDATION", body);
        }
        using var missing = await Http.GetAsync($"api/events/{id}");
        await AssertProblemAsync(missing, HttpStatusCode.NotFound, "NOT_FOUND");
        Assert.DoesNotContain((await Http.GetFromJsonAsync<JsonElement>("api/events")).EnumerateArray(), e => e.GetProperty("id").GetString()!.StartsWith(id));

        using var badId = await Http.PutAsync("api/events/bad%20id!", WebSiloFixture.Json("""{"name":"x","handlerName":"echo"}"""));
        await AssertProblemAsync(badId, HttpStatusCode.BadRequest, "VALIDATION");

        // On an existing event: bad emits, triggers and limits leave its queue, history and triggers as they were.
        var real = await web.SaveEventAsync("echo");
        using var notJson = await Http.PostAsync($"api/events/{real}/emit", WebSiloFixture.Json("{not json"));
        await AssertProblemAsync(notJson, HttpStatusCode.BadRequest, "VALIDATION");
        foreach (var trigger in (string[])["""{"id":"tr-bad","kind":"INTERVAL"}""", """{"id":"tr-bad","kind":"INTERVAL","interval":"-00:00:01"}""", """{"id":"tr-bad","kind":"SOMETIMES"}"""])
        {
            using var response = await Http.PostAsync($"api/events/{real}/triggers", WebSiloFixture.Json(trigger));
            await AssertProblemAsync(response, HttpStatusCode.BadRequest, "VALIDATION", trigger);
        }
        foreach (var limit in (string[])["abc", "0", "-3"])
        {
            using var response = await Http.GetAsync($"api/events/{real}/history?limit={limit}");
            await AssertProblemAsync(response, HttpStatusCode.BadRequest, "VALIDATION", limit);
        }
        Assert.Equal(0, (await Http.GetFromJsonAsync<JsonElement>($"api/events/{real}/triggers")).GetArrayLength());
        Assert.Equal(0, (await Http.GetFromJsonAsync<JsonElement>($"api/events/{real}/history")).GetArrayLength());
        var status = await Http.GetFromJsonAsync<JsonElement>($"api/events/{real}/status");
        Assert.Equal(0, status.GetProperty("queueDepth").GetInt32());
        Assert.False(status.TryGetProperty("lastOutcome", out _));

        using var noRoute = await Http.GetAsync("api/nothing-here");
        Assert.Equal(HttpStatusCode.NotFound, noRoute.StatusCode);
        Assert.Equal("application/problem+json", noRoute.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Bodies_over_MaxPayloadBytes_get_413_and_change_nothing()
    {
        var id = await web.SaveEventAsync("echo");
        var atLimit = "\"" + new string('a', WebSiloFixture.MaxPayloadBytes - 2) + "\"";
        var overLimit = "\"" + new string('a', WebSiloFixture.MaxPayloadBytes - 1) + "\"";

        using var tooLarge = await Http.PostAsync($"api/events/{id}/emit", WebSiloFixture.Json(overLimit));
        await AssertProblemAsync(tooLarge, HttpStatusCode.RequestEntityTooLarge, "PAYLOAD_TOO_LARGE");
        // Chunked (no Content-Length): counted as it arrives.
        var chunked = new StreamContent(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(overLimit + new string(' ', 10_000))));
        chunked.Headers.ContentLength = null;
        using var chunkedRequest = new HttpRequestMessage(HttpMethod.Post, $"api/events/{id}/emit") { Content = chunked };
        chunkedRequest.Headers.TransferEncodingChunked = true;
        using var tooLargeChunked = await Http.SendAsync(chunkedRequest);
        await AssertProblemAsync(tooLargeChunked, HttpStatusCode.RequestEntityTooLarge, "PAYLOAD_TOO_LARGE");
        using var fireTooLarge = await Http.PostAsync($"api/triggers/{WebSiloFixture.NewId("tr")}/fire", WebSiloFixture.Json(overLimit));
        await AssertProblemAsync(fireTooLarge, HttpStatusCode.RequestEntityTooLarge, "PAYLOAD_TOO_LARGE");
        using var saveTooLarge = await Http.PutAsync($"api/events/{id}", WebSiloFixture.Json(
            "{\"name\":\"x\",\"handlerName\":\"log\",\"metadata\":{\"blob\":" + overLimit + "}}"));
        await AssertProblemAsync(saveTooLarge, HttpStatusCode.RequestEntityTooLarge, "PAYLOAD_TOO_LARGE");

        Assert.Equal("echo", (await Http.GetFromJsonAsync<JsonElement>($"api/events/{id}")).GetProperty("handlerName").GetString());
        var snapshot = await Http.GetFromJsonAsync<JsonElement>("api/metrics");
        Assert.Equal(0, Counter(snapshot, MetricNames.JobsEnqueued, id));

        using var fits = await Http.PostAsync($"api/events/{id}/emit", WebSiloFixture.Json(atLimit));
        Assert.Equal(HttpStatusCode.Accepted, fits.StatusCode);
        Assert.Equal("OK", (await web.WaitForOutcomeAsync(id)).GetProperty("lastOutcome").GetProperty("status").GetString());
    }

    [Fact]
    public async Task Health_probes_answer_and_metrics_are_scraped_in_Prometheus_text()
    {
        using var healthz = await Http.GetAsync("healthz");
        Assert.Equal(HttpStatusCode.OK, healthz.StatusCode);
        Assert.Equal("Healthy", await healthz.Content.ReadAsStringAsync());
        using var readyz = await Http.GetAsync("readyz");
        Assert.Equal(HttpStatusCode.OK, readyz.StatusCode);
        Assert.Equal("Healthy", await readyz.Content.ReadAsStringAsync());

        var id = await web.SaveEventAsync("echo");
        using var emitted = await Http.PostAsync($"api/events/{id}/emit", null);
        Assert.Equal(HttpStatusCode.Accepted, emitted.StatusCode);
        await web.WaitForOutcomeAsync(id);

        using var metrics = await Http.GetAsync("metrics");
        Assert.Equal(HttpStatusCode.OK, metrics.StatusCode);
        Assert.StartsWith("text/plain", metrics.Content.Headers.ContentType?.MediaType);
        var text = await metrics.Content.ReadAsStringAsync();
        // The orchestrator's meter: the run above, under its event id.
        Assert.Matches($@"(?m)^jobs_succeeded_total\{{[^}}]*otel_scope_name=""Orleans.ConvoOrchestrator""[^}}]*event_id=""{id}""[^}}]*\}} 1$", text);
        Assert.Matches($@"(?m)^job_duration_seconds_count\{{[^}}]*event_id=""{id}""[^}}]*\}} 1$", text);
        // Orleans' meter: grain calls made by the run above (app requests) are counted.
        Assert.Matches(@"(?m)^orleans_app_requests_latency_milliseconds_count\{[^}]*otel_scope_name=""Microsoft.Orleans""[^}]*\} [1-9]", text);
        Assert.Contains("# TYPE ", text);
    }

    internal static long Counter(JsonElement snapshot, string name, string eventId) => snapshot.GetProperty("counters").EnumerateArray()
        .Where(c => c.GetProperty("name").GetString() == name && c.GetProperty("labels").TryGetProperty("event_id", out var e) && e.GetString() == eventId)
        .Sum(c => c.GetProperty("value").GetInt64());

    internal static async Task AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status, string kind, string? context = null)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"expected {(int)status}, got {(int)response.StatusCode} {body} ({context})");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(body).RootElement;
        Assert.Equal((int)status, problem.GetProperty("status").GetInt32());
        Assert.Equal(kind, problem.GetProperty("kind").GetString());
        Assert.False(string.IsNullOrWhiteSpace(problem.GetProperty("detail").GetString()), body);
    }
}
