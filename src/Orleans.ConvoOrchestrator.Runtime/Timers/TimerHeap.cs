namespace Orleans.ConvoOrchestrator.Runtime.Timers;

/// <summary>
/// Keys ordered by due time: setting, moving or removing a key costs O(log n) and taking the due ones costs
/// O(log n) each, however many keys wait, where .NET's timer queue walks every timer due within its short
/// threshold each time one fires (docs/adr/0005-heap-grain-timers.md).
/// Moved and removed keys leave their old heap entries behind, skipped when they surface and dropped in one
/// rebuild once they outnumber the live ones. Not thread-safe: its owner locks.
/// </summary>
/// <typeparam name="T">The key (compared by its own equality; timers compare by reference).</typeparam>
internal sealed class TimerHeap<T> where T : notnull
{
    private PriorityQueue<(T Key, long Version), long> _queue = new();
    private readonly Dictionary<T, (long Version, long Due)> _live = [];
    private long _versions;

    /// <summary>Keys waiting.</summary>
    public int Count => _live.Count;

    /// <summary>Heap entries, stale ones included (for tests of the rebuild).</summary>
    internal int EntryCount => _queue.Count;

    /// <summary>Sets when <paramref name="key"/> is due, replacing any due time it had.</summary>
    public void Set(T key, long due)
    {
        var version = ++_versions;
        _live[key] = (version, due);
        _queue.Enqueue((key, version), due);
        RebuildIfMostlyStale();
    }

    /// <summary>Forgets <paramref name="key"/>; false when it was not waiting.</summary>
    public bool Remove(T key)
    {
        if (!_live.Remove(key)) return false;
        RebuildIfMostlyStale();
        return true;
    }

    /// <summary>The earliest due time of a waiting key, or null when none waits.</summary>
    public long? NextDue
    {
        get
        {
            while (_queue.TryPeek(out var entry, out var due))
            {
                if (IsLive(entry)) return due;
                _queue.Dequeue();
            }
            return null;
        }
    }

    /// <summary>Moves every key due at or before <paramref name="now"/> into <paramref name="into"/>, earliest first.</summary>
    /// <returns>How many were added.</returns>
    public int TakeDue(long now, List<T> into)
    {
        var taken = 0;
        while (_queue.TryPeek(out var entry, out var due) && due <= now)
        {
            _queue.Dequeue();
            if (!IsLive(entry)) continue;
            _live.Remove(entry.Key);
            into.Add(entry.Key);
            taken++;
        }
        return taken;
    }

    private bool IsLive((T Key, long Version) entry) => _live.TryGetValue(entry.Key, out var live) && live.Version == entry.Version;

    private void RebuildIfMostlyStale()
    {
        if (_queue.Count <= 64 + 2 * _live.Count) return;
        var queue = new PriorityQueue<(T, long), long>(_live.Count * 2);
        foreach (var (key, (version, due)) in _live) queue.Enqueue((key, version), due);
        _queue = queue;
    }
}
