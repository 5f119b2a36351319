using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Microsoft.Playwright;
using Orleans.ConvoOrchestrator.Tests.Support;

namespace Orleans.ConvoOrchestrator.Tests;

/// <summary>
/// HTTP off loopback needs an API key: without one the silo refuses to start; with one every request but the
/// health probes must carry it.
/// </summary>
[Trait(Lane.Name, Lane.System)]
public sealed class HttpAuthTests(HttpAuthTests.KeyedSilo fixture) : IClassFixture<HttpAuthTests.KeyedSilo>
{
    private const string Key = "test-key-0123456789abcdef";
    private const string SecondAdminKey = "admin-two-0123456789abcdef";
    private const string ReadKey = "read-only-0123456789abcdef";
    private const string SecondReadKey = "read-two-0123456789abcdef";

    /// <summary>One silo bound to every interface (0.0.0.0) with <see cref="Key"/>.</summary>
    public sealed class KeyedSilo : IAsyncLifetime
    {
        public WebSiloProcess Silo { get; private set; } = null!;

        public async Task InitializeAsync() => Silo = await WebSiloProcess.StartAsync(
            ["--api-key", Key, "--admin-api-keys", SecondAdminKey, "--read-only-api-keys", $"{ReadKey}, {SecondReadKey}"], bind: "http://0.0.0.0:{port}");

        public async Task DisposeAsync()
        {
            if (Silo is not null) await Silo.DisposeAsync();
        }
    }

    [Theory]
    [InlineData("http://0.0.0.0:{port}")]
    [InlineData("http://*:{port}")]
    [InlineData("http://127.0.0.1:{port};http://[::]:{port}")]
    public async Task Binding_off_loopback_without_a_key_refuses_to_start_with_a_clear_message(string bind)
    {
        var silo = await WebSiloProcess.RunToExitAsync([], bind, TimeSpan.FromSeconds(60));
        await using var _ = silo;

        Assert.Equal(2, silo.ExitCode);
        Assert.Contains("without an API key", silo.Log);
        Assert.Contains("--api-key", silo.Log);
        Assert.DoesNotContain("silo is up", silo.Log);
        Assert.DoesNotContain("   at ", silo.Log); // a message, not a stack trace
    }

    [Theory]
    [InlineData(new[] { "--read-only-api-keys", "read-only-0123456789abcdef" }, "need the admin key ApiKey")]
    [InlineData(new[] { "--api-key", "test-key-0123456789abcdef", "--read-only-api-keys", "short" }, "every key in ReadOnlyApiKeys must be at least 16 characters")]
    [InlineData(new[] { "--api-key", "test-key-0123456789abcdef", "--read-only-api-keys", "test-key-0123456789abcdef" }, "cannot be both read-only")]
    public async Task Bad_key_settings_are_refused_with_a_clear_message(string[] args, string message)
    {
        var silo = await WebSiloProcess.RunToExitAsync(args, "http://0.0.0.0:{port}", TimeSpan.FromSeconds(60));
        await using var _ = silo;

        Assert.Equal(2, silo.ExitCode);
        Assert.Contains(message, silo.Log);
        Assert.DoesNotContain("silo is up", silo.Log);
    }

    [Fact]
    public async Task A_read_only_key_reads_everything_and_changes_nothing()
    {
        var silo = fixture.Silo;
        using var admin = silo.CreateClient(SecondAdminKey); // a second admin key does what the first does
        using (var saved = await admin.PutAsync("api/events/ev-roles", WebSiloFixture.Json("""{"name":"roles","handlerName":"echo"}""")))
            Assert.Equal(HttpStatusCode.OK, saved.StatusCode);

        foreach (var key in new[] { ReadKey, SecondReadKey })
        {
            using var reader = silo.CreateClient(key);
            foreach (var path in (string[])["api/events", "api/events/ev-roles/status", "api/metrics", "metrics", "ui/events", "dashboard/"])
            {
                using var read = await reader.GetAsync(path);
                Assert.True(read.StatusCode == HttpStatusCode.OK, $"{path} with a read-only key: {(int)read.StatusCode}");
            }
            using var write = await reader.PutAsync("api/events/ev-roles", WebSiloFixture.Json("""{"name":"changed","handlerName":"echo"}"""));
            await HttpApiTests.AssertProblemAsync(write, HttpStatusCode.Forbidden, "FORBIDDEN", "PUT");
            using var emit = await reader.PostAsync("api/events/ev-roles/emit", null);
            await HttpApiTests.AssertProblemAsync(emit, HttpStatusCode.Forbidden, "FORBIDDEN", "emit");
            using var remove = await reader.DeleteAsync("api/events/ev-roles");
            await HttpApiTests.AssertProblemAsync(remove, HttpStatusCode.Forbidden, "FORBIDDEN", "DELETE");
            using var calendar = await reader.PutAsync("api/calendars/cal-roles", WebSiloFixture.Json("""{"rules":[{"kind":"Date","date":"2027-01-01"}]}"""));
            await HttpApiTests.AssertProblemAsync(calendar, HttpStatusCode.Forbidden, "FORBIDDEN", "PUT");
            using var calendars = await reader.GetAsync("api/calendars");
            Assert.Equal(HttpStatusCode.OK, calendars.StatusCode);
        }

        // Nothing changed: the same definition, no job.
        using var check = silo.CreateClient(Key);
        var stored = await check.GetFromJsonAsync<System.Text.Json.JsonElement>("api/events/ev-roles");
        Assert.Equal("roles", stored.GetProperty("name").GetString());
        var history = await check.GetFromJsonAsync<System.Text.Json.JsonElement>("api/events/ev-roles/history");
        Assert.Equal(0, history.GetArrayLength());
        using var noCalendar = await check.GetAsync("api/calendars/cal-roles");
        Assert.Equal(HttpStatusCode.NotFound, noCalendar.StatusCode);
    }

    [Fact]
    public async Task Every_route_that_changes_something_refuses_a_read_only_key()
    {
        var silo = fixture.Silo;
        using var reader = silo.CreateClient(ReadKey);
        // The server's own route table: a route added later is walked too.
        var routes = await reader.GetFromJsonAsync<System.Text.Json.JsonElement>("api/routes");
        var changing = routes.EnumerateArray()
            .Select(r => (Method: r.GetProperty("method").GetString()!, Pattern: r.GetProperty("pattern").GetString()!))
            .Where(r => r.Method is not ("GET" or "HEAD"))
            .ToList();
        Assert.True(changing.Count >= 10, $"only {changing.Count} changing routes listed");
        Assert.Contains(("POST", "/api/triggers/{id}/backfill"), changing); // the backfill changes something: it is walked too
        foreach (var (method, pattern) in changing)
        {
            var path = System.Text.RegularExpressions.Regex.Replace(pattern, "{[^}]+}", "ev-roles").TrimStart('/');
            using var request = new HttpRequestMessage(new HttpMethod(method), path) { Content = WebSiloFixture.Json("{}") };
            using var answer = await reader.SendAsync(request);
            await HttpApiTests.AssertProblemAsync(answer, HttpStatusCode.Forbidden, "FORBIDDEN", $"{method} {pattern}");
        }
    }

    [Fact]
    public async Task A_too_short_key_is_refused_too()
    {
        var silo = await WebSiloProcess.RunToExitAsync(["--api-key", "short"], "http://0.0.0.0:{port}", TimeSpan.FromSeconds(60));
        await using var _ = silo;

        Assert.Equal(2, silo.ExitCode);
        Assert.Contains("at least 16 characters", silo.Log);
    }

    [Fact]
    public async Task With_a_key_off_loopback_requests_without_it_get_401_and_with_it_200()
    {
        var silo = fixture.Silo;
        Assert.Contains("API key required", silo.Log);
        using var anonymous = silo.CreateClient();
        using var keyed = silo.CreateClient(Key);

        foreach (var path in (string[])["api/events", "api/metrics", "metrics", "dashboard/", "ui/events"])
        {
            using var refused = await anonymous.GetAsync(path);
            await HttpApiTests.AssertProblemAsync(refused, HttpStatusCode.Unauthorized, "UNAUTHORIZED", path);
            Assert.Equal("Bearer", refused.Headers.WwwAuthenticate.Single().Scheme);
            using var allowed = await keyed.GetAsync(path);
            Assert.True(allowed.StatusCode == HttpStatusCode.OK, $"{path} with the key: {(int)allowed.StatusCode}");
        }

        using var wrong = silo.CreateClient("wrong-key-0123456789abcdef");
        using var wrongAnswer = await wrong.GetAsync("api/events");
        Assert.Equal(HttpStatusCode.Unauthorized, wrongAnswer.StatusCode);

        // Authorization: Bearer works as well as X-Api-Key, for writes too.
        using var bearer = new HttpRequestMessage(HttpMethod.Put, "api/events/ev-auth") { Content = WebSiloFixture.Json("""{"name":"auth","handlerName":"echo"}""") };
        bearer.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Key);
        using var saved = await anonymous.SendAsync(bearer);
        Assert.Equal(HttpStatusCode.OK, saved.StatusCode);
        using var emitRefused = await anonymous.PostAsync("api/events/ev-auth/emit", null);
        Assert.Equal(HttpStatusCode.Unauthorized, emitRefused.StatusCode);

        // Health probes stay open: orchestrators probe without credentials.
        using var healthz = await anonymous.GetAsync("healthz");
        Assert.Equal(HttpStatusCode.OK, healthz.StatusCode);
        using var readyz = await anonymous.GetAsync("readyz");
        Assert.Equal(HttpStatusCode.OK, readyz.StatusCode);

        // Browsers get a page asking for the key; its cookie then opens GETs (pages), never writes.
        using var page = new HttpRequestMessage(HttpMethod.Get, "/");
        page.Headers.Accept.ParseAdd("text/html");
        using var askPage = await anonymous.SendAsync(page);
        Assert.Equal(HttpStatusCode.Unauthorized, askPage.StatusCode);
        Assert.Contains("API key needed", await askPage.Content.ReadAsStringAsync());
        using var withCookie = new HttpRequestMessage(HttpMethod.Get, "/");
        withCookie.Headers.Add("Cookie", "convo_api_key=" + Key);
        using var pageAnswer = await anonymous.SendAsync(withCookie);
        Assert.Equal(HttpStatusCode.OK, pageAnswer.StatusCode);
        Assert.Contains("ev-auth", await pageAnswer.Content.ReadAsStringAsync());
        using var cookieWrite = new HttpRequestMessage(HttpMethod.Post, "api/events/ev-auth/emit");
        cookieWrite.Headers.Add("Cookie", "convo_api_key=" + Key);
        using var cookieWriteAnswer = await anonymous.SendAsync(cookieWrite);
        Assert.Equal(HttpStatusCode.Unauthorized, cookieWriteAnswer.StatusCode);
    }

    [Fact]
    public async Task In_a_browser_the_key_form_opens_the_events_page_and_the_dashboard()
    {
        var silo = fixture.Silo;
        using var http = silo.CreateClient(Key);
        using var saved = await http.PutAsync("api/events/ev-browser-key", WebSiloFixture.Json("""{"name":"behind the key","handlerName":"echo"}"""));
        Assert.Equal(HttpStatusCode.OK, saved.StatusCode);

        await using var chromium = await HeadlessChromium.LaunchAsync();
        var page = await chromium.Browser.NewPageAsync();
        var first = await page.GotoAsync(silo.BaseUrl.ToString());
        Assert.Equal(401, first!.Status);
        await page.FillAsync("#k", Key);
        await page.ClickAsync("button");

        // The form keeps the key in a cookie and reloads: the page, its 2 s refreshes and the dashboard's own API calls pass.
        var card = page.Locator("[data-event-id='ev-browser-key']");
        await Assertions.Expect(card).ToBeVisibleAsync(new() { Timeout = 30_000 });
        Assert.Equal(HttpStatusCode.Accepted, (await http.PostAsync("api/events/ev-browser-key/emit", WebSiloFixture.Json("{}"))).StatusCode);
        await Assertions.Expect(card.Locator("[data-role=last-status]")).ToHaveTextAsync("OK", new() { Timeout = 30_000 });
        await Assertions.Expect(page.Locator("#live")).Not.ToHaveClassAsync(new System.Text.RegularExpressions.Regex("offline"));

        var dashboard = await page.GotoAsync(new Uri(silo.BaseUrl, "dashboard/").ToString());
        Assert.Equal(200, dashboard!.Status);
        await Assertions.Expect(page.GetByText("Active Silos", new() { Exact = false }).First).ToBeVisibleAsync(new() { Timeout = 30_000 });
    }
}
