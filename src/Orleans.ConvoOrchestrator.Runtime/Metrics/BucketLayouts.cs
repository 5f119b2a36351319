namespace Orleans.ConvoOrchestrator.Runtime.Metrics;

/// <summary>
/// One shared array per histogram bucket layout. Every series of a histogram has the same bounds; an array per
/// series was ~100 B per event and histogram in each of the collector and the metrics grain (at 100,000 firing
/// schedules, ~40 MB of identical arrays). The arrays handed out are never written.
/// </summary>
internal static class BucketLayouts
{
    private static readonly Lock Gate = new();
    private static double[][] _known = [];

    /// <summary>The shared array equal to <paramref name="buckets"/>, added on first sight.</summary>
    public static double[] Shared(IReadOnlyList<double> buckets)
    {
        // Copy-on-write: readers scan the current list without a lock; there are a handful of layouts.
        foreach (var known in Volatile.Read(ref _known))
            if (SameBounds(known, buckets)) return known;
        lock (Gate)
        {
            foreach (var known in _known)
                if (SameBounds(known, buckets)) return known;
            var added = buckets.ToArray();
            Volatile.Write(ref _known, [.. _known, added]);
            return added;
        }
    }

    private static bool SameBounds(double[] known, IReadOnlyList<double> buckets)
    {
        if (known.Length != buckets.Count) return false;
        for (var i = 0; i < known.Length; i++)
            if (!known[i].Equals(buckets[i])) return false;
        return true;
    }
}
