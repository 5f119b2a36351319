using Microsoft.Extensions.Options;

namespace Orleans.ConvoOrchestrator.Postgres;

/// <summary>Fails the host's start with every problem of <see cref="ConvoPostgresNotifyOptions"/> spelled out.</summary>
internal sealed class ConvoPostgresNotifyOptionsValidator : IValidateOptions<ConvoPostgresNotifyOptions>
{
    public ValidateOptionsResult Validate(string? name, ConvoPostgresNotifyOptions options)
    {
        var problems = options.Problems().ToList();
        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems.Select(p => "Convo:Postgres: " + p));
    }
}
