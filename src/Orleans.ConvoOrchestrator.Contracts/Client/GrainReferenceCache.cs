using System.Collections.Concurrent;

namespace Orleans.ConvoOrchestrator.Client;

/// <summary>
/// Grain references by string key, made once: <c>GetGrain</c> resolves the grain interface's type by reflection on
/// every call, a sizeable share of a job's CPU when done per emit, dispatch and outcome (ba9dec7). Bounded: past
/// <paramref name="capacity"/> keys it starts over, since references are cheap to remake and keys may be unbounded.
/// </summary>
/// <typeparam name="TGrain">The grain interface.</typeparam>
public sealed class GrainReferenceCache<TGrain>(IGrainFactory grains, int capacity = 100_000) where TGrain : IGrainWithStringKey
{
    private readonly ConcurrentDictionary<string, TGrain> _references = new(StringComparer.Ordinal);

    /// <summary>The reference to the grain with <paramref name="key"/>.</summary>
    public TGrain Get(string key)
    {
        if (_references.TryGetValue(key, out var reference)) return reference;
        if (_references.Count >= capacity) _references.Clear();
        return _references.GetOrAdd(key, k => grains.GetGrain<TGrain>(k));
    }
}
