using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Orleans.ConvoOrchestrator.Runtime.Triggers;

/// <summary>
/// The shape of an idempotency key naming one instant of one trigger (<c>{kind}:{triggerId}:{instant}</c>, the instant
/// in UTC, so any offset gives the same key), shared by live fires (<see cref="FireKeys"/>) and backfills
/// (<see cref="BackfillKeys"/>).
/// </summary>
internal static class InstantKeys
{
    // Keys follow the rules of emit keys (at most 200 characters): a long trigger id is replaced by its hash.
    private const int MaxKeyLength = 200;

    /// <summary>The key of <paramref name="instant"/> of <paramref name="triggerId"/> under <paramref name="kind"/>.</summary>
    public static string For(string kind, TriggerId triggerId, DateTimeOffset instant)
    {
        var at = instant.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture);
        var key = $"{kind}:{triggerId.Value}:{at}";
        return key.Length <= MaxKeyLength ? key : $"{kind}:sha256:{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(triggerId.Value)))}:{at}";
    }
}
