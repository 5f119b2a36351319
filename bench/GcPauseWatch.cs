using System.Runtime;

namespace Orleans.ConvoOrchestrator.Bench;

/// <summary>
/// The garbage collections during a measured window: how many, their total pause and the longest one. Pauses
/// are the usual source of a scheduler's lateness tail, so the precision benchmark reports them beside it.
/// Each collection's pause is read from <see cref="GC.GetGCMemoryInfo(GCKind)"/> by polling, so a pause is
/// missed only when two collections of the same kind end within one poll (the total stays exact).
/// </summary>
internal sealed class GcPauseWatch : IAsyncDisposable
{
    private static readonly GCKind[] Kinds = [GCKind.Ephemeral, GCKind.FullBlocking, GCKind.Background];
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _poll;
    private readonly long[] _lastIndex = new long[Kinds.Length];
    private readonly int[] _countsBefore = [GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2)];
    private readonly TimeSpan _pauseBefore = GC.GetTotalPauseDuration();
    private readonly bool _log;
    private TimeSpan _longest;

    private GcPauseWatch(bool log)
    {
        _log = log;
        for (var k = 0; k < Kinds.Length; k++) _lastIndex[k] = GC.GetGCMemoryInfo(Kinds[k]).Index;
        _poll = Task.Run(PollAsync);
    }

    /// <summary>Starts watching now; with <paramref name="log"/>, each collection seen is described on stderr.</summary>
    public static GcPauseWatch Start(bool log = false) => new(log);

    /// <summary>Collections of generation 0, 1 and 2 since the start.</summary>
    public int[] Counts => [GC.CollectionCount(0) - _countsBefore[0], GC.CollectionCount(1) - _countsBefore[1], GC.CollectionCount(2) - _countsBefore[2]];

    /// <summary>Total time the runtime was paused for collections since the start.</summary>
    public TimeSpan TotalPause => GC.GetTotalPauseDuration() - _pauseBefore;

    /// <summary>The longest single pause seen.</summary>
    public TimeSpan LongestPause => _longest;

    private async Task PollAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            for (var k = 0; k < Kinds.Length; k++)
            {
                var info = GC.GetGCMemoryInfo(Kinds[k]);
                if (info.Index == _lastIndex[k]) continue;
                _lastIndex[k] = info.Index;
                foreach (var pause in info.PauseDurations) if (pause > _longest) _longest = pause;
                if (_log) Console.Error.WriteLine($"GC#{info.Index} {Kinds[k]} gen{info.Generation} pause {info.PauseDurations[0].TotalMilliseconds:0.0}/{info.PauseDurations[1].TotalMilliseconds:0.0} ms promoted {info.PromotedBytes / 1048576.0:0.0} MB heap {info.HeapSizeBytes / 1048576.0:0} MB frag {info.FragmentedBytes / 1048576.0:0} MB compacted {info.Compacted} concurrent {info.Concurrent} pinned {info.PinnedObjectsCount}");
            }
            try
            {
                await Task.Delay(20, _stop.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _poll;
        _stop.Dispose();
    }
}
