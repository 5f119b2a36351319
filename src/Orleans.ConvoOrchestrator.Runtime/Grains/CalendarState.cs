namespace Orleans.ConvoOrchestrator.Runtime.Grains;

/// <summary>What a calendar grain persists: its definition and the triggers that name it.</summary>
[GenerateSerializer, Alias("convo.CalendarState")]
internal sealed class CalendarState
{
    /// <summary>The definition; null when the calendar does not exist.</summary>
    [Id(0)] public Calendar? Definition { get; set; }

    /// <summary>Ids of the triggers that name it, in attach order.</summary>
    [Id(1)] public List<string> Triggers { get; set; } = new();
}
