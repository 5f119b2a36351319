using System.Buffers;
using System.Globalization;
using Orleans.Runtime;
using Orleans.Serialization;
using Orleans.Serialization.Serializers;
using Orleans.Storage;

namespace Orleans.ConvoOrchestrator.Runtime.Storage;

/// <summary>
/// The embedded store's grain states: serialized (Orleans' binary format) into this silo's memory, like the rest of
/// the embedded store (one silo, nothing survives the process). Unlike Orleans' <c>MemoryGrainStorage</c> (a storage
/// grain message per read and write; a state object, a Guid e-tag and a key string per grain) a write is a dictionary
/// update under a lock and a grain keeps only its bytes and a version. Versions are checked like e-tags, so a stale
/// activation's write fails with <see cref="InconsistentStateException"/>. A write of the same size as the stored
/// bytes overwrites them in place, so the stored array stays an old object rather than a new one per write for the
/// collector to promote (docs/adr/0008-memory-store-tuning.md).
/// </summary>
internal sealed class SiloMemoryGrainStorage(Serializer serializer, IActivatorProvider activators) : IGrainStorage
{
    // Data null: cleared. Kept so that a stale activation that still holds the old version cannot write it back.
    private readonly Dictionary<(string StateName, GrainId GrainId), (byte[]? Data, long Version)> _states = new();
    private readonly Lock _lock = new();
    private long _lastVersion;
    // Serialization scratch space, per thread: writes serialize outside the lock.
    [ThreadStatic] private static ArrayBufferWriter<byte>? t_scratch;

    /// <inheritdoc />
    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        (byte[]? Data, long Version) record;
        bool found;
        T? state = default;
        lock (_lock)
        {
            found = _states.TryGetValue((stateName, grainId), out record);
            // Under the lock: a write may overwrite the bytes in place.
            if (found && record.Data is { } data) state = serializer.Deserialize<T>(data);
        }
        if (found && record.Data is not null)
        {
            grainState.State = state!;
            grainState.ETag = ETag(record.Version);
            grainState.RecordExists = true;
        }
        else
        {
            grainState.State = activators.GetActivator<T>().Create();
            grainState.ETag = found ? ETag(record.Version) : null;
            grainState.RecordExists = false;
        }
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        var scratch = t_scratch ??= new ArrayBufferWriter<byte>(256);
        scratch.ResetWrittenCount();
        serializer.Serialize(grainState.State, scratch);
        grainState.ETag = ETag(Store(stateName, grainId, grainState.ETag, scratch.WrittenSpan, clear: false));
        grainState.RecordExists = true;
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        var version = Store(stateName, grainId, grainState.ETag, default, clear: true);
        grainState.State = activators.GetActivator<T>().Create();
        grainState.ETag = ETag(version);
        grainState.RecordExists = false;
        return Task.CompletedTask;
    }

    // Stores data (or clears it) under a new version if the writer holds the version last stored (none if nothing
    // ever was); returns the new version.
    private long Store(string stateName, GrainId grainId, string? etag, ReadOnlySpan<byte> data, bool clear)
    {
        lock (_lock)
        {
            var exists = _states.TryGetValue((stateName, grainId), out var record);
            // Compared as numbers: no version string per write.
            if (exists != (etag is not null) || (exists && !(long.TryParse(etag, NumberStyles.None, CultureInfo.InvariantCulture, out var held) && held == record.Version)))
                throw new InconsistentStateException($"the {stateName} state of {grainId} was written by another activation", exists ? ETag(record.Version) : null, etag);
            byte[]? bytes = null;
            if (!clear)
            {
                bytes = record.Data is { } old && old.Length == data.Length ? old : new byte[data.Length];
                data.CopyTo(bytes);
            }
            _states[(stateName, grainId)] = (bytes, ++_lastVersion);
            return _lastVersion;
        }
    }

    private static string ETag(long version) => version.ToString(CultureInfo.InvariantCulture);
}
