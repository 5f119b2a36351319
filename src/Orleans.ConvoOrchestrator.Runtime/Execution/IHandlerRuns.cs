namespace Orleans.ConvoOrchestrator.Runtime.Execution;

/// <summary>The handler runs of this silo, for a host's shutdown report and health views.</summary>
public interface IHandlerRuns
{
    /// <summary>Jobs handed to a handler on this silo and not yet ended.</summary>
    int InFlight { get; }
}
