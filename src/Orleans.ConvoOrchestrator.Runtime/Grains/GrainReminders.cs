namespace Orleans.ConvoOrchestrator.Runtime.Grains;

/// <summary>Reminder housekeeping the orchestrator's grains share.</summary>
internal static class GrainReminders
{
    /// <summary>Unregisters the grain's reminder <paramref name="name"/> if it has one (a read, then a delete).</summary>
    public static async Task ForgetReminderAsync(this Grain grain, string name)
    {
        if (await grain.GetReminder(name) is { } reminder) await grain.UnregisterReminder(reminder);
    }
}
