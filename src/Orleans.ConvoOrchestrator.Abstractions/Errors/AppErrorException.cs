namespace Orleans.ConvoOrchestrator;

/// <summary>Thrown by <c>Unwrap()</c> on an error result.</summary>
public sealed class AppErrorException : Exception
{
    /// <summary>Wraps <paramref name="error"/>.</summary>
    public AppErrorException(AppError error) : base(error.ToString()) => Error = error;

    /// <summary>The error that was unwrapped.</summary>
    public AppError Error { get; }
}
