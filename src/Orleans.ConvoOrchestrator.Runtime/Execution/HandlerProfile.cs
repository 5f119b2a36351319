namespace Orleans.ConvoOrchestrator.Runtime.Execution;

/// <summary>
/// What <see cref="HandlerThreads"/> has seen of one handler: whether its synchronous part has proven short often
/// enough to be called inline, on the caller's pool thread, instead of being handed to a handler thread. A long
/// synchronous part starts the count again (the first calls are long while the JIT compiles them); an inline call the
/// watchdog finds running long sends the handler to the threads for the life of the process.
/// </summary>
internal sealed class HandlerProfile(int provenAfter)
{
    private int _quick;
    private volatile bool _demoted;

    /// <summary>True once <c>provenAfter</c> synchronous parts in a row were short, and never demoted.</summary>
    public bool Proven => provenAfter > 0 && !_demoted && Volatile.Read(ref _quick) >= provenAfter;

    /// <summary>True once the handler was sent back to the threads for good.</summary>
    public bool Demoted => _demoted;

    /// <summary>Records how long one synchronous part ran.</summary>
    public void Observe(long ticks, long quickTicks)
    {
        if (ticks > quickTicks) Volatile.Write(ref _quick, 0);
        else if (Volatile.Read(ref _quick) < provenAfter) Interlocked.Increment(ref _quick);
    }

    /// <summary>Sends the handler to the threads for good.</summary>
    public void Demote() => _demoted = true;
}
