using System.Diagnostics;

namespace Orleans.ConvoOrchestrator.Bench.Comparison;

/// <summary>
/// What every system's no-op handler calls: one counter increment and, when a scenario asks for it, one latency
/// sample. The same static code for all three systems, so the handler costs the same everywhere.
/// </summary>
internal static class Probe
{
    private static long _completed;
    private static LatencyRecorder? _emitToStart;
    private static LatencyRecorder? _lateness;
    private static long _measureFromTicks = long.MaxValue;
    private static long _measureToTicks = long.MaxValue;

    /// <summary>Jobs whose handler has run.</summary>
    public static long Completed => Volatile.Read(ref _completed);

    /// <summary>Starts recording emit-to-start latencies (Stopwatch timestamps carried in the job).</summary>
    public static void RecordEmitToStart(LatencyRecorder recorder) => Volatile.Write(ref _emitToStart, recorder);

    /// <summary>Starts recording lateness of scheduled fires whose due instant (UTC) falls in [from, to).</summary>
    public static void RecordLateness(LatencyRecorder recorder, DateTimeOffset from, DateTimeOffset to)
    {
        Volatile.Write(ref _lateness, recorder);
        Volatile.Write(ref _measureToTicks, to.UtcTicks);
        Volatile.Write(ref _measureFromTicks, from.UtcTicks);
    }

    /// <summary>The handler of an emitted job: <paramref name="emittedAt"/> is a <see cref="Stopwatch"/> timestamp, or 0.</summary>
    public static void Ran(long emittedAt)
    {
        if (emittedAt != 0 && Volatile.Read(ref _emitToStart) is { } recorder)
            recorder.Add(Stopwatch.GetElapsedTime(emittedAt).TotalMilliseconds);
        Interlocked.Increment(ref _completed);
    }

    /// <summary>The handler of a scheduled fire due at <paramref name="due"/>: lateness is now minus due.</summary>
    public static void Fired(DateTimeOffset due)
    {
        var now = DateTimeOffset.UtcNow;
        if (Volatile.Read(ref _lateness) is { } recorder && due.UtcTicks >= Volatile.Read(ref _measureFromTicks)
            && due.UtcTicks < Volatile.Read(ref _measureToTicks))
            recorder.Add((now - due).TotalMilliseconds);
        Interlocked.Increment(ref _completed);
    }
}
