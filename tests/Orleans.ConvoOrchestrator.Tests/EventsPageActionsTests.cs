using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Playwright;
using Orleans.ConvoOrchestrator.Tests.Support;

namespace Orleans.ConvoOrchestrator.Tests;

/// <summary>
/// The events page's actions in a real headless browser (Debian's chromium driven by Playwright), on a silo with an
/// admin and a read-only key: an admin pauses, resumes, runs, test-runs, cancels and requeues or discards from the
/// page, and the API agrees; a read-only key sees everything and no action button. With
/// <c>CONVO_UPDATE_DOCS_IMAGES=1</c> the screenshot also replaces docs/images/events-page-actions.png.
/// </summary>
[Trait(Lane.Name, Lane.System)]
public sealed class EventsPageActionsTests(EventsPageActionsTests.KeyedSilo fixture) : IClassFixture<EventsPageActionsTests.KeyedSilo>, IAsyncLifetime
{
    private const string AdminKey = "page-admin-0123456789abcdef";
    private const string ReadKey = "page-reader-0123456789abcdef";
    private static readonly LocatorAssertionsToHaveTextOptions Live = new() { Timeout = 30_000 };
    private static readonly LocatorAssertionsToBeVisibleOptions Shown = new() { Timeout = 30_000 };
    private HeadlessChromium? _chromium;

    /// <summary>One silo on loopback with an admin key and a read-only key.</summary>
    public sealed class KeyedSilo : IAsyncLifetime
    {
        public WebSiloProcess Silo { get; private set; } = null!;

        public async Task InitializeAsync() => Silo = await WebSiloProcess.StartAsync(["--api-key", AdminKey, "--read-only-api-keys", ReadKey]);

        public async Task DisposeAsync()
        {
            if (Silo is not null) await Silo.DisposeAsync();
        }
    }

    public async Task InitializeAsync() => _chromium = await HeadlessChromium.LaunchAsync();

    public async Task DisposeAsync()
    {
        if (_chromium is not null) await _chromium.DisposeAsync();
    }

    [Fact]
    public async Task An_admin_pauses_resumes_runs_cancels_requeues_and_discards_from_the_page_and_the_API_agrees()
    {
        using var api = fixture.Silo.CreateClient(AdminKey);
        var report = await SaveEventAsync(api, "ev-report", "log");
        var orders = await SaveEventAsync(api, "ev-orders", "sleep", """{"timeoutSec":120,"maxConcurrency":1}""");
        var import = await SaveEventAsync(api, "ev-import", "fail");
        var (page, errors) = await OpenPageAsync(AdminKey);
        var card = page.Locator($"[data-event-id='{report}']");
        await Assertions.Expect(card).ToBeVisibleAsync(Shown);

        // The cookie opens the page, never a change: the page's script sends the key in X-Api-Key itself.
        var cookieOnly = await page.EvaluateAsync<int>($"fetch('api/events/{report}/pause', {{ method: 'POST' }}).then(r => r.status)");
        Assert.Equal(401, cookieOnly);
        Assert.True((await GetEventAsync(api, report)).GetProperty("active").GetBoolean());

        // Pause; a run now is then refused, and the page shows the problem's message.
        await card.Locator("[data-act=pause]").ClickAsync();
        await ExpectNoticeAsync(page, "ok", $"Paused {report}");
        Assert.False((await GetEventAsync(api, report)).GetProperty("active").GetBoolean());
        await Assertions.Expect(card.Locator("[data-role=active]")).ToHaveTextAsync("paused", Live);
        await card.Locator("[data-act=run]").ClickAsync();
        await ExpectNoticeAsync(page, "error", $"NOT_ACTIVE: event '{report}' is inactive");
        Assert.Equal(0, (await HistoryAsync(api, report)).GetArrayLength());

        // Resume, run now, test run: each lands in the event's history.
        await card.Locator("[data-act=resume]").ClickAsync();
        await ExpectNoticeAsync(page, "ok", $"Resumed {report}");
        Assert.True((await GetEventAsync(api, report)).GetProperty("active").GetBoolean());
        await card.Locator("[data-act=run]").ClickAsync();
        await ExpectNoticeAsync(page, "ok", "Run now: job ");
        var ran = (await page.Locator("#notice-text").TextContentAsync())!.Split(' ')[3];
        await Eventually.TrueAsync(async () => (await HistoryAsync(api, report)).EnumerateArray()
            .Any(r => r.GetProperty("jobId").GetString() == ran && r.GetProperty("outcome").GetProperty("status").GetString() == "OK"),
            TimeSpan.FromSeconds(30), "the job run from the page to end OK");
        await card.Locator("[data-act=test]").ClickAsync();
        await ExpectNoticeAsync(page, "ok", $"Test run of {report}: OK");
        Assert.Equal(2, (await HistoryAsync(api, report)).GetArrayLength());

        // Cancel a running job from its event's Details panel, then every waiting one.
        var running = await EmitAsync(api, orders, """{"seconds":120}""");
        var next = await EmitAsync(api, orders, """{"seconds":120}""");
        var waiting = await EmitAsync(api, orders, """{"seconds":120}""");
        await page.Locator($"[data-event-id='{orders}'] [data-details]").ClickAsync();
        var panel = page.Locator("#details");
        await Assertions.Expect(panel.Locator($"tr[data-job-id='{running}'][data-state=running]")).ToBeVisibleAsync(Shown);
        await Assertions.Expect(panel.Locator($"tr[data-job-id='{waiting}'][data-state=queued]")).ToBeVisibleAsync(Shown);
        await panel.Locator($"tr[data-job-id='{running}'] [data-act=cancel]").ClickAsync();
        await ExpectNoticeAsync(page, "ok", $"Cancelled job {running} of {orders}");
        await Eventually.TrueAsync(async () => (await JobsAsync(api, orders)).EnumerateArray()
            .Any(j => j.GetProperty("jobId").GetString() == next && j.GetProperty("state").GetString() == "Running"), TimeSpan.FromSeconds(30), "the next job to run");
        await panel.Locator("[data-act=cancel-waiting]").ClickAsync();
        await ExpectNoticeAsync(page, "ok", $"Cancelled 1 waiting job(s) of {orders}");
        var cancelled = (await HistoryAsync(api, orders)).EnumerateArray().Where(r => r.GetProperty("outcome").GetProperty("status").GetString() == "CANCELLED")
            .Select(r => r.GetProperty("jobId").GetString()).Order();
        Assert.Equal(new[] { running, waiting }.Order(), cancelled);
        Assert.Equal([next], (await JobsAsync(api, orders)).EnumerateArray().Select(j => j.GetProperty("jobId").GetString()));
        await Assertions.Expect(panel.Locator("[data-role=runs] tr[data-status=CANCELLED]")).ToHaveCountAsync(2, new() { Timeout = 30_000 });

        // Requeue one failed job and discard another from the failed list.
        var requeue = await EmitAsync(api, import, """{"message":"card declined"}""");
        var discard = await EmitAsync(api, import, """{"message":"upstream answered 502"}""");
        await Eventually.TrueAsync(async () => (await FailedAsync(api, import)).GetArrayLength() == 2, TimeSpan.FromSeconds(30), "both jobs to fail");
        await page.Locator($"[data-event-id='{import}'] [data-details]").ClickAsync();
        await Assertions.Expect(panel.Locator($"[data-role=failed] tr[data-job-id='{requeue}']")).ToBeVisibleAsync(Shown);
        await Assertions.Expect(panel.Locator($"[data-role=failed] tr[data-job-id='{discard}'] .error")).ToContainTextAsync("upstream answered 502");
        await panel.Locator($"[data-role=failed] tr[data-job-id='{requeue}'] [data-act=requeue]").ClickAsync();
        await ExpectNoticeAsync(page, "ok", $"Requeued 1 failed job(s) of {import}");
        await panel.Locator($"[data-role=failed] tr[data-job-id='{discard}'] [data-act=discard]").ClickAsync(); // its confirm is accepted
        await ExpectNoticeAsync(page, "ok", $"Discarded 1 failed job(s) of {import}");

        // The requeued job ran again as delivery 2 (and failed again); the discarded one is gone; both were counted.
        var failed = await Eventually.MatchAsync(async () => await FailedAsync(api, import),
            f => f.EnumerateArray().Any(j => j.GetProperty("jobId").GetString() == requeue && j.GetProperty("outcome").GetProperty("delivery").GetInt32() == 2),
            TimeSpan.FromSeconds(30), "the requeued job to fail again as delivery 2", 100);
        Assert.Equal([requeue], failed.EnumerateArray().Select(j => j.GetProperty("jobId").GetString()));
        var metrics = await api.GetFromJsonAsync<JsonElement>("api/metrics");
        Assert.Equal(1, HttpApiTests.Counter(metrics, "jobs_requeued_total", import));
        Assert.Equal(1, HttpApiTests.Counter(metrics, "jobs_discarded_total", import));
        await Assertions.Expect(panel.Locator($"[data-role=failed] tr[data-job-id='{discard}']")).ToHaveCountAsync(0, new() { Timeout = 30_000 });

        // The picture for the README: cards with their actions, and the import event's panel with its failed list.
        await EmitAsync(api, import, """{"message":"timeout talking to the bank"}""");
        await Assertions.Expect(panel.Locator("[data-role=failed] tbody tr")).ToHaveCountAsync(2, new() { Timeout = 30_000 });
        await page.Locator("#notice-close").ClickAsync();
        await SaveScreenshotAsync(page, "events-page-actions.png");
        Assert.Empty(errors);

        using (await api.PostAsync($"api/events/{orders}/jobs/{next}/cancel", null)) { }
    }

    [Fact]
    public async Task A_read_only_key_sees_every_event_and_its_details_but_no_action_button()
    {
        using var api = fixture.Silo.CreateClient(AdminKey);
        var import = await SaveEventAsync(api, "ev-import-ro", "fail");
        var sleeper = await SaveEventAsync(api, "ev-sleep-ro", "sleep", """{"timeoutSec":120,"maxConcurrency":1}""");
        await EmitAsync(api, import, """{"message":"declined"}""");
        var job = await EmitAsync(api, sleeper, """{"seconds":120}""");
        await EmitAsync(api, sleeper, """{"seconds":120}""");
        await Eventually.TrueAsync(async () => (await FailedAsync(api, import)).GetArrayLength() == 1, TimeSpan.FromSeconds(30), "the job to fail");

        // The same HTML for both roles, but for the buttons: an admin's has them, a read-only key's has none.
        using var reader = fixture.Silo.CreateClient(ReadKey);
        foreach (var path in (string[])["", "ui/events", $"ui/events/{import}/details", $"ui/events/{sleeper}/details"])
        {
            var asAdmin = await api.GetStringAsync(path);
            var asReader = await reader.GetStringAsync(path);
            Assert.Contains("data-act=", asAdmin);
            Assert.DoesNotContain("data-act", asReader);
            Assert.Contains(path.Contains(import) ? "declined" : sleeper, asReader);
        }

        var (page, errors) = await OpenPageAsync(ReadKey);
        await Assertions.Expect(page.Locator($"[data-event-id='{import}']")).ToBeVisibleAsync(Shown);
        await page.Locator($"[data-event-id='{sleeper}'] [data-details]").ClickAsync();
        await Assertions.Expect(page.Locator($"#details tr[data-job-id='{job}'][data-state=running]")).ToBeVisibleAsync(Shown);
        await page.Locator($"[data-event-id='{import}'] [data-details]").ClickAsync();
        await Assertions.Expect(page.Locator("#details [data-role=failed] .error")).ToContainTextAsync("declined", new() { Timeout = 30_000 });
        await Assertions.Expect(page.Locator("[data-act]")).ToHaveCountAsync(0);
        Assert.Empty(errors);

        using (await api.PostAsync($"api/events/{sleeper}/jobs/cancel-waiting", null)) { }
        using (await api.PostAsync($"api/events/{sleeper}/jobs/{job}/cancel", null)) { }
    }

    // A browser page holding the key's cookie, as the key form leaves it; confirm dialogs are accepted.
    private async Task<(IPage Page, List<string> Errors)> OpenPageAsync(string key)
    {
        var context = await _chromium!.Browser.NewContextAsync(new() { ViewportSize = new() { Width = 1440, Height = 1000 } });
        await context.AddCookiesAsync([new Microsoft.Playwright.Cookie { Name = "convo_api_key", Value = key, Url = fixture.Silo.BaseUrl.ToString(), SameSite = SameSiteAttribute.Strict }]);
        var page = await context.NewPageAsync();
        var errors = new List<string>();
        page.PageError += (_, e) => errors.Add(e);
        page.Dialog += async (_, dialog) => await dialog.AcceptAsync();
        var response = await page.GotoAsync(fixture.Silo.BaseUrl.ToString());
        Assert.Equal(200, response!.Status);
        return (page, errors);
    }

    private static async Task ExpectNoticeAsync(IPage page, string tone, string text)
    {
        await Assertions.Expect(page.Locator("#notice-text")).ToContainTextAsync(text, new() { Timeout = 30_000 });
        await Assertions.Expect(page.Locator("#notice")).ToHaveClassAsync(new System.Text.RegularExpressions.Regex($"\\b{tone}\\b"));
    }

    // Always under TestResults/screenshots; with CONVO_UPDATE_DOCS_IMAGES=1 also the README's copy.
    private static async Task SaveScreenshotAsync(IPage page, string name)
    {
        var bytes = await page.ScreenshotAsync(new() { Path = Path.Combine(HeadlessChromium.Screenshots, name) });
        if (Environment.GetEnvironmentVariable("CONVO_UPDATE_DOCS_IMAGES") == "1")
        {
            var docs = Path.Combine(RepoPaths.Root, "docs", "images");
            Directory.CreateDirectory(docs);
            await File.WriteAllBytesAsync(Path.Combine(docs, name), bytes);
        }
    }

    private static async Task<string> SaveEventAsync(HttpClient api, string prefix, string handler, string? policyJson = null)
    {
        var id = WebSiloFixture.NewId(prefix);
        var body = $$"""{"name":"{{prefix[3..]}}","handlerName":"{{handler}}"{{(policyJson is null ? "" : ",\"policy\":" + policyJson)}}}""";
        using var saved = await api.PutAsync($"api/events/{id}", WebSiloFixture.Json(body));
        Assert.True(saved.IsSuccessStatusCode, $"saving {id}: {(int)saved.StatusCode} {await saved.Content.ReadAsStringAsync()}");
        return id;
    }

    private static async Task<string> EmitAsync(HttpClient api, string id, string payload)
    {
        using var emitted = await api.PostAsync($"api/events/{id}/emit", WebSiloFixture.Json(payload));
        Assert.Equal(HttpStatusCode.Accepted, emitted.StatusCode);
        return (await emitted.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("jobId").GetString()!;
    }

    private static Task<JsonElement> GetEventAsync(HttpClient api, string id) => api.GetFromJsonAsync<JsonElement>($"api/events/{id}");

    private static Task<JsonElement> HistoryAsync(HttpClient api, string id) => api.GetFromJsonAsync<JsonElement>($"api/events/{id}/history");

    private static Task<JsonElement> JobsAsync(HttpClient api, string id) => api.GetFromJsonAsync<JsonElement>($"api/events/{id}/jobs");

    private static Task<JsonElement> FailedAsync(HttpClient api, string id) => api.GetFromJsonAsync<JsonElement>($"api/events/{id}/failed");
}
