using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Orleans.ConvoOrchestrator.Postgres;
using Orleans.ConvoOrchestrator.Tests.Support;

namespace Orleans.ConvoOrchestrator.Tests;

/// <summary>The LISTEN/NOTIFY adapter against a real PostgreSQL server and a real test cluster.</summary>
[Trait(Lane.Name, Lane.System)]
public sealed class PostgresNotifyTests(PostgresNotifyFixture fx) : IClassFixture<PostgresNotifyFixture>
{
    private async Task<(EventId Event, ConcurrentQueue<EventContext> Seen)> RecordingEventAsync()
    {
        var seen = new ConcurrentQueue<EventContext>();
        var handler = ClusterFixture.Unique("pg");
        fx.Handlers.Register(handler, ctx => seen.Enqueue(ctx));
        var id = new EventId(ClusterFixture.Unique("ev"));
        (await fx.Api.SaveEventAsync(new Event(id, "notified", handler))).Unwrap();
        return (id, seen);
    }

    private async Task<TriggerId> AttachExternalAsync(EventId ev, string? id = null)
    {
        var trigger = new Trigger(new TriggerId(id ?? ClusterFixture.Unique("orders")), TriggerKind.EXTERNAL);
        (await fx.Api.AttachTriggerAsync(ev, trigger)).Unwrap();
        return trigger.Id;
    }

    private static Task<EventContext[]> WaitForAsync(ConcurrentQueue<EventContext> seen, int count) =>
        Eventually.MatchAsync(() => Task.FromResult(seen.ToArray()), s => s.Length >= count, TimeSpan.FromSeconds(30), $"{count} handler runs");

    [Fact]
    public async Task A_NOTIFY_fires_its_EXTERNAL_trigger_with_a_JSON_payload_and_with_a_raw_string()
    {
        var (ev, seen) = await RecordingEventAsync();
        var trigger = await AttachExternalAsync(ev);
        await fx.WaitForChannelAsync(trigger.Value);

        await fx.Server.NotifyAsync(trigger.Value, """{"order": 42, "items": ["a", "b"]}""");
        await fx.Server.NotifyAsync(trigger.Value, "not json, just text");
        await fx.Server.NotifyAsync(trigger.Value, "");
        var runs = await WaitForAsync(seen, 3);

        Assert.All(runs, r => Assert.Equal(trigger, r.TriggerId));
        var ordered = runs.OrderBy(r => r.Ts).ToArray();
        Assert.Equal(42, ordered[0].Payload.GetProperty("order").GetInt32());
        Assert.Equal(["a", "b"], ordered[0].Payload.GetProperty("items").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(JsonValueKind.String, ordered[1].Payload.ValueKind);
        Assert.Equal("not json, just text", ordered[1].Payload.GetString());
        Assert.Equal(JsonValueKind.Null, ordered[2].Payload.ValueKind);
        Assert.Equal(3, (await fx.Api.TriggerStatusAsync(trigger)).Unwrap().FireCount);
    }

    [Fact]
    public async Task A_trigger_added_later_is_picked_up_and_a_removed_one_is_no_longer_listened_to()
    {
        var (ev, seen) = await RecordingEventAsync();
        var trigger = new TriggerId(ClusterFixture.Unique("later"));
        await Task.Delay(PostgresNotifyFixture.RefreshInterval * 2);
        Assert.DoesNotContain(trigger.Value, fx.Listener.Channels.Keys);

        await AttachExternalAsync(ev, trigger.Value);
        await fx.WaitForChannelAsync(trigger.Value);
        await fx.Server.NotifyAsync(trigger.Value, """{"n": 1}""");
        await WaitForAsync(seen, 1);

        (await fx.Api.DetachTriggerAsync(SubscriptionId.For(ev, trigger))).Unwrap();
        await fx.WaitForChannelAsync(trigger.Value, listening: false);
        var firedBefore = fx.Listener.Fired;
        await fx.Server.NotifyAsync(trigger.Value, """{"n": 2}""");
        await Task.Delay(500);

        Assert.Single(seen);
        Assert.Equal(firedBefore, fx.Listener.Fired);
    }

    [Fact]
    public async Task Inactive_and_non_EXTERNAL_triggers_get_no_channel()
    {
        var (ev, _) = await RecordingEventAsync();
        var paused = new Trigger(new TriggerId(ClusterFixture.Unique("paused")), TriggerKind.EXTERNAL, Active: false);
        var interval = new Trigger(new TriggerId(ClusterFixture.Unique("every")), TriggerKind.INTERVAL, Interval: TimeSpan.FromHours(1));
        (await fx.Api.AttachTriggerAsync(ev, paused)).Unwrap();
        (await fx.Api.AttachTriggerAsync(ev, interval)).Unwrap();
        var active = await AttachExternalAsync(ev);

        await fx.WaitForChannelAsync(active.Value);

        Assert.DoesNotContain(paused.Id.Value, fx.Listener.Channels.Keys);
        Assert.DoesNotContain(interval.Id.Value, fx.Listener.Channels.Keys);
    }

    [Fact]
    public async Task Trigger_ids_that_are_no_plain_identifier_are_quoted_and_work()
    {
        var (ev, seen) = await RecordingEventAsync();
        var id = $"Orders.EU:v1@{Guid.NewGuid():N}";
        var trigger = await AttachExternalAsync(ev, id);
        await fx.WaitForChannelAsync(id);

        await fx.Server.NotifyAsync(id, "\"quoted\"");
        var run = (await WaitForAsync(seen, 1))[0];

        Assert.Equal(trigger, run.TriggerId);
        Assert.Equal("quoted", run.Payload.GetString());
    }

    [Fact]
    public async Task When_PostgreSQL_goes_away_the_adapter_reconnects_and_listens_again()
    {
        var (ev, seen) = await RecordingEventAsync();
        var trigger = await AttachExternalAsync(ev);
        await fx.WaitForChannelAsync(trigger.Value);

        await fx.Server.StopAsync();
        try
        {
            await Eventually.MatchAsync(() => Task.FromResult(fx.Listener.IsConnected), c => !c, TimeSpan.FromSeconds(30), "the adapter noticing the server is gone");
            Assert.Empty(fx.Listener.Channels);
        }
        finally
        {
            await fx.Server.StartAgainAsync();
        }
        await fx.WaitForChannelAsync(trigger.Value);
        await fx.Server.NotifyAsync(trigger.Value, """{"after": "restart"}""");

        var run = (await WaitForAsync(seen, 1))[0];
        Assert.Equal("restart", run.Payload.GetProperty("after").GetString());
    }

    [Theory]
    [InlineData("""{"a":1}""", JsonValueKind.Object)]
    [InlineData("42", JsonValueKind.Number)]
    [InlineData("\"text\"", JsonValueKind.String)]
    [InlineData("[1,2]", JsonValueKind.Array)]
    public void JSON_payloads_are_parsed(string payload, JsonValueKind kind) =>
        Assert.Equal(kind, Assert.IsType<JsonElement>(NotifyPayload.Parse(payload)).ValueKind);

    [Theory]
    [InlineData("hello")]
    [InlineData("{not json")]
    [InlineData("42 apples")]
    public void Other_payloads_stay_raw_strings(string payload) => Assert.Equal(payload, NotifyPayload.Parse(payload));

    [Fact]
    public void Channel_names_are_quoted_and_cut_at_63_bytes_like_PostgreSQL()
    {
        Assert.Equal("\"a \"\"b\"\"\"", PgChannel.Quote("a \"b\""));
        Assert.Equal(new string('x', 63), PgChannel.Normalize(new string('x', 80)));
        // A two-byte character that would straddle the limit is left out whole.
        Assert.Equal(new string('x', 62), PgChannel.Normalize(new string('x', 62) + "é" + "tail"));
        Assert.Equal("short", PgChannel.Normalize("short"));
    }

    [Fact]
    public async Task Bad_options_stop_the_host_from_starting_with_a_clear_message()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddSingleton<IEventOrchestrator>(fx.Api);
        builder.Services.AddConvoPostgresNotify(o =>
        {
            o.ConnectionString = "Hots=nowhere";
            o.RefreshInterval = TimeSpan.Zero;
        });
        using var host = builder.Build();

        var ex = await Assert.ThrowsAsync<Microsoft.Extensions.Options.OptionsValidationException>(() => host.StartAsync());

        Assert.Contains("Convo:Postgres: ConnectionString is not a valid Npgsql connection string", ex.Message);
        Assert.Contains("Convo:Postgres: RefreshInterval must be positive", ex.Message);
    }
}
