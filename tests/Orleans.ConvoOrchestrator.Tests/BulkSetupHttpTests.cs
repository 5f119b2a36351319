using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Orleans.ConvoOrchestrator.Tests.Support;

namespace Orleans.ConvoOrchestrator.Tests;

/// <summary>POST /api/events/bulk against the stock silo: a JSON array or NDJSON in, every event and trigger set up; bad input refused whole.</summary>
[Collection(WebSiloCollection.Name)]
[Trait(Lane.Name, Lane.System)]
public sealed class BulkSetupHttpTests(WebSiloFixture web)
{
    private HttpClient Http => web.Http;

    private static string Item(string eventId, string triggerId) =>
        $$"""{"event":{"id":"{{eventId}}","name":"bulk","handlerName":"echo"},"triggers":[{"id":"{{triggerId}}","kind":"Cron","cron":"0 3 * * *"}]}""";

    [Fact]
    public async Task A_json_array_and_ndjson_set_up_every_event_and_trigger()
    {
        var ids = Enumerable.Range(0, 4).Select(_ => (Event: WebSiloFixture.NewId(), Trigger: WebSiloFixture.NewId("tr"))).ToList();
        using var array = await Http.PostAsync("api/events/bulk", WebSiloFixture.Json("[" + string.Join(",", ids.Take(2).Select(i => Item(i.Event, i.Trigger))) + "]"));
        Assert.Equal(HttpStatusCode.OK, array.StatusCode);
        var answer = await array.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal((2, 2), (answer.GetProperty("saved").GetInt32(), answer.GetProperty("triggers").GetInt32()));

        var ndjson = new StringContent(string.Join("\n", ids.Skip(2).Select(i => Item(i.Event, i.Trigger))) + "\n", Encoding.UTF8, "application/x-ndjson");
        using var lines = await Http.PostAsync("api/events/bulk", ndjson);
        Assert.Equal(HttpStatusCode.OK, lines.StatusCode);

        foreach (var (eventId, triggerId) in ids)
        {
            var triggers = await Http.GetFromJsonAsync<JsonElement>($"api/events/{eventId}/triggers");
            Assert.Equal(triggerId, triggers.EnumerateArray().Single().GetProperty("id").GetString());
        }
    }

    [Fact]
    public async Task Bad_input_is_problem_json_naming_the_item_or_line_and_sets_up_nothing()
    {
        var (good, bad) = (WebSiloFixture.NewId(), WebSiloFixture.NewId());
        var badItem = $$"""{"event":{"id":"{{bad}}","name":"bulk","handlerName":"echo"},"triggers":[{"id":"x","kind":"Cron","cron":"not a cron"}]}""";
        using var invalid = await Http.PostAsync("api/events/bulk", WebSiloFixture.Json($"[{Item(good, WebSiloFixture.NewId("tr"))},{badItem}]"));
        await HttpApiTests.AssertProblemAsync(invalid, HttpStatusCode.BadRequest, "VALIDATION");
        Assert.Contains($"item 2 (event '{bad}')", await invalid.Content.ReadAsStringAsync());
        using var missing = await Http.GetAsync($"api/events/{good}");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);

        using var malformed = await Http.PostAsync("api/events/bulk", WebSiloFixture.Json(Item(good, "t1") + "\n{\"event\": oops}\n"));
        await HttpApiTests.AssertProblemAsync(malformed, HttpStatusCode.BadRequest, "VALIDATION");
        Assert.Contains("line 2", await malformed.Content.ReadAsStringAsync());
    }
}
