using Orleans.ConvoOrchestrator.Runtime.Grains;

namespace Orleans.ConvoOrchestrator.Runtime.Jobs;

/// <summary>
/// One event's jobs, Orleans-free: a table from job id to its <see cref="JobState"/>, the FIFO order of the queued
/// ones, and the transitions between states. Commands come from the event grain (accept, complete, recover, adopt,
/// clear) and from the ends of store writes (<see cref="JobWriteBatcher.IReports"/>); effects go out through
/// <see cref="IJobEffects"/>. A job holds one of the event's <see cref="JobRules.MaxConcurrency"/> slots from when it
/// is given one (StoringToStart or Starting) until its handler reports (Ending), so never more run at once. A job
/// leaves the table only once its outcome is stored. Not thread-safe: the grain calls it from its own turns only.
/// </summary>
internal sealed class EventJobs : JobWriteBatcher.IReports
{
    private static readonly TimeSpan WriteRetryDelay = TimeSpan.FromSeconds(1);
    private readonly Dictionary<string, Entry> _jobs = new(StringComparer.Ordinal);
    private readonly IJobEffects _effects;
    private readonly TimeProvider _clock;
    private readonly Func<bool> _holdStarts;
    // The delivery marks one pump collects, reused: a pump runs once per accepted job.
    private readonly List<QueuedJob> _marks = [];
    private Entry? _head;
    private Entry? _tail;
    private int _queued;
    private int _storing;
    private int _slots;
    private List<Entry>? _failedEnds;
    private HashSet<string>? _goneDuringLoad;
    private RateGate? _rateGate;
    private CompactJobOutcome? _lastOutcome;
    private bool _pumping;
    private bool _pumpAgain;
    private long _nextSeq;

    /// <summary>Creates an empty table.</summary>
    /// <param name="effects">Where the table's effects go.</param>
    /// <param name="clock">The clock of the rate limit.</param>
    /// <param name="holdStarts">True while no job may start (the silo is stopping: its queued jobs run elsewhere).</param>
    public EventJobs(IJobEffects effects, TimeProvider clock, Func<bool> holdStarts)
    {
        _effects = effects;
        _clock = clock;
        _holdStarts = holdStarts;
    }

    /// <summary>The rules in force; change them with <see cref="Configure"/>.</summary>
    public JobRules Rules { get; private set; } = new(1);

    /// <summary>Jobs that wait: queued, or accepted and being stored without a slot (the queue's depth).</summary>
    public int Waiting => _queued + _storing;

    /// <summary>Jobs that hold a slot: starting or running.</summary>
    public int Active => _slots;

    /// <summary>Every job in the table, whatever its state (ending ones too).</summary>
    public int Count => _jobs.Count;

    /// <summary>The most recent outcome known here, if any.</summary>
    public JobOutcome? LastOutcome => _lastOutcome?.ToOutcome();

    /// <summary>The next acceptance sequence number (a job's place among the event's jobs, kept in its record).</summary>
    public long NextSequence() => _nextSeq++;

    /// <summary>The state of a job, or null when the table does not hold it.</summary>
    public JobState? StateOf(string jobId) => _jobs.TryGetValue(jobId, out var entry) ? entry.State : null;

    /// <summary>The queued jobs, in the order they will start.</summary>
    public IEnumerable<QueuedJob> Queue()
    {
        for (var e = _head; e is not null; e = e.Next) yield return e.Job;
    }

    /// <summary>
    /// The jobs that have not ended, at most <paramref name="limit"/>: those holding a slot first (oldest start first),
    /// then the queued ones in the order they will start, then those still being stored. Ending jobs are left out (their
    /// handler is done, their outcome on its way to the history); one cancelled while its write was in flight shows as
    /// cancelling. <paramref name="attemptOf"/> gives a running job's current attempt, when the worker pool knows it.
    /// </summary>
    public List<InFlightJob> InFlight(int limit, Func<string, int?> attemptOf)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        var list = new List<InFlightJob>(Math.Min(limit, _jobs.Count));
        // One scan for the few slot holders (MaxConcurrency plus those being cancelled) and the jobs being stored; the
        // queue itself is walked in its own order.
        var holding = new List<Entry>();
        List<Entry>? storing = null;
        foreach (var entry in _jobs.Values)
        {
            if (entry.State is JobState.StoringToStart or JobState.Starting or JobState.Running or JobState.Cancelling) holding.Add(entry);
            else if (entry.State == JobState.Storing) (storing ??= []).Add(entry);
        }
        foreach (var entry in holding.OrderBy(e => e.StartedAt ?? DateTimeOffset.MaxValue).ThenBy(e => e.Job.Seq))
        {
            if (list.Count == limit) return list;
            list.Add(View(entry, attemptOf));
        }
        for (var e = _head; e is not null && list.Count < limit; e = e.Next) list.Add(View(e, attemptOf));
        foreach (var entry in storing?.OrderBy(e => e.Job.Seq) ?? Enumerable.Empty<Entry>())
        {
            if (list.Count == limit) break;
            list.Add(View(entry, attemptOf));
        }
        return list;
    }

    private static InFlightJob View(Entry entry, Func<string, int?> attemptOf)
    {
        var job = entry.Job;
        var state = entry.CancelledAs is not null || entry.State == JobState.Cancelling ? InFlightJobState.Cancelling
            : entry.State is JobState.Queued or JobState.Storing ? InFlightJobState.Queued
            : InFlightJobState.Running;
        var attempt = entry.State is JobState.Running or JobState.Cancelling ? attemptOf(job.JobId) : null;
        return new InFlightJob(job.JobId, state, job.EnqueuedAt, entry.StartedAt, job.Deliveries, attempt, job.TriggerId, job.CorrelationId);
    }

    /// <summary>The records of ended jobs whose outcomes are not stored yet, oldest first.</summary>
    public IEnumerable<JobRecord> Unstored() =>
        _jobs.Values.Where(e => e.State == JobState.Ending || e.State == JobState.Cancelling && !e.EndWritten)
            .Select(e => e.Record!).OrderBy(r => r.Outcome.FinishedAt);

    /// <summary>
    /// The last <paramref name="limit"/> runs, newest first: the stored history (oldest first) and the ended jobs whose
    /// outcome write is still on its way, each run once (a write may land while the history is read).
    /// </summary>
    public List<JobRecord> History(IReadOnlyList<JobRecord> stored, int limit)
    {
        var all = new List<JobRecord>(stored);
        foreach (var record in Unstored())
        {
            if (!stored.Any(r => r.JobId == record.JobId && r.Outcome.Delivery == record.Outcome.Delivery)) all.Add(record);
        }
        return all.Skip(Math.Max(0, all.Count - limit)).Reverse().ToList();
    }

    /// <summary>New rules (a definition change); a higher concurrency may start queued jobs now.</summary>
    public void Configure(JobRules rules)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(rules.MaxConcurrency, 1);
        Rules = rules;
        if (rules.RatePerSecond is not { } rate) _rateGate = null;
        else if (_rateGate?.PerSecond != rate) _rateGate = new RateGate(rate, _clock);
        Pump();
    }

    /// <summary>
    /// Decides a job about to be accepted: refused when the queue is full, else queued, or started at once when a slot is
    /// free and nothing waits before it (then the rate limit's token is taken). Follow with <see cref="Accept"/>.
    /// A job due at <paramref name="startsAt"/>, later than now (a fire taken ahead), starts at once only without a rate
    /// limit: the worker pool holds it until the instant, and a token taken before it would let starts exceed the rate.
    /// </summary>
    public Admission Admit(DateTimeOffset? startsAt = null)
    {
        if (Rules.QueueLimit is { } limit && Waiting >= limit) return Admission.QueueFull;
        if (Waiting > 0 || _slots >= Rules.MaxConcurrency || _holdStarts()) return Admission.Queue;
        if (_rateGate is null) return Admission.StartNow;
        if (startsAt is { } at && at > _clock.GetUtcNow()) return Admission.Queue;
        return _rateGate.TryTake(out _) ? Admission.StartNow : Admission.Queue;
    }

    /// <summary>
    /// The jobs admitted ahead of their instant (<see cref="QueuedJob.ScheduledAt"/> after now: fires taken ahead,
    /// ConvoOrchestratorOptions.FireLead) that have not ended, of <paramref name="trigger"/> or of any trigger when null:
    /// what a pause of the event or the trigger stops before they start.
    /// </summary>
    public List<string> Ahead(TriggerId? trigger = null)
    {
        var now = _clock.GetUtcNow();
        var ids = new List<string>();
        foreach (var entry in _jobs.Values)
        {
            if (entry.Job is { ScheduledAt: { } at, IsBackfill: false } job && at > now && job.TriggerId is { } by && (trigger is null || by == trigger)
                && entry.State is not (JobState.Ending or JobState.Cancelling) && entry.CancelledAs is null)
                ids.Add(job.JobId);
        }
        return ids;
    }

    /// <summary>True when the job is held for its instant: running (handed to the worker pool) before its ScheduledAt.</summary>
    public bool IsAhead(string jobId) =>
        _jobs.TryGetValue(jobId, out var entry) && entry.State == JobState.Running && entry.Job.ScheduledAt is { } at && at > _clock.GetUtcNow();

    /// <summary>
    /// Cancels a job that has not ended. A queued one ends as <paramref name="cancelled"/> at once; one whose append or
    /// delivery mark is still being written as soon as that write is stored (it never reaches a handler); a running
    /// one has its run stopped (<see cref="IJobEffects.StopRun"/>) and its outcome written at once, while it keeps its
    /// slot until its handler reports (<see cref="JobState.Cancelling"/>). The task completes once the end is stored
    /// (the outcome in the history, the job's record deleted), so a cancelled job never runs after a crash; it fails
    /// when the write failed (the table writes it again). Null when there is nothing to cancel:
    /// <paramref name="state"/> is then the job's state (ending, cancelling) or null when the table does not hold it.
    /// </summary>
    public Task? Cancel(string jobId, JobOutcome cancelled, out JobState? state)
    {
        state = null;
        if (!_jobs.TryGetValue(jobId, out var entry)) return null;
        state = entry.State;
        switch (entry.State)
        {
            case JobState.Queued:
                Unlink(entry);
                entry.EndStored ??= NewWaiter();
                EndEntry(entry, cancelled);
                return entry.EndStored.Task;
            case JobState.Storing:
            case JobState.StoringToStart:
            case JobState.Starting:
                if (entry.State == JobState.Storing && entry.CancelledAs is null) _storing--; // no longer part of the queue's depth
                entry.CancelledAs ??= cancelled;
                entry.EndStored ??= NewWaiter();
                return entry.EndStored.Task;
            case JobState.Running:
                entry.State = JobState.Cancelling;
                entry.EndStored ??= NewWaiter();
                _effects.StopRun(entry.Job);
                WriteEnd(entry, cancelled);
                return entry.EndStored.Task;
            default:
                return null;
        }
    }

    /// <summary>True when <paramref name="state"/> is one <see cref="Cancel"/> ends before any handler runs.</summary>
    public static bool IsWaiting(JobState state) => state is JobState.Queued or JobState.Storing or JobState.StoringToStart or JobState.Starting;

    /// <summary>Cancels every job that waits (queued, or being stored to queue; see <see cref="Cancel"/>); one task per job.</summary>
    public List<Task> CancelAllWaiting(JobOutcome cancelled)
    {
        var ids = new List<string>(Waiting);
        foreach (var entry in _jobs.Values)
        {
            if (entry.State is JobState.Queued or JobState.Storing && entry.CancelledAs is null) ids.Add(entry.Job.JobId);
        }
        var ends = new List<Task>(ids.Count);
        foreach (var id in ids)
        {
            if (Cancel(id, cancelled, out _) is { } end) ends.Add(end);
        }
        return ends;
    }

    /// <summary>
    /// The jobs of <paramref name="trigger"/> that have not ended (waiting or running, not already being cancelled):
    /// what a fire under <see cref="OverlapPolicy.CancelOther"/> cancels.
    /// </summary>
    public List<string> Unended(TriggerId trigger)
    {
        var ids = new List<string>();
        foreach (var entry in _jobs.Values)
        {
            if (entry.Job.TriggerId == trigger && entry.State is not (JobState.Ending or JobState.Cancelling) && entry.CancelledAs is null)
                ids.Add(entry.Job.JobId);
        }
        return ids;
    }

    /// <summary>
    /// Whether the table holds a job of <paramref name="trigger"/>'s fire for <paramref name="instant"/> (a repeat of
    /// that fire is then a duplicate: it must neither skip beside it nor cancel it).
    /// </summary>
    public bool HoldsFire(TriggerId trigger, DateTimeOffset instant)
    {
        // A scan, as for Overlaps: once per fire, and only on a store that outlives the process.
        foreach (var entry in _jobs.Values)
        {
            if (entry.Job.TriggerId == trigger && entry.Job.ScheduledAt == instant && !entry.Job.IsBackfill) return true;
        }
        return false;
    }

    /// <summary>
    /// Whether a fire of <paramref name="trigger"/> is to be skipped under <paramref name="policy"/>: for
    /// <see cref="OverlapPolicy.Skip"/> while a job of the trigger is waiting or holds a slot, for
    /// <see cref="OverlapPolicy.BufferOne"/> while one is waiting. Ending jobs no longer count: their handler is done.
    /// </summary>
    public bool Overlaps(TriggerId trigger, OverlapPolicy policy)
    {
        if (policy is OverlapPolicy.AllowAll or OverlapPolicy.CancelOther) return false;
        // A scan of the event's jobs, not counters kept right across every transition: it runs once per fire, not
        // per job.
        foreach (var entry in _jobs.Values)
        {
            if (entry.Job.TriggerId != trigger) continue;
            var counts = policy == OverlapPolicy.Skip
                ? entry.State != JobState.Ending
                : entry.State is JobState.Storing or JobState.Queued;
            if (counts) return true;
        }
        return false;
    }

    /// <summary>
    /// Accepts <paramref name="job"/> as <paramref name="admission"/> decided (with delivery 1 when it starts now) and
    /// asks for it to be stored; the task completes once it is. It is queued or dispatched only once stored.
    /// </summary>
    public Task Accept(QueuedJob job, Admission admission)
    {
        if (admission == Admission.QueueFull) throw new ArgumentException("a refused job cannot be accepted", nameof(admission));
        var startNow = admission == Admission.StartNow;
        _jobs.Add(job.JobId, new Entry(job, startNow ? JobState.StoringToStart : JobState.Storing));
        if (startNow) _slots++;
        else _storing++;
        return _effects.Append(job);
    }

    /// <summary>
    /// Records an outcome for a job that never ran (a trigger fired into a paused event): it is stored like any end.
    /// </summary>
    public void Skip(QueuedJob job, JobOutcome outcome)
    {
        var entry = new Entry(job, JobState.Ending);
        _jobs[job.JobId] = entry;
        EndEntry(entry, outcome);
    }

    /// <summary>
    /// A handler reported: the job ends, its slot is free, and the write of its outcome is asked for. A job recovered
    /// as queued ends too (a run from before a deactivation finished after all). False for a job the table does not
    /// run (unknown, or already ending).
    /// </summary>
    public bool Complete(string jobId, JobOutcome outcome)
    {
        if (!_jobs.TryGetValue(jobId, out var entry)) return false;
        switch (entry.State)
        {
            case JobState.Running:
            case JobState.Starting:
                _slots--;
                break;
            case JobState.Queued:
                Unlink(entry);
                break;
            case JobState.Cancelling:
                // Its CANCELLED outcome stands (whatever the handler returned); the slot is free now.
                _slots--;
                entry.HandlerDone = true;
                if (entry.EndWritten) _jobs.Remove(jobId);
                Pump();
                return true;
            default:
                return false;
        }
        EndEntry(entry, outcome);
        Pump();
        return true;
    }

    /// <inheritdoc />
    public void Stored(IReadOnlyList<QueuedJob> appended, IReadOnlyList<QueuedJob> marked, IReadOnlyList<JobRecord> ended, IReadOnlyList<KeyConflict> refused)
    {
        // Not stored: another job holds their idempotency key. They leave as if never accepted; the holder answers.
        for (var i = 0; i < refused.Count; i++)
        {
            if (!_jobs.TryGetValue(refused[i].JobId, out var entry)) continue;
            if (entry.State == JobState.Storing)
            {
                if (entry.CancelledAs is null) _storing--;
            }
            else if (entry.State == JobState.StoringToStart) _slots--;
            else continue;
            _jobs.Remove(refused[i].JobId);
            _effects.Deduplicated(entry.Job, refused[i].HeldBy);
            entry.EndStored?.TrySetResult();
        }
        // Index loops: these run once per job, and foreach over the interface would allocate an enumerator each time.
        for (var i = 0; i < appended.Count; i++)
        {
            if (!_jobs.TryGetValue(appended[i].JobId, out var entry)) continue; // cleared meanwhile
            if (entry.State == JobState.Storing)
            {
                _effects.Enqueued(entry.Job);
                if (entry.CancelledAs is { } cancelled)
                {
                    EndEntry(entry, cancelled); // cancelled while being stored
                }
                else
                {
                    _storing--;
                    Link(entry);
                }
            }
            else if (entry.State == JobState.StoringToStart)
            {
                _effects.Enqueued(entry.Job);
                StartUnlessCancelled(entry);
            }
        }
        var slotsBefore = _slots;
        for (var i = 0; i < marked.Count; i++)
        {
            if (_jobs.TryGetValue(marked[i].JobId, out var entry) && entry.State == JobState.Starting) StartUnlessCancelled(entry);
        }
        for (var i = 0; i < ended.Count; i++)
        {
            var jobId = ended[i].JobId;
            if (!_jobs.TryGetValue(jobId, out var entry) || !ReferenceEquals(entry.Record, ended[i])) continue;
            if (entry.State == JobState.Cancelling)
            {
                // Gone for good; the row stays while the handler still holds the slot.
                entry.EndWritten = true;
                if (!entry.HandlerDone)
                {
                    _goneDuringLoad?.Add(jobId);
                    entry.EndStored?.TrySetResult();
                    continue;
                }
            }
            else if (entry.State != JobState.Ending) continue;
            _jobs.Remove(jobId);
            _goneDuringLoad?.Add(jobId);
            entry.EndStored?.TrySetResult();
        }
        // Appended jobs may queue; a job cancelled while its start was written frees its slot (a mark-only write
        // included, or the queue behind it would wait for a report that never comes).
        if (appended.Count > 0 || _slots < slotsBefore) Pump();
    }

    /// <inheritdoc />
    public void Failed(IReadOnlyList<QueuedJob> appended, IReadOnlyList<QueuedJob> marked, IReadOnlyList<JobRecord> ended, Exception failure)
    {
        _effects.WriteFailed(failure);
        var retry = false;
        // Not accepted: the emit answers with the failure; nothing of these jobs stays.
        for (var i = 0; i < appended.Count; i++)
        {
            if (!_jobs.TryGetValue(appended[i].JobId, out var entry)) continue;
            if (entry.State == JobState.Storing)
            {
                if (entry.CancelledAs is null) _storing--;
            }
            else if (entry.State == JobState.StoringToStart)
            {
                _slots--;
                retry = true; // its slot is free: a job queued meanwhile starts with the retry's pump
            }
            else continue;
            _jobs.Remove(appended[i].JobId);
            entry.EndStored?.TrySetResult(); // never accepted: nothing of it is stored, nothing will run
        }
        // Not marked: back to the head of the queue, in their order, with the delivery count that is stored.
        for (var i = marked.Count - 1; i >= 0; i--)
        {
            if (!_jobs.TryGetValue(marked[i].JobId, out var entry) || entry.State != JobState.Starting) continue;
            _slots--;
            entry.Job = entry.Job with { Deliveries = entry.Job.Deliveries - 1 };
            if (entry.CancelledAs is { } cancelled) EndEntry(entry, cancelled); // never to start now
            else LinkFirst(entry);
            retry = true;
        }
        // Maybe not stored, maybe stored with the answer lost: written again (the write is safe to repeat).
        for (var i = 0; i < ended.Count; i++)
        {
            if (!_jobs.TryGetValue(ended[i].JobId, out var entry) || entry.State is not (JobState.Ending or JobState.Cancelling)
                || !ReferenceEquals(entry.Record, ended[i])) continue;
            (_failedEnds ??= []).Add(entry);
            if (entry.EndStored is { Task.IsCompleted: false } waiter)
            {
                waiter.TrySetException(failure);
                entry.EndStored = null; // a later success has nobody left to tell
            }
            retry = true;
        }
        if (retry) _effects.ArmRetryTimer(WriteRetryDelay);
    }

    /// <summary>After a failed write: asks again for the outcome writes that failed, and starts what may start.</summary>
    public void RetryWrites()
    {
        if (_failedEnds is { Count: > 0 } failed)
        {
            _failedEnds = null;
            foreach (var entry in failed)
            {
                if (entry.State is JobState.Ending or JobState.Cancelling && !entry.EndWritten
                    && _jobs.TryGetValue(entry.Job.JobId, out var current) && ReferenceEquals(current, entry))
                    _effects.End(entry.Record!);
            }
        }
        Pump();
    }

    /// <summary>
    /// A new activation's table from the stored jobs, in acceptance order: a job this silo's worker pool still runs
    /// (<paramref name="stillRunning"/>; the grain was deactivated, not lost) is running, the others queued. Returns the
    /// next acceptance sequence number, from which <see cref="NextSequence"/> continues.
    /// </summary>
    public long Recover(IReadOnlyList<QueuedJob> stored, Func<string, bool> stillRunning)
    {
        long next = 0;
        foreach (var job in stored.OrderBy(j => j.EnqueuedAt).ThenBy(j => j.Seq))
        {
            next = Math.Max(next, job.Seq + 1);
            if (_jobs.ContainsKey(job.JobId)) continue;
            var entry = new Entry(job, JobState.Queued);
            _jobs.Add(job.JobId, entry);
            if (stillRunning(job.JobId))
            {
                entry.State = JobState.Running;
                _slots++;
            }
            else Link(entry);
        }
        _nextSeq = Math.Max(_nextSeq, next);
        Pump();
        return next;
    }

    /// <summary>
    /// Queues jobs moved back from the failed list (already stored, each with the delivery count of its last run, so
    /// its next run is a new delivery), in the order given. False for a job the table already holds (nothing changes).
    /// </summary>
    public bool TryRequeue(QueuedJob job)
    {
        if (_jobs.ContainsKey(job.JobId)) return false;
        var entry = new Entry(job, JobState.Queued);
        _jobs.Add(job.JobId, entry);
        Link(entry);
        _effects.Enqueued(job);
        return true;
    }

    /// <summary>
    /// Starts noting the jobs whose records go while the grain reads the store for <see cref="Adopt"/>: such a job may
    /// be in what the read returns, yet must not run again.
    /// </summary>
    public void BeginAdoption() => _goneDuringLoad = new HashSet<string>(StringComparer.Ordinal);

    /// <summary>
    /// Queues the stored jobs this table does not know (another activation accepted them and will not run them) and
    /// returns how many; call <see cref="BeginAdoption"/> before reading the store.
    /// </summary>
    public int Adopt(IReadOnlyList<QueuedJob> stored)
    {
        var gone = _goneDuringLoad;
        _goneDuringLoad = null;
        var adopted = 0;
        foreach (var job in stored.OrderBy(j => j.EnqueuedAt).ThenBy(j => j.Seq))
        {
            if (_jobs.ContainsKey(job.JobId) || gone?.Contains(job.JobId) == true) continue;
            var entry = new Entry(job, JobState.Queued);
            _jobs.Add(job.JobId, entry);
            Link(entry);
            adopted++;
        }
        if (adopted > 0) Pump();
        return adopted;
    }

    /// <summary>
    /// Forgets every job (the event is removed): queued and waiting ones end as <paramref name="cancelled"/> (their
    /// callers are answered), running ones are no longer tracked. Nothing is written: the caller clears the stores.
    /// </summary>
    public void Clear(JobOutcome cancelled)
    {
        for (var e = _head; e is not null; e = e.Next) _effects.Ended(e.Job, cancelled);
        foreach (var entry in _jobs.Values)
        {
            if (entry.State is JobState.Storing or JobState.StoringToStart) _effects.Ended(entry.Job, cancelled);
            entry.EndStored?.TrySetResult(); // the caller clears the stores: nothing of it stays
        }
        _jobs.Clear();
        _head = _tail = null;
        _queued = _storing = _slots = 0;
        _failedEnds = null;
    }

    /// <summary>Starts queued jobs while slots are free and the rate limit allows: each is marked (one write for all) first.</summary>
    public void Pump()
    {
        // A mark written synchronously reports (and pumps) inside the loop below: that pump is done by this one.
        if (_pumping)
        {
            _pumpAgain = true;
            return;
        }
        _pumping = true;
        try
        {
            do
            {
                _pumpAgain = false;
                if (_holdStarts()) return;
                while (_slots < Rules.MaxConcurrency && _head is { } next)
                {
                    if (_rateGate is not null)
                    {
                        // A rate-limited job taken ahead takes its token at its instant, not before (see Admit).
                        var now = _clock.GetUtcNow();
                        if (next.Job.ScheduledAt is { } at && at > now)
                        {
                            _effects.ArmRateTimer(at - now);
                            break;
                        }
                        if (!_rateGate.TryTake(out var retryAfter))
                        {
                            _effects.ArmRateTimer(retryAfter);
                            break;
                        }
                    }
                    Unlink(next);
                    next.Job = next.Job with { Deliveries = next.Job.Deliveries + 1 };
                    next.State = JobState.Starting;
                    _slots++;
                    _marks.Add(next.Job);
                }
                if (_marks.Count > 0)
                {
                    _effects.Mark(_marks);
                    _marks.Clear();
                }
            }
            while (_pumpAgain);
        }
        finally
        {
            _pumping = false;
        }
    }

    private void StartUnlessCancelled(Entry entry)
    {
        if (entry.CancelledAs is { } cancelled)
        {
            // Cancelled while its write was in flight: it ends without reaching a handler.
            _slots--;
            EndEntry(entry, cancelled);
            return;
        }
        entry.State = JobState.Running;
        entry.StartedAt = _clock.GetUtcNow();
        _effects.Dispatch(entry.Job);
    }

    private static TaskCompletionSource NewWaiter() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private void EndEntry(Entry entry, JobOutcome outcome)
    {
        entry.State = JobState.Ending;
        WriteEnd(entry, outcome);
    }

    private void WriteEnd(Entry entry, JobOutcome outcome)
    {
        var job = entry.Job;
        entry.Record = new JobRecord(job.JobId, job.TriggerId, job.EnqueuedAt, outcome);
        _lastOutcome = new CompactJobOutcome(outcome);
        _effects.Ended(job, outcome);
        _effects.End(entry.Record);
    }

    // Queues at the tail (acceptance order) or, for a job whose start failed, at the head.
    private void Link(Entry entry) => LinkBetween(entry, _tail, null);

    private void LinkFirst(Entry entry) => LinkBetween(entry, null, _head);

    private void LinkBetween(Entry entry, Entry? prev, Entry? next)
    {
        entry.State = JobState.Queued;
        (entry.Prev, entry.Next) = (prev, next);
        if (prev is null) _head = entry;
        else prev.Next = entry;
        if (next is null) _tail = entry;
        else next.Prev = entry;
        _queued++;
    }

    private void Unlink(Entry entry)
    {
        if (entry.Prev is null) _head = entry.Next;
        else entry.Prev.Next = entry.Next;
        if (entry.Next is null) _tail = entry.Prev;
        else entry.Next.Prev = entry.Prev;
        entry.Prev = entry.Next = null;
        _queued--;
    }

    // A job's row: its record as stored (delivery count included), its state, its place in the queue when queued,
    // and its outcome's record once it ends.
    private sealed class Entry(QueuedJob job, JobState state)
    {
        public QueuedJob Job = job;
        public JobState State = state;
        public Entry? Prev;
        public Entry? Next;
        public JobRecord? Record;
        // When it was handed to the worker pool (unknown for a run that outlived an earlier activation).
        public DateTimeOffset? StartedAt;
        // Cancelled while its append was in flight: it ends so once stored, instead of queueing.
        public JobOutcome? CancelledAs;
        // Completes once the job's end (outcome stored, record deleted) is stored; made only for those awaited.
        public TaskCompletionSource? EndStored;
        // Cancelling: whether its end is stored, and whether its handler has reported (both end the row).
        public bool EndWritten;
        public bool HandlerDone;
    }
}
