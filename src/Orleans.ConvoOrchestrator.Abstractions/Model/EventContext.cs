using System.Text.Json;

namespace Orleans.ConvoOrchestrator;

/// <summary>What a handler receives for one attempt of one job.</summary>
public sealed class EventContext
{
    // Parsed on first use only: most handlers read PayloadJson or nothing, and a context is made per attempt.
    private System.Runtime.CompilerServices.StrongBox<JsonElement>? _payload;

    /// <summary>Creates a context; the runtime does this for every attempt.</summary>
    public EventContext(
        EventId eventId,
        TriggerId? triggerId,
        string jobId,
        string payloadJson,
        string correlationId,
        DateTimeOffset ts,
        int attempt,
        CancellationToken cancellationToken,
        DateTimeOffset? scheduledAt = null,
        int delivery = 1,
        bool isBackfill = false)
    {
        ScheduledAt = scheduledAt;
        IsBackfill = isBackfill;
        Delivery = Math.Max(1, delivery);
        EventId = eventId;
        TriggerId = triggerId;
        JobId = jobId;
        PayloadJson = string.IsNullOrEmpty(payloadJson) ? "null" : payloadJson;
        CorrelationId = correlationId;
        Ts = ts;
        Attempt = attempt;
        CancellationToken = cancellationToken;
    }

    /// <summary>The event this job belongs to.</summary>
    public EventId EventId { get; }

    /// <summary>The trigger that fired the job; null for a direct emit.</summary>
    public TriggerId? TriggerId { get; }

    /// <summary>The job's id, as returned by emit.</summary>
    public string JobId { get; }

    /// <summary>The payload as JSON text (<c>"null"</c> when none was given).</summary>
    public string PayloadJson { get; }

    /// <summary>The payload as a JSON element.</summary>
    public JsonElement Payload => (Volatile.Read(ref _payload) ?? ParsePayload()).Value;

    // Concurrent first reads may each parse; one result is kept, and every read sees that one.
    private System.Runtime.CompilerServices.StrongBox<JsonElement> ParsePayload() =>
        Interlocked.CompareExchange(ref _payload, new(JsonPayload.Parse(PayloadJson)), null) ?? _payload!;

    /// <summary>Correlates the job with its caller's work.</summary>
    public string CorrelationId { get; }

    /// <summary>When the job was accepted.</summary>
    public DateTimeOffset Ts { get; }

    /// <summary>When the trigger fire that caused this job was due; null for a direct emit. For a backfill, the past instant it stands for.</summary>
    public DateTimeOffset? ScheduledAt { get; }

    /// <summary>
    /// True when the job runs a past fire of its trigger on an operator's request (a backfill,
    /// <see cref="IEventOrchestrator.BackfillTriggerAsync"/>), not a live one: <see cref="ScheduledAt"/> may be long ago.
    /// </summary>
    public bool IsBackfill { get; }

    /// <summary>1 for the first attempt, 2 for the first retry, and so on.</summary>
    public int Attempt { get; }

    /// <summary>
    /// 1 the first time the job is handed to a handler; 2 and more when it is delivered again because the silo
    /// that ran it was lost before its outcome was recorded (jobs run at least once).
    /// </summary>
    public int Delivery { get; }

    /// <summary>True when an earlier delivery of this job may have run (part of) the handler already.</summary>
    public bool IsRedelivery => Delivery > 1;

    /// <summary>Cancelled when the attempt times out or the silo shuts down. Handlers should honour it.</summary>
    public CancellationToken CancellationToken { get; }

    /// <summary>The payload read back as <typeparamref name="T"/>.</summary>
    public T? PayloadAs<T>(JsonSerializerOptions? options = null) => JsonSerializer.Deserialize<T>(PayloadJson, options ?? JsonPayload.Options);

    /// <inheritdoc />
    public override string ToString() => $"EventContext(event={EventId}, job={JobId}, attempt={Attempt}, delivery={Delivery}, backfill={IsBackfill}, payload={PayloadJson})";
}
