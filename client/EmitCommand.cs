using System.CommandLine;

namespace Orleans.ConvoOrchestrator.Cli;

/// <summary><c>emit &lt;event-id&gt; [--payload json]</c>: enqueue a job and print its id (it runs asynchronously).</summary>
internal static class EmitCommand
{
    public static Command Create()
    {
        var id = EventIdArgument.Create();
        var payload = PayloadOption.Create("The job's payload");
        var command = new Command("emit", "Enqueue a job for an event; prints the job id") { id, payload };
        command.SetClusterAction((parse, output) =>
        {
            var eventId = EventIdArgument.Read(parse, id);
            var json = PayloadOption.Read(parse, payload);
            return async (orchestrator, _) =>
            {
                var emitted = await orchestrator.EmitJsonAsync(eventId, json);
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
