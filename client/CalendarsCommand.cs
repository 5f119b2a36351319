using System.CommandLine;

namespace Orleans.ConvoOrchestrator.Cli;

/// <summary><c>calendars save|list|get|remove</c>: exclusion calendars that INTERVAL and Cron triggers name.</summary>
internal static class CalendarsCommand
{
    public static Command Create() => new("calendars", "Manage exclusion calendars (holidays, business hours) that triggers skip")
    {
        Save(),
        List(),
        Get(),
        Remove(),
    };

    private static Command Save()
    {
        var name = new Argument<string>("name") { Description = "The calendar's name (optional with -f when the file names it)", Arity = ArgumentArity.ZeroOrOne };
        var definition = new CalendarDefinitionOptions();
        var command = new Command("save", "Create or replace a calendar, from a JSON file (-f) or rule flags; triggers naming it use it from their next fire") { name };
        foreach (var option in definition.All) command.Options.Add(option);
        command.SetClusterAction((parse, output) =>
        {
            var calendar = definition.Read(parse, parse.GetValue(name));
            return async (orchestrator, cancellationToken) =>
            {
                var saved = await orchestrator.SaveCalendarAsync(calendar, cancellationToken);
                if (saved.IsErr) return output.Fail(saved.Error);
                if (output.Json) output.WriteJson(new { saved = calendar.Name, calendar });
                else output.WriteLine($"saved calendar {calendar.Name} ({calendar.Rules.Count} rule{(calendar.Rules.Count == 1 ? "" : "s")}, {calendar.TimeZone ?? "UTC"})");
                return ExitCodes.Ok;
            };
        });
        return command;
    }

    private static Command List()
    {
        var command = new Command("list", "List every calendar");
        command.SetClusterAction((_, output) => async (orchestrator, cancellationToken) =>
        {
            var listed = await orchestrator.ListCalendarsAsync(cancellationToken);
            if (listed.IsErr) return output.Fail(listed.Error);
            var list = listed.Unwrap();
            if (output.Json)
            {
                output.WriteJson(list);
                return ExitCodes.Ok;
            }
            if (list.Count == 0)
            {
                output.WriteLine("no calendars");
                return ExitCodes.Ok;
            }
            var table = Table.WithHeaders("NAME", "TIME ZONE", "EXCLUDES", "DESCRIPTION");
            foreach (var c in list) table.Add(c.Name, c.TimeZone ?? "UTC", string.Join("; ", c.Rules.Select(Format.Rule)), c.Description);
            output.Write(table);
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Get()
    {
        var name = NameArgument();
        var command = new Command("get", "Show one calendar's rules") { name };
        command.SetClusterAction((parse, output) =>
        {
            var calendarName = ReadName(parse, name);
            return async (orchestrator, cancellationToken) =>
            {
                var got = await orchestrator.GetCalendarAsync(calendarName, cancellationToken);
                if (got.IsErr) return output.Fail(got.Error);
                var c = got.Unwrap();
                if (output.Json)
                {
                    output.WriteJson(c);
                    return ExitCodes.Ok;
                }
                var table = Table.KeyValue().Add("name", c.Name).Add("time zone", c.TimeZone ?? "UTC").Add("description", c.Description);
                for (var i = 0; i < c.Rules.Count; i++) table.Add($"excludes {i + 1}", Format.Rule(c.Rules[i]));
                output.Write(table);
                return ExitCodes.Ok;
            };
        });
        return command;
    }

    private static Command Remove()
    {
        var name = NameArgument();
        var command = new Command("remove", "Remove a calendar (refused while a trigger names it)") { name };
        command.SetClusterAction((parse, output) =>
        {
            var calendarName = ReadName(parse, name);
            return async (orchestrator, cancellationToken) =>
            {
                var removed = await orchestrator.RemoveCalendarAsync(calendarName, cancellationToken);
                if (removed.IsErr) return output.Fail(removed.Error);
                if (output.Json) output.WriteJson(new { removed = calendarName });
                else output.WriteLine($"removed calendar {calendarName}");
                return ExitCodes.Ok;
            };
        });
        return command;
    }

    private static Argument<string> NameArgument() => new("name") { Description = "The calendar's name" };

    private static string ReadName(ParseResult parse, Argument<string> argument)
    {
        var name = parse.GetValue(argument) ?? "";
        if (DefinitionValidator.ValidateCalendarName(name) is { IsErr: true } bad) throw new UsageException(bad.Error.Message);
        return name;
    }
}
