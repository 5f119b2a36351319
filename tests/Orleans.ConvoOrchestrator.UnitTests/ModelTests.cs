using System.Text.Json;
using Orleans.ConvoOrchestrator.Runtime;

namespace Orleans.ConvoOrchestrator.UnitTests;

public sealed class ModelTests
{
    [Fact]
    public void Policy_defaults_match_the_python_library()
    {
        var p = new Policy();
        Assert.Equal(30.0, p.TimeoutSec);
        Assert.Equal(0, p.MaxRetries);
        Assert.Equal(BackoffKind.FIXED, p.Backoff);
        Assert.Equal(1, p.MaxConcurrency);
        Assert.Null(p.RateLimitPerSec);
        Assert.True(new Event(new EventId("e"), "n", "h").Active);
    }

    [Fact]
    public void Result_unwraps_values_and_throws_the_errors_message()
    {
        Result<int> ok = 5;
        var err = Result<int>.Err(ErrorKind.NOT_FOUND, "event 'x' does not exist");

        Assert.True(ok.IsOk);
        Assert.Equal(5, ok.Unwrap());
        Assert.Throws<InvalidOperationException>(() => ok.UnwrapErr());
        Assert.True(err.IsErr);
        var ex = Assert.Throws<AppErrorException>(() => err.Unwrap());
        Assert.Equal("NOT_FOUND: event 'x' does not exist", ex.Message);
        Assert.Equal(ErrorKind.NOT_FOUND, err.UnwrapErr().Kind);
        Assert.Equal(7, err.UnwrapOr(7));
        Assert.Throws<AppErrorException>(() => Result.Err(ErrorKind.CONFLICT, "c").Unwrap());
        Result.Ok().Unwrap();
    }

    [Fact]
    public void Subscription_ids_name_both_sides()
    {
        var sub = SubscriptionId.For(new EventId("ev-1"), new TriggerId("tr-1"));

        Assert.Equal("ev-1/tr-1", sub.Value);
        Assert.True(sub.TryParse(out var ev, out var tr));
        Assert.Equal(new EventId("ev-1"), ev);
        Assert.Equal(new TriggerId("tr-1"), tr);
        Assert.False(new SubscriptionId("/x").TryParse(out _, out _));
        Assert.False(new SubscriptionId("x/").TryParse(out _, out _));
    }

    [Fact]
    public void Handler_names_are_unique_and_printable()
    {
        var registry = new HandlerRegistry().Register("a", ctx => 1);

        Assert.Throws<InvalidOperationException>(() => registry.Register("a", ctx => { }));
        Assert.Throws<ArgumentException>(() => registry.Register("", ctx => 1));
        Assert.Throws<ArgumentException>(() => registry.Register("a\nb", ctx => 1));
        Assert.Equal(["a"], registry.Names);
    }

    [Fact]
    public void Definitions_round_trip_through_their_json_form()
    {
        var ev = new Event(new EventId("ev-hello"), "hello", "echo", new Policy(TimeoutSec: 2, Backoff: BackoffKind.EXP_JITTER, MaxConcurrency: 3), Active: false,
            Metadata: new Dictionary<string, string> { ["team"] = "ops" });

        var json = JsonSerializer.Serialize(ev, ConvoJson.Options);
        var back = JsonSerializer.Deserialize<Event>(json, ConvoJson.Options)!;

        Assert.Contains("\"id\":\"ev-hello\"", json);
        Assert.Contains("\"backoff\":\"EXP_JITTER\"", json);
        Assert.DoesNotContain("effectivePolicy", json);
        Assert.Equal(ev.Id, back.Id);
        Assert.Equal(ev.Policy, back.Policy);
        Assert.Equal("ops", back.Metadata!["team"]);
    }

    [Fact]
    public void Definition_json_with_an_unknown_property_is_refused()
    {
        var ex = Assert.Throws<JsonException>(() =>
            JsonSerializer.Deserialize<Event>("""{"id":"e","name":"n","handlerName":"h","activ":false}""", ConvoJson.Options));
        Assert.Contains("activ", ex.Message);
    }

    [Fact]
    public void Payloads_serialize_objects_and_keep_json_elements()
    {
        Assert.Equal("null", JsonPayload.From(null));
        Assert.Equal("\"text\"", JsonPayload.From("text"));
        Assert.Equal("""{"msg":"hi"}""", JsonPayload.From(new { msg = "hi" }));
        using var doc = JsonDocument.Parse("""{"a": 1}""");
        Assert.Equal("""{"a": 1}""", JsonPayload.From(doc.RootElement));
        Assert.Equal("""{"a":1}""", JsonPayload.FromJson(""" {"a":1} """).Unwrap());
        Assert.Equal(ErrorKind.VALIDATION, JsonPayload.FromJson("{").UnwrapErr().Kind);
    }
}
