namespace Orleans.ConvoOrchestrator.Cli;

/// <summary>
/// Bad usage or bad input detected by the CLI itself (exit code 2). Thrown before any connection is attempted,
/// so a typo never waits on the network.
/// </summary>
internal sealed class UsageException(string message) : Exception(message);

/// <summary>
/// The cluster could not be reached (exit code 3). <see cref="Exception.Message"/> is the one line the user sees;
/// <see cref="Detail"/> (the underlying reason) is shown only with <c>--verbose</c>.
/// </summary>
internal sealed class NoSiloException(string message, string? detail = null, Exception? inner = null) : Exception(message, inner)
{
    public string? Detail { get; } = detail;
}
