using Orleans.ConvoOrchestrator.Tests.Support;

namespace Orleans.ConvoOrchestrator.Tests;

/// <summary>Bad definitions are refused with VALIDATION and change nothing.</summary>
[Collection(ClusterCollection.Name)]
[Trait(Lane.Name, Lane.Cluster)]
public sealed class ValidationTests(ClusterFixture fx)
{
    private static Event Valid(string id) => new(new EventId(id), "valid", "handler");

    public static TheoryData<string, Func<string, Event>> InvalidEvents => new()
    {
        { "empty id", id => Valid(id) with { Id = new EventId("") } },
        { "null id", id => Valid(id) with { Id = default } },
        { "id too long", id => Valid(id) with { Id = new EventId(new string('a', 201)) } },
        { "id with space", id => Valid(id) with { Id = new EventId(id + " x") } },
        { "id with slash", id => Valid(id) with { Id = new EventId(id + "/x") } },
        { "id with control char", id => Valid(id) with { Id = new EventId(id + "\n") } },
        { "id '.'", id => Valid(id) with { Id = new EventId(".") } },
        { "id '..'", id => Valid(id) with { Id = new EventId("..") } },
        { "id '...'", id => Valid(id) with { Id = new EventId("...") } },
        { "empty name", id => Valid(id) with { Name = "" } },
        { "blank name", id => Valid(id) with { Name = "   " } },
        { "name with control char", id => Valid(id) with { Name = "a\u0001b" } },
        { "name too long", id => Valid(id) with { Name = new string('n', 201) } },
        { "empty handler", id => Valid(id) with { HandlerName = "" } },
        { "zero timeout", id => Valid(id) with { Policy = new Policy(TimeoutSec: 0) } },
        { "negative timeout", id => Valid(id) with { Policy = new Policy(TimeoutSec: -1) } },
        { "NaN timeout", id => Valid(id) with { Policy = new Policy(TimeoutSec: double.NaN) } },
        { "infinite timeout", id => Valid(id) with { Policy = new Policy(TimeoutSec: double.PositiveInfinity) } },
        { "timeout over a day", id => Valid(id) with { Policy = new Policy(TimeoutSec: 86_401) } },
        { "negative retries", id => Valid(id) with { Policy = new Policy(MaxRetries: -1) } },
        { "too many retries", id => Valid(id) with { Policy = new Policy(MaxRetries: 101) } },
        { "zero concurrency", id => Valid(id) with { Policy = new Policy(MaxConcurrency: 0) } },
        { "huge concurrency", id => Valid(id) with { Policy = new Policy(MaxConcurrency: 10_001) } },
        { "undefined backoff", id => Valid(id) with { Policy = new Policy(Backoff: (BackoffKind)42) } },
        { "zero rate limit", id => Valid(id) with { Policy = new Policy(RateLimitPerSec: 0) } },
        { "too many metadata entries", id => Valid(id) with { Metadata = Enumerable.Range(0, 65).ToDictionary(i => "k" + i, i => "v") } },
        { "empty metadata key", id => Valid(id) with { Metadata = new Dictionary<string, string> { [""] = "v" } } },
        { "huge metadata value", id => Valid(id) with { Metadata = new Dictionary<string, string> { ["k"] = new string('v', 4097) } } },
    };

    [Theory]
    [MemberData(nameof(InvalidEvents))]
    public async Task Invalid_event_is_rejected_with_VALIDATION_and_nothing_is_saved(string why, Func<string, Event> make)
    {
        var id = ClusterFixture.Unique("inv");
        var definition = make(id);

        var saved = await fx.Api.SaveEventAsync(definition);
        var created = await fx.Api.CreateEventAsync(definition);

        Assert.True(saved.IsErr, why);
        Assert.Equal(ErrorKind.VALIDATION, saved.UnwrapErr().Kind);
        Assert.Equal(ErrorKind.VALIDATION, created.UnwrapErr().Kind);
        Assert.False(string.IsNullOrWhiteSpace(saved.UnwrapErr().Message));
        var listed = (await fx.Api.ListEventsAsync()).Unwrap();
        Assert.DoesNotContain(listed, e => e.Id.Value?.StartsWith(id, StringComparison.Ordinal) == true);
        Assert.DoesNotContain(listed, e => e.Id == definition.Id);
        Assert.True((await fx.Api.GetEventAsync(new EventId(id))).IsErr);
    }

    [Theory]
    [InlineData(".")]
    [InlineData("..")]
    [InlineData("....")]
    public async Task Ids_made_only_of_dots_are_refused_with_a_message_that_says_so(string dots)
    {
        var ev = await fx.Api.GetEventAsync(new EventId(dots));
        var trigger = await fx.Api.TriggerStatusAsync(new TriggerId(dots));

        foreach (var error in (AppError[])[ev.UnwrapErr(), trigger.UnwrapErr()])
        {
            Assert.Equal(ErrorKind.VALIDATION, error.Kind);
            Assert.Contains("only dots", error.Message);
        }
    }

    [Fact]
    public async Task Invalid_update_leaves_the_existing_definition_as_it_was()
    {
        var id = await fx.SaveEventAsync("handler", new Policy(MaxConcurrency: 2));
        var before = (await fx.Api.GetEventAsync(id)).Unwrap();

        var updated = await fx.Api.UpdateEventAsync(before with { Policy = new Policy(MaxConcurrency: 0) });

        Assert.Equal(ErrorKind.VALIDATION, updated.UnwrapErr().Kind);
        Assert.Equal(before, (await fx.Api.GetEventAsync(id)).Unwrap());
    }

    public static TheoryData<string, Trigger> InvalidTriggers => new()
    {
        { "AT without at", new Trigger(new TriggerId("t-at"), TriggerKind.AT) },
        { "INTERVAL without interval", new Trigger(new TriggerId("t-iv"), TriggerKind.INTERVAL) },
        { "negative interval", new Trigger(new TriggerId("t-neg"), TriggerKind.INTERVAL, Interval: TimeSpan.FromSeconds(-1)) },
        { "zero interval", new Trigger(new TriggerId("t-zero"), TriggerKind.INTERVAL, Interval: TimeSpan.Zero) },
        { "jitter not shorter than interval", new Trigger(new TriggerId("t-jit"), TriggerKind.INTERVAL, Interval: TimeSpan.FromSeconds(1), Jitter: TimeSpan.FromSeconds(1)) },
        { "negative jitter", new Trigger(new TriggerId("t-njit"), TriggerKind.INTERVAL, Interval: TimeSpan.FromSeconds(1), Jitter: TimeSpan.FromSeconds(-1)) },
        { "EXTERNAL with interval", new Trigger(new TriggerId("t-ext"), TriggerKind.EXTERNAL, Interval: TimeSpan.FromSeconds(1)) },
        { "bad trigger id", new Trigger(new TriggerId("a b"), TriggerKind.EXTERNAL) },
        { "trigger id '.'", new Trigger(new TriggerId("."), TriggerKind.EXTERNAL) },
        { "trigger id '..'", new Trigger(new TriggerId(".."), TriggerKind.EXTERNAL) },
        { "undefined kind", new Trigger(new TriggerId("t-kind"), (TriggerKind)99) },
    };

    [Theory]
    [MemberData(nameof(InvalidTriggers))]
    public async Task Invalid_trigger_is_rejected_with_VALIDATION_and_not_attached(string why, Trigger trigger)
    {
        var id = await fx.SaveEventAsync("handler");

        var attached = await fx.Api.AttachTriggerAsync(id, trigger);

        Assert.True(attached.IsErr, why);
        Assert.Equal(ErrorKind.VALIDATION, attached.UnwrapErr().Kind);
        Assert.Empty((await fx.Api.ListTriggersAsync(id)).Unwrap());
    }

    public static TheoryData<string, Func<object>> UnserializablePayloads => new()
    {
        { "reference cycle", () => { var node = new Node(); node.Next = node; return node; } },
        { "nested deeper than the serializer allows", () => Enumerable.Range(0, 100).Aggregate(new Node(), (inner, _) => new Node { Next = inner }) },
    };

    [Theory]
    [MemberData(nameof(UnserializablePayloads))]
    public async Task Unserializable_payloads_get_VALIDATION_from_emit_test_run_and_fire_and_run_nothing(string why, Func<object> payload)
    {
        var id = await fx.SaveEventAsync("handler");
        var trigger = new TriggerId(ClusterFixture.Unique("tr-ext"));
        (await fx.Api.AttachTriggerAsync(id, new Trigger(trigger, TriggerKind.EXTERNAL))).Unwrap();

        var emitted = await fx.Api.EmitAsync(id, payload());
        var ran = await fx.Api.TestRunAsync(id, payload());
        var fired = await fx.Api.FireTriggerAsync(trigger, payload());

        foreach (var error in (AppError[])[emitted.UnwrapErr(), ran.UnwrapErr(), fired.UnwrapErr()])
        {
            Assert.True(error.Kind == ErrorKind.VALIDATION, $"{why}: {error}");
            Assert.Contains("payload cannot be serialized to JSON", error.Message);
        }
        var status = (await fx.Api.StatusAsync(id)).Unwrap();
        Assert.Equal(0, status.QueueDepth);
        Assert.Null(status.LastOutcome);
        Assert.Empty((await fx.Api.HistoryAsync(id)).Unwrap());
    }

    private sealed class Node
    {
        public Node? Next { get; set; }
    }
}
