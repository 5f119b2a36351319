namespace Orleans.ConvoOrchestrator.Runtime.Execution;

/// <summary>
/// One job's hold on a <see cref="FairSlots"/> slot. The job lets it go while it waits out a retry's backoff and takes
/// it again after, at the back of its event's line: no slot is held through a backoff, and a retry does not pass other
/// events' waiting jobs. Used by one job's steps in sequence, not concurrently.
/// </summary>
internal sealed class RunSlot : IDisposable
{
    private readonly FairSlots _slots;
    private readonly EventId _eventId;

    /// <summary>A hold, not yet taken, for a job of <paramref name="eventId"/>.</summary>
    public RunSlot(FairSlots slots, EventId eventId)
    {
        _slots = slots;
        _eventId = eventId;
    }

    /// <summary>True while the job holds its slot.</summary>
    public bool Held { get; private set; }

    /// <summary>Takes the slot (waits for it in turn) unless held already; a cancelled wait leaves it not held.</summary>
    public async ValueTask AcquireAsync(CancellationToken cancellationToken)
    {
        if (Held) return;
        await _slots.AcquireAsync(_eventId, cancellationToken).ConfigureAwait(false);
        Held = true;
    }

    /// <summary>Gives the slot back when held.</summary>
    public void Release()
    {
        if (!Held) return;
        Held = false;
        _slots.Release();
    }

    /// <inheritdoc />
    public void Dispose() => Release();
}
