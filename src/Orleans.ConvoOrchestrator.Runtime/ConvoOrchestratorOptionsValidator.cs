using Microsoft.Extensions.Options;

namespace Orleans.ConvoOrchestrator.Runtime;

/// <summary>
/// Refuses <see cref="ConvoOrchestratorOptions"/> a silo cannot run with, listing every problem
/// (<see cref="ConvoOrchestratorOptions.Problems"/>): each names the property and its allowed range.
/// </summary>
internal sealed class ConvoOrchestratorOptionsValidator : IValidateOptions<ConvoOrchestratorOptions>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, ConvoOrchestratorOptions options)
    {
        var problems = options.Problems().ToList();
        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }
}
