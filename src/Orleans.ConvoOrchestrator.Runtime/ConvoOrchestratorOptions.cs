namespace Orleans.ConvoOrchestrator.Runtime;

/// <summary>Silo-side settings of the orchestrator.</summary>
public sealed class ConvoOrchestratorOptions
{
    /// <summary>Grain storage name the orchestrator's grains persist to; hosting registers a provider under it.</summary>
    public const string StorageName = "convo";

    // One backfill's instants travel to each event and are held in memory while it runs: a bound keeps that small.
    private const int MaxBackfillFires = 1_000_000;

    /// <summary>Most handler runs at once on one silo (the worker pool's size). Jobs beyond it wait for a slot.</summary>
    public int MaxConcurrentRuns { get; set; } = 512;

    /// <summary>Most jobs waiting in one event's queue; a full queue rejects emits with QUEUE_FULL. Null: unbounded.</summary>
    public int? QueueMaxSize { get; set; } = 100_000;

    /// <summary>Outcomes kept per event in its run history.</summary>
    public int HistorySize { get; set; } = 100;

    /// <summary>
    /// How often at most an event writes its last outcome's state (what its status shows after a reactivation, and
    /// whose version check tells a stale duplicate activation). Outcomes themselves are stored as their jobs end, in
    /// the history, with the deletion of the jobs' records. With the memory stores the last outcome is written when
    /// the event's activation ends instead.
    /// </summary>
    public TimeSpan HistoryWriteDelay { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// A trigger persists its progress after a fire at most this often (AT and CONDITION fires, and fires of
    /// triggers slower than this, are written every time). After a crash, a trigger may refire the most recent
    /// fire once (coalesced) for progress it had not yet written. With stores that die with the process (the memory
    /// store) frequent fires' progress is written when the trigger's activation ends instead.
    /// </summary>
    public TimeSpan TriggerStateWriteInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Largest payload accepted, in UTF-8 bytes of its JSON.</summary>
    public int MaxPayloadBytes { get; set; } = 256 * 1024;

    /// <summary>How often a silo flushes its batched metrics to the metrics grain.</summary>
    public TimeSpan MetricsFlushInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How many failed jobs each event keeps in its failed list; the oldest go first.</summary>
    public int FailedJobsKept { get; set; } = 1000;

    /// <summary>How long a failed job stays in its event's failed list unless requeued or discarded.</summary>
    public TimeSpan FailedJobsMaxAge { get; set; } = TimeSpan.FromDays(7);

    /// <summary>On shutdown, how long running handlers may finish before their tokens are cancelled.</summary>
    public TimeSpan ShutdownGracePeriod { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How long a cancelled running job's handler may take to stop after its token is cancelled; one that ignores the
    /// token is then abandoned (left to run, no longer waited for) and its slot freed.
    /// </summary>
    public TimeSpan CancelGracePeriod { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// The nice value (Linux scheduling priority, 0-19; higher is nicer) of a handler thread once its call has run 20 ms
    /// (it ends after the call), and of every thread added because calls wait, so that handlers that spin, or many that
    /// fill memory at once, cannot starve the silo's own threads (timers, grain turns, I/O). The kept threads, one per
    /// processor, start at normal priority, so quick handlers run at full speed. 0 keeps every handler thread at the
    /// process's priority. Handlers run on threads of their own (<see cref="HandlerThreads"/>). No effect on other systems.
    /// </summary>
    public int HandlerThreadNice { get; set; } = 10;

    /// <summary>Delay before the first retry; EXP doubles it per retry.</summary>
    public TimeSpan BackoffBase { get; set; } = TimeSpan.FromSeconds(0.5);

    /// <summary>Longest delay between retries.</summary>
    public TimeSpan BackoffCap { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// The scheduler's tick: how often a CONDITION trigger polls its predicate when it names no interval.
    /// Time-based triggers do not wait for ticks: each arms a timer for its exact next fire.
    /// <c>schedulerTickMs</c> of <c>EventManager</c> sets it.
    /// </summary>
    public TimeSpan SchedulerTick { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// Period of the reminder a trigger keeps while its next fire is near, which brings a deactivated trigger grain
    /// (or one whose silo was lost) back to fire; also the width of a wake bucket, whose one reminder wakes the far
    /// triggers listed in it (and ticks again at this period until all are woken). Orleans'
    /// <c>MinimumReminderPeriod</c> is lowered to it when shorter.
    /// </summary>
    public TimeSpan ReminderPeriod { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// A trigger whose next fire is closer than <see cref="ReminderPeriod"/> plus this lead keeps its grain
    /// active; a farther one lets it deactivate and is woken by its wake bucket this long (plus up to one
    /// <see cref="ReminderPeriod"/>) before the fire.
    /// </summary>
    public TimeSpan WakeLead { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How late a fire may be and still count as on time, unless the trigger says otherwise.</summary>
    public TimeSpan MisfireThreshold { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// How often each silo also wakes the events that have stored jobs (its share of them), besides right after it
    /// starts and whenever a silo leaves the cluster: the safety net that resumes jobs nobody else resumed.
    /// </summary>
    public TimeSpan RecoverySweepInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// The longest range one backfill (<c>BackfillTriggerAsync</c>) may cover, <c>to - from</c>; a longer one is refused
    /// with VALIDATION. Split longer ranges into several backfills.
    /// </summary>
    public TimeSpan BackfillMaxRange { get; set; } = TimeSpan.FromDays(366);

    /// <summary>
    /// Most fire instants one backfill queues (per event it feeds); a range with more is cut after them, and its report
    /// says where to go on (<c>ResumeFrom</c>).
    /// </summary>
    public int BackfillMaxFires { get; set; } = 10_000;

    /// <summary>
    /// Whether the silo's grain timers (each trigger's timer for its next fire among them) run on one
    /// <see cref="HeapTimerProvider"/> instead of .NET's timer queue, whose every fire walks all timers due within
    /// a third of a second: with thousands of triggers that walk is dear (docs/adr/0005-heap-grain-timers.md).
    /// Applies only with the system clock, and not when the host registers its own grain <see cref="TimeProvider"/>
    /// (keyed <c>TimeProviderNames.Grains</c>).
    /// </summary>
    public bool HeapGrainTimers { get; set; } = true;

    /// <summary>
    /// How long before its instant a trigger's scheduled fire is taken: the job is admitted (stored, given its event's
    /// slot) ahead and the silo's worker pool starts its handler at the instant, never before, so the timer's wake-up,
    /// the grain messages and the store write are off the lateness path (docs/adr/0012-admit-fires-ahead.md). A pause,
    /// deactivation or cancel during the lead stops the job. Fires of triggers with an overlap policy other than
    /// <see cref="OverlapPolicy.AllowAll"/>, and jobs of events with a rate limit, are not started ahead of their
    /// instant's rules (the policy and the rate limit judge at the instant). 50 ms by default; 00:00:00 turns it off;
    /// at most 1 s.
    /// </summary>
    public TimeSpan FireLead { get; set; } = TimeSpan.FromMilliseconds(50);

    /// <summary>The longest <see cref="FireLead"/> allowed.</summary>
    public static readonly TimeSpan MaxFireLead = TimeSpan.FromSeconds(1);

    /// <summary>
    /// What is wrong with these options, one line per setting, each naming the property and its allowed range;
    /// empty when they are usable. <see cref="ConvoOrchestratorOptionsValidator"/> refuses a start with them.
    /// </summary>
    public IEnumerable<string> Problems()
    {
        if (MaxConcurrentRuns < 1) yield return $"{nameof(MaxConcurrentRuns)} must be at least 1 (got {MaxConcurrentRuns})";
        if (QueueMaxSize is < 1) yield return $"{nameof(QueueMaxSize)} must be at least 1, or null (empty in configuration) for unbounded (got {QueueMaxSize})";
        if (HistorySize < 1) yield return $"{nameof(HistorySize)} must be at least 1 (got {HistorySize})";
        if (HistoryWriteDelay <= TimeSpan.Zero) yield return $"{nameof(HistoryWriteDelay)} must be longer than 00:00:00 (got {HistoryWriteDelay})";
        if (TriggerStateWriteInterval < TimeSpan.Zero) yield return $"{nameof(TriggerStateWriteInterval)} must be 00:00:00 or longer (got {TriggerStateWriteInterval})";
        if (MaxPayloadBytes < 16) yield return $"{nameof(MaxPayloadBytes)} must be at least 16 (got {MaxPayloadBytes})";
        if (MetricsFlushInterval <= TimeSpan.Zero) yield return $"{nameof(MetricsFlushInterval)} must be longer than 00:00:00 (got {MetricsFlushInterval})";
        if (ShutdownGracePeriod < TimeSpan.Zero) yield return $"{nameof(ShutdownGracePeriod)} must be 00:00:00 or longer (got {ShutdownGracePeriod})";
        if (FailedJobsKept < 0) yield return $"{nameof(FailedJobsKept)} must be 0 (keep none) or more (got {FailedJobsKept})";
        if (FailedJobsMaxAge <= TimeSpan.Zero) yield return $"{nameof(FailedJobsMaxAge)} must be longer than 00:00:00 (got {FailedJobsMaxAge})";
        if (CancelGracePeriod < TimeSpan.Zero) yield return $"{nameof(CancelGracePeriod)} must be 00:00:00 or longer (got {CancelGracePeriod})";
        if (HandlerThreadNice is < 0 or > 19) yield return $"{nameof(HandlerThreadNice)} must be 0 to 19 (got {HandlerThreadNice})";
        if (BackoffBase < TimeSpan.Zero) yield return $"{nameof(BackoffBase)} must be 00:00:00 or longer (got {BackoffBase})";
        else if (BackoffCap < BackoffBase) yield return $"{nameof(BackoffCap)} must be at least {nameof(BackoffBase)} ({BackoffBase}) (got {BackoffCap})";
        if (SchedulerTick < TimeSpan.FromMilliseconds(1)) yield return $"{nameof(SchedulerTick)} must be at least 00:00:00.001 (got {SchedulerTick})";
        if (RecoverySweepInterval < TimeSpan.FromSeconds(1)) yield return $"{nameof(RecoverySweepInterval)} must be at least 00:00:01 (got {RecoverySweepInterval})";
        if (ReminderPeriod < TimeSpan.FromSeconds(1)) yield return $"{nameof(ReminderPeriod)} must be at least 00:00:01 (got {ReminderPeriod})";
        if (WakeLead < TimeSpan.Zero) yield return $"{nameof(WakeLead)} must be 00:00:00 or longer (got {WakeLead})";
        if (BackfillMaxRange <= TimeSpan.Zero) yield return $"{nameof(BackfillMaxRange)} must be longer than 00:00:00 (got {BackfillMaxRange})";
        if (BackfillMaxFires is < 1 or > MaxBackfillFires) yield return $"{nameof(BackfillMaxFires)} must be from 1 to {MaxBackfillFires} (got {BackfillMaxFires})";
        if (FireLead < TimeSpan.Zero || FireLead > MaxFireLead) yield return $"{nameof(FireLead)} must be from 00:00:00 (off) to {MaxFireLead} (got {FireLead})";
        if (MisfireThreshold < TimeSpan.Zero) yield return $"{nameof(MisfireThreshold)} must be 00:00:00 or longer (got {MisfireThreshold})";
    }
}
