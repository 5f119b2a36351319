using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.ConvoOrchestrator.Grains;

namespace Orleans.ConvoOrchestrator.Runtime;

/// <summary>
/// Runs one job under its policy: per-attempt timeout (cancels the context's token; the attempt ends TIMEOUT
/// even if the handler ignores the token), retries with backoff (timed-out attempts too), result preview,
/// exceptions as HANDLER_EXEC_ERROR, unknown handlers as HANDLER_NOT_FOUND. Plain class: no Orleans.
/// </summary>
public sealed partial class JobExecutor
{
    private readonly HandlerRegistry _registry;
    private readonly IServiceProvider _services;
    private readonly TimeProvider _clock;
    private readonly BackoffCalculator _backoff;
    private readonly MetricsCollector _metrics;
    private readonly ILogger<JobExecutor> _logger;

    /// <summary>Created by DI.</summary>
    public JobExecutor(
        HandlerRegistry registry,
        IServiceProvider services,
        [FromKeyedServices(ConvoServiceKeys.Clock)] TimeProvider clock,
        IOptions<ConvoOrchestratorOptions> options,
        MetricsCollector metrics,
        ILogger<JobExecutor> logger)
        : this(registry, services, clock, new BackoffCalculator(options.Value.BackoffBase, options.Value.BackoffCap), metrics, logger)
    {
    }

    /// <summary>Creates an executor with an explicit backoff (tests).</summary>
    public JobExecutor(HandlerRegistry registry, IServiceProvider services, TimeProvider clock, BackoffCalculator backoff, MetricsCollector metrics, ILogger<JobExecutor> logger)
    {
        _registry = registry;
        _services = services;
        _clock = clock;
        _backoff = backoff;
        _metrics = metrics;
        _logger = logger;
    }

    /// <summary>
    /// Runs every attempt of <paramref name="job"/>; <paramref name="shutdown"/> cancels it as CANCELLED. The run is one
    /// span of <see cref="ConvoTracing.Source"/>, linked to the job's emit span and current while the handler runs.
    /// </summary>
    public Task<JobOutcome> RunAsync(JobRequest job, CancellationToken shutdown) =>
        // Untraced (nobody listens), the attempts run without the extra async layer that keeps the span current.
        ConvoTracing.Source.HasListeners() ? RunTracedAsync(job, shutdown) : RunAttemptsAsync(job, shutdown);

    private async Task<JobOutcome> RunTracedAsync(JobRequest job, CancellationToken shutdown)
    {
        var span = ConvoTracing.StartRun(job);
        JobOutcome? outcome = null;
        try
        {
            return (outcome = await RunAttemptsAsync(job, shutdown).ConfigureAwait(false));
        }
        finally
        {
            if (outcome is not null) ConvoTracing.EndRun(span, outcome);
            else span?.Dispose();
        }
    }

    private async Task<JobOutcome> RunAttemptsAsync(JobRequest job, CancellationToken shutdown)
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
            // Without a timeout the attempt's token is the shutdown token itself: no sources to make per attempt. With
            // one, a single source that the timeout cancels and shutdown cancels too (not a second, linked source).
            using (var timeout = policy.Timeout is { } t ? new CancellationTokenSource(t, _clock) : null)
            using (timeout is null ? default : shutdown.UnsafeRegister(static s => ((CancellationTokenSource)s!).Cancel(), timeout))
            {
                var token = timeout?.Token ?? shutdown;
                var context = new EventContext(job.EventId, job.TriggerId, job.JobId, job.PayloadJson, job.CorrelationId, job.EnqueuedAt, attempt, token, job.ScheduledAt, job.Delivery);
                // Task.Run: a sync handler that blocks, or an async one that blocks before its first await,
                // occupies a pool thread, never the caller's (or an Orleans scheduler's) turn.
                var attemptStart = _clock.GetUtcNow();
                var run = Task.Run(() => handler(_services, context), CancellationToken.None);
                try
                {
                    var result = await run.WaitAsync(token).ConfigureAwait(false);
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
                    Abandon(run);
                    return Finish(job, new JobOutcome(JobStatus.CANCELLED, startedAt, _clock.GetUtcNow(),
                        new AppError(ErrorKind.CANCELLED, "the silo shut down while the job ran"), attempt - 1));
                }
                catch (OperationCanceledException) when (timeout is { IsCancellationRequested: true })
                {
                    Abandon(run);
                    _metrics.Increment(MetricNames.JobsTimedOut, job.EventId);
                    error = TimedOut(attempt, policy);
                }
                catch (Exception ex)
                {
                    error = new AppError(ErrorKind.HANDLER_EXEC_ERROR, $"{ex.GetType().Name}: {ex.Message}");
                }
            }

            if (attempt > policy.MaxRetries)
                return Finish(job, new JobOutcome(JobStatus.ERR, startedAt, _clock.GetUtcNow(), error, attempt - 1));

            LogRetry(job.EventId.Value, job.JobId, attempt, error.ToString());
            _metrics.Increment(MetricNames.JobsRetried, job.EventId);
            try
            {
                await Task.Delay(_backoff.Delay(policy.Backoff, attempt), _clock, shutdown).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return Finish(job, new JobOutcome(JobStatus.CANCELLED, startedAt, _clock.GetUtcNow(),
                    new AppError(ErrorKind.CANCELLED, "the silo shut down while the job waited to retry"), attempt - 1));
            }
        }
    }

    private static AppError TimedOut(int attempt, Policy policy) =>
        new(ErrorKind.TIMEOUT, $"attempt {attempt} exceeded the timeout of {policy.TimeoutSec} s");

    private JobOutcome Finish(JobRequest job, JobOutcome outcome)
    {
        _metrics.Finished(job.EventId, outcome);
        return job.Delivery == 1 ? outcome : outcome with { Delivery = job.Delivery };
    }

    // A handler that ignores its token keeps running after we stop waiting; observe its end so a late
    // exception is logged, not raised as an unobserved task exception.
    private void Abandon(Task run) => _ = run.ContinueWith(
        t => LogAbandonedFault(t.Exception!.GetBaseException()),
        CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);

    [LoggerMessage(Level = LogLevel.Information, Message = "Event {EventId} job {JobId} attempt {Attempt} failed ({Error}); retrying")]
    private partial void LogRetry(string eventId, string jobId, int attempt, string error);

    [LoggerMessage(Level = LogLevel.Debug, Message = "A timed-out or cancelled handler later failed")]
    private partial void LogAbandonedFault(Exception ex);
}
