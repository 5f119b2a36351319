using System.Collections.Concurrent;
using System.Diagnostics.Tracing;

namespace Orleans.ConvoOrchestrator.Bench;

/// <summary>
/// Which types a run allocates, from the runtime's allocation ticks (one event per ~100 KB allocated, naming the type
/// of the object that crossed the mark): a sample proportional to bytes, cheap enough to leave on during a
/// measurement. Diagnostic only (<see cref="Variable"/>); prints the top types on stderr when disposed.
/// </summary>
internal sealed class AllocationSampler : EventListener
{
    /// <summary>Set to a number N to print the N most allocated types of the measured window.</summary>
    public const string Variable = "CONVO_BENCH_ALLOC_TYPES";

    private const EventKeywords GcKeyword = (EventKeywords)0x1;
    private readonly ConcurrentDictionary<string, long> _bytes = new();
    private volatile bool _recording;
    private readonly int _top;

    private AllocationSampler(int top) => _top = top;

    /// <summary>A sampler recording from now when <see cref="Variable"/> is set; null otherwise.</summary>
    public static AllocationSampler? StartFromEnvironment() =>
        int.TryParse(Environment.GetEnvironmentVariable(Variable), out var top) && top > 0 ? new AllocationSampler(top) { _recording = true } : null;

    protected override void OnEventSourceCreated(EventSource source)
    {
        if (source.Name == "Microsoft-Windows-DotNETRuntime") EnableEvents(source, EventLevel.Verbose, GcKeyword);
    }

    protected override void OnEventWritten(EventWrittenEventArgs e)
    {
        if (!_recording || e.EventName != "GCAllocationTick_V4" || e.Payload is null) return;
        var type = e.PayloadNames!.IndexOf("TypeName") is var t and >= 0 ? e.Payload[t] as string ?? "?" : "?";
        var amount = e.PayloadNames.IndexOf("AllocationAmount64") is var a and >= 0 ? Convert.ToInt64(e.Payload[a]) : 100_000;
        _bytes.AddOrUpdate(type, amount, (_, sum) => sum + amount);
    }

    /// <summary>Stops recording and prints the top types with their share of the sampled bytes.</summary>
    public void Report(long fires)
    {
        _recording = false;
        var total = _bytes.Values.Sum();
        Console.Error.WriteLine($"  allocation ticks: {total / 1048576.0:0} MB sampled; per fire by type:");
        foreach (var (type, bytes) in _bytes.OrderByDescending(p => p.Value).Take(_top))
            Console.Error.WriteLine($"    {bytes / (double)Math.Max(1, fires),8:0} B  {bytes * 100.0 / total,5:0.0} %  {type}");
    }
}
