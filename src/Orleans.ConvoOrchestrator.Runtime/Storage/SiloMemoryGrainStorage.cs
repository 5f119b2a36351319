using System.Globalization;
using Orleans.Runtime;
using Orleans.Serialization;
using Orleans.Serialization.Serializers;
using Orleans.Storage;

namespace Orleans.ConvoOrchestrator.Runtime;

/// <summary>
/// The embedded store's grain states: serialized (Orleans' binary format) into this silo's memory, like the rest of
/// the embedded store (one silo, nothing survives the process). Orleans' <c>MemoryGrainStorage</c> sends every read
/// and write as a message to a storage grain and keeps a state object, a Guid e-tag and a key string per grain;
/// here a write is a dictionary update under a lock (trigger progress and outcomes are written thousands of times
/// a second with 10,000 triggers) and a grain keeps its bytes and a version. Versions are checked like e-tags, so a
/// stale activation's write fails with <see cref="InconsistentStateException"/>.
/// </summary>
public sealed class SiloMemoryGrainStorage(Serializer serializer, IActivatorProvider activators) : IGrainStorage
{
    // Data null: cleared. Kept so that a stale activation that still holds the old version cannot write it back.
    private readonly Dictionary<(string StateName, GrainId GrainId), (byte[]? Data, long Version)> _states = new();
    private readonly Lock _lock = new();
    private long _lastVersion;

    /// <inheritdoc />
    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        (byte[]? Data, long Version) record;
        bool found;
        lock (_lock) found = _states.TryGetValue((stateName, grainId), out record);
        if (found && record.Data is { } data)
        {
            grainState.State = serializer.Deserialize<T>(data);
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
        grainState.ETag = ETag(Store(stateName, grainId, grainState.ETag, serializer.SerializeToArray(grainState.State)));
        grainState.RecordExists = true;
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        var version = Store(stateName, grainId, grainState.ETag, null);
        grainState.State = activators.GetActivator<T>().Create();
        grainState.ETag = ETag(version);
        grainState.RecordExists = false;
        return Task.CompletedTask;
    }

    // Stores data (null: cleared) under a new version if the writer holds the version last stored (none if nothing
    // ever was); returns the new version.
    private long Store(string stateName, GrainId grainId, string? etag, byte[]? data)
    {
        lock (_lock)
        {
            var stored = _states.TryGetValue((stateName, grainId), out var record) ? ETag(record.Version) : null;
            if (etag != stored)
                throw new InconsistentStateException($"the {stateName} state of {grainId} was written by another activation", stored, etag);
            _states[(stateName, grainId)] = (data, ++_lastVersion);
            return _lastVersion;
        }
    }

    private static string ETag(long version) => version.ToString(CultureInfo.InvariantCulture);
}
