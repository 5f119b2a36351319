using System.Collections.Concurrent;

namespace Orleans.ConvoOrchestrator.Runtime;

/// <summary>
/// The embedded store's histories: a ring of records per event in the silo's memory, each record flattened into
/// one value (<see cref="CompactJobRecord"/>), so a history is one array however many records it holds. Every
/// operation completes synchronously.
/// </summary>
public sealed class MemoryHistoryStore : IHistoryStore
{
    private readonly ConcurrentDictionary<EventId, Ring> _events = new();

    /// <inheritdoc />
    public bool AppendsInline => true;

    /// <inheritdoc />
    public Task AppendAsync(EventId eventId, IReadOnlyList<JobRecord> records, int keep)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(keep, 1);
        var ring = _events.GetOrAdd(eventId, static _ => new Ring());
        lock (ring)
        {
            // An index loop: appends come once per outcome, and foreach over the interface allocates an enumerator.
            for (var i = 0; i < records.Count; i++) ring.Add(records[i], keep);
        }
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<JobRecord>> LoadAsync(EventId eventId, int limit)
    {
        if (!_events.TryGetValue(eventId, out var ring)) return Task.FromResult<IReadOnlyList<JobRecord>>([]);
        lock (ring) return Task.FromResult<IReadOnlyList<JobRecord>>(ring.Newest(limit));
    }

    /// <inheritdoc />
    public Task ClearAsync(EventId eventId)
    {
        _events.TryRemove(eventId, out _);
        return Task.CompletedTask;
    }

    // A circular buffer that grows up to the bound it is given and then overwrites its oldest record.
    private sealed class Ring
    {
        private CompactJobRecord[] _items = new CompactJobRecord[4];
        private int _start;
        private int _count;

        public void Add(JobRecord record, int keep)
        {
            if (_items.Length != keep && (_count == _items.Length || _items.Length > keep)) Resize(keep);
            if (_count < _items.Length)
            {
                _items[(_start + _count) % _items.Length] = new CompactJobRecord(record);
                _count++;
                return;
            }
            _items[_start] = new CompactJobRecord(record); // full at its bound: the oldest goes
            _start = (_start + 1) % _items.Length;
        }

        public List<JobRecord> Newest(int limit)
        {
            var take = Math.Clamp(limit, 0, _count);
            var result = new List<JobRecord>(take);
            for (var i = _count - take; i < _count; i++) result.Add(_items[(_start + i) % _items.Length].ToRecord());
            return result;
        }

        // Grows (doubling, up to the bound) or shrinks to a new bound, keeping the newest records in order.
        private void Resize(int keep)
        {
            var capacity = _items.Length > keep ? keep : Math.Min(keep, Math.Max(4, _items.Length * 2));
            var take = Math.Min(capacity, _count);
            var items = new CompactJobRecord[capacity];
            for (var i = 0; i < take; i++) items[i] = _items[(_start + _count - take + i) % _items.Length];
            _items = items;
            _start = 0;
            _count = take;
        }
    }
}
