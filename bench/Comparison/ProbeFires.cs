using System.Globalization;

namespace Orleans.ConvoOrchestrator.Bench.Comparison;

/// <summary>
/// The runs of the failover probe handler (bench/FailoverProbe), read from the silos' output lines
/// <c>bench-probe PID EVENT JOB UTC-TICKS SCHEDULED-UTC-TICKS|-</c>: which process ran what, and when.
/// </summary>
internal sealed class ProbeFires
{
    private const string Marker = "bench-probe ";
    private readonly List<Fire> _fires = [];

    /// <summary>One handler run: the process that ran it, its event and job, when it started and when it was due.</summary>
    public sealed record Fire(int Pid, string EventId, string JobId, DateTime At, DateTime? Due);

    /// <summary>Takes one output line of a silo; anything but a probe line is ignored.</summary>
    public void Add(string line)
    {
        var at = line.IndexOf(Marker, StringComparison.Ordinal);
        if (at < 0) return;
        var f = line[(at + Marker.Length)..].Split(' ');
        if (f.Length != 5) return;
        var fire = new Fire(int.Parse(f[0], CultureInfo.InvariantCulture), f[1], f[2],
            new DateTime(long.Parse(f[3], CultureInfo.InvariantCulture), DateTimeKind.Utc),
            f[4] == "-" ? null : new DateTime(long.Parse(f[4], CultureInfo.InvariantCulture), DateTimeKind.Utc));
        lock (_fires) _fires.Add(fire);
    }

    /// <summary>The runs so far that match.</summary>
    public List<Fire> Where(Func<Fire, bool> match)
    {
        lock (_fires) return _fires.Where(match).ToList();
    }

    /// <summary>The first run that matches, waiting for it up to <paramref name="limit"/> (null when none came).</summary>
    public async Task<Fire?> FirstAsync(Func<Fire, bool> match, TimeSpan limit)
    {
        var deadline = DateTime.UtcNow + limit;
        while (true)
        {
            lock (_fires)
                if (_fires.FirstOrDefault(match) is { } fire) return fire;
            if (DateTime.UtcNow > deadline) return null;
            await Task.Delay(10);
        }
    }
}
