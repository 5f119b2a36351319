namespace Orleans.ConvoOrchestrator.Runtime.Execution;

/// <summary>
/// A silo's abandoned runs by event: handlers whose attempt ended (timed out, cancelled past its grace, the silo
/// stopping) while their synchronous part still holds a handler thread. One leaves the count when its handler finally
/// lets the thread go. Event status shows the count of the silo that runs the event's jobs. Thread-safe.
/// </summary>
internal sealed class AbandonedRuns
{
    private readonly Lock _lock = new();
    private readonly Dictionary<EventId, int> _byEvent = [];
    private int _total;

    /// <summary>Abandoned runs of all events now.</summary>
    public int Total => Volatile.Read(ref _total);

    /// <summary>Abandoned runs of <paramref name="eventId"/> now.</summary>
    public int Of(EventId eventId)
    {
        lock (_lock) return _byEvent.GetValueOrDefault(eventId);
    }

    /// <summary>One more run of <paramref name="eventId"/> holds a thread after its attempt ended.</summary>
    public void Add(EventId eventId)
    {
        lock (_lock)
        {
            _byEvent[eventId] = _byEvent.GetValueOrDefault(eventId) + 1;
            _total++;
        }
    }

    /// <summary>One abandoned run of <paramref name="eventId"/> let its thread go.</summary>
    public void Remove(EventId eventId)
    {
        lock (_lock)
        {
            if (!_byEvent.TryGetValue(eventId, out var n)) return;
            if (n <= 1) _byEvent.Remove(eventId);
            else _byEvent[eventId] = n - 1;
            _total--;
        }
    }
}
