using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.ConvoOrchestrator.Grains;
using Orleans.Runtime;

namespace Orleans.ConvoOrchestrator.Runtime.Execution;

/// <summary>
/// The silo's worker pool: runs jobs off the Orleans scheduler, at most
/// <see cref="ConvoOrchestratorOptions.MaxConcurrentRuns"/> at once (slots shared round-robin between events with
/// waiting jobs: <see cref="FairSlots"/>), and reports each outcome to its event grain. On shutdown, running jobs get <see cref="ConvoOrchestratorOptions.ShutdownGracePeriod"/> to finish,
/// then their tokens are cancelled. A silo service that event grains call directly, not a stateless worker grain
/// (docs/adr/0009-handlers-on-a-silo-local-job-runner.md).
/// </summary>
internal sealed partial class JobRunner : IHandlerRuns, ILifecycleParticipant<ISiloLifecycle>, IDisposable
{
    private static readonly TimeSpan[] ReportBackoff = [TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(5)];
    private readonly JobExecutor _executor;
    private readonly IGrainFactory _grains;
    private readonly Client.GrainReferenceCache<Grains.IEventJobsGrain> _events;
    private readonly MetricsCollector _metrics;
    private readonly TimeProvider _clock;
    private readonly ConvoOrchestratorOptions _options;
    private readonly ILogger<JobRunner> _logger;
    private readonly FairSlots _slots;
    // Holds a fire taken ahead (FireLead) until its instant; docs/adr/0012-admit-fires-ahead.md.
    private readonly InstantGate _instants;
    private readonly CancellationTokenSource _shutdown = new();
    private readonly System.Collections.Concurrent.ConcurrentDictionary<(EventId, string), RunControl> _running = new();
    // Outcomes of one event wait here while a report to it is in flight; the next report carries them all.
    private readonly System.Collections.Concurrent.ConcurrentDictionary<EventId, Outbox> _outboxes = new();
    private readonly bool _durable;
    private int _inFlight;
    private int _disposed;

    /// <summary>Created by DI.</summary>
    public JobRunner(
        JobExecutor executor,
        IGrainFactory grains,
        MetricsCollector metrics,
        [Microsoft.Extensions.DependencyInjection.FromKeyedServices(ConvoServiceKeys.Clock)] TimeProvider clock,
        IOptions<ConvoOrchestratorOptions> options,
        StoreCapabilities store,
        ILogger<JobRunner> logger)
    {
        _durable = store.OutlivesProcess;
        _executor = executor;
        _grains = grains;
        _events = new Client.GrainReferenceCache<Grains.IEventJobsGrain>(grains);
        _metrics = metrics;
        _clock = clock;
        _options = options.Value;
        _logger = logger;
        _slots = new FairSlots(_options.MaxConcurrentRuns);
        _instants = new InstantGate(clock);
    }

    /// <summary>Jobs held for their scheduled instant now (fires taken ahead; diagnostics and tests).</summary>
    public int HeldForInstant => _instants.Waiting;

    /// <summary>Jobs accepted by this silo's pool and not yet reported.</summary>
    public int InFlight => Volatile.Read(ref _inFlight);

    /// <summary>
    /// True while this silo's pool holds the job (waiting for a slot, running, or reporting): an event grain that
    /// reactivates on this silo then waits for the job's outcome instead of delivering it again.
    /// </summary>
    public bool Holds(EventId eventId, string jobId) => _running.ContainsKey((eventId, jobId));

    /// <summary>The attempt a job this silo's pool runs is at; null when the pool does not hold it or it waits for a pool slot.</summary>
    public int? AttemptOf(EventId eventId, string jobId) =>
        _running.TryGetValue((eventId, jobId), out var control) && control.Attempt > 0 ? control.Attempt : null;

    /// <summary>Starts a job in the background (its event grain calls this in its turn); its outcome goes to the event grain.</summary>
    public void Start(JobRequest job)
    {
        Interlocked.Increment(ref _inFlight);
        var control = new RunControl();
        _running[(job.EventId, job.JobId)] = control;
        // Off the caller's turn, through the thread pool's queue: one work item instead of Task.Run's delegate,
        // closure and unwrapping tasks. The execution context flows (a job's span parents its handler's).
        ThreadPool.QueueUserWorkItem(static start => _ = start.Runner.RunAsync(start.Job, start.Control), (Runner: this, Job: job, Control: control), preferLocal: true);
    }

    /// <summary>
    /// Cancels a job this silo's pool holds: a running handler's token is cancelled (it gets
    /// <see cref="ConvoOrchestratorOptions.CancelGracePeriod"/> to stop, then is abandoned); a job still waiting for a
    /// pool slot never starts. Either way its CANCELLED outcome is reported to the event grain. False when the pool does
    /// not hold the job.
    /// </summary>
    public bool Cancel(EventId eventId, string jobId)
    {
        if (!_running.TryGetValue((eventId, jobId), out var control)) return false;
        if (control.Cancel())
        {
            // It will never start: reported from here, off the caller's turn.
            var now = _clock.GetUtcNow();
            var outcome = new JobOutcome(JobStatus.CANCELLED, now, now, new AppError(ErrorKind.CANCELLED, "cancelled by an operator before it started"));
            _metrics.Finished(eventId, outcome);
            ThreadPool.QueueUserWorkItem(static c => _ = c.Runner.ReportAsync(c.EventId, c.JobId, c.Outcome), (Runner: this, EventId: eventId, JobId: jobId, Outcome: outcome),
                preferLocal: false);
        }
        return true;
    }

    /// <inheritdoc />
    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(JobRunner), ServiceLifecycleStage.Active, _ => Task.CompletedTask, StopAsync);

    /// <summary>Waits for running jobs up to the grace period, then cancels the rest and waits for their reports.</summary>
    public async Task StopAsync(CancellationToken ct)
    {
        await WaitIdleAsync(_options.ShutdownGracePeriod).ConfigureAwait(false);
        await _shutdown.CancelAsync().ConfigureAwait(false);
        // Cancelled jobs report CANCELLED promptly; give those reports a moment to land.
        await WaitIdleAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        // DI disposes us once per service registration we are exposed under.
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        _instants.Dispose();
        _shutdown.Dispose();
    }

    private async Task WaitIdleAsync(TimeSpan limit)
    {
        var deadline = DateTime.UtcNow + limit;
        while (InFlight > 0 && DateTime.UtcNow < deadline)
            await Task.Delay(20).ConfigureAwait(false);
    }

    private async Task RunAsync(JobRequest job, RunControl control)
    {
        var reported = false;
        try
        {
            JobOutcome outcome;
            try
            {
                // A fire taken ahead starts at its instant, never before; it takes no silo slot while it waits, and on
                // time it goes on to its handler thread from the gate's own thread (InstantGate).
                if (job is { ScheduledAt: { } instant, IsBackfill: false }) await _instants.WaitAsync(instant, _shutdown.Token).ConfigureAwait(false);
                using var slot = new RunSlot(_slots, job.EventId);
                await slot.AcquireAsync(_shutdown.Token).ConfigureAwait(false);
                if (!control.TryStart())
                {
                    reported = true; // cancelled while it waited: Cancel reported it
                    return;
                }
                // The executor lets the slot go through each retry's backoff and takes it again in turn.
                outcome = await _executor.RunAsync(job, _shutdown.Token, control, slot).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (_shutdown.IsCancellationRequested)
            {
                // Never started. Claimed first, so that a cancel arriving now does not report it as well.
                if (!control.TryStart())
                {
                    reported = true; // a cancel claimed it first and reported it
                    return;
                }
                if (_durable)
                {
                    // Its stored record stays, and a surviving silo delivers it (nothing is reported).
                    LogLeftForRedelivery(job.EventId.Value, job.JobId);
                    return;
                }
                var now = _clock.GetUtcNow();
                outcome = new JobOutcome(JobStatus.CANCELLED, now, now, new AppError(ErrorKind.CANCELLED, "the silo shut down before the job started"));
                _metrics.Finished(job.EventId, outcome);
            }
            // From here the outbox holds the job until its outcome is reported.
            reported = true;
            await ReportAsync(job.EventId, job.JobId, outcome).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            LogRunFailed(ex, job.EventId.Value, job.JobId);
        }
        finally
        {
            if (!reported) Release(job.EventId, job.JobId);
        }
    }

    private void Release(EventId eventId, string jobId)
    {
        _running.TryRemove((eventId, jobId), out _);
        Interlocked.Decrement(ref _inFlight);
    }

    // Group commit of outcome reports: with no report to the event in flight this one goes at once; outcomes that
    // end meanwhile go together in the next call (a busy event gets one call per batch, not one per job).
    private Task ReportAsync(EventId eventId, string jobId, JobOutcome outcome)
    {
        while (true)
        {
            var box = _outboxes.GetOrAdd(eventId, static _ => new Outbox());
            lock (box)
            {
                if (box.Closed) continue; // emptied and dropped meanwhile: take the event's new outbox
                box.Completions.Add(new JobCompletion(jobId, outcome));
                if (box.Sending) return Task.CompletedTask;
                box.Sending = true;
            }
            return SendAsync(eventId, box);
        }
    }

    private async Task SendAsync(EventId eventId, Outbox box)
    {
        while (true)
        {
            List<JobCompletion> completions;
            lock (box)
            {
                if (box.Completions.Count == 0)
                {
                    box.Closed = true;
                    _outboxes.TryRemove(new KeyValuePair<EventId, Outbox>(eventId, box));
                    return;
                }
                completions = box.Completions;
                box.Completions = [];
            }
            try
            {
                await DeliverAsync(eventId, completions).ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                // Undelivered: the jobs' records stay stored, so a later activation of the event runs them again.
                LogReportFailed(ex, eventId.Value, completions.Count);
            }
            finally
            {
                foreach (var completion in completions) Release(eventId, completion.JobId);
            }
        }
    }

    private async Task DeliverAsync(EventId eventId, List<JobCompletion> completions)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                await _events.Get(eventId.Value).CompleteAsync(completions).ConfigureAwait(false);
                return;
            }
            catch (Exception ex) when (attempt < ReportBackoff.Length)
            {
                LogReportRetry(ex, eventId.Value, completions.Count);
                await Task.Delay(ReportBackoff[attempt]).ConfigureAwait(false);
            }
        }
    }

    private sealed class Outbox
    {
        public List<JobCompletion> Completions = [];
        public bool Sending;
        public bool Closed;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Event {EventId} job {JobId}: the silo stops before the job started; it stays stored for another silo")]
    private partial void LogLeftForRedelivery(string eventId, string jobId);

    [LoggerMessage(Level = LogLevel.Error, Message = "Event {EventId} job {JobId}: running or reporting failed")]
    private partial void LogRunFailed(Exception ex, string eventId, string jobId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Event {EventId}: reporting {Count} outcome(s) failed; retrying")]
    private partial void LogReportRetry(Exception ex, string eventId, int count);

    [LoggerMessage(Level = LogLevel.Error, Message = "Event {EventId}: {Count} outcome(s) could not be reported; their jobs stay stored and run again")]
    private partial void LogReportFailed(Exception ex, string eventId, int count);
}
