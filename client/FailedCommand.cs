using System.CommandLine;

namespace Orleans.ConvoOrchestrator.Cli;

/// <summary>
/// <c>failed list [event-id]</c>, <c>failed requeue &lt;event-id&gt; (JOB-ID... | --all)</c>,
/// <c>failed discard &lt;event-id&gt; (JOB-ID... | --all)</c>: jobs whose retries ran out, and what an operator does with them.
/// </summary>
internal static class FailedCommand
{
    public static Command Create() => new("failed", "List failed jobs (retries ran out), run them again or drop them")
    {
        List(),
        Change("requeue", "Run failed jobs again, under their own ids, as a new delivery", "requeued",
            (o, ev, ids, ct) => o.RequeueFailedJobsAsync(ev, ids, ct)),
        Change("discard", "Drop failed jobs from the event's failed list", "discarded",
            (o, ev, ids, ct) => o.DiscardFailedJobsAsync(ev, ids, ct)),
    };

    private static Command List()
    {
        var id = new Argument<string?>("event-id") { Description = "Only this event's (default: every event's)", Arity = ArgumentArity.ZeroOrOne };
        var limit = new Option<int>("--limit", "-n") { HelpName = "N", Description = "At most this many", DefaultValueFactory = _ => 20 };
        var command = new Command("list", "Failed jobs, newest failure first") { id, limit };
        command.SetClusterAction((parse, output) =>
        {
            EventId? eventId = parse.GetValue(id) is { } text ? EventIdArgument.Parse(text) : null;
            var max = parse.GetValue(limit);
            if (max < 1) throw new UsageException($"--limit must be at least 1 (got {max})");
            return async (orchestrator, cancellationToken) =>
            {
                var got = await orchestrator.ListFailedJobsAsync(eventId, max, cancellationToken);
                if (got.IsErr) return output.Fail(got.Error);
                var failed = got.Unwrap();
                if (output.Json)
                {
                    output.WriteJson(failed);
                    return ExitCodes.Ok;
                }
                if (failed.Count == 0)
                {
                    output.WriteLine(eventId is null ? "no failed jobs" : $"no failed jobs for {eventId}");
                    return ExitCodes.Ok;
                }
                var table = Table.WithHeaders("EVENT", "JOB", "FAILED", "ATTEMPTS", "DELIVERY", "ERROR", "PAYLOAD");
                foreach (var f in failed)
                    table.Add(f.EventId.Value, f.JobId, f.Outcome.FinishedAt, f.Attempts, f.Outcome.Delivery, f.Outcome.Error?.ToString(), f.PayloadJson);
                output.Write(table);
                return ExitCodes.Ok;
            };
        });
        return command;
    }

    private static Command Change(string name, string description, string done, Func<IEventOrchestrator, EventId, IReadOnlyList<string>?, CancellationToken, Task<Result<int>>> change)
    {
        var id = EventIdArgument.Create();
        var jobs = new Argument<string[]>("job-id") { Description = "The failed jobs (as `failed list` shows them)", Arity = ArgumentArity.ZeroOrMore };
        var all = new Option<bool>("--all") { Description = "Every failed job of the event" };
        var command = new Command(name, description) { id, jobs, all };
        command.SetClusterAction((parse, output) =>
        {
            var eventId = EventIdArgument.Read(parse, id);
            var ids = parse.GetValue(jobs) ?? [];
            var everyOne = parse.GetValue(all);
            if (everyOne == ids.Length > 0) throw new UsageException($"name the jobs ({name} EVENT-ID JOB-ID...) or all of them ({name} EVENT-ID --all)");
            return async (orchestrator, cancellationToken) =>
            {
                var count = await change(orchestrator, eventId, everyOne ? null : ids, cancellationToken);
                if (count.IsErr) return output.Fail(count.Error);
                if (output.Json) output.WriteJson(new Dictionary<string, object> { ["eventId"] = eventId.Value, [done] = count.Unwrap() });
                else output.WriteLine($"{done} {count.Unwrap()} failed job{(count.Unwrap() == 1 ? "" : "s")} of event {eventId}");
                return ExitCodes.Ok;
            };
        });
        return command;
    }
}
