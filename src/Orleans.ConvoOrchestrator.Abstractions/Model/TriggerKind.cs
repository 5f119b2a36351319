namespace Orleans.ConvoOrchestrator;

/// <summary>When a trigger fires.</summary>
[GenerateSerializer, Alias("convo.TriggerKind")]
public enum TriggerKind
{
    /// <summary>Once, at <see cref="Trigger.At"/>.</summary>
    AT = 0,
    /// <summary>Every <see cref="Trigger.Interval"/>, at a fixed rate.</summary>
    INTERVAL = 1,
    /// <summary>Fired from outside (API, webhook, database notification).</summary>
    EXTERNAL = 2,
    /// <summary>A registered predicate polled by the cluster; fires on false -&gt; true.</summary>
    CONDITION = 3,
    /// <summary>A cron expression (with seconds and a time zone).</summary>
    Cron = 4,
}
