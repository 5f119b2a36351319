using System.Text;
using Microsoft.Extensions.Logging;
using Orleans.ConvoOrchestrator.Runtime.Jobs;
using Orleans.ConvoOrchestrator.Runtime.Triggers;

namespace Orleans.ConvoOrchestrator.Runtime.Grains;

/// <summary>
/// How an emit, a trigger's fire or a test run becomes a job of one defined event: the payload checked, a paused event
/// or an overlapping fire refused (a fire leaves a SKIPPED trace), admission asked of <see cref="EventJobs"/>, the job
/// built with its idempotency key, and the caller answered once the job is stored: with its id, or with the id of the
/// job that holds its key when the store refused it as a repeat. Called from the event grain's turns only. With
/// <paramref name="keyFires"/> (a store that outlives the process) a scheduled fire carries its instant's key
/// (<see cref="FireKeys"/>), so two activations of one trigger firing one instant queue one job.
/// </summary>
internal sealed class JobIntake(EventId eventId, EventJobs jobs, JobCancels cancels, MetricsCollector metrics, TimeProvider clock,
    ConvoOrchestratorOptions options, ILogger logger, bool keyFires = false)
{
    private readonly Dictionary<string, TaskCompletionSource<JobOutcome>> _waiters = new(StringComparer.Ordinal);
    // Jobs the store refused for their idempotency key, and the job holding it: read (and removed) by their emit.
    private readonly Dictionary<string, string> _deduplicated = new(StringComparer.Ordinal);

    /// <summary>An emit: answers the job's id once it is stored.</summary>
    public Task<Result<string>> EmitAsync(Event def, EventState state, string payloadJson, EmitOptions? emit)
    {
        var accepted = Accept(def, state, payloadJson, emit, requireActive: true);
        if (accepted.IsErr) return Task.FromResult(Result<string>.Err(accepted.Error));
        var (job, stored) = accepted.Unwrap();
        // The memory store answers synchronously: no await, no allocation on the hot path.
        return stored.IsCompletedSuccessfully ? Task.FromResult(Result<string>.Ok(AnswerFor(job))) : AwaitStoredAsync(job, stored);
    }

    /// <summary>A trigger's fire: nobody waits for the answer (a refusal is counted, and recorded when it skips).</summary>
    public void Fire(Event def, EventState state, string payloadJson, EmitOptions fire)
    {
        TimeSpan? keyHold = null;
        if (keyFires && fire is { TriggerId: { } triggerId, ScheduledAt: { } instant, IdempotencyKey: null })
        {
            // A repeat of a fire this activation holds (loaded or accepted) runs nothing, and must not skip or cancel
            // its twin under the overlap policy, as a fire of a later instant would; the key catches the others.
            if (jobs.HoldsFire(triggerId, instant))
            {
                metrics.Increment(MetricNames.JobsDeduplicated, eventId);
                return;
            }
            fire = fire with { IdempotencyKey = FireKeys.For(triggerId, instant) };
            keyHold = FireKeys.HoldFor(options);
        }
        if (Accept(def, state, payloadJson, fire, requireActive: true, keyHold: keyHold) is not { IsOk: true } accepted) return;
        var (job, stored) = accepted.Unwrap();
        if (stored.IsCompleted) AnswerFor(job);
        else _ = AwaitStoredAsync(job, stored);
    }

    /// <summary>
    /// A test run: runs even on a paused event, is never deduplicated, and answers the job's outcome. A cancelled
    /// <paramref name="cancellationToken"/> cancels the job (its CANCELLED end stored) and throws.
    /// </summary>
    public async Task<Result<JobOutcome>> TestRunAsync(Event def, EventState state, string payloadJson, EmitOptions? emit,
        CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var accepted = Accept(def, state, payloadJson, emit is null ? null : emit with { IdempotencyKey = null }, requireActive: false, waitForOutcome: true);
        if (accepted.IsErr) return Result<JobOutcome>.Err(accepted.Error);
        var (job, stored) = accepted.Unwrap();
        if (!_waiters.TryGetValue(job.JobId, out var waiter)) return Result<JobOutcome>.Err(ErrorKind.UNKNOWN, "the job ended before it could be awaited");
        var result = await AwaitStoredAsync(job, stored);
        if (result.IsErr)
        {
            _waiters.Remove(job.JobId);
            return Result<JobOutcome>.Err(result.Error);
        }
        if (!cancellationToken.CanBeCanceled) return await waiter.Task;
        try
        {
            return await waiter.Task.WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The caller gave up (an aborted HTTP request, a Ctrl+C): nobody wants the outcome, so the run ends as an
            // operator's cancel would end it. This continues on the grain's turn, where cancels are made.
            _waiters.Remove(job.JobId);
            logger.TestRunAbandoned(eventId.Value, job.JobId);
            var cancelled = await cancels.CancelAsync(job.JobId);
            if (cancelled.IsErr) logger.TestRunCancelRefused(eventId.Value, job.JobId, cancelled.Error.Message);
            throw;
        }
    }

    /// <summary>
    /// A backfilled instant of <paramref name="triggerId"/>: accepted like a fire (overlap policy, queue bound) with
    /// the instant's backfill key, held longer than an emit's. Answers the job's id and a task that completes once the
    /// job is stored, with that id, or with the id of the job that took the key first.
    /// </summary>
    public Result<(string JobId, Task<Result<string>> Answer)> Backfill(Event def, EventState state, TriggerId triggerId, DateTimeOffset instant, string key)
    {
        var accepted = Accept(def, state, "null", new EmitOptions(TriggerId: triggerId, ScheduledAt: instant, IdempotencyKey: key), requireActive: true,
            backfill: true);
        if (accepted.IsErr) return Result<(string, Task<Result<string>>)>.Err(accepted.Error);
        var (job, stored) = accepted.Unwrap();
        return (job.JobId, AwaitStoredAsync(job, stored));
    }

    /// <summary>The store refused <paramref name="job"/>: its idempotency key is held by <paramref name="heldBy"/>.</summary>
    public void Deduplicated(QueuedJob job, string heldBy)
    {
        _deduplicated[job.JobId] = heldBy;
        metrics.Increment(MetricNames.JobsDeduplicated, eventId);
    }

    /// <summary>A job's outcome is known: a test run waiting for it is answered.</summary>
    public void Ended(QueuedJob job, JobOutcome outcome)
    {
        if (_waiters.Remove(job.JobId, out var waiter)) waiter.TrySetResult(outcome);
    }

    private Result<(QueuedJob Job, Task Stored)> Accept(Event def, EventState state, string payloadJson, EmitOptions? emit, bool requireActive,
        bool waitForOutcome = false, bool backfill = false, TimeSpan? keyHold = null)
    {
        payloadJson = string.IsNullOrEmpty(payloadJson) ? "null" : payloadJson;
        var size = Encoding.UTF8.GetByteCount(payloadJson);
        if (size > options.MaxPayloadBytes)
            return Reject(ErrorKind.VALIDATION, $"payload is {size} bytes; the limit is {options.MaxPayloadBytes}");
        var now = clock.GetUtcNow();
        var jobId = JobIds.Next();
        // Without a caller's correlation id the job's own id correlates its runs, logs and spans.
        var correlationId = emit?.CorrelationId ?? jobId;
        if (requireActive && !def.Active)
        {
            // A trigger firing into a paused event leaves a trace: a SKIPPED outcome in the history.
            if (emit?.TriggerId is not null) SkipFire(jobId, payloadJson, emit, correlationId, now, ErrorKind.NOT_ACTIVE, $"event '{eventId}' is inactive");
            return Reject(ErrorKind.NOT_ACTIVE, $"event '{eventId}' is inactive");
        }
        if (emit?.TriggerId is { } firedBy && state.Subscriptions.TryGetValue(firedBy.Value, out var trigger))
        {
            if (trigger.Overlap == OverlapPolicy.CancelOther) cancels.CancelEarlierFires(firedBy);
            else if (jobs.Overlaps(firedBy, trigger.Overlap))
            {
                var why = $"trigger '{firedBy}' has overlap policy {trigger.Overlap} and a job of an earlier fire is still {(trigger.Overlap == OverlapPolicy.Skip ? "queued or running" : "waiting")}";
                SkipFire(jobId, payloadJson, emit, correlationId, now, ErrorKind.CONFLICT, why);
                return Reject(ErrorKind.CONFLICT, why);
            }
        }
        var admission = jobs.Admit(emit?.ScheduledAt);
        if (admission == Admission.QueueFull)
            return Reject(ErrorKind.QUEUE_FULL, $"the queue of event '{eventId}' is full ({options.QueueMaxSize} jobs waiting)");

        var policy = def.EffectivePolicy;
        var key = waitForOutcome ? null : emit?.IdempotencyKey ?? KeyFromPayload(policy, payloadJson);
        var traceParent = ConvoTracing.RecordEmit(eventId, jobId, emit?.TriggerId);
        // A backfilled instant's key is held longer than an emit's: a repeat weeks later still runs nothing twice.
        // A fire's instant key only for as long as a duplicate of the fire can come.
        var window = backfill ? BackfillKeys.HoldFor(policy) : keyHold ?? policy.IdempotencyWindow;
        var job = new QueuedJob(jobId, jobs.NextSequence(), payloadJson, emit?.TriggerId, correlationId, now, emit?.ScheduledAt,
            admission == Admission.StartNow ? 1 : 0, traceParent, key, key is null ? null : now + window, backfill);
        // Lateness is a live fire's; a backfilled one is as late as the operator chose.
        if (!backfill && emit is { TriggerId: { } triggerId, ScheduledAt: { } scheduledAt })
            metrics.Lateness(triggerId, eventId, scheduledAt < now ? now - scheduledAt : TimeSpan.Zero); // a fire taken ahead is on time
        if (waitForOutcome) _waiters[job.JobId] = new TaskCompletionSource<JobOutcome>(TaskCreationOptions.RunContinuationsAsynchronously);
        // Queued or dispatched by the table once the write lands: a job never runs before it is stored.
        return (job, jobs.Accept(job, admission));
    }

    // The policy's key path read from the payload; a payload that cannot be read has no key (it was checked as JSON on
    // its way in, so only a path into something that is not an object ends here).
    private static string? KeyFromPayload(Policy policy, string payloadJson)
    {
        if (policy.IdempotencyKeyPath is not { } path || PayloadKeyPath.Parse(path, out _) is not { } names) return null;
        try
        {
            return PayloadKeyPath.Read(payloadJson, names);
        }
        catch (System.Text.Json.JsonException)
        {
            return null;
        }
    }

    // The id an emit answers once its job's write is stored: its own, or that of the job holding its idempotency key.
    private string AnswerFor(QueuedJob job) =>
        job.IdempotencyKey is not null && _deduplicated.Remove(job.JobId, out var heldBy) ? heldBy : job.JobId;

    // A fire that runs nothing is recorded SKIPPED in the history and counted.
    private void SkipFire(string jobId, string payloadJson, EmitOptions emit, string correlationId, DateTimeOffset now, ErrorKind kind, string why)
    {
        var skipped = new JobOutcome(JobStatus.SKIPPED, now, now, new AppError(kind, why));
        metrics.Finished(eventId, skipped);
        jobs.Skip(new QueuedJob(jobId, jobs.NextSequence(), payloadJson, emit.TriggerId, correlationId, now, emit.ScheduledAt), skipped);
    }

    private Result<(QueuedJob, Task)> Reject(ErrorKind kind, string message)
    {
        metrics.Rejected(eventId, kind);
        return Result<(QueuedJob, Task)>.Err(kind, message);
    }

    private async Task<Result<string>> AwaitStoredAsync(QueuedJob job, Task stored)
    {
        try
        {
            await stored;
            return Result<string>.Ok(AnswerFor(job));
        }
        catch (Exception ex)
        {
            // The table has let the job go (its write's failure was reported to it).
            logger.WriteFailed(ex, eventId.Value);
            metrics.Rejected(eventId, ErrorKind.REPOSITORY_ERROR);
            return Result<string>.Err(ErrorKind.REPOSITORY_ERROR, $"the job could not be stored; it was not accepted ({ex.Message})");
        }
    }
}
