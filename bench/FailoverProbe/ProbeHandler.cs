using System.Diagnostics;
using System.Globalization;
using Orleans.ConvoOrchestrator;

namespace FailoverProbe;

/// <summary>
/// Handler "bench-probe": prints one line per run on the silo's standard output,
/// <c>bench-probe PID EVENT JOB UTC-TICKS SCHEDULED-UTC-TICKS|-</c>, so the benchmark that started the silo
/// processes sees which process ran each fire and when. With a payload <c>{"spinSeconds": n}</c> it then keeps
/// every core busy for n seconds on thread-pool threads, as CPU-heavy handler code does (Parallel loops, sync work).
/// </summary>
[HandlerName("bench-probe")]
public sealed class ProbeHandler : IEventHandler
{
    /// <summary>The first word of every line this handler prints.</summary>
    public const string Marker = "bench-probe";

    /// <inheritdoc />
    public async Task<object?> HandleAsync(EventContext context)
    {
        var now = DateTime.UtcNow.Ticks;
        Console.Out.WriteLine(string.Join(' ', Marker, Environment.ProcessId.ToString(CultureInfo.InvariantCulture), context.EventId.Value, context.JobId,
            now.ToString(CultureInfo.InvariantCulture),
            context.ScheduledAt is { } due ? due.UtcTicks.ToString(CultureInfo.InvariantCulture) : "-"));
        var p = context.Payload;
        if (p.ValueKind != System.Text.Json.JsonValueKind.Object || !p.TryGetProperty("spinSeconds", out var s) || !s.TryGetDouble(out var seconds))
            return null;
        var until = Stopwatch.GetTimestamp() + (long)(seconds * Stopwatch.Frequency);
        // One busy loop per core, each holding a pool thread: the silo's own work competes for cores and threads.
        await Task.WhenAll(Enumerable.Range(0, Environment.ProcessorCount).Select(_ => Task.Run(() =>
        {
            var x = 0UL;
            while (Stopwatch.GetTimestamp() < until) x = x * 6364136223846793005UL + 1442695040888963407UL;
            return x;
        }))).ConfigureAwait(false);
        return $"spun {seconds} s on {Environment.ProcessorCount} cores";
    }
}
