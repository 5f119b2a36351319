namespace Orleans.ConvoOrchestrator.Runtime.Triggers;

/// <summary>
/// How a trigger is brought back when its grain is not in memory, Orleans-free: its own reminder while its next fire
/// is near (the reminder's ticks keep the grain alive), an entry in a wake bucket while it is far (one reminder for
/// many triggers, and the grain may go). Changes run one after another in the background, each after the one
/// before, so attaching or firing never waits for a reminder service; a change that a later one superseded before
/// it ran does nothing, and a failed one is tried again at the next request for it.
/// With <paramref name="deferReminder"/> (a store that does not outlive the process, where nothing survives the silo
/// to be woken), a near trigger's own reminder is registered only when its grain leaves memory while the silo goes on
/// (<see cref="LeavingAsync"/>); while the grain is in memory its timer fires it. Registering one per near trigger
/// was ~40 % of setting up 10,000 every-second schedules (docs/benchmarks.md, "Set-up of many schedules").
/// </summary>
/// <param name="port">What carries out the changes.</param>
/// <param name="deferReminder">Register the own reminder when the grain leaves, not when the fire becomes near.</param>
internal sealed class TriggerWakeUps(TriggerWakeUps.IPort port, bool deferReminder = false)
{
    private static readonly Task<bool> Settled = Task.FromResult(true);
    private bool _reminder;
    // Deferred: the own reminder wakes the trigger, but is not registered yet.
    private bool _deferred;
    private bool _noReminder;
    private long? _bucket;
    private Task<bool>? _latest;

    /// <summary>What carries out the changes: the grain, with Orleans reminders, the catalog and bucket grains.</summary>
    public interface IPort
    {
        /// <summary>Registers (or keeps) the trigger's own periodic reminder.</summary>
        Task KeepReminderAsync();

        /// <summary>Unregisters the trigger's own reminder, if it has one.</summary>
        Task ForgetReminderAsync();

        /// <summary>Lists the trigger in <paramref name="bucket"/> and makes sure the bucket's reminder runs.</summary>
        Task JoinBucketAsync(long bucket);

        /// <summary>Removes the trigger from <paramref name="bucket"/>.</summary>
        Task LeaveBucketAsync(long bucket);

        /// <summary>A change failed (logged by the grain; the trigger's timer still runs).</summary>
        void Failed(Exception ex);
    }

    /// <summary>The bucket the trigger is listed in (or is being listed in); null while its own reminder wakes it.</summary>
    public long? Bucket => _bucket;

    /// <summary>Completes when every change asked for so far has run: true when the latest succeeded.</summary>
    public Task<bool> SettledAsync() => _latest ?? Settled;

    /// <summary>
    /// The trigger was just created, so it has no reminder of its own: its first move into a bucket need not look one
    /// up to unregister it (a read of the reminder table per trigger). One left by an earlier trigger of the same id,
    /// whose removal failed to unregister it, is dropped when it ticks (<see cref="ReminderTicked"/>).
    /// </summary>
    public void Created() => _noReminder = true;

    /// <summary>The trigger's own reminder ticked: if a bucket wakes the trigger now, that reminder is a stray and goes.</summary>
    public void ReminderTicked()
    {
        _noReminder = false;
        if (_bucket is { } bucket) Then(() => ForgetStrayAsync(bucket));
    }

    /// <summary>The next fire is near: the trigger's own reminder wakes it.</summary>
    public void UseReminder()
    {
        if (_reminder) return;
        (_reminder, _bucket) = (true, null);
        if (deferReminder) _deferred = true;
        else Then(KeepReminderAsync);
    }

    /// <summary>
    /// The grain leaves memory while the silo goes on: a deferred reminder is registered now, so the trigger is woken
    /// again. Completes when every change asked for so far has run, that one included: true when the latest succeeded
    /// (a failure is reported).
    /// </summary>
    public Task<bool> LeavingAsync()
    {
        if (_deferred)
        {
            _deferred = false;
            Then(KeepReminderAsync);
        }
        return SettledAsync();
    }

    /// <summary>The next fire is far: <paramref name="bucket"/> wakes the trigger, and its own reminder goes.</summary>
    public void UseBucket(long bucket)
    {
        if (_bucket == bucket) return;
        (_bucket, _reminder, _deferred) = (bucket, false, false);
        Then(() => JoinAsync(bucket));
    }

    /// <summary>
    /// Nothing is left to fire, or the trigger is gone: no reminder and no bucket entry. Waits for a change under way
    /// to land first, so that it is undone rather than left behind. Failures are reported, not thrown: a reminder
    /// left behind wakes a trigger that forgets it then, and a bucket drops stale entries when it ticks.
    /// </summary>
    public async Task ForgetAsync()
    {
        var bucket = _bucket;
        (_reminder, _bucket, _deferred) = (false, null, false);
        if (_latest is { } pending) await pending;
        try
        {
            await port.ForgetReminderAsync();
            if (bucket is { } key) await port.LeaveBucketAsync(key);
        }
        catch (Exception ex)
        {
            port.Failed(ex);
        }
    }

    private void Then(Func<Task<bool>> change) => _latest = AfterAsync(_latest, change);

    private static async Task<bool> AfterAsync(Task<bool>? previous, Func<Task<bool>> change)
    {
        if (previous is not null) await previous;
        return await change();
    }

    private async Task<bool> KeepReminderAsync()
    {
        if (!_reminder) return true; // superseded before it ran
        _noReminder = false;
        try
        {
            await port.KeepReminderAsync();
            return true;
        }
        catch (Exception ex)
        {
            _reminder = false; // asked again at the next wake-up
            port.Failed(ex);
            return false;
        }
    }

    private async Task<bool> ForgetStrayAsync(long bucket)
    {
        if (_bucket != bucket) return true; // the trigger went back to its own reminder meanwhile
        try
        {
            await port.ForgetReminderAsync();
            return true;
        }
        catch (Exception ex)
        {
            port.Failed(ex);
            return false; // tried again at its next tick
        }
    }

    private async Task<bool> JoinAsync(long bucket)
    {
        if (_bucket != bucket) return true; // superseded before it ran
        try
        {
            // The entry first, then the own reminder goes: a crash in between leaves one wake-up too many, never none.
            await port.JoinBucketAsync(bucket);
            if (!_noReminder) await port.ForgetReminderAsync();
            return true;
        }
        catch (Exception ex)
        {
            if (_bucket == bucket) _bucket = null; // asked again at the next wake-up
            port.Failed(ex);
            return false;
        }
    }
}
