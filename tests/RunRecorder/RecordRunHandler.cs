using System.Globalization;
using System.Text;
using Orleans.ConvoOrchestrator;

namespace RunRecorder;

/// <summary>
/// Handler "record-run": appends "start" and, when it ends, "end" lines (process id, event, job, delivery, UTC ticks,
/// the scheduled instant's UTC ticks or "-", and 1 for a backfill or 0)
/// to a file of its process's own (<c>CONVO_RUN_LOG</c> plus "." and the process id), and sleeps <c>{"ms": n}</c> in
/// between. One file per process, written under a lock: .NET's append mode seeks to the end rather than opening
/// with O_APPEND, so concurrent writers to one file would overwrite each other's lines.
/// </summary>
[HandlerName("record-run")]
public sealed class RecordRunHandler : IEventHandler
{
    private static readonly string? LogPath = Environment.GetEnvironmentVariable("CONVO_RUN_LOG") is { } path
        ? path + "." + Environment.ProcessId.ToString(CultureInfo.InvariantCulture)
        : null;
    private static readonly Lock Gate = new();

    public async Task<object?> HandleAsync(EventContext context)
    {
        Write("start", context);
        var ms = context.Payload.ValueKind == System.Text.Json.JsonValueKind.Object && context.Payload.TryGetProperty("ms", out var m) ? m.GetInt32() : 0;
        if (ms > 0) await Task.Delay(ms, context.CancellationToken).ConfigureAwait(false);
        Write("end", context);
        return null;
    }

    private static void Write(string what, EventContext context)
    {
        if (LogPath is null) throw new InvalidOperationException("CONVO_RUN_LOG is not set");
        var line = string.Join(' ', what, Environment.ProcessId.ToString(CultureInfo.InvariantCulture), context.EventId.Value, context.JobId,
            context.Delivery.ToString(CultureInfo.InvariantCulture), DateTime.UtcNow.Ticks.ToString(CultureInfo.InvariantCulture),
            context.ScheduledAt is { } scheduled ? scheduled.UtcTicks.ToString(CultureInfo.InvariantCulture) : "-", context.IsBackfill ? "1" : "0") + "\n";
        lock (Gate) File.AppendAllText(LogPath, line, Encoding.UTF8);
    }
}
