namespace Orleans.ConvoOrchestrator.UnitTests;

/// <summary>Bulk set-up text: a JSON array or one item a line, with the place of a mistake.</summary>
public sealed class EventSetupJsonTests
{
    private const string One = """{"event":{"id":"a","name":"n","handlerName":"h"},"triggers":[{"id":"t","kind":"Cron","cron":"0 3 * * *"}]}""";
    private const string Two = """{"event":{"id":"b","name":"n","handlerName":"h"}}""";

    [Fact]
    public void An_array_and_ndjson_give_the_same_items()
    {
        var array = EventSetupJson.Parse($"[{One},{Two}]").Unwrap();
        var lines = EventSetupJson.Parse($"{One}\n\n{Two}\r\n").Unwrap();
        Assert.Equal(2, array.Count);
        Assert.Equal(array.Select(s => s!.Event), lines.Select(s => s!.Event));
        Assert.Equal("t", array[0]!.TriggerList.Single().Id.Value);
        Assert.Empty(array[1]!.TriggerList);
    }

    [Fact]
    public void The_example_parses_and_validates()
    {
        var items = EventSetupJson.Parse(EventSetupJson.Example).Unwrap();
        Assert.True(EventSetupValidator.Validate(items).IsOk);
    }

    [Theory]
    [InlineData("", "no set-up items")]
    [InlineData("[{\"event\": 1}]", "not a valid list")]
    public void Empty_or_malformed_text_is_refused(string text, string words)
    {
        var result = EventSetupJson.Parse(text);
        Assert.Equal(ErrorKind.VALIDATION, result.Error?.Kind);
        Assert.Contains(words, result.Error!.Message);
    }

    [Fact]
    public void A_malformed_line_is_named()
    {
        var result = EventSetupJson.Parse($"{One}\n{{oops\n{Two}");
        Assert.StartsWith("line 2 ", result.Error!.Message);
    }
}
