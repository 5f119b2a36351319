using Orleans.ConvoOrchestrator.Tests.Support;

namespace Orleans.ConvoOrchestrator.Tests;

/// <summary><c>convo events save -f</c> with many events: a JSON array or NDJSON file set up in one bulk call; a bad file refused before connecting.</summary>
[Collection(StockSiloCollection.Name)]
[Trait(Lane.Name, Lane.System)]
public sealed class BulkSetupCliTests(StockSiloFixture silo)
{
    private static string Item(string eventId, string triggerId) =>
        $$"""{"event":{"id":"{{eventId}}","name":"bulk","handlerName":"echo"},"triggers":[{"id":"{{triggerId}}","kind":"INTERVAL","interval":"01:00:00"}]}""";

    [Fact]
    public async Task Events_save_sets_up_an_array_or_ndjson_file_and_names_a_bad_item()
    {
        var suffix = Guid.NewGuid().ToString("N")[..8];
        var ids = Enumerable.Range(0, 3).Select(i => ($"ev-bulk-{suffix}-{i}", $"tr-bulk-{suffix}-{i}")).ToList();
        var array = Path.Combine(Path.GetTempPath(), $"bulk-{suffix}.json");
        var ndjson = Path.Combine(Path.GetTempPath(), $"bulk-{suffix}.ndjson");
        var bad = Path.Combine(Path.GetTempPath(), $"bulk-{suffix}-bad.ndjson");
        File.WriteAllText(array, "[" + string.Join(",", ids.Take(2).Select(i => Item(i.Item1, i.Item2))) + "]");
        File.WriteAllText(ndjson, Item(ids[2].Item1, ids[2].Item2) + "\n");
        File.WriteAllText(bad, Item($"ev-bulk-{suffix}-ok", "t-ok") + "\n" + Item($"ev-bulk-{suffix}-bad", "t-bad").Replace("\"echo\"", "\"\"") + "\n");
        try
        {
            var saved = await silo.RunClientAsync("events", "save", "-f", array);
            CliRun.AssertExit(0, saved);
            Assert.Equal("saved 2 event(s) with 2 trigger(s)", saved.StdOut.Trim());
            var json = await silo.RunClientAsync("--json", "events", "save", "-f", ndjson);
            CliRun.AssertExit(0, json);
            Assert.Equal(1, CliRun.ParseJson(json).GetProperty("saved").GetInt32());
            foreach (var (eventId, triggerId) in ids)
            {
                var triggers = await silo.RunClientAsync("--json", "triggers", "list", "--event", eventId);
                CliRun.AssertExit(0, triggers);
                Assert.Equal(triggerId, CliRun.ParseJson(triggers).EnumerateArray().Single().GetProperty("trigger").GetProperty("id").GetString());
            }

            var refused = await silo.RunClientAsync("events", "save", "-f", bad);
            CliRun.AssertExit(2, refused);
            Assert.Contains($"item 2 (event 'ev-bulk-{suffix}-bad')", refused.StdErr);
            CliRun.AssertExit(1, await silo.RunClientAsync("events", "get", $"ev-bulk-{suffix}-ok"));
        }
        finally
        {
            File.Delete(array);
            File.Delete(ndjson);
            File.Delete(bad);
        }
    }
}
