using Microsoft.Extensions.Options;

namespace Orleans.ConvoOrchestrator.Redis;

/// <summary>Refuses <see cref="ConvoRedisOptions"/> a silo cannot run with, listing every problem.</summary>
internal sealed class ConvoRedisOptionsValidator : IValidateOptions<ConvoRedisOptions>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, ConvoRedisOptions options)
    {
        var problems = options.Problems().Select(p => ConvoRedisOptions.SectionName + ":" + p).ToList();
        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }
}
