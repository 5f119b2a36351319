using System.CommandLine;

namespace Orleans.ConvoOrchestrator.Cli;

/// <summary>
/// <c>cancel &lt;event-id&gt; &lt;job-id&gt;</c> or <c>cancel &lt;event-id&gt; --waiting</c>: jobs that have not started end
/// CANCELLED. Also spelled <c>jobs cancel</c> (<see cref="JobsCommand"/>).
/// </summary>
internal static class CancelCommand
{
    public static Command Create()
    {
        var id = EventIdArgument.Create();
        var job = new Argument<string?>("job-id") { Description = "The job to cancel (as emit printed it)", Arity = ArgumentArity.ZeroOrOne };
        var waiting = new Option<bool>("--waiting") { Description = "Cancel every job of the event that waits (queued or being stored)" };
        var command = new Command("cancel", "Cancel a job (waiting or running), or every waiting job of an event; answers once stored") { id, job, waiting };
        command.SetClusterAction((parse, output) =>
        {
            var eventId = EventIdArgument.Read(parse, id);
            var jobId = parse.GetValue(job);
            var all = parse.GetValue(waiting);
            if (all == (jobId is not null)) throw new UsageException("name one job (cancel EVENT-ID JOB-ID) or all waiting ones (cancel EVENT-ID --waiting)");
            return async (orchestrator, cancellationToken) =>
            {
                if (jobId is not null)
                {
                    var cancelled = await orchestrator.CancelJobAsync(eventId, jobId, cancellationToken);
                    if (cancelled.IsErr) return output.Fail(cancelled.Error);
                    if (output.Json) output.WriteJson(new { eventId, jobId, cancelled = 1 });
                    else output.WriteLine($"cancelled job {jobId} of event {eventId}");
                    return ExitCodes.Ok;
                }
                var count = await orchestrator.CancelWaitingJobsAsync(eventId, cancellationToken);
                if (count.IsErr) return output.Fail(count.Error);
                if (output.Json) output.WriteJson(new { eventId, cancelled = count.Unwrap() });
                else output.WriteLine($"cancelled {count.Unwrap()} waiting job{(count.Unwrap() == 1 ? "" : "s")} of event {eventId}");
                return ExitCodes.Ok;
            };
        });
        return command;
    }
}
