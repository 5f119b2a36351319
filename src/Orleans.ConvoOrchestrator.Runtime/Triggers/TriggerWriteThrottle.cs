namespace Orleans.ConvoOrchestrator.Runtime.Triggers;

/// <summary>
/// When a trigger writes progress that is only progress (fire counts, the handled-up-to instant), Orleans-free:
/// with <see cref="ProgressWrites.Periodically"/> at most once per interval while it fires, with
/// <see cref="ProgressWrites.WhenDeactivated"/> only when its activation ends. Writes that must not wait (a fired
/// AT, a new subscriber) are the grain's to make at once; they count as writes here too.
/// </summary>
internal sealed class TriggerWriteThrottle(ProgressWrites mode, TimeSpan interval)
{
    private DateTimeOffset _lastWrite = DateTimeOffset.MinValue;

    /// <summary>True while progress was made that is not stored yet.</summary>
    public bool Dirty { get; private set; }

    /// <summary>Progress was made.</summary>
    public void Changed() => Dirty = true;

    /// <summary>Whether progress made by <paramref name="now"/> is to be written now.</summary>
    public bool Due(DateTimeOffset now) =>
        Dirty && mode == ProgressWrites.Periodically && now - _lastWrite >= interval;

    /// <summary>The state was written at <paramref name="now"/>.</summary>
    public void Written(DateTimeOffset now)
    {
        Dirty = false;
        _lastWrite = now;
    }
}
