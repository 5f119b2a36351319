using Orleans.Concurrency;

namespace Orleans.ConvoOrchestrator.Grains;

/// <summary>
/// One event (key = event id): its definition, active flag, FIFO queue, concurrency, status, history and
/// subscriptions: what clients may call. It never awaits a handler: jobs go to the silo's worker pool, and the silo's
/// own traffic to the event (trigger fires, outcomes, wake-ups) goes through an interface of the runtime's that
/// clients do not reference.
/// </summary>
[Alias("convo.IEventGrain")]
public interface IEventGrain : IGrainWithStringKey
{
    /// <summary>Creates or replaces the definition. <paramref name="mode"/> says whether it must or must not exist.</summary>
    [Alias("Save")] Task<Result> SaveAsync(Event definition, SaveMode mode);

    /// <summary>The definition, or NOT_FOUND.</summary>
    [Alias("Get"), AlwaysInterleave] Task<Result<Event>> GetAsync();

    /// <summary>Removes the event and its subscriptions; queued jobs end CANCELLED.</summary>
    [Alias("Remove")] Task<Result> RemoveAsync();

    /// <summary>Pauses (false) or resumes (true) the event.</summary>
    [Alias("SetActive")] Task<Result> SetActiveAsync(bool active);

    /// <summary>Attaches a trigger; the subscription id is <c>"{eventId}/{triggerId}"</c>.</summary>
    [Alias("Attach")] Task<Result<SubscriptionId>> AttachAsync(Trigger trigger);

    /// <summary>Detaches a trigger.</summary>
    [Alias("Detach")] Task<Result> DetachAsync(TriggerId triggerId);

    /// <summary>The triggers attached to this event.</summary>
    [Alias("ListSubscriptions"), AlwaysInterleave] Task<Result<List<TriggerSubscription>>> ListSubscriptionsAsync();

    /// <summary>Accepts a job and returns its id at once.</summary>
    [Alias("Emit"), AlwaysInterleave] Task<Result<string>> EmitAsync(string payloadJson, EmitOptions? options);

    /// <summary>
    /// Runs a job now (even when the event is paused) and returns its outcome. When <paramref name="cancellationToken"/>
    /// is cancelled (Orleans carries a caller's cancel to the grain) the job is cancelled like <see cref="CancelJobAsync"/>
    /// and the call ends with an <see cref="OperationCanceledException"/>.
    /// </summary>
    [Alias("TestRun"), AlwaysInterleave]
    Task<Result<JobOutcome>> TestRunAsync(string payloadJson, EmitOptions? options, CancellationToken cancellationToken = default);

    /// <summary>The live status.</summary>
    [Alias("Status"), AlwaysInterleave] Task<Result<EventRuntimeStatus>> StatusAsync();

    /// <summary>The most recent outcomes, newest first.</summary>
    [Alias("History"), AlwaysInterleave] Task<Result<List<JobRecord>>> HistoryAsync(int limit);

    /// <summary>The jobs that have not ended (running ones first, then the queue in its order), at most <paramref name="limit"/>.</summary>
    [Alias("Jobs"), AlwaysInterleave] Task<Result<List<InFlightJob>>> JobsAsync(int limit);

    /// <summary>Cancels a waiting or running job; answers once its CANCELLED outcome is stored.</summary>
    [Alias("CancelJob")] Task<Result> CancelJobAsync(string jobId);

    /// <summary>Cancels every waiting job; answers how many, once their outcomes are stored.</summary>
    [Alias("CancelWaiting")] Task<Result<int>> CancelWaitingAsync();

    /// <summary>The event's failed jobs, newest failure first.</summary>
    [Alias("FailedJobs"), AlwaysInterleave] Task<Result<List<FailedJob>>> FailedJobsAsync(int limit);

    /// <summary>Runs failed jobs again (those of <paramref name="jobIds"/>, or all when null); answers how many were requeued.</summary>
    [Alias("RequeueFailed")] Task<Result<int>> RequeueFailedAsync(List<string>? jobIds);

    /// <summary>Drops failed jobs from the list (those of <paramref name="jobIds"/>, or all when null); answers how many.</summary>
    [Alias("DiscardFailed")] Task<Result<int>> DiscardFailedAsync(List<string>? jobIds);
}
