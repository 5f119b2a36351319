using System.Net;
using Microsoft.Playwright;
using Orleans.ConvoOrchestrator.Tests.Support;

namespace Orleans.ConvoOrchestrator.Tests;

/// <summary>
/// The events page (/) and the Orleans dashboard (/dashboard) in a real headless browser: Debian's chromium
/// driven by Playwright (tests/setup/chromium.sh installs it). Screenshots land in TestResults/screenshots.
/// </summary>
[Collection(WebSiloCollection.Name)]
[Trait(Lane.Name, Lane.System)]
public sealed class EventsPageBrowserTests(WebSiloFixture web) : IAsyncLifetime
{
    private HeadlessChromium? _chromium;

    public async Task InitializeAsync() => _chromium = await HeadlessChromium.LaunchAsync();

    public async Task DisposeAsync()
    {
        if (_chromium is not null) await _chromium.DisposeAsync();
    }

    [Fact]
    public async Task The_page_shows_a_saved_event_and_its_last_outcome_after_an_emit_without_a_reload()
    {
        var http = web.Http;
        var id = await web.SaveEventAsync("echo", """{"timeoutSec":5,"maxConcurrency":2}""", id: WebSiloFixture.NewId("ev-hello"));
        // Company for the screenshot: a failing event with a retry, a scheduled one with triggers, a paused one.
        var failing = await web.SaveEventAsync("fail", """{"maxRetries":1}""", id: WebSiloFixture.NewId("ev-import"));
        var scheduled = await web.SaveEventAsync("log", id: WebSiloFixture.NewId("ev-report"));
        var paused = await web.SaveEventAsync("log", active: false, id: WebSiloFixture.NewId("ev-legacy"));
        var interval = WebSiloFixture.NewId("tr-every-5s");
        Assert.Equal(HttpStatusCode.Created, (await http.PostAsync($"api/events/{scheduled}/triggers",
            WebSiloFixture.Json($$"""{"id":"{{interval}}","kind":"INTERVAL","interval":"00:00:05"}"""))).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await http.PostAsync($"api/events/{scheduled}/triggers",
            WebSiloFixture.Json($$"""{"id":"{{WebSiloFixture.NewId("tr-nightly")}}","kind":"Cron","cron":"0 30 2 * * *","timeZone":"Europe/Berlin"}"""))).StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, (await http.PostAsync($"api/events/{failing}/emit", WebSiloFixture.Json("""{"message":"upstream answered 502"}"""))).StatusCode);

        var page = await _chromium!.Browser.NewPageAsync(new() { ViewportSize = new() { Width = 1440, Height = 1000 } });
        var errors = new List<string>();
        page.PageError += (_, e) => errors.Add(e);
        var response = await page.GotoAsync(web.Silo.BaseUrl.ToString());
        Assert.Equal(200, response!.Status);

        var card = page.Locator($"[data-event-id='{id}']");
        await Assertions.Expect(card).ToBeVisibleAsync();
        await Assertions.Expect(card.Locator("h2")).ToHaveTextAsync($"{id} event");
        await Assertions.Expect(card.Locator("[data-role=handler]")).ToHaveTextAsync("echo");
        await Assertions.Expect(card.Locator("[data-role=active]")).ToHaveTextAsync("active");
        await Assertions.Expect(card.Locator("[data-role=last-status]")).ToHaveTextAsync("no run yet");
        await Assertions.Expect(page.Locator($"[data-event-id='{paused}'] [data-role=active]")).ToHaveTextAsync("paused");

        // Emit while the page is open: its refresh (every 2 s) must bring the outcome in, no reload.
        Assert.Equal(HttpStatusCode.Accepted, (await http.PostAsync($"api/events/{id}/emit", WebSiloFixture.Json("""{"msg":"hello from the browser test"}"""))).StatusCode);
        var live = new LocatorAssertionsToHaveTextOptions { Timeout = 30_000 };
        await Assertions.Expect(card.Locator("[data-role=last-status]")).ToHaveTextAsync("OK", live);
        await Assertions.Expect(card).ToHaveAttributeAsync("data-last-status", "OK");
        await Assertions.Expect(card.Locator(".detail")).ToContainTextAsync("hello from the browser test");
        await Assertions.Expect(card.Locator("[data-counter=jobs_succeeded_total] b")).ToHaveTextAsync("1", live);
        await Assertions.Expect(card.Locator("[data-role=history] .h.ok")).ToHaveCountAsync(1);
        await Assertions.Expect(page.Locator($"[data-event-id='{failing}'] [data-role=last-status]")).ToHaveTextAsync("ERR", live);
        await Assertions.Expect(page.Locator($"[data-event-id='{scheduled}'] .trigger")).ToHaveCountAsync(2);
        await Assertions.Expect(page.Locator($"[data-event-id='{scheduled}'] [data-role=next-run] time")).ToContainTextAsync("in ");
        await Assertions.Expect(page.Locator("#live-text")).ToContainTextAsync("live");

        await page.ScreenshotAsync(new() { Path = Path.Combine(HeadlessChromium.Screenshots, "events-page.png"), FullPage = true });
        Assert.Empty(errors);
        await http.PostAsync($"api/events/{scheduled}/pause", null);
    }

    [Fact]
    public async Task The_Orleans_dashboard_renders()
    {
        var page = await _chromium!.Browser.NewPageAsync(new() { ViewportSize = new() { Width = 1440, Height = 900 } });
        var response = await page.GotoAsync(new Uri(web.Silo.BaseUrl, "dashboard").ToString());
        Assert.Equal(200, response!.Status);
        // The dashboard is a script application fed by its own API: wait for live cluster numbers, not just HTML.
        await Assertions.Expect(page.GetByText("Active Silos", new() { Exact = false }).First).ToBeVisibleAsync(new() { Timeout = 30_000 });
        await Assertions.Expect(page.GetByText("Total Activations", new() { Exact = false }).First).ToBeVisibleAsync(new() { Timeout = 30_000 });
        await page.ScreenshotAsync(new() { Path = Path.Combine(HeadlessChromium.Screenshots, "dashboard.png") });
    }
}
