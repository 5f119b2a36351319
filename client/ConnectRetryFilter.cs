using Orleans.Runtime;
using Orleans.Runtime.Messaging;

namespace Orleans.ConvoOrchestrator.Cli;

/// <summary>
/// Replaces Orleans' default connection retry (15 retries with a linearly growing delay: minutes) with a short
/// budget suited to a command-line tool: a silo that is still starting gets a couple of seconds, a silo that
/// is not there is reported at once. The overall connect timeout still bounds everything.
/// </summary>
internal sealed class ConnectRetryFilter : IClientConnectionRetryFilter
{
    private const int MaxRetries = 3;
    private static readonly TimeSpan Delay = TimeSpan.FromMilliseconds(500);
    private int _retries;

    /// <inheritdoc />
    public async Task<bool> ShouldRetryConnectionAttempt(Exception exception, CancellationToken cancellationToken)
    {
        // Same transient failures as Orleans' default filter; anything else (e.g. a gateway of another
        // cluster rejecting us) will not get better by retrying.
        if (exception is not (ConnectionFailedException or OrleansMessageRejectionException)) return false;
        if (cancellationToken.IsCancellationRequested || ++_retries > MaxRetries) return false;
        await Task.Delay(Delay, cancellationToken).ConfigureAwait(false);
        return true;
    }
}
