using System.CommandLine;

namespace Orleans.ConvoOrchestrator.Cli;

/// <summary>The <c>&lt;event-id&gt;</c> argument most commands take, checked locally so a malformed id is exit 2.</summary>
internal static class EventIdArgument
{
    public static Argument<string> Create() => new("event-id") { Description = "The event's id" };

    public static EventId Read(ParseResult parse, Argument<string> argument) => Parse(parse.GetValue(argument) ?? "");

    /// <summary>An event id as typed, checked; a bad one is a usage error.</summary>
    public static EventId Parse(string text)
    {
        var id = new EventId(text);
        var valid = DefinitionValidator.Validate(id);
        if (valid.IsErr) throw new UsageException(valid.Error.Message);
        return id;
    }
}
