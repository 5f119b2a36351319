using System.CommandLine;
using System.CommandLine.Invocation;
using Orleans.ConvoOrchestrator.Cli;

// convo: the command-line client of a ConvoOrchestrator cluster. Each invocation connects an Orleans client,
// runs one command and exits; see ExitCodes for what the exit code means.
var root = new RootCommand("Command-line client for a ConvoOrchestrator cluster (start one with: dotnet run --project silo)")
{
    EventsCommand.Create(),
    TriggersCommand.Create(),
    CalendarsCommand.Create(),
    EmitCommand.Create(),
    CancelCommand.Create(),
    JobsCommand.Create(),
    FailedCommand.Create(),
    TestRunCommand.Create(),
    StatusCommand.Create(),
    HistoryCommand.Create(),
    MetricsCommand.Create(),
    WatchCommand.Create(),
};
foreach (var option in GlobalOptions.All) root.Options.Add(option);

// Response files (@file) are off: ids may start with '@', and "convo status @ev" must mean that event.
var parse = root.Parse(args, new ParserConfiguration { ResponseFileTokenReplacer = null });

// System.CommandLine reports parse errors with exit code 1, which here means "the orchestrator said no".
// Bad usage is 2, so parse errors are reported here. (--help clears parse errors and still runs.)
if (parse.Errors.Count > 0 && parse.Action is ParseErrorAction)
{
    foreach (var error in parse.Errors) Console.Error.WriteLine($"error: {error.Message}");
    Console.Error.WriteLine("run 'convo --help' (or 'convo <command> --help') for usage");
    return ExitCodes.Usage;
}

// Ctrl+C / SIGTERM cancel the command's token, and the process ends at most this long after. Set explicitly:
// System.CommandLine 2.0.0 leaves it null (signals then kill the process with no message).
var invocation = new InvocationConfiguration { ProcessTerminationTimeout = TimeSpan.FromSeconds(3) };
return await parse.InvokeAsync(invocation);
