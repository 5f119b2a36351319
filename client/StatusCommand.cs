using System.CommandLine;

namespace Orleans.ConvoOrchestrator.Cli;

/// <summary><c>status &lt;event-id&gt;</c>: an event's live state and its last outcome.</summary>
internal static class StatusCommand
{
    public static Command Create()
    {
        var id = EventIdArgument.Create();
        var command = new Command("status", "Show an event's live status and last outcome") { id };
        command.SetClusterAction((parse, output) =>
        {
            var eventId = EventIdArgument.Read(parse, id);
            return async (orchestrator, cancellationToken) =>
            {
                var got = await orchestrator.StatusAsync(eventId, cancellationToken);
                if (got.IsErr) return output.Fail(got.Error);
                var status = got.Unwrap();
                if (output.Json)
                {
                    output.WriteJson(status);
                    return ExitCodes.Ok;
                }
                var table = Table.KeyValue()
                    .Add("event", eventId)
                    .Add("active", status.Active)
                    .Add("queue depth", status.QueueDepth)
                    .Add("running", status.Running)
                    .Add("abandoned", status.Abandoned)
                    .Add("next run", status.NextRun);
                if (status.LastOutcome is { } last)
                {
                    table.Add("last status", last.Status)
                        .Add("last error", last.Error?.ToString())
                        .Add("last preview", last.ResultPreview)
                        .Add("last retries", last.Retries)
                        .Add("last duration", last.Duration)
                        .Add("last finished", last.FinishedAt);
                }
                else
                {
                    table.Add("last status", "no job has finished yet");
                }
                output.Write(table);
                return ExitCodes.Ok;
            };
        });
        return command;
    }
}
