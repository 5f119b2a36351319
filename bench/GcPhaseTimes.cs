using System.Diagnostics.Tracing;
using System.Globalization;

namespace Orleans.ConvoOrchestrator.Bench;

/// <summary>
/// What each garbage collection's pause is made of, averaged per generation, from the runtime's own GC events:
/// suspending threads, each mark phase (stack roots, finalization queue, handles, older generations through the card
/// table, overflow) and what follows the last mark (plan, relocate, compact). A pause that grows with the time since
/// the last collection, not with the bytes promoted, shows as "cards": old objects written to point at young ones.
/// </summary>
internal sealed class GcPhaseTimes : EventListener
{
    private const string RuntimeSource = "Microsoft-Windows-DotNETRuntime";
    private const int GcKeyword = 0x1;
    // Event ids of the runtime's GC events, and GCMarkWithType's root kinds (0 stack ... 5 overflow).
    private const int GcStart = 1, GcEnd = 2, RestartEnd = 3, SuspendEnd = 8, SuspendBegin = 9, MarkWithType = 202;
    private static readonly string[] MarkKinds = ["stack", "finalizer queue", "handles", "cards", "sized refs", "overflow"];

    private readonly Lock _lock = new();
    private readonly SortedDictionary<int, Totals> _byGeneration = [];
    private readonly double[] _marks = new double[MarkKinds.Length];
    private DateTime _suspendBegin, _suspendEnd, _last, _end;
    private int _generation = -1;
    private bool _enabled;

    private sealed class Totals
    {
        public int Count;
        public double Pause, Suspend, AfterMarks;
        public readonly double[] Marks = new double[MarkKinds.Length];
    }

    protected override void OnEventSourceCreated(EventSource source)
    {
        // Called from the base constructor for sources that already exist, before this class's fields are set.
        if (source.Name == RuntimeSource) EnableEvents(source, EventLevel.Verbose, (EventKeywords)GcKeyword);
    }

    /// <summary>Starts counting the collections that begin from now on.</summary>
    public void Begin()
    {
        lock (_lock)
        {
            _byGeneration.Clear();
            _generation = -1;
            _enabled = true;
        }
    }

    protected override void OnEventWritten(EventWrittenEventArgs e)
    {
        lock (_lock)
        {
            if (!_enabled) return;
            switch (e.EventId)
            {
                case SuspendBegin: _suspendBegin = e.TimeStamp; break;
                case SuspendEnd: _suspendEnd = e.TimeStamp; break;
                case GcStart:
                    _generation = Convert.ToInt32(e.Payload![1], CultureInfo.InvariantCulture);
                    _last = e.TimeStamp;
                    Array.Clear(_marks);
                    break;
                case MarkWithType when _generation >= 0:
                    // Each mark event ends its phase: the phase ran since the previous event.
                    var kind = Convert.ToInt32(e.Payload![2], CultureInfo.InvariantCulture);
                    if (kind >= 0 && kind < _marks.Length) _marks[kind] += (e.TimeStamp - _last).TotalMilliseconds;
                    _last = e.TimeStamp;
                    break;
                case GcEnd: _end = e.TimeStamp; break;
                case RestartEnd when _generation >= 0:
                    if (!_byGeneration.TryGetValue(_generation, out var totals)) _byGeneration[_generation] = totals = new Totals();
                    totals.Count++;
                    totals.Pause += (e.TimeStamp - _suspendBegin).TotalMilliseconds;
                    totals.Suspend += (_suspendEnd - _suspendBegin).TotalMilliseconds;
                    totals.AfterMarks += (_end - _last).TotalMilliseconds;
                    for (var i = 0; i < _marks.Length; i++) totals.Marks[i] += _marks[i];
                    _generation = -1;
                    break;
            }
        }
    }

    /// <summary>One line per generation: collections, mean pause and the mean of each part, in milliseconds.</summary>
    public IEnumerable<string> Describe()
    {
        lock (_lock)
        {
            return _byGeneration.Select(g =>
            {
                var t = g.Value;
                var marks = string.Join(", ", MarkKinds.Select((name, i) => string.Create(CultureInfo.InvariantCulture, $"{name} {t.Marks[i] / t.Count:0.00}")));
                return string.Create(CultureInfo.InvariantCulture,
                    $"gen{g.Key}: {t.Count} collections, mean pause {t.Pause / t.Count:0.00} ms = suspend {t.Suspend / t.Count:0.00}; mark: {marks}; plan/relocate/compact {t.AfterMarks / t.Count:0.00}");
            }).ToList();
        }
    }
}
