using System.Text.Json;
using StackExchange.Redis;

namespace Orleans.ConvoOrchestrator.Bench.Comparison;

/// <summary>
/// The cluster's membership as Orleans' Redis clustering stores it (a hash <c>{serviceId}/members/{clusterId}</c>,
/// one JSON row per silo generation): what every silo believes about every other, read without asking any of them.
/// </summary>
internal sealed class MembershipTable(IConnectionMultiplexer redis, string serviceId, string clusterId) : IAsyncDisposable
{
    /// <summary>Orleans' <c>SiloStatus</c> values this scenario looks at.</summary>
    public const int Active = 3;

    /// <summary>Declared dead.</summary>
    public const int Dead = 6;

    /// <summary>One silo generation's row: its silo port, status and the death votes (suspicions) against it.</summary>
    public sealed record Row(int Port, int Status, int Suspicions);

    /// <summary>Connects to the Redis server the cluster uses.</summary>
    public static async Task<MembershipTable> ConnectAsync(string redisConfiguration, string clusterId) =>
        new(await ConnectionMultiplexer.ConnectAsync(redisConfiguration), clusterId, clusterId);

    /// <summary>Every row of the table now.</summary>
    public async Task<IReadOnlyList<Row>> ReadAsync()
    {
        var entries = await redis.GetDatabase().HashGetAllAsync($"{serviceId}/members/{clusterId}");
        var rows = new List<Row>();
        foreach (var entry in entries)
        {
            if (entry.Name == "Version") continue;
            using var json = JsonDocument.Parse((string)entry.Value!);
            var root = json.RootElement;
            try
            {
                rows.Add(new Row(PortOf(entry.Name!), StatusOf(root.GetProperty("Status")),
                    root.TryGetProperty("SuspectTimes", out var votes) && votes.ValueKind == JsonValueKind.Array ? votes.GetArrayLength() : 0));
            }
            catch (Exception ex) when (ex is KeyNotFoundException or InvalidOperationException or FormatException)
            {
                throw new InvalidOperationException($"a membership row of an unknown shape: {entry.Name} = {entry.Value}", ex);
            }
        }
        return rows;
    }

    // Each row's field is its silo address, "S127.0.0.1:11111:155299725" (host, port, generation).
    private static int PortOf(string field) => int.Parse(field.Split(':')[^2], System.Globalization.CultureInfo.InvariantCulture);

    private static int StatusOf(JsonElement status) => status.ValueKind == JsonValueKind.Number
        ? status.GetInt32()
        : status.GetString() switch
        {
            "Active" => Active,
            "Dead" => Dead,
            var other => other is null ? -1 : 100 + other.Length, // any other state: neither Active nor Dead
        };

    public ValueTask DisposeAsync() => redis.DisposeAsync();
}
