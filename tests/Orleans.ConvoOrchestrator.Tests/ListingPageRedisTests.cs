using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.ConvoOrchestrator.Grains;
using Orleans.ConvoOrchestrator.Runtime;
using Orleans.ConvoOrchestrator.Tests.Support;

namespace Orleans.ConvoOrchestrator.Tests;

/// <summary>
/// Paged listings on the Redis store, through a silo process: the client API and GET /api/events?limit= page the
/// catalog at its source, every event exactly once; the plain GET still answers the whole array.
/// </summary>
[Trait(Lane.Name, Lane.System)]
public sealed class ListingPageRedisTests
{
    [Fact]
    public async Task Two_thousand_five_hundred_events_page_exactly_once_on_Redis_through_the_client_and_HTTP()
    {
        const int count = 2_500;
        await using var redis = await RedisServer.StartAsync(fsync: "everysec");
        var cluster = "paging-" + Guid.NewGuid().ToString("N")[..8];
        var saved = Enumerable.Range(0, count).Select(i => $"ev-{i:D4}").ToList();
        // Listed as 2,500 saves would leave them (saving each through its grain would only time activations).
        await using (var connection = new RedisConnection(redis.Configuration, Options.Create(new ClusterOptions { ServiceId = cluster })))
        {
            var store = new RedisCatalogStore(connection);
            await Task.WhenAll(saved.Select(id =>
                store.PutAsync(CatalogKeys.Events, id, JsonSerializer.Serialize(new Event(new EventId(id), id, "log"), ConvoJson.Options))));
        }

        await using var silo = await WebSiloProcess.StartOnRedisAsync(redis.Configuration, cluster);
        await using var client = await RedisClusterClient.ConnectAsync(redis.Configuration, cluster);
        // One more saved the ordinary way lands in its place in the pages.
        (await client.Api.SaveEventAsync(new Event(new EventId("ev-1234x"), "late", "echo"))).Unwrap();
        var expected = saved.Append("ev-1234x").Order(StringComparer.Ordinal).ToList();

        var pages = new List<IReadOnlyList<Event>>();
        string? token = null;
        do
        {
            var page = (await client.Api.ListEventsPageAsync(1_000, token)).Unwrap();
            pages.Add(page.Items);
            token = page.NextPageToken;
        }
        while (token is not null && pages.Count < 10);
        Assert.Equal([1_000, 1_000, 501], pages.Select(p => p.Count));
        Assert.Equal(expected, pages.SelectMany(p => p).Select(e => e.Id.Value));

        using var http = silo.CreateClient();
        var httpIds = new List<string>();
        var url = "api/events?limit=1000";
        for (var round = 0; round < 10; round++)
        {
            var body = await http.GetFromJsonAsync<JsonElement>(url);
            httpIds.AddRange(body.GetProperty("items").EnumerateArray().Select(e => e.GetProperty("id").GetString()!));
            if (!body.TryGetProperty("nextPageToken", out var next)) break;
            url = $"api/events?limit=1000&pageToken={Uri.EscapeDataString(next.GetString()!)}";
        }
        Assert.Equal(expected, httpIds);

        // Without paging parameters: the plain array, as before.
        var plain = await http.GetFromJsonAsync<JsonElement>("api/events");
        Assert.Equal(JsonValueKind.Array, plain.ValueKind);
        Assert.Equal(expected.Count, plain.GetArrayLength());
        using var bad = await http.GetAsync("api/events?limit=0");
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("limit must be between 1 and 1000", await bad.Content.ReadAsStringAsync());
        using var badToken = await http.GetAsync("api/events?pageToken=garbage!");
        Assert.Equal(HttpStatusCode.BadRequest, badToken.StatusCode);
        Assert.Contains("VALIDATION", await badToken.Content.ReadAsStringAsync());
    }
}
