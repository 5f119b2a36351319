using System.CommandLine;

namespace Orleans.ConvoOrchestrator.Cli;

/// <summary><c>emit &lt;event-id&gt; [--payload json]</c>: enqueue a job and print its id (it runs asynchronously).</summary>
internal static class EmitCommand
{
    public static Command Create()
    {
        var id = EventIdArgument.Create();
        var payload = new Option<string>("--payload", "-p")
        {
            Description = """The job's payload as JSON text, e.g. '{"msg":"hi"}' (default: null)""",
        };
        var command = new Command("emit", "Enqueue a job for an event; prints the job id") { id, payload };
        command.SetClusterAction((parse, output) =>
        {
            var eventId = EventIdArgument.Read(parse, id);
            // Checked here (exit 2) rather than by the cluster (exit 1): a malformed payload is a usage mistake.
            var json = JsonPayload.FromJson(parse.GetValue(payload));
            if (json.IsErr) throw new UsageException($"--payload: {json.Error.Message}");
            return async orchestrator =>
            {
                var emitted = await orchestrator.EmitJsonAsync(eventId, json.Unwrap());
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
