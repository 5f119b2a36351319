namespace Orleans.ConvoOrchestrator;

/// <summary>An expected failure: a kind and a message for people.</summary>
/// <param name="Kind">The class of failure.</param>
/// <param name="Message">What went wrong, in words.</param>
[GenerateSerializer, Immutable, Alias("convo.AppError")]
public sealed record AppError(ErrorKind Kind, string Message)
{
    /// <inheritdoc />
    public override string ToString() => $"{Kind}: {Message}";
}
