namespace Orleans.ConvoOrchestrator.Runtime.Execution;

/// <summary>
/// A silo's run slots (<see cref="ConvoOrchestratorOptions.MaxConcurrentRuns"/>), shared fairly between events: while
/// jobs wait, a freed slot goes round-robin to the next event that has waiters, and within one event to its oldest
/// waiter. So one event's flood of jobs and retries cannot hold every slot while another event's jobs wait
/// (docs/adr/0002-handler-isolation.md). A free slot with nobody waiting is taken without allocating. Thread-safe.
/// </summary>
internal sealed class FairSlots
{
    private readonly Lock _lock = new();
    // Events with live waiters, and the round-robin order in which they are served.
    private readonly Dictionary<EventId, Lane> _lanes = [];
    private readonly Queue<Lane> _ring = new();
    private int _held;
    private int _waiting;

    /// <summary>Slots shared by all events.</summary>
    /// <param name="capacity">How many are held at most at once.</param>
    public FairSlots(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        Capacity = capacity;
    }

    /// <summary>How many slots there are.</summary>
    public int Capacity { get; }

    /// <summary>Slots held now.</summary>
    public int Held
    {
        get
        {
            lock (_lock) return _held;
        }
    }

    /// <summary>Acquisitions waiting now.</summary>
    public int Waiting
    {
        get
        {
            lock (_lock) return _waiting;
        }
    }

    /// <summary>
    /// Takes a slot for a job of <paramref name="eventId"/>: at once when one is free and nobody waits, else after the
    /// jobs queued before it in its event and the turns of the other waiting events. A cancelled wait (or a token already
    /// cancelled) takes no slot. Every completed acquisition is paired with one <see cref="Release"/>.
    /// </summary>
    public ValueTask AcquireAsync(EventId eventId, CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested) return ValueTask.FromCanceled(cancellationToken);
        Waiter waiter;
        lock (_lock)
        {
            if (_waiting == 0 && _held < Capacity)
            {
                _held++;
                return ValueTask.CompletedTask;
            }
            if (!_lanes.TryGetValue(eventId, out var lane))
            {
                lane = new Lane(eventId);
                _lanes.Add(eventId, lane);
                _ring.Enqueue(lane);
            }
            waiter = new Waiter(this, lane);
            lane.Waiters.Enqueue(waiter);
            lane.Live++;
            _waiting++;
        }
        if (cancellationToken.CanBeCanceled)
        {
            waiter.Registration = cancellationToken.UnsafeRegister(static (w, ct) => ((Waiter)w!).Owner.Cancel((Waiter)w!, ct), waiter);
            if (waiter.Task.IsCompleted) waiter.Registration.Unregister(); // granted meanwhile
        }
        return new ValueTask(waiter.Task);
    }

    /// <summary>Gives a slot back: to the next waiter in round-robin order, or to the free ones.</summary>
    public void Release()
    {
        Waiter? next = null;
        lock (_lock)
        {
            while (_waiting > 0 && _ring.TryDequeue(out var lane))
            {
                if (lane.Live == 0) continue; // every waiter of it was cancelled
                Waiter head;
                do head = lane.Waiters.Dequeue();
                while (head.Granted || head.Cancelled);
                head.Granted = true;
                lane.Live--;
                _waiting--;
                // Its event goes to the back of the ring: the other waiting events come first.
                if (lane.Live > 0) _ring.Enqueue(lane);
                else _lanes.Remove(lane.EventId);
                next = head;
                break;
            }
            if (next is null)
            {
                if (_held == 0) throw new InvalidOperationException("a slot was released that was not held");
                _held--;
            }
        }
        if (next is null) return;
        next.Registration.Unregister();
        next.TrySetResult(); // the slot passes to it as it is (still counted held)
    }

    private void Cancel(Waiter waiter, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            if (waiter.Granted || waiter.Cancelled) return;
            waiter.Cancelled = true;
            var lane = waiter.Lane;
            lane.Live--;
            _waiting--;
            if (lane.Live == 0 && _lanes.TryGetValue(lane.EventId, out var current) && current == lane) _lanes.Remove(lane.EventId);
            if (_waiting == 0)
            {
                // Nobody waits: every lane left in the ring is empty.
                _ring.Clear();
                _lanes.Clear();
            }
        }
        waiter.TrySetCanceled(cancellationToken);
    }

    private sealed class Lane(EventId eventId)
    {
        public readonly EventId EventId = eventId;
        public readonly Queue<Waiter> Waiters = new();
        public int Live;
    }

    // Completions run asynchronously: Release's caller must not run the next job's code inline.
    private sealed class Waiter(FairSlots owner, Lane lane) : TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)
    {
        public readonly FairSlots Owner = owner;
        public readonly Lane Lane = lane;
        public CancellationTokenRegistration Registration;
        public bool Granted;
        public bool Cancelled;
    }
}
