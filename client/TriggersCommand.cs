using System.CommandLine;

namespace Orleans.ConvoOrchestrator.Cli;

/// <summary><c>triggers attach|detach|list|fire</c>: when events run.</summary>
internal static class TriggersCommand
{
    // triggers list asks every trigger for its status; a bound keeps a large catalog from flooding the cluster.
    private const int StatusCallsInFlight = 16;

    public static Command Create() => new("triggers", "Attach, detach, list and fire triggers")
    {
        Attach(),
        Detach(),
        List(),
        Fire(),
        Next(),
        Backfill(),
        SetPaused("pause", paused: true, "Pause a trigger for every event it feeds: it fires nothing until resumed"),
        SetPaused("resume", paused: false, "Resume a trigger; what it missed meanwhile follows its --misfire and --catch-up"),
    };

    private static Command Attach()
    {
        var id = EventIdArgument.Create();
        var definition = new TriggerDefinitionOptions();
        var command = new Command("attach", "Attach a trigger to an event, from a JSON file (-f) or flags (--every, --at, --cron, --external, --condition)") { id };
        foreach (var option in definition.All) command.Options.Add(option);
        command.SetClusterAction((parse, output) =>
        {
            var eventId = EventIdArgument.Read(parse, id);
            var trigger = definition.Read(parse, DateTimeOffset.UtcNow);
            return async (orchestrator, cancellationToken) =>
            {
                var attached = await orchestrator.AttachTriggerAsync(eventId, trigger, cancellationToken);
                if (attached.IsErr) return output.Fail(attached.Error);
                var subscription = attached.Unwrap();
                if (output.Json) output.WriteJson(new { subscriptionId = subscription, eventId, triggerId = trigger.Id, trigger });
                else output.WriteLine($"attached trigger {trigger.Id} ({Format.Schedule(trigger)}) to event {eventId}; subscription {subscription}");
                return ExitCodes.Ok;
            };
        });
        return command;
    }

    private static Command Detach()
    {
        var ids = new Argument<string[]>("ids")
        {
            Description = "<event-id> <trigger-id>, or the subscription id <event-id>/<trigger-id> that attach printed",
            Arity = new ArgumentArity(1, 2),
        };
        var command = new Command("detach", "Detach a trigger from an event (the trigger stays attached to any other events)") { ids };
        command.SetClusterAction((parse, output) =>
        {
            var subscription = SubscriptionFrom(parse.GetValue(ids) ?? []);
            return async (orchestrator, cancellationToken) =>
            {
                var detached = await orchestrator.DetachTriggerAsync(subscription, cancellationToken);
                if (detached.IsErr) return output.Fail(detached.Error);
                subscription.TryParse(out var eventId, out var triggerId);
                if (output.Json) output.WriteJson(new { detached = subscription, eventId, triggerId });
                else output.WriteLine($"detached trigger {triggerId} from event {eventId}");
                return ExitCodes.Ok;
            };
        });
        return command;
    }

    private static Command List()
    {
        var eventOption = new Option<string>("--event", "-e") { HelpName = "EVENT-ID", Description = "Only the triggers attached to this event" };
        var paging = new PageOptions();
        var command = new Command("list", "List triggers with their next fire, last fire, fires and misses (all, or a page: --limit, --page-token)")
        {
            eventOption,
        };
        paging.AddTo(command);
        command.SetClusterAction((parse, output) =>
        {
            var page = paging.Read(parse);
            EventId? eventId = null;
            if (parse.GetValue(eventOption) is { } text)
            {
                var id = new EventId(text);
                if (DefinitionValidator.Validate(id) is { IsErr: true } bad) throw new UsageException($"--event: {bad.Error.Message}");
                eventId = id;
            }
            return async (orchestrator, cancellationToken) =>
            {
                IReadOnlyList<Trigger> triggers;
                string? next = null;
                if (page is { } p)
                {
                    var got = await orchestrator.ListTriggersPageAsync(p.Limit, p.Token, eventId, cancellationToken);
                    if (got.IsErr) return output.Fail(got.Error);
                    (triggers, next) = (got.Unwrap().Items, got.Unwrap().NextPageToken);
                }
                else
                {
                    var listed = await orchestrator.ListTriggersAsync(eventId, cancellationToken);
                    if (listed.IsErr) return output.Fail(listed.Error);
                    triggers = listed.Unwrap();
                }
                var statuses = await StatusesAsync(orchestrator, triggers, cancellationToken);
                if (output.Json)
                {
                    if (page is null) output.WriteJson(statuses);
                    else output.WriteJson(new { items = statuses, nextPageToken = next });
                    return ExitCodes.Ok;
                }
                var again = "triggers list" + (eventId is { } of ? $" --event {of}" : "");
                if (statuses.Count == 0)
                {
                    output.WriteLine(eventId is { } e ? $"no triggers attached to {e}" : "no triggers");
                    if (page is { } empty) PageOptions.WriteNext(output, again, empty.Limit, next);
                    return ExitCodes.Ok;
                }
                var table = Table.WithHeaders("TRIGGER", "KIND", "SCHEDULE", "ACTIVE", "EVENTS", "NEXT FIRE", "LAST FIRE", "FIRES", "MISSES");
                foreach (var s in statuses)
                {
                    var t = s.Trigger;
                    table.Add(t.Id, t.Kind, Format.Schedule(t), t.Active, string.Join(",", s.Subscribers),
                        Format.Time(s.NextFire), Format.Time(s.LastFiredAt), s.FireCount, s.MissCount);
                }
                output.Write(table);
                if (page is { } asked) PageOptions.WriteNext(output, again, asked.Limit, next);
                return ExitCodes.Ok;
            };
        });
        return command;
    }

    private static Command Fire()
    {
        var id = new Argument<string>("trigger-id") { Description = "An EXTERNAL trigger's id" };
        var payload = PayloadOption.Create("The payload every subscribed event's job gets");
        var command = new Command("fire", "Fire an EXTERNAL trigger: every event it is attached to gets a job") { id, payload };
        command.SetClusterAction((parse, output) =>
        {
            var triggerId = new TriggerId(parse.GetValue(id) ?? "");
            if (DefinitionValidator.Validate(triggerId) is { IsErr: true } bad) throw new UsageException(bad.Error.Message);
            var json = PayloadOption.Read(parse, payload);
            return async (orchestrator, cancellationToken) =>
            {
                var fired = await orchestrator.FireTriggerAsync(triggerId, PayloadOption.ToElement(json), cancellationToken);
                if (fired.IsErr) return output.Fail(fired.Error);
                var accepted = fired.Unwrap();
                if (output.Json) output.WriteJson(new { triggerId, accepted });
                else output.WriteLine($"fired trigger {triggerId}: {accepted} event{(accepted == 1 ? "" : "s")} accepted a job");
                return ExitCodes.Ok;
            };
        });
        return command;
    }

    private static Command SetPaused(string name, bool paused, string description)
    {
        var id = new Argument<string>("trigger-id") { Description = "The trigger's id" };
        var command = new Command(name, description) { id };
        command.SetClusterAction((parse, output) =>
        {
            var triggerId = new TriggerId(parse.GetValue(id) ?? "");
            if (DefinitionValidator.Validate(triggerId) is { IsErr: true } bad) throw new UsageException(bad.Error.Message);
            return async (orchestrator, cancellationToken) =>
            {
                var set = await orchestrator.SetTriggerPausedAsync(triggerId, paused, cancellationToken);
                if (set.IsErr) return output.Fail(set.Error);
                if (output.Json) output.WriteJson(new { triggerId, paused });
                else output.WriteLine($"{(paused ? "paused" : "resumed")} trigger {triggerId}");
                return ExitCodes.Ok;
            };
        });
        return command;
    }

    private static Command Next()
    {
        var id = new Argument<string>("trigger-id") { Description = "The trigger's id" };
        var count = new Option<int>("--count", "-n") { Description = $"How many fires to list, 1 to {TriggerPreview.MaxFires}", DefaultValueFactory = _ => 10 };
        var command = new Command("next", "List the next instants a trigger fires at, with its jitter, time zone and calendars applied") { id, count };
        command.SetClusterAction((parse, output) =>
        {
            var triggerId = new TriggerId(parse.GetValue(id) ?? "");
            if (DefinitionValidator.Validate(triggerId) is { IsErr: true } bad) throw new UsageException(bad.Error.Message);
            var n = parse.GetValue(count);
            if (TriggerPreview.Validate(n) is { IsErr: true } badCount) throw new UsageException($"--count: {badCount.Error.Message}");
            return async (orchestrator, cancellationToken) =>
            {
                var next = await orchestrator.NextFiresAsync(triggerId, n, cancellationToken);
                if (next.IsErr) return output.Fail(next.Error);
                var fires = next.Unwrap();
                if (output.Json) output.WriteJson(new { triggerId, fires });
                else if (fires.Count == 0) output.WriteLine($"trigger {triggerId} has no fire ahead (fired from outside, inactive or done)");
                else foreach (var fire in fires) output.WriteLine(fire.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss.fff 'UTC'", System.Globalization.CultureInfo.InvariantCulture));
                return ExitCodes.Ok;
            };
        });
        return command;
    }

    private static Command Backfill()
    {
        var id = new Argument<string>("trigger-id") { Description = "An AT, INTERVAL or Cron trigger's id" };
        var from = new Option<string>("--from") { HelpName = "INSTANT", Required = true, Description = $"Start of the range, included ({InstantText.Help})" };
        var to = new Option<string>("--to") { HelpName = "INSTANT", Description = $"End of the range, excluded, not in the future (default now; {InstantText.Help})" };
        var command = new Command("backfill",
            "Run the fires a trigger would have made in the past range [--from, --to): each instant once per event, in order, " +
            "following its overlap policy and calendars; a repeat runs nothing twice")
        {
            id, from, to,
        };
        command.SetClusterAction((parse, output) =>
        {
            var triggerId = new TriggerId(parse.GetValue(id) ?? "");
            if (DefinitionValidator.Validate(triggerId) is { IsErr: true } bad) throw new UsageException(bad.Error.Message);
            // Relative instants are read against one now, so "--from -1d --to now" is exactly a day.
            var now = DateTimeOffset.UtcNow;
            var start = InstantText.Parse(parse.GetValue(from) ?? "", "--from", now);
            var end = parse.GetValue(to) is { } text ? InstantText.Parse(text, "--to", now) : now;
            if (start >= end) throw new UsageException($"--from ({Format.Time(start)}) must be before --to ({Format.Time(end)})");
            return async (orchestrator, cancellationToken) =>
            {
                var backfilled = await orchestrator.BackfillTriggerAsync(triggerId, start, end, cancellationToken);
                if (backfilled.IsErr) return output.Fail(backfilled.Error);
                var report = backfilled.Unwrap();
                if (output.Json)
                {
                    output.WriteJson(report);
                    return ExitCodes.Ok;
                }
                output.WriteLine($"backfilled trigger {triggerId} from {Format.Time(report.From)} to {Format.Time(report.To)}: " +
                    $"{report.Instants} instant{(report.Instants == 1 ? "" : "s")} into {report.Events} event{(report.Events == 1 ? "" : "s")}");
                var table = Table.WithHeaders("QUEUED", "SKIPPED", "ALREADY BACKFILLED", "REFUSED");
                table.Add(report.Queued, report.Skipped, report.AlreadyBackfilled, report.Refused);
                output.Write(table);
                if (report.ResumeFrom is { } resume)
                    output.WriteLine($"cut at the bound: more fires follow; go on with --from {resume.UtcDateTime.ToString("O", System.Globalization.CultureInfo.InvariantCulture)} --to {report.To.UtcDateTime.ToString("O", System.Globalization.CultureInfo.InvariantCulture)}");
                return ExitCodes.Ok;
            };
        });
        return command;
    }

    // "ev/tr" or "ev tr", both sides checked like any id.
    private static SubscriptionId SubscriptionFrom(string[] parts)
    {
        var subscription = parts.Length == 2
            ? SubscriptionId.For(new EventId(parts[0]), new TriggerId(parts[1]))
            : new SubscriptionId(parts[0]);
        if (!subscription.TryParse(out var eventId, out var triggerId))
            throw new UsageException($"'{parts[0]}' is not a subscription id; give <event-id> <trigger-id> or <event-id>/<trigger-id>");
        if (DefinitionValidator.Validate(eventId) is { IsErr: true } badEvent) throw new UsageException(badEvent.Error.Message);
        if (DefinitionValidator.Validate(triggerId) is { IsErr: true } badTrigger) throw new UsageException(badTrigger.Error.Message);
        return subscription;
    }

    // Status of each listed trigger, in the listed order; one detached meanwhile (NOT_FOUND) is left out.
    private static async Task<List<TriggerStatus>> StatusesAsync(IEventOrchestrator orchestrator, IReadOnlyList<Trigger> triggers, CancellationToken cancellationToken)
    {
        using var gate = new SemaphoreSlim(StatusCallsInFlight);
        var calls = triggers.Select(async t =>
        {
            await gate.WaitAsync(cancellationToken);
            try
            {
                return await orchestrator.TriggerStatusAsync(t.Id, cancellationToken);
            }
            finally
            {
                gate.Release();
            }
        }).ToList();
        var results = await Task.WhenAll(calls);
        var statuses = new List<TriggerStatus>(results.Length);
        foreach (var r in results)
        {
            if (r.IsOk) statuses.Add(r.Unwrap());
            else if (r.Error.Kind != ErrorKind.NOT_FOUND) throw new AppErrorException(r.Error);
        }
        return statuses;
    }
}
