using Orleans.Runtime;
using Orleans.Runtime.Messaging;

namespace Orleans.ConvoOrchestrator.Client;

/// <summary>
/// Bounds the client's first connection: Orleans' default retry (15 tries with a growing delay) keeps an app
/// whose silo is absent waiting for minutes; this retries transient failures
/// <see cref="ConvoClientOptions.ConnectRetries"/> times, <see cref="ConvoClientOptions.ConnectRetryDelay"/> apart.
/// </summary>
internal sealed class ConnectRetryFilter(int maxRetries, TimeSpan delay) : IClientConnectionRetryFilter
{
    private int _retries;

    /// <inheritdoc />
    public async Task<bool> ShouldRetryConnectionAttempt(Exception exception, CancellationToken cancellationToken)
    {
        // The transient failures Orleans' own filter retries; anything else (e.g. a gateway of another cluster
        // rejecting us) does not get better by retrying.
        if (exception is not (ConnectionFailedException or OrleansMessageRejectionException)) return false;
        if (cancellationToken.IsCancellationRequested || Interlocked.Increment(ref _retries) > maxRetries) return false;
        await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
        return true;
    }
}
