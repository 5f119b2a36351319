namespace Orleans.ConvoOrchestrator.Runtime.Execution;

/// <summary>
/// An operator's hold on one job in the worker pool. <see cref="Cancel"/> cancels whichever step of the run is under
/// way (an attempt, a wait before a retry) and every later one; a job still waiting for a pool slot is claimed instead,
/// so it is answered at once and never starts. Thread-safe.
/// </summary>
internal sealed class RunControl
{
    private const int Waiting = 0;
    private const int Started = 1;
    private const int Claimed = 2;
    private CancellationTokenSource? _step;
    private int _phase;
    private int _cancelled;
    private int _attempt;

    /// <summary>True once <see cref="Cancel"/> was called.</summary>
    public bool IsCancelled => Volatile.Read(ref _cancelled) != 0;

    /// <summary>The attempt under way (1 for the first); 0 until the first one starts.</summary>
    public int Attempt => Volatile.Read(ref _attempt);

    /// <summary>The executor starts attempt <paramref name="attempt"/> (read by operators listing the event's jobs).</summary>
    public void BeginAttempt(int attempt) => Volatile.Write(ref _attempt, attempt);

    /// <summary>
    /// Marks the run started (it has its pool slot); false when a cancel claimed it before, and it must not start.
    /// </summary>
    public bool TryStart() => Interlocked.CompareExchange(ref _phase, Started, Waiting) != Claimed;

    /// <summary>
    /// Cancels the run wherever it is. True when it had not started: the caller then owns its outcome, since the run
    /// will never start (<see cref="TryStart"/> answers false).
    /// </summary>
    public bool Cancel()
    {
        Interlocked.Exchange(ref _cancelled, 1);
        if (Interlocked.CompareExchange(ref _phase, Claimed, Waiting) == Waiting) return true;
        CancelStep(Volatile.Read(ref _step));
        return false;
    }

    /// <summary>The step now under way is cancelled by <paramref name="step"/>; cancelled at once if the run already is.</summary>
    public void Enter(CancellationTokenSource step)
    {
        // Exchange, then read the flag: with Cancel's write-then-read, at least one side sees the other.
        Interlocked.Exchange(ref _step, step);
        if (IsCancelled) CancelStep(step);
    }

    /// <summary>The step ended; its source is about to be disposed.</summary>
    public void Leave(CancellationTokenSource step) => Interlocked.CompareExchange(ref _step, null, step);

    private static void CancelStep(CancellationTokenSource? step)
    {
        try
        {
            step?.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // The step ended between the read and the cancel: the next one sees the flag.
        }
    }
}
