using System.CommandLine;

namespace Orleans.ConvoOrchestrator.Cli;

/// <summary>
/// <c>jobs list &lt;event-id&gt; [--limit N]</c>: the event's jobs that have not ended (running first, then the queue in
/// its order); <c>jobs cancel ...</c>: the same command as <c>cancel</c>.
/// </summary>
internal static class JobsCommand
{
    public static Command Create() => new("jobs", "List or cancel an event's jobs that have not ended") { List(), CancelCommand.Create() };

    private static Command List()
    {
        var id = EventIdArgument.Create();
        var limit = new Option<int>("--limit", "-n")
        {
            HelpName = "N",
            Description = $"At most this many (1 to {InFlightJob.MaxListed})",
            DefaultValueFactory = _ => 100,
        };
        var command = new Command("list", "An event's queued and running jobs: running first, then the queue in the order it starts") { id, limit };
        command.SetClusterAction((parse, output) =>
        {
            var eventId = EventIdArgument.Read(parse, id);
            var max = parse.GetValue(limit);
            if (InFlightJob.ValidateLimit(max) is { IsErr: true } bad) throw new UsageException($"--limit: {bad.Error.Message}");
            return async (orchestrator, cancellationToken) =>
            {
                var got = await orchestrator.ListJobsAsync(eventId, max, cancellationToken);
                if (got.IsErr) return output.Fail(got.Error);
                var jobs = got.Unwrap();
                if (output.Json)
                {
                    output.WriteJson(jobs);
                    return ExitCodes.Ok;
                }
                if (jobs.Count == 0)
                {
                    output.WriteLine($"no queued or running jobs for {eventId}");
                    return ExitCodes.Ok;
                }
                var table = Table.WithHeaders("JOB", "STATE", "ENQUEUED", "STARTED", "DELIVERY", "ATTEMPT", "TRIGGER");
                foreach (var j in jobs)
                    table.Add(j.JobId, j.State.ToString().ToLowerInvariant(), j.EnqueuedAt, j.StartedAt, j.Delivery, j.Attempt, j.TriggerId?.Value);
                output.Write(table);
                return ExitCodes.Ok;
            };
        });
        return command;
    }
}
