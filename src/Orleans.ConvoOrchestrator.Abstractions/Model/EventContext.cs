using System.Text.Json;

namespace Orleans.ConvoOrchestrator;

/// <summary>What a handler receives for one attempt of one job.</summary>
public sealed class EventContext
{
    private readonly Lazy<JsonElement> _payload;

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
        DateTimeOffset? scheduledAt = null)
    {
        ScheduledAt = scheduledAt;
        EventId = eventId;
        TriggerId = triggerId;
        JobId = jobId;
        PayloadJson = string.IsNullOrEmpty(payloadJson) ? "null" : payloadJson;
        CorrelationId = correlationId;
        Ts = ts;
        Attempt = attempt;
        CancellationToken = cancellationToken;
        _payload = new Lazy<JsonElement>(() => JsonPayload.Parse(PayloadJson));
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
    public JsonElement Payload => _payload.Value;

    /// <summary>Correlates the job with its caller's work.</summary>
    public string CorrelationId { get; }

    /// <summary>When the job was accepted.</summary>
    public DateTimeOffset Ts { get; }

    /// <summary>When the trigger fire that caused this job was due; null for a direct emit.</summary>
    public DateTimeOffset? ScheduledAt { get; }

    /// <summary>1 for the first attempt, 2 for the first retry, and so on.</summary>
    public int Attempt { get; }

    /// <summary>Cancelled when the attempt times out or the silo shuts down. Handlers should honour it.</summary>
    public CancellationToken CancellationToken { get; }

    /// <summary>The payload read back as <typeparamref name="T"/>.</summary>
    public T? PayloadAs<T>(JsonSerializerOptions? options = null) => JsonSerializer.Deserialize<T>(PayloadJson, options ?? JsonPayload.Options);

    /// <inheritdoc />
    public override string ToString() => $"EventContext(event={EventId}, job={JobId}, attempt={Attempt}, payload={PayloadJson})";
}
