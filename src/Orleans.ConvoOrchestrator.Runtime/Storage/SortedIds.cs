namespace Orleans.ConvoOrchestrator.Runtime.Storage;

/// <summary>
/// Ids in ordinal order for paging, with cheap inserts: a new id waits in a small unsorted tail, and the tail is
/// sorted and merged into the ordered list in one pass once it holds an eighth of it (or when the ids are read).
/// Inserting one at a time into a sorted list moved half the list each time, so a set-up of 100,000 schedules
/// spent its time shifting ids; merging in passes costs a few moves per id whatever the size.
/// </summary>
internal sealed class SortedIds
{
    private const int MinTail = 64;
    private List<string> _sorted = [];
    private readonly List<string> _tail = [];

    /// <summary>How many ids there are.</summary>
    public int Count => _sorted.Count + _tail.Count;

    /// <summary>Adds an id the caller knows is not here yet.</summary>
    public void AddNew(string id)
    {
        _tail.Add(id);
        if (_tail.Count >= Math.Max(MinTail, _sorted.Count / 8)) Merge();
    }

    /// <summary>Removes an id; false when it is not here.</summary>
    public bool Remove(string id)
    {
        var at = _sorted.BinarySearch(id, StringComparer.Ordinal);
        if (at >= 0)
        {
            _sorted.RemoveAt(at);
            return true;
        }
        return _tail.Remove(id);
    }

    /// <summary>Up to <paramref name="limit"/> ids ordinally after <paramref name="after"/> (from the first when null).</summary>
    public List<string> After(string? after, int limit)
    {
        Merge();
        var start = 0;
        if (after is not null)
        {
            var at = _sorted.BinarySearch(after, StringComparer.Ordinal);
            start = at >= 0 ? at + 1 : ~at;
        }
        return _sorted.GetRange(start, Math.Clamp(limit, 0, _sorted.Count - start));
    }

    private void Merge()
    {
        if (_tail.Count == 0) return;
        _tail.Sort(StringComparer.Ordinal);
        // Sized exactly: at rest the list holds no spare capacity from doubling.
        var merged = new List<string>(_sorted.Count + _tail.Count);
        int i = 0, j = 0;
        while (i < _sorted.Count && j < _tail.Count)
            merged.Add(string.CompareOrdinal(_sorted[i], _tail[j]) <= 0 ? _sorted[i++] : _tail[j++]);
        for (; i < _sorted.Count; i++) merged.Add(_sorted[i]);
        for (; j < _tail.Count; j++) merged.Add(_tail[j]);
        _sorted = merged;
        _tail.Clear();
    }
}
