using System.CommandLine;

namespace Orleans.ConvoOrchestrator.Cli;

/// <summary>
/// The part of a command that talks to the cluster; returns the exit code. <paramref name="cancellationToken"/>
/// is cancelled by Ctrl+C; long-running commands (watch) stop on it.
/// </summary>
internal delegate Task<int> ClusterCall(IEventOrchestrator orchestrator, CancellationToken cancellationToken);

/// <summary>
/// Runs every command the same way: read and check the input first (no network, so typos fail fast with
/// exit 2), then connect, call, disconnect. It is also the one place exceptions become exit codes and
/// one-line messages; no stack trace ever reaches the user.
/// </summary>
internal static class CommandRunner
{
    /// <summary>Sets <paramref name="command"/>'s action. <paramref name="prepare"/> validates input and returns the call.</summary>
    public static void SetClusterAction(this Command command, Func<ParseResult, Output, ClusterCall> prepare) =>
        command.SetAction((parse, cancellationToken) => RunAsync(parse, prepare, cancellationToken));

    private static async Task<int> RunAsync(ParseResult parse, Func<ParseResult, Output, ClusterCall> prepare, CancellationToken cancellationToken)
    {
        var output = new Output(parse.GetValue(GlobalOptions.Json), Console.Out, Console.Error);
        ConnectionSettings settings;
        ClusterCall call;
        try
        {
            settings = GlobalOptions.ConnectionFrom(parse);
            call = prepare(parse, output);
        }
        catch (UsageException ex)
        {
            output.Error(ex.Message);
            return ExitCodes.Usage;
        }

        try
        {
            await using var connection = await CliConnection.ConnectAsync(settings, cancellationToken).ConfigureAwait(false);
            return await call(connection.Orchestrator, cancellationToken).ConfigureAwait(false);
        }
        catch (NoSiloException ex)
        {
            output.Error(ex.Message);
            if (settings.Verbose && ex.Detail is { } detail) output.Note($"  reason: {detail}");
            return ExitCodes.NoSilo;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            output.Error("interrupted");
            return ExitCodes.Interrupted;
        }
        catch (AppErrorException ex)
        {
            return output.Fail(ex.Error);
        }
        catch (Exception ex) when (ex is TimeoutException or OrleansException)
        {
            // Connected, then lost the silo (or it stopped answering) in the middle of the command.
            output.Error($"lost the connection to {settings.Describe()}: {FirstLine(ex.Message)}");
            return ExitCodes.NoSilo;
        }
        catch (Exception ex)
        {
            output.Error($"unexpected {ex.GetType().Name}: {FirstLine(ex.Message)}");
            if (settings.Verbose) output.Note(ex.ToString());
            return ExitCodes.OrchestratorError;
        }
    }

    private static string FirstLine(string text) => text.ReplaceLineEndings("\n").Split('\n', 2)[0];
}
