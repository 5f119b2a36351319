using System.Text;
using System.Text.Json;
using Orleans.ConvoOrchestrator.Runtime.Storage;

namespace Orleans.ConvoOrchestrator.UnitTests;

/// <summary>The memory catalog's packed JSON: exactly the text it was given back, and much smaller for definitions.</summary>
public sealed class CatalogJsonPackingTests
{
    private static readonly DateTimeOffset Anchor = new(2026, 12, 3, 17, 6, 14, 134, TimeSpan.Zero);

    public static TheoryData<string> Definitions() =>
    [
        Json(new Event(new EventId("orders-sync-1234"), "orders sync", "orders.sync")),
        Json(new Event(new EventId("bench-ev-40448"), "bench-ev-40448", "noop", new Policy(TimeoutSec: null, MaxConcurrency: 32))),
        Json(new Event(new EventId("e"), "é ü 名前 🚀", "h", new Policy(MaxRetries: 3, Backoff: BackoffKind.EXP_JITTER, RateLimitPerSec: 2.5),
            Active: false, Metadata: new Dictionary<string, string> { ["team"] = "billing", ["quote"] = "say \"hi\"\n" })),
        Json(new Trigger(new TriggerId("bench-idle-22667"), TriggerKind.Cron, Cron: "0 3 * * *", Anchor: Anchor)),
        Json(new Trigger(new TriggerId("every-minute"), TriggerKind.INTERVAL, Interval: TimeSpan.FromMinutes(1), Anchor: Anchor)),
        Json(new Trigger(new TriggerId("once"), TriggerKind.AT, At: Anchor.AddDays(1), Overlap: OverlapPolicy.Skip)),
        Json(new Trigger(new TriggerId("hook"), TriggerKind.EXTERNAL)),
        Json(new Trigger(new TriggerId("tz"), TriggerKind.Cron, Cron: "0 9 * * MON-FRI", TimeZone: "Europe/Paris", Calendars: ["holidays", "freeze"],
            Misfire: MisfirePolicy.Skip, Jitter: TimeSpan.FromSeconds(5))),
    ];

    [Theory]
    [MemberData(nameof(Definitions))]
    public void A_definition_comes_back_exactly(string json) => Assert.Equal(json, CatalogJsonPacking.Unpack(CatalogJsonPacking.Pack(json)));

    [Theory]
    [InlineData("")]
    [InlineData("{}")]
    [InlineData("{\n  \"id\": \"pretty\",\n\t\"name\": \"x\"\n}")]
    [InlineData("\u0001\u0002\u001f raw codes")]
    [InlineData("{\"id\":\"\u0000\"}")]
    [InlineData("\",\"\":\":\":\"\",\"")]
    [InlineData("not json at all: ,\"active\": ")]
    public void Any_text_comes_back_exactly(string text) => Assert.Equal(text, CatalogJsonPacking.Unpack(CatalogJsonPacking.Pack(text)));

    [Fact]
    public void Random_text_comes_back_exactly()
    {
        var random = new Random(7);
        var pieces = new[] { "{\"id\":\"", "\",\"", "\":", ",\"active\":", "é", "名", "🚀", "\u0001", "\n", "\"", "x", "0", "}", "+00:00\"" };
        for (var n = 0; n < 2_000; n++)
        {
            var text = string.Concat(Enumerable.Range(0, random.Next(0, 40)).Select(_ => pieces[random.Next(pieces.Length)]));
            Assert.Equal(text, CatalogJsonPacking.Unpack(CatalogJsonPacking.Pack(text)));
        }
    }

    [Fact]
    public void Typical_definitions_take_at_most_half_their_UTF8_bytes()
    {
        var ev = Json(new Event(new EventId("bench-ev-40448"), "bench-ev-40448", "noop", new Policy(TimeoutSec: null, MaxConcurrency: 32)));
        var cron = Json(new Trigger(new TriggerId("bench-idle-22667"), TriggerKind.Cron, Cron: "0 3 * * *", Anchor: Anchor));
        var interval = Json(new Trigger(new TriggerId("bench-tr-1"), TriggerKind.INTERVAL, Interval: TimeSpan.FromSeconds(60), Anchor: Anchor));
        foreach (var json in new[] { ev, cron, interval })
            Assert.True(CatalogJsonPacking.Pack(json).Length * 2 <= Encoding.UTF8.GetByteCount(json),
                $"{CatalogJsonPacking.Pack(json).Length} of {Encoding.UTF8.GetByteCount(json)} bytes: {json}");
    }

    private static string Json<T>(T value) => JsonSerializer.Serialize(value, ConvoJson.Options);
}
