using System.CommandLine;

namespace Orleans.ConvoOrchestrator.Cli;

/// <summary><c>history &lt;event-id&gt; [--limit N]</c>: an event's recent outcomes, newest first.</summary>
internal static class HistoryCommand
{
    public static Command Create()
    {
        var id = EventIdArgument.Create();
        var limit = new Option<int>("--limit", "-n")
        {
            HelpName = "N",
            Description = "At most this many entries",
            DefaultValueFactory = _ => 20,
        };
        var command = new Command("history", "Show an event's recent job outcomes, newest first") { id, limit };
        command.SetClusterAction((parse, output) =>
        {
            var eventId = EventIdArgument.Read(parse, id);
            var max = parse.GetValue(limit);
            if (max < 1) throw new UsageException($"--limit must be at least 1 (got {max})");
            return async (orchestrator, cancellationToken) =>
            {
                var got = await orchestrator.HistoryAsync(eventId, max, cancellationToken);
                if (got.IsErr) return output.Fail(got.Error);
                var records = got.Unwrap();
                if (output.Json)
                {
                    output.WriteJson(records);
                    return ExitCodes.Ok;
                }
                if (records.Count == 0)
                {
                    output.WriteLine($"no finished jobs for {eventId}");
                    return ExitCodes.Ok;
                }
                var table = Table.WithHeaders("JOB", "ENQUEUED", "STATUS", "RETRIES", "DURATION", "TRIGGER", "RESULT");
                foreach (var r in records)
                {
                    var o = r.Outcome;
                    // One column for "what happened": the error when it failed, the preview when it did not.
                    var result = o.Error is { } e ? e.ToString() : o.ResultPreview;
                    table.Add(r.JobId, r.EnqueuedAt, o.Status, o.Retries, o.Duration, r.TriggerId?.Value, result);
                }
                output.Write(table);
                return ExitCodes.Ok;
            };
        });
        return command;
    }
}
