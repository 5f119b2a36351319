using System.CommandLine;

namespace Orleans.ConvoOrchestrator.Cli;

/// <summary>
/// <c>test-run &lt;event-id&gt; [--payload json]</c>: run the event's handler now (even when paused) and wait for
/// the outcome. Exit 0 when the job ended OK, 4 when it ran and did not, so <c>convo test-run ev &amp;&amp; ...</c> works.
/// </summary>
internal static class TestRunCommand
{
    public static Command Create()
    {
        var id = EventIdArgument.Create();
        var payload = PayloadOption.Create("The payload the handler gets");
        var command = new Command("test-run",
            "Run an event's handler now with its policy (timeout, retries), even if paused, and print the outcome; exit 4 when it did not end OK")
        {
            id, payload,
        };
        command.SetClusterAction((parse, output) =>
        {
            var eventId = EventIdArgument.Read(parse, id);
            var json = PayloadOption.Read(parse, payload);
            return async (orchestrator, cancellationToken) =>
            {
                var ran = await orchestrator.TestRunAsync(eventId, PayloadOption.ToElement(json), cancellationToken);
                if (ran.IsErr) return output.Fail(ran.Error);
                var outcome = ran.Unwrap();
                if (output.Json)
                {
                    output.WriteJson(outcome);
                }
                else
                {
                    output.Write(Table.KeyValue()
                        .Add("event", eventId)
                        .Add("status", outcome.Status)
                        .Add("error", outcome.Error?.ToString())
                        .Add("result", outcome.ResultPreview)
                        .Add("retries", outcome.Retries)
                        .Add("duration", outcome.Duration)
                        .Add("finished", outcome.FinishedAt));
                }
                return outcome.Status == JobStatus.OK ? ExitCodes.Ok : ExitCodes.JobNotOk;
            };
        });
        return command;
    }
}
