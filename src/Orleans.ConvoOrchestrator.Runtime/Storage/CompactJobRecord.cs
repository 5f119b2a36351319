using System.Buffers;

namespace Orleans.ConvoOrchestrator.Runtime.Storage;

/// <summary>
/// A <see cref="JobRecord"/> flattened into one value, for histories kept in memory. A ring of these is one array
/// per event instead of three objects per record (record, outcome, id string), which the collector would trace and,
/// once overwritten, reclaim from the old generation (docs/adr/0008-memory-store-tuning.md).
/// A job id in the form the grains create (32 lowercase hex digits) is kept as a <see cref="Guid"/>; any other id as it is.
/// </summary>
internal readonly struct CompactJobRecord
{
    private static readonly SearchValues<char> LowerHex = SearchValues.Create("0123456789abcdef");
    private readonly Guid _jobGuid;
    private readonly string? _jobIdText;
    private readonly TriggerId? _triggerId;
    private readonly DateTimeOffset _enqueuedAt;
    private readonly CompactJobOutcome _outcome;

    /// <summary>Flattens <paramref name="record"/>.</summary>
    public CompactJobRecord(JobRecord record)
    {
        var id = record.JobId;
        if (id.Length == 32 && !id.AsSpan().ContainsAnyExcept(LowerHex) && Guid.TryParseExact(id, "N", out var guid)) _jobGuid = guid;
        else _jobIdText = id;
        _triggerId = record.TriggerId;
        _enqueuedAt = record.EnqueuedAt;
        _outcome = new CompactJobOutcome(record.Outcome);
    }

    /// <summary>When the run ended, in UTC ticks.</summary>
    public long FinishedTicks => _outcome.FinishedTicks;

    /// <summary>True when both record the same run: the same job id and delivery (a history lists each run once).</summary>
    public bool SameRun(in CompactJobRecord other) =>
        _jobGuid == other._jobGuid && _jobIdText == other._jobIdText && _outcome.Delivery == other._outcome.Delivery;

    /// <summary>The record again, equal to the one flattened.</summary>
    public JobRecord ToRecord() => new(_jobIdText ?? _jobGuid.ToString("N"), _triggerId, _enqueuedAt, _outcome.ToOutcome());
}
