namespace Orleans.ConvoOrchestrator.Bench;

/// <summary>Collects latencies (ms) from many threads into a preallocated array; then summarizes them.</summary>
internal sealed class LatencyRecorder(int capacity)
{
    private readonly double[] _values = new double[capacity];
    private int _count;

    public int Count => Math.Min(Volatile.Read(ref _count), _values.Length);

    public void Add(double ms)
    {
        var i = Interlocked.Increment(ref _count) - 1;
        if (i < _values.Length) _values[i] = ms;
    }

    public double Max => Count == 0 ? double.NaN : Sorted()[^1];

    public double Percentile(double p)
    {
        var sorted = Sorted();
        if (sorted.Length == 0) return double.NaN;
        var rank = (int)Math.Ceiling(p / 100 * sorted.Length) - 1;
        return sorted[Math.Clamp(rank, 0, sorted.Length - 1)];
    }

    public double ShareAtMost(double ms)
    {
        var sorted = Sorted();
        return sorted.Length == 0 ? double.NaN : sorted.Count(v => v <= ms) / (double)sorted.Length;
    }

    private double[] _sorted = [];

    private double[] Sorted()
    {
        if (_sorted.Length != Count)
        {
            _sorted = _values.AsSpan(0, Count).ToArray();
            Array.Sort(_sorted);
        }
        return _sorted;
    }
}
