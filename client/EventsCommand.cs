using System.CommandLine;

namespace Orleans.ConvoOrchestrator.Cli;

/// <summary><c>events save|list|get|remove|pause|resume</c>: managing event definitions.</summary>
internal static class EventsCommand
{
    public static Command Create() => new("events", "Manage event definitions")
    {
        Save(),
        List(),
        Get(),
        Remove(),
        SetActive("pause", active: false, "Pause an event: emits and trigger fires are refused (NOT_ACTIVE) until it is resumed"),
        SetActive("resume", active: true, "Resume a paused event"),
    };

    private static Command Save()
    {
        var file = new Option<string>("--file", "-f")
        {
            HelpName = "FILE",
            Description = $"JSON file holding the event, e.g. {EventFile.Example}; or many events with their triggers, as a JSON " +
                $"array or one item a line (NDJSON), e.g. {EventSetupJson.Example}; - reads stdin",
            Required = true,
        };
        var command = new Command("save", "Create or replace an event, or set up many events and their triggers at once, from a JSON file") { file };
        command.SetClusterAction((parse, output) =>
        {
            var path = parse.GetValue(file)!;
            var text = DefinitionFile.Read(path);
            if (EventSetupFile.IsBulk(text))
            {
                var setups = EventSetupFile.Parse(text, path);
                var triggers = setups.Sum(s => s.TriggerList.Count);
                return async (orchestrator, cancellationToken) =>
                {
                    var saved = await orchestrator.SaveEventsAsync(setups, cancellationToken);
                    if (saved.IsErr) return output.Fail(saved.Error);
                    if (output.Json) output.WriteJson(new { saved = saved.Unwrap(), triggers });
                    else output.WriteLine($"saved {saved.Unwrap()} event(s) with {triggers} trigger(s)");
                    return ExitCodes.Ok;
                };
            }
            var definition = DefinitionFile.Parse<Event>(text, path, "event", EventFile.Example, DefinitionValidator.Validate);
            return async (orchestrator, cancellationToken) =>
            {
                var saved = await orchestrator.SaveEventAsync(definition, cancellationToken);
                if (saved.IsErr) return output.Fail(saved.Error);
                if (output.Json) output.WriteJson(new { saved = definition.Id });
                else output.WriteLine($"saved event {definition.Id}");
                return ExitCodes.Ok;
            };
        });
        return command;
    }

    private static Command List()
    {
        var paging = new PageOptions();
        var command = new Command("list", "List every event, or one page of them (--limit, --page-token)");
        paging.AddTo(command);
        command.SetClusterAction((parse, output) =>
        {
            var page = paging.Read(parse);
            return async (orchestrator, cancellationToken) =>
            {
                IReadOnlyList<Event> list;
                string? next = null;
                if (page is { } p)
                {
                    var got = await orchestrator.ListEventsPageAsync(p.Limit, p.Token, cancellationToken);
                    if (got.IsErr) return output.Fail(got.Error);
                    (list, next) = (got.Unwrap().Items, got.Unwrap().NextPageToken);
                }
                else
                {
                    var events = await orchestrator.ListEventsAsync(cancellationToken);
                    if (events.IsErr) return output.Fail(events.Error);
                    list = events.Unwrap();
                }
                if (output.Json)
                {
                    if (page is null) output.WriteJson(list);
                    else output.WriteJson(new { items = list, nextPageToken = next });
                    return ExitCodes.Ok;
                }
                if (list.Count == 0) output.WriteLine("no events");
                else
                {
                    var table = Table.WithHeaders("ID", "NAME", "HANDLER", "ACTIVE", "TIMEOUT", "RETRIES", "BACKOFF", "CONCURRENCY");
                    foreach (var e in list)
                    {
                        var policy = e.EffectivePolicy;
                        table.Add(e.Id, e.Name, e.HandlerName, e.Active, Timeout(policy), policy.MaxRetries, policy.Backoff, policy.MaxConcurrency);
                    }
                    output.Write(table);
                }
                if (page is { } asked) PageOptions.WriteNext(output, "events list", asked.Limit, next);
                return ExitCodes.Ok;
            };
        });
        return command;
    }

    private static Command Get()
    {
        var id = EventIdArgument.Create();
        var command = new Command("get", "Show one event's definition") { id };
        command.SetClusterAction((parse, output) =>
        {
            var eventId = EventIdArgument.Read(parse, id);
            return async (orchestrator, cancellationToken) =>
            {
                var got = await orchestrator.GetEventAsync(eventId, cancellationToken);
                if (got.IsErr) return output.Fail(got.Error);
                var e = got.Unwrap();
                if (output.Json)
                {
                    output.WriteJson(e);
                    return ExitCodes.Ok;
                }
                var p = e.EffectivePolicy;
                var table = Table.KeyValue()
                    .Add("id", e.Id)
                    .Add("name", e.Name)
                    .Add("handler", e.HandlerName)
                    .Add("active", e.Active)
                    .Add("timeout", Timeout(p))
                    .Add("max retries", p.MaxRetries)
                    .Add("backoff", p.Backoff)
                    .Add("max concurrency", p.MaxConcurrency)
                    .Add("rate limit/s", p.RateLimitPerSec);
                foreach (var (key, value) in e.Metadata ?? new Dictionary<string, string>())
                    table.Add($"metadata.{key}", value);
                output.Write(table);
                return ExitCodes.Ok;
            };
        });
        return command;
    }

    private static Command Remove()
    {
        var id = EventIdArgument.Create();
        var command = new Command("remove", "Remove an event and its trigger subscriptions") { id };
        command.SetClusterAction((parse, output) =>
        {
            var eventId = EventIdArgument.Read(parse, id);
            return async (orchestrator, cancellationToken) =>
            {
                var removed = await orchestrator.RemoveEventAsync(eventId, cancellationToken);
                if (removed.IsErr) return output.Fail(removed.Error);
                if (output.Json) output.WriteJson(new { removed = eventId });
                else output.WriteLine($"removed event {eventId}");
                return ExitCodes.Ok;
            };
        });
        return command;
    }

    private static Command SetActive(string name, bool active, string description)
    {
        var id = EventIdArgument.Create();
        var command = new Command(name, description) { id };
        command.SetClusterAction((parse, output) =>
        {
            var eventId = EventIdArgument.Read(parse, id);
            return async (orchestrator, cancellationToken) =>
            {
                var set = await orchestrator.SetEventActiveAsync(eventId, active, cancellationToken);
                if (set.IsErr) return output.Fail(set.Error);
                if (output.Json) output.WriteJson(new { eventId, active });
                else output.WriteLine($"{(active ? "resumed" : "paused")} event {eventId}");
                return ExitCodes.Ok;
            };
        });
        return command;
    }

    private static string Timeout(Policy p) => p.Timeout is { } t ? Format.Duration(t) : "none";
}
