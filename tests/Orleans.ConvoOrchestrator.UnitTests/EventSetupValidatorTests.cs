namespace Orleans.ConvoOrchestrator.UnitTests;

/// <summary>A bulk set-up is checked whole, and the error names the item.</summary>
public sealed class EventSetupValidatorTests
{
    private static Event Ev(string id) => new(new EventId(id), "n", "h");

    private static Trigger Daily(string id, string cron = "0 3 * * *") => new(new TriggerId(id), TriggerKind.Cron, Cron: cron);

    [Fact]
    public void A_good_list_passes_and_a_trigger_shared_unchanged_is_fine()
    {
        Assert.True(EventSetupValidator.Validate([new EventSetup(Ev("a"), [Daily("t")]), new EventSetup(Ev("b"), [Daily("t")]), new EventSetup(Ev("c"))]).IsOk);
    }

    [Theory]
    [InlineData(0, "empty")]
    [InlineData(-1, "required")]
    public void An_empty_or_missing_list_is_refused(int count, string words)
    {
        var result = EventSetupValidator.Validate(count < 0 ? null : []);
        Assert.Equal(ErrorKind.VALIDATION, result.Error?.Kind);
        Assert.Contains(words, result.Error!.Message);
    }

    [Fact]
    public void A_bad_event_is_named_by_its_item_number_counted_from_the_first_item()
    {
        var result = EventSetupValidator.Validate([new EventSetup(Ev("a")), new EventSetup(Ev("b") with { HandlerName = "" })], firstItem: 1001);
        Assert.Equal(ErrorKind.VALIDATION, result.Error?.Kind);
        Assert.StartsWith("item 1002 (event 'b'): ", result.Error!.Message);
    }

    [Fact]
    public void A_bad_trigger_a_null_item_and_repeats_are_each_named()
    {
        Assert.Contains("item 1 (event 'a'): trigger 't'", EventSetupValidator.Validate([new EventSetup(Ev("a"), [Daily("t", "nope")])]).Error!.Message);
        Assert.Contains("item 2 is null", EventSetupValidator.Validate([new EventSetup(Ev("a")), null]).Error!.Message);
        Assert.Contains("also item 1", EventSetupValidator.Validate([new EventSetup(Ev("a")), new EventSetup(Ev("a"))]).Error!.Message);
        Assert.Contains("'t' is given twice", EventSetupValidator.Validate([new EventSetup(Ev("a"), [Daily("t"), Daily("t")])]).Error!.Message);
        Assert.Contains("differs from its definition in item 1",
            EventSetupValidator.Validate([new EventSetup(Ev("a"), [Daily("t")]), new EventSetup(Ev("b"), [Daily("t", "0 4 * * *")])]).Error!.Message);
    }

    [Fact]
    public void Too_many_items_or_triggers_on_one_item_are_refused()
    {
        var many = Enumerable.Range(0, EventSetupValidator.MaxItems + 1).Select(i => new EventSetup(Ev($"e{i}"))).ToList();
        Assert.Contains($"at most {EventSetupValidator.MaxItems}", EventSetupValidator.Validate(many).Error!.Message);
        var triggers = Enumerable.Range(0, EventSetupValidator.MaxTriggersPerItem + 1).Select(i => Daily($"t{i}")).ToList();
        Assert.Contains($"at most {EventSetupValidator.MaxTriggersPerItem}", EventSetupValidator.Validate([new EventSetup(Ev("a"), triggers)]).Error!.Message);
    }

    [Fact]
    public void The_calendars_named_are_listed_once_in_order()
    {
        var setups = new[]
        {
            new EventSetup(Ev("a"), [Daily("t1") with { Calendars = ["z", "b"] }]),
            new EventSetup(Ev("b"), [Daily("t2") with { Calendars = ["b"] }, Daily("t3")]),
        };
        Assert.Equal(["b", "z"], EventSetupValidator.CalendarsNamed(setups));
    }
}
