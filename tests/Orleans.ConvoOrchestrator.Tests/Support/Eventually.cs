namespace Orleans.ConvoOrchestrator.Tests.Support;

/// <summary>Polling helpers shared by the cluster fixtures: real-time bounds, generous by design.</summary>
public static class Eventually
{
    /// <summary>Polls <paramref name="read"/> until <paramref name="done"/> holds; throws with the last value after <paramref name="within"/>.</summary>
    public static async Task<T> MatchAsync<T>(Func<Task<T>> read, Func<T, bool> done, TimeSpan within, string what, int pollMs = 10)
    {
        var deadline = DateTime.UtcNow + within;
        while (true)
        {
            var value = await read();
            if (done(value)) return value;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"{what} never matched; last: {value}");
            await Task.Delay(pollMs);
        }
    }

    /// <summary>Polls <paramref name="condition"/> until it holds; throws naming <paramref name="what"/> after <paramref name="within"/>.</summary>
    public static Task TrueAsync(Func<Task<bool>> condition, TimeSpan within, string what = "the condition") =>
        MatchAsync(condition, static ok => ok, within, what);

    /// <summary>Waits until the event's history holds <paramref name="count"/> outcomes; returns them oldest first.</summary>
    public static async Task<IReadOnlyList<JobRecord>> HistoryAsync(IEventOrchestrator api, EventId id, int count, TimeSpan within)
    {
        var history = await MatchAsync(async () => (await api.HistoryAsync(id, 100)).Unwrap(), h => h.Count >= count, within,
            $"history of {id} (want {count} outcomes)");
        return history.Reverse().ToList();
    }
}
