namespace Orleans.ConvoOrchestrator.Cli;

/// <summary>
/// The process exit codes. Scripts branch on these, so they are part of the CLI's contract:
/// "the orchestrator said no" (1), "you called me wrong" (2) and "there is nobody to ask" (3) and "the handler failed" (4) need different fixes.
/// </summary>
internal static class ExitCodes
{
    /// <summary>The command did what it was asked.</summary>
    public const int Ok = 0;

    /// <summary>The orchestrator answered with an error result (NOT_FOUND, VALIDATION, ...).</summary>
    public const int OrchestratorError = 1;

    /// <summary>Bad usage or bad input (unknown option, unreadable or malformed file, invalid JSON payload).</summary>
    public const int Usage = 2;

    /// <summary>No silo could be reached (or the connection was lost mid-command: QUEUE_UNAVAILABLE).</summary>
    public const int NoSilo = 3;

    /// <summary><c>test-run</c>: the handler ran, and its job did not end OK (ERR, CANCELLED, SKIPPED).</summary>
    public const int JobNotOk = 4;

    /// <summary>Interrupted with Ctrl+C (128 + SIGINT, the shell convention).</summary>
    public const int Interrupted = 130;
}
