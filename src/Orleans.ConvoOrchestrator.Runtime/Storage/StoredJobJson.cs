using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using Orleans.ConvoOrchestrator.Runtime.Grains;

namespace Orleans.ConvoOrchestrator.Runtime.Storage;

/// <summary>
/// A queued job as a job store keeps it under its id: JSON without what the id already says (the job id, and the
/// correlation id when it is the job id) and without fields at their defaults (nulls, a delivery count of 0).
/// Every accepted job is written at least twice (accepted, then delivery-marked), and with <c>appendfsync always</c>
/// Redis parses, appends and fsyncs each byte, so fewer bytes mean more durable emits
/// (docs/adr/0006-group-commit-of-job-writes.md). Records written in the full form by earlier versions read the same.
/// </summary>
internal static class StoredJobJson
{
    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingDefault,
        TypeInfoResolver = new DefaultJsonTypeInfoResolver { Modifiers = { LeaveOutWhatTheIdSays } },
    };

    /// <summary>The job's record, as UTF-8 JSON.</summary>
    public static byte[] Serialize(QueuedJob job) => JsonSerializer.SerializeToUtf8Bytes(job, Options);

    /// <summary>The job stored under <paramref name="jobId"/>, or null if the record holds no job.</summary>
    /// <exception cref="JsonException">The record is not a job's JSON.</exception>
    public static QueuedJob? Deserialize(string jobId, ReadOnlySpan<byte> utf8Json)
    {
        if (JsonSerializer.Deserialize<QueuedJob>(utf8Json, Options) is not { } job) return null;
        // Absent from the compact form (null after reading); present, and the same, in the full one.
        return job with { JobId = jobId, CorrelationId = job.CorrelationId ?? jobId };
    }

    private static void LeaveOutWhatTheIdSays(JsonTypeInfo type)
    {
        if (type.Type != typeof(QueuedJob)) return;
        foreach (var property in type.Properties)
        {
            if (property.Name == "jobId") property.ShouldSerialize = static (_, _) => false;
            else if (property.Name == "correlationId") property.ShouldSerialize = static (job, id) => !Equals(id, ((QueuedJob)job).JobId);
        }
    }
}
