namespace Orleans.ConvoOrchestrator.Silo.Hosting;

/// <summary>What a request made with an API key may do.</summary>
public enum ApiKeyRole
{
    /// <summary>No valid key.</summary>
    None = 0,

    /// <summary>Read everything (GET and HEAD), change nothing.</summary>
    ReadOnly = 1,

    /// <summary>Everything.</summary>
    Admin = 2,
}
