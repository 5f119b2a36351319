namespace Orleans.ConvoOrchestrator.Runtime.Execution;

/// <summary>
/// Handler calls waiting for a thread of <see cref="HandlerThreads"/>: taken round-robin between events, in order within
/// one. When a burst of one event's calls waits for the watchdog to start threads, another event's call is taken by one
/// of the first new threads instead of the last (docs/adr/0002-handler-isolation.md). Thread-safe.
/// </summary>
internal sealed class HandlerQueue
{
    private const int SpareLanes = 64;
    private readonly Lock _lock = new();
    private readonly Dictionary<EventId, Queue<HandlerCall>> _lanes = [];
    // Events with waiting calls, in turn order; each is in it once.
    private readonly Queue<EventId> _ring = new();
    // Emptied lanes are kept for reuse: most events have at most one call waiting at a time.
    private readonly Stack<Queue<HandlerCall>> _spare = new();
    private int _count;

    /// <summary>Calls waiting now.</summary>
    public int Count => Volatile.Read(ref _count);

    /// <summary>True when no call waits.</summary>
    public bool IsEmpty => Count == 0;

    /// <summary>Adds a call at the back of its event's line.</summary>
    public void Enqueue(HandlerCall call)
    {
        lock (_lock)
        {
            if (!_lanes.TryGetValue(call.EventId, out var lane))
            {
                lane = _spare.TryPop(out var spare) ? spare : new Queue<HandlerCall>();
                _lanes.Add(call.EventId, lane);
                _ring.Enqueue(call.EventId);
            }
            lane.Enqueue(call);
            // Interlocked: a full fence, so a thread that counted itself idle and then looks here sees this call.
            Interlocked.Increment(ref _count);
        }
    }

    /// <summary>Takes the next call in turn; false when none waits.</summary>
    public bool TryDequeue(out HandlerCall call)
    {
        call = null!;
        if (IsEmpty) return false;
        lock (_lock)
        {
            if (!_ring.TryDequeue(out var eventId)) return false;
            var lane = _lanes[eventId];
            call = lane.Dequeue();
            if (lane.Count > 0) _ring.Enqueue(eventId); // to the back: the other events' calls come first
            else
            {
                _lanes.Remove(eventId);
                if (_spare.Count < SpareLanes) _spare.Push(lane);
            }
            Interlocked.Decrement(ref _count);
            return true;
        }
    }

    /// <summary>When the longest-waiting call was queued (<see cref="System.Diagnostics.Stopwatch"/> ticks); null when none waits.</summary>
    public long? OldestQueuedAt()
    {
        if (IsEmpty) return null;
        lock (_lock)
        {
            long? oldest = null;
            foreach (var lane in _lanes.Values)
            {
                var at = lane.Peek().QueuedAt; // each lane's first is its oldest
                if (oldest is null || at < oldest) oldest = at;
            }
            return oldest;
        }
    }
}
