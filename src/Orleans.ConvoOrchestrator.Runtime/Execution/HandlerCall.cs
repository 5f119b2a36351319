using System.Diagnostics;

namespace Orleans.ConvoOrchestrator.Runtime.Execution;

/// <summary>
/// One handler attempt queued on <see cref="HandlerThreads"/>: the handler, what it runs with, when it was queued, and
/// the task its caller awaits. Knows whether the handler's synchronous part still holds its thread, so an attempt that
/// ended without it (timed out, cancelled) can be counted as abandoned until the thread is let go.
/// </summary>
internal sealed class HandlerCall : TaskCompletionSource<object?>
{
    private const int Queued = 0;
    private const int OnThread = 1;
    private const int OnThreadAbandoned = 2;
    private const int Released = 3;
    private readonly HandlerInvoker _handler;
    private readonly IServiceProvider _services;
    private readonly EventContext _context;
    // The caller's execution context (its run span, AsyncLocals) flows into the handler as with Task.Run.
    private readonly ExecutionContext? _flow;
    private Action? _onRelease;
    private Task<object?>? _started;
    private int _state;

    // Continuations asynchronously: the awaiting executor must never continue on the dedicated thread.
    public HandlerCall(HandlerInvoker handler, IServiceProvider services, EventContext context)
        : base(TaskCreationOptions.RunContinuationsAsynchronously)
    {
        _handler = handler;
        _services = services;
        _context = context;
        _flow = ExecutionContext.Capture();
        QueuedAt = Stopwatch.GetTimestamp();
    }

    /// <summary>When it was queued (<see cref="Stopwatch.GetTimestamp"/>).</summary>
    public long QueuedAt { get; }

    /// <summary>Where the length of the call's synchronous part is recorded.</summary>
    public HandlerProfile? Profile { get; set; }

    /// <summary>The event whose handler this is: calls wait for a thread in turn by event.</summary>
    public EventId EventId => _context.EventId;

    /// <summary>The job this attempt belongs to (diagnostics, tests).</summary>
    public string JobId => _context.JobId;

    /// <summary>The attempt's token: a call whose token is cancelled before a thread takes it never starts.</summary>
    public CancellationToken Token => _context.CancellationToken;

    /// <summary>
    /// Runs the handler's synchronous part on the calling (dedicated) thread; its asynchronous rest completes the task
    /// wherever it continues. Never throws.
    /// </summary>
    public void Execute()
    {
        Interlocked.Exchange(ref _state, OnThread);
        try
        {
            if (Token.IsCancellationRequested)
            {
                TrySetCanceled(Token); // the attempt ended while it waited for a thread: it never starts
                return;
            }
            Task<object?> task;
            try
            {
                if (_flow is null) task = _handler(_services, _context);
                else
                {
                    ExecutionContext.Run(_flow, static s => ((HandlerCall)s!).Start(), this);
                    task = _started!;
                    _started = null;
                }
            }
            catch (Exception ex)
            {
                TrySetException(ex);
                return;
            }
            if (task.IsCompleted) Complete(task);
            else task.ContinueWith(static (t, s) => ((HandlerCall)s!).Complete(t), this, CancellationToken.None,
                TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }
        finally
        {
            if (Interlocked.Exchange(ref _state, Released) == OnThreadAbandoned) _onRelease!();
        }
    }

    /// <summary>Ends a call that will never run (the threads were disposed).</summary>
    public void Drop() => TrySetCanceled();

    /// <summary>
    /// Called once its attempt stopped waiting for it: true when the handler's synchronous part still holds its thread,
    /// and then <paramref name="onRelease"/> runs (on that thread) as soon as it lets go. False when the thread was
    /// already let go, or never taken (the call will not start: its token is cancelled).
    /// </summary>
    public bool AbandonHoldingThread(Action onRelease)
    {
        _onRelease = onRelease; // published by the interlocked exchange below, read after the one in Execute
        return Interlocked.CompareExchange(ref _state, OnThreadAbandoned, OnThread) == OnThread;
    }

    private void Start() => _started = _handler(_services, _context);

    private void Complete(Task<object?> task)
    {
        if (task.IsCompletedSuccessfully) TrySetResult(task.Result);
        else if (task.IsCanceled) TrySetCanceled();
        else TrySetException(task.Exception!.InnerExceptions);
    }
}
