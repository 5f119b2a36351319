using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.ConvoOrchestrator.Grains;

namespace Orleans.ConvoOrchestrator.Runtime.Execution;

/// <summary>
/// Runs one job under its policy: per-attempt timeout (cancels the context's token; the attempt ends TIMEOUT
/// even if the handler ignores the token), retries with backoff (timed-out attempts too), result preview,
/// exceptions as HANDLER_EXEC_ERROR, unknown handlers as HANDLER_NOT_FOUND. Handlers run on <see cref="HandlerThreads"/>,
/// never on the thread pool; a run whose attempt ended while its handler still holds a thread is abandoned and counted
/// (<see cref="AbandonedRuns"/>, <see cref="MetricNames.JobsAbandoned"/>). Plain class: no Orleans.
/// </summary>
internal sealed partial class JobExecutor
{
    private readonly HandlerRegistry _registry;
    private readonly IServiceProvider _services;
    private readonly TimeProvider _clock;
    private readonly BackoffCalculator _backoff;
    private readonly MetricsCollector _metrics;
    private readonly ILogger<JobExecutor> _logger;
    private readonly TimeSpan _cancelGrace;
    private readonly HandlerThreads _threads;
    private readonly AbandonedRuns _abandoned;
    // Executors built without threads of their own (tests) share one set, created when first needed.
    private static readonly Lazy<HandlerThreads> OwnThreads = new(() => new HandlerThreads(maxThreads: 2 * 512));

    /// <summary>Created by DI.</summary>
    public JobExecutor(
        HandlerRegistry registry,
        IServiceProvider services,
        [FromKeyedServices(ConvoServiceKeys.Clock)] TimeProvider clock,
        IOptions<ConvoOrchestratorOptions> options,
        MetricsCollector metrics,
        ILogger<JobExecutor> logger,
        HandlerThreads threads,
        AbandonedRuns abandoned)
        : this(registry, services, clock, new BackoffCalculator(options.Value.BackoffBase, options.Value.BackoffCap), metrics, logger,
            options.Value.CancelGracePeriod, threads, abandoned)
    {
    }

    /// <summary>Creates an executor with an explicit backoff (tests).</summary>
    /// <param name="registry">The handlers.</param>
    /// <param name="services">What handler classes are resolved from.</param>
    /// <param name="clock">The clock of timeouts, backoff and the cancel grace period.</param>
    /// <param name="backoff">The delays between attempts.</param>
    /// <param name="metrics">Where runs are counted.</param>
    /// <param name="logger">The log.</param>
    /// <param name="cancelGrace">How long a cancelled handler may take to stop before it is abandoned.</param>
    /// <param name="threads">Where handlers run; a set shared by such executors when null.</param>
    /// <param name="abandoned">Where abandoned runs are counted; a private count when null.</param>
    public JobExecutor(HandlerRegistry registry, IServiceProvider services, TimeProvider clock, BackoffCalculator backoff, MetricsCollector metrics,
        ILogger<JobExecutor> logger, TimeSpan? cancelGrace = null, HandlerThreads? threads = null, AbandonedRuns? abandoned = null)
    {
        _threads = threads ?? OwnThreads.Value;
        _abandoned = abandoned ?? new AbandonedRuns();
        _cancelGrace = cancelGrace ?? TimeSpan.FromSeconds(10);
        _registry = registry;
        _services = services;
        _clock = clock;
        _backoff = backoff;
        _metrics = metrics;
        _logger = logger;
    }

    /// <summary>
    /// Runs every attempt of <paramref name="job"/>; <paramref name="shutdown"/> cancels it as CANCELLED, and so does
    /// <paramref name="control"/> (an operator's cancel: the handler gets the grace period to stop, then is abandoned).
    /// The run is one span of <see cref="ConvoTracing.Source"/>, linked to the job's emit span and current while the
    /// handler runs. With <paramref name="slot"/> (held when called), the slot is given back while the job waits out a
    /// retry's backoff and taken again, in turn, before the next attempt.
    /// </summary>
    public Task<JobOutcome> RunAsync(JobRequest job, CancellationToken shutdown, RunControl? control = null, RunSlot? slot = null) =>
        // Untraced (nobody listens), the attempts run without the extra async layer that keeps the span current.
        ConvoTracing.Source.HasListeners() ? RunTracedAsync(job, shutdown, control, slot) : RunAttemptsAsync(job, shutdown, control, slot);

    /// <summary>Abandoned runs now, by event (this executor's count).</summary>
    public AbandonedRuns Abandoned => _abandoned;

    private async Task<JobOutcome> RunTracedAsync(JobRequest job, CancellationToken shutdown, RunControl? control, RunSlot? slot)
    {
        var span = ConvoTracing.StartRun(job);
        JobOutcome? outcome = null;
        try
        {
            return (outcome = await RunAttemptsAsync(job, shutdown, control, slot).ConfigureAwait(false));
        }
        finally
        {
            if (outcome is not null) ConvoTracing.EndRun(span, outcome);
            else span?.Dispose();
        }
    }

    private async Task<JobOutcome> RunAttemptsAsync(JobRequest job, CancellationToken shutdown, RunControl? control, RunSlot? slot)
    {
        var startedAt = _clock.GetUtcNow();
        _metrics.Increment(MetricNames.JobsStarted, job.EventId);
        if (!_registry.TryGet(job.HandlerName, out var handler))
        {
            return Finish(job, new JobOutcome(JobStatus.ERR, startedAt, _clock.GetUtcNow(),
                new AppError(ErrorKind.HANDLER_NOT_FOUND, $"no handler named '{job.HandlerName}' is registered on this silo")));
        }

        var policy = job.Policy;
        for (var attempt = 1; ; attempt++)
        {
            AppError error;
            control?.BeginAttempt(attempt);
            // Without a timeout or a control the attempt's token is the shutdown token itself: no sources to make per
            // attempt. Otherwise a single source that the timeout, shutdown and the control cancel (not linked sources).
            using (var timeout = policy.Timeout is { } t ? new CancellationTokenSource(t, _clock) : control is null ? null : new CancellationTokenSource())
            using (timeout is null ? default : shutdown.UnsafeRegister(static s => ((CancellationTokenSource)s!).Cancel(), timeout))
            {
                if (timeout is not null) control?.Enter(timeout);
                var token = timeout?.Token ?? shutdown;
                var context = new EventContext(job.EventId, job.TriggerId, job.JobId, job.PayloadJson, job.CorrelationId, job.EnqueuedAt, attempt, token, job.ScheduledAt, job.Delivery, job.IsBackfill);
                // On a handler thread: a sync handler that blocks, or an async one that blocks before its first await,
                // occupies that thread, never a pool thread or an Orleans turn; once the token is cancelled it never starts.
                var attemptStart = _clock.GetUtcNow();
                var run = _threads.Run(handler, _services, context);
                try
                {
                    var result = await run.Task.WaitAsync(token).ConfigureAwait(false);
                    var finishedAt = _clock.GetUtcNow();
                    // The clock decides, not which callback ran first: on a starved thread pool the timeout's
                    // callback can run after a handler that overran it has returned.
                    if (policy.Timeout is not { } limit || finishedAt - attemptStart <= limit)
                        return Finish(job, new JobOutcome(JobStatus.OK, startedAt, finishedAt, null, attempt - 1, ResultPreview.From(result)));
                    _metrics.Increment(MetricNames.JobsTimedOut, job.EventId);
                    error = TimedOut(attempt, policy);
                }
                catch (OperationCanceledException) when (shutdown.IsCancellationRequested)
                {
                    Abandon(job, run);
                    return Finish(job, new JobOutcome(JobStatus.CANCELLED, startedAt, _clock.GetUtcNow(),
                        new AppError(ErrorKind.CANCELLED, "the silo shut down while the job ran"), attempt - 1));
                }
                catch (OperationCanceledException) when (control is { IsCancelled: true })
                {
                    return Finish(job, await CancelledAsync(job, run, startedAt, attempt).ConfigureAwait(false));
                }
                catch (OperationCanceledException) when (timeout is { IsCancellationRequested: true })
                {
                    Abandon(job, run);
                    _metrics.Increment(MetricNames.JobsTimedOut, job.EventId);
                    error = TimedOut(attempt, policy);
                }
                catch (Exception ex)
                {
                    error = new AppError(ErrorKind.HANDLER_EXEC_ERROR, $"{ex.GetType().Name}: {ex.Message}");
                }
                finally
                {
                    if (timeout is not null) control?.Leave(timeout);
                }
            }

            if (control is { IsCancelled: true })
                return Finish(job, new JobOutcome(JobStatus.CANCELLED, startedAt, _clock.GetUtcNow(), new AppError(ErrorKind.CANCELLED, CancelledWhy), attempt - 1));

            if (attempt > policy.MaxRetries)
                return Finish(job, new JobOutcome(JobStatus.ERR, startedAt, _clock.GetUtcNow(), error, attempt - 1));

            LogRetry(job.EventId.Value, job.JobId, attempt, error.ToString());
            _metrics.Increment(MetricNames.JobsRetried, job.EventId);
            // A retry's wait is cancelled like an attempt: by shutdown, or by the control (a source only then).
            using var wait = control is null ? null : CancellationTokenSource.CreateLinkedTokenSource(shutdown);
            try
            {
                if (wait is not null) control!.Enter(wait);
                // No slot is held through the backoff; the retry takes one again behind the jobs already waiting.
                slot?.Release();
                await Task.Delay(_backoff.Delay(policy.Backoff, attempt), _clock, wait?.Token ?? shutdown).ConfigureAwait(false);
                if (slot is not null) await slot.AcquireAsync(wait?.Token ?? shutdown).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                var why = shutdown.IsCancellationRequested ? "the silo shut down while the job waited to retry" : CancelledWhy;
                return Finish(job, new JobOutcome(JobStatus.CANCELLED, startedAt, _clock.GetUtcNow(), new AppError(ErrorKind.CANCELLED, why), attempt - 1));
            }
            finally
            {
                if (wait is not null) control!.Leave(wait);
            }
        }
    }

    private const string CancelledWhy = "cancelled by an operator";

    // The token is cancelled; the handler gets the grace period to stop. One that ignores its token is abandoned: it
    // keeps its thread until it returns, but the job ends and its slot is freed.
    private async Task<JobOutcome> CancelledAsync(JobRequest job, HandlerCall run, DateTimeOffset startedAt, int attempt)
    {
        var stopped = run.Task.IsCompleted;
        if (!stopped && _cancelGrace > TimeSpan.Zero)
        {
            using var grace = new CancellationTokenSource();
            var waited = await Task.WhenAny(run.Task, Task.Delay(_cancelGrace, _clock, grace.Token)).ConfigureAwait(false);
            stopped = waited == run.Task;
            await grace.CancelAsync().ConfigureAwait(false);
        }
        var why = CancelledWhy;
        if (!stopped)
        {
            Abandon(job, run);
            LogAbandonedAfterCancel(job.EventId.Value, job.JobId, _cancelGrace);
            why += $"; the handler ignored its token and was abandoned after {_cancelGrace.TotalSeconds:0.###} s";
        }
        return new JobOutcome(JobStatus.CANCELLED, startedAt, _clock.GetUtcNow(), new AppError(ErrorKind.CANCELLED, why), attempt - 1);
    }

    private static AppError TimedOut(int attempt, Policy policy) =>
        new(ErrorKind.TIMEOUT, $"attempt {attempt} exceeded the timeout of {policy.TimeoutSec} s");

    private JobOutcome Finish(JobRequest job, JobOutcome outcome)
    {
        _metrics.Finished(job.EventId, outcome);
        return job.Delivery == 1 ? outcome : outcome with { Delivery = job.Delivery };
    }

    // A handler that ignores its token keeps running after we stop waiting; observe its end so a late exception is
    // logged, not raised as an unobserved task exception. One that still holds its thread is counted until it lets go.
    private void Abandon(JobRequest job, HandlerCall run)
    {
        _ = run.Task.ContinueWith(
            t => LogAbandonedFault(t.Exception!.GetBaseException()),
            CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        // Counted before the check: a thread letting go at this moment takes the count back down, never below.
        var eventId = job.EventId;
        _abandoned.Add(eventId);
        if (!run.AbandonHoldingThread(() => _abandoned.Remove(eventId)))
        {
            _abandoned.Remove(eventId);
            return;
        }
        _metrics.Increment(MetricNames.JobsAbandoned, eventId);
        LogAbandonedHoldingThread(eventId.Value, job.JobId);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Event {EventId} job {JobId} attempt {Attempt} failed ({Error}); retrying")]
    private partial void LogRetry(string eventId, string jobId, int attempt, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Event {EventId} job {JobId}: cancelled, its handler did not stop within {Grace}; abandoned")]
    private partial void LogAbandonedAfterCancel(string eventId, string jobId, TimeSpan grace);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Event {EventId} job {JobId}: the attempt ended but its handler still holds its thread; abandoned until it returns")]
    private partial void LogAbandonedHoldingThread(string eventId, string jobId);

    [LoggerMessage(Level = LogLevel.Debug, Message = "A timed-out or cancelled handler later failed")]
    private partial void LogAbandonedFault(Exception ex);
}
