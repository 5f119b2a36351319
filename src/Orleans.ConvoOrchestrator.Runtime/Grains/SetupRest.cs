namespace Orleans.ConvoOrchestrator.Runtime.Grains;

/// <summary>
/// Lets a grain that a bulk set-up left with nothing to do go from memory shortly after, rather than when Orleans
/// collects idle grains (15 min by default). Not at once: a trigger shared by many events of one set-up gets their
/// subscriptions back to back, and a grain deactivated between them makes each next call chase a new activation.
/// </summary>
internal static class SetupRest
{
    /// <summary>How long a grain stays after its last set-up call.</summary>
    public static readonly TimeSpan Delay = TimeSpan.FromMilliseconds(250);

    /// <summary>
    /// Arms (or moves) <paramref name="timer"/> to call <paramref name="deactivate"/> (the grain's DeactivateOnIdle)
    /// after <see cref="Delay"/> if <paramref name="stillIdle"/> then holds.
    /// </summary>
    public static void Arm(IGrainBase grain, ref IGrainTimer? timer, Func<bool> stillIdle, Action deactivate)
    {
        if (timer is not null)
        {
            timer.Change(Delay, Timeout.InfiniteTimeSpan);
            return;
        }
        timer = grain.RegisterGrainTimer(static (state, _) =>
        {
            if (state.StillIdle()) state.Deactivate();
            return Task.CompletedTask;
        }, (StillIdle: stillIdle, Deactivate: deactivate), new GrainTimerCreationOptions(Delay, Timeout.InfiniteTimeSpan));
    }
}
