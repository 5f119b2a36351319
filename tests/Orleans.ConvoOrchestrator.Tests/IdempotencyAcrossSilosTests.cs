using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Orleans.ConvoOrchestrator.Tests.Support;

namespace Orleans.ConvoOrchestrator.Tests;

/// <summary>
/// Two stock silo processes on one Redis: the same idempotency key emitted at once through both silos' HTTP APIs
/// (each silo's own cluster client) yields one job, and every emit answers its id.
/// </summary>
[Trait(Lane.Name, Lane.System)]
public sealed class IdempotencyAcrossSilosTests
{
    [Fact]
    public async Task One_key_emitted_through_two_silos_at_once_makes_one_job()
    {
        await using var redis = await RedisServer.StartAsync();
        var cluster = "idem-" + Guid.NewGuid().ToString("N")[..8];
        var silos = await Task.WhenAll(Enumerable.Range(0, 2).Select(_ => WebSiloProcess.StartOnRedisAsync(redis.Configuration, cluster)));
        try
        {
            var clients = silos.Select(s => s.CreateClient()).ToArray();
            using (var saved = await clients[0].PutAsync("api/events/pay", WebSiloFixture.Json("""{"name":"payments","handlerName":"echo","policy":{"maxConcurrency":4}}""")))
                Assert.True(saved.IsSuccessStatusCode, await saved.Content.ReadAsStringAsync());

            async Task<string> EmitAsync(HttpClient http, string key, int n)
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, "api/events/pay/emit") { Content = WebSiloFixture.Json($$"""{"n":{{n}}}""") };
                request.Headers.Add("Idempotency-Key", key);
                using var answer = await http.SendAsync(request);
                Assert.Equal(HttpStatusCode.Accepted, answer.StatusCode);
                return (await answer.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("jobId").GetString()!;
            }

            // Ten rounds, each key sent 8 times through each silo at once.
            var keys = Enumerable.Range(0, 10).Select(i => $"payment-{i}").ToList();
            var answers = await Task.WhenAll(keys.Select(async key =>
                (Key: key, Ids: await Task.WhenAll(Enumerable.Range(0, 16).Select(n => EmitAsync(clients[n % 2], key, n))))));

            foreach (var (key, ids) in answers) Assert.Single(ids.Distinct());
            var jobIds = answers.Select(a => a.Ids[0]).ToHashSet();
            Assert.Equal(keys.Count, jobIds.Count);
            var history = await Eventually.MatchAsync(
                async () => await clients[1].GetFromJsonAsync<JsonElement>("api/events/pay/history?limit=1000"),
                h => h.GetArrayLength() >= keys.Count, TimeSpan.FromSeconds(30), "every job to end", 100);
            await Task.Delay(500); // a second job per key, if any were made, would end by now too
            history = await clients[1].GetFromJsonAsync<JsonElement>("api/events/pay/history?limit=1000");
            Assert.Equal(jobIds.Order(), history.EnumerateArray().Select(r => r.GetProperty("jobId").GetString()!).Order());
        }
        finally
        {
            foreach (var silo in silos) await silo.DisposeAsync();
        }
    }
}
