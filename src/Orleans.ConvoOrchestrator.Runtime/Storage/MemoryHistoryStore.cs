using System.Collections.Concurrent;

namespace Orleans.ConvoOrchestrator.Runtime.Storage;

/// <summary>
/// The embedded store's histories: a ring of records per event in the silo's memory, each record flattened into
/// one value (<see cref="CompactJobRecord"/>), so a history is one array however many records it holds. Every
/// operation completes synchronously. Records come from <see cref="MemoryJobStore"/>'s writes that end jobs.
/// </summary>
internal sealed class MemoryHistoryStore : IHistoryStore
{
    private readonly ConcurrentDictionary<EventId, Ring> _events = new();

    /// <summary>
    /// Appends <paramref name="records"/> (oldest first) that the history does not list yet (same job id and delivery)
    /// and keeps only the newest <paramref name="keep"/>.
    /// </summary>
    public void Append(EventId eventId, IReadOnlyList<JobRecord> records, int keep)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(keep, 1);
        var ring = _events.GetOrAdd(eventId, static _ => new Ring());
        lock (ring)
        {
            // An index loop: appends come once per outcome, and foreach over the interface allocates an enumerator.
            for (var i = 0; i < records.Count; i++) ring.Add(records[i], keep);
        }
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

    // A circular buffer of up to the bound it is given, in chunks of ChunkSize records allocated as it fills: it
    // grows without copying, so filling a history leaves no outgrown arrays for the collector to promote
    // (docs/adr/0008-memory-store-tuning.md). Past its bound the oldest goes.
    private sealed class Ring
    {
        private const int ChunkSize = 8;
        private CompactJobRecord[]?[] _chunks = [];
        private int _capacity;
        private int _start;
        private int _count;
        // The latest end ever put (never lowered): no record put so far ended after it.
        private long _latestFinish = long.MinValue;

        public void Add(JobRecord record, int keep)
        {
            if (keep != _capacity) Rebound(keep);
            var compact = new CompactJobRecord(record);
            // A repeated append carries the same record, so the same end: a run ending after every run put so far
            // (nearly always) cannot be listed yet, and only the others are looked up.
            if (compact.FinishedTicks > _latestFinish) _latestFinish = compact.FinishedTicks;
            else if (Lists(compact)) return;
            Put(compact);
        }

        // Newest first: a run listed twice would be a write retried soon after the first, so it is found early.
        private bool Lists(in CompactJobRecord record)
        {
            for (var i = _count - 1; i >= 0; i--)
            {
                ref readonly var listed = ref At(i);
                if (listed.FinishedTicks == record.FinishedTicks && listed.SameRun(record)) return true;
            }
            return false;
        }

        private void Put(CompactJobRecord record)
        {
            int slot;
            if (_count < _capacity) slot = (_start + _count++) % _capacity;
            else
            {
                slot = _start; // full at its bound: the oldest goes
                _start = (_start + 1) % _capacity;
            }
            var chunk = slot / ChunkSize;
            (_chunks[chunk] ??= new CompactJobRecord[Math.Min(ChunkSize, _capacity - chunk * ChunkSize)])[slot % ChunkSize] = record;
        }

        public List<JobRecord> Newest(int limit)
        {
            var take = Math.Clamp(limit, 0, _count);
            var result = new List<JobRecord>(take);
            for (var i = _count - take; i < _count; i++) result.Add(At(i).ToRecord());
            return result;
        }

        // The i-th oldest record held.
        private ref readonly CompactJobRecord At(int i)
        {
            var slot = (_start + i) % _capacity;
            return ref _chunks[slot / ChunkSize]![slot % ChunkSize];
        }

        // A new bound (rare: the option changed): the newest records that fit, put again from slot 0 in fresh chunks.
        private void Rebound(int keep)
        {
            var take = Math.Min(keep, _count);
            var kept = new CompactJobRecord[take];
            for (var i = 0; i < take; i++) kept[i] = At(_count - take + i);
            (_chunks, _capacity, _start, _count) = (new CompactJobRecord[]?[(keep + ChunkSize - 1) / ChunkSize], keep, 0, 0);
            foreach (var record in kept) Put(record);
        }
    }
}
