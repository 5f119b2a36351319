namespace Orleans.ConvoOrchestrator.Tests.Support;

/// <summary>Counts how many handler runs overlap, and the most that ever did.</summary>
public sealed class ConcurrencyProbe
{
    private int _current;
    private int _peak;
    private int _runs;

    public int Peak => Volatile.Read(ref _peak);

    public int Runs => Volatile.Read(ref _runs);

    public async Task RunAsync(TimeSpan hold)
    {
        var now = Interlocked.Increment(ref _current);
        Interlocked.Increment(ref _runs);
        int seen;
        while (now > (seen = Volatile.Read(ref _peak)) && Interlocked.CompareExchange(ref _peak, now, seen) != seen)
        {
        }
        try
        {
            await Task.Delay(hold);
        }
        finally
        {
            Interlocked.Decrement(ref _current);
        }
    }
}
