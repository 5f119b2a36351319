using System.CommandLine;

namespace Orleans.ConvoOrchestrator.Cli;

/// <summary>
/// <c>emit &lt;event-id&gt; [--payload json] [--key K]</c>: enqueue a job and print its id (it runs asynchronously); with
/// a key already seen within the event's idempotency window, the first job's id and no new job.
/// </summary>
internal static class EmitCommand
{
    public static Command Create()
    {
        var id = EventIdArgument.Create();
        var payload = PayloadOption.Create("The job's payload");
        var key = new Option<string?>("--key") { Description = "Idempotency key: an emit with a key seen within the event's window prints the first job's id and enqueues nothing" };
        var command = new Command("emit", "Enqueue a job for an event; prints the job id") { id, payload, key };
        command.SetClusterAction((parse, output) =>
        {
            var eventId = EventIdArgument.Read(parse, id);
            var json = PayloadOption.Read(parse, payload);
            var options = parse.GetValue(key) is { } k ? new EmitOptions(IdempotencyKey: k) : null;
            return async (orchestrator, cancellationToken) =>
            {
                var emitted = await orchestrator.EmitJsonAsync(eventId, json, options, cancellationToken);
                if (emitted.IsErr) return output.Fail(emitted.Error);
                if (output.Json) output.WriteJson(new { eventId, jobId = emitted.Unwrap() });
                // Just the id, so `job=$(convo emit ev)` works.
                else output.WriteLine(emitted.Unwrap());
                return ExitCodes.Ok;
            };
        });
        return command;
    }
}
