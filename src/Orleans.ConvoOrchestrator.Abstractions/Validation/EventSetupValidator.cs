namespace Orleans.ConvoOrchestrator;

/// <summary>
/// Checks a bulk set-up as a whole before any of it is applied: every event and trigger by the rules of
/// <see cref="DefinitionValidator"/>, no event twice, no trigger twice on one event, and one definition per trigger
/// id across the batch (as attaching one by one would require). The error names the item (1-based, with its event
/// id) so a caller can find it in a file of thousands.
/// </summary>
public static class EventSetupValidator
{
    /// <summary>Most items in one bulk set-up; clients send longer lists in chunks of <see cref="ChunkSize"/>.</summary>
    public const int MaxItems = 100_000;

    /// <summary>Items per call from a client to the cluster: one message stays well under Orleans' size limits.</summary>
    public const int ChunkSize = 1_000;

    /// <summary>Most triggers on one item.</summary>
    public const int MaxTriggersPerItem = 100;

    /// <summary>VALIDATION naming the first bad item, or OK. <paramref name="firstItem"/> numbers the first item in messages.</summary>
    public static Result Validate(IReadOnlyList<EventSetup?>? setups, int firstItem = 1)
    {
        if (setups is null) return Invalid("the set-up list is required");
        if (setups.Count == 0) return Invalid("the set-up list is empty; give at least one event");
        if (setups.Count > MaxItems) return Invalid($"the set-up list has {setups.Count} items; at most {MaxItems} are allowed in one call");
        var events = new Dictionary<string, int>(setups.Count, StringComparer.Ordinal);
        var triggers = new Dictionary<string, (Trigger Definition, int Item)>(StringComparer.Ordinal);
        for (var i = 0; i < setups.Count; i++)
        {
            var item = i + firstItem;
            if (setups[i] is not { } setup) return Invalid($"item {item} is null; expected {{\"event\": {{...}}, \"triggers\": [...]}}");
            var check = DefinitionValidator.Validate(setup.Event);
            if (check.IsErr) return Invalid($"{Name(item, setup)}: {check.Error.Message}");
            var eventId = setup.Event.Id.Value;
            if (!events.TryAdd(eventId, item)) return Invalid($"{Name(item, setup)}: the event is also item {events[eventId]}; give each event once");
            var own = setup.TriggerList;
            if (own.Count > MaxTriggersPerItem) return Invalid($"{Name(item, setup)}: {own.Count} triggers; at most {MaxTriggersPerItem} are allowed on one item");
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var trigger in own)
            {
                check = DefinitionValidator.Validate(trigger);
                if (check.IsErr) return Invalid($"{Name(item, setup)}: {(trigger is null ? "" : $"trigger '{trigger.Id}': ")}{check.Error.Message}");
                var triggerId = trigger!.Id.Value;
                if (!seen.Add(triggerId)) return Invalid($"{Name(item, setup)}: trigger '{triggerId}' is given twice");
                if (!triggers.TryAdd(triggerId, (trigger, item)) && triggers[triggerId].Definition != trigger)
                    return Invalid($"{Name(item, setup)}: trigger '{triggerId}' differs from its definition in item {triggers[triggerId].Item}; one id is one trigger");
            }
        }
        return Result.Ok();
    }

    /// <summary>The calendars the batch's triggers name, each once, in ordinal order.</summary>
    public static List<string> CalendarsNamed(IEnumerable<EventSetup> setups) =>
        setups.SelectMany(s => s.TriggerList).SelectMany(t => t.Calendars ?? []).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();

    private static string Name(int item, EventSetup setup) => $"item {item} (event '{setup.Event?.Id.Value}')";

    private static Result Invalid(string message) => Result.Err(ErrorKind.VALIDATION, message);
}
