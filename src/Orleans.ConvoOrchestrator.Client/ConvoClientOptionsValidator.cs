using Microsoft.Extensions.Options;

namespace Orleans.ConvoOrchestrator.Client;

/// <summary>
/// Refuses <see cref="ConvoClientOptions"/> a client cannot connect with, naming every problem with its allowed range,
/// when the host starts (<c>ValidateOnStart</c>) or the options are first read.
/// </summary>
internal sealed class ConvoClientOptionsValidator(IServiceProvider services) : IValidateOptions<ConvoClientOptions>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, ConvoClientOptions options)
    {
        var problems = new List<string>();
        if (options.GatewayPort is < 1 or > 65535) problems.Add($"GatewayPort must be between 1 and 65535 (got {options.GatewayPort})");
        if (string.IsNullOrWhiteSpace(options.ClusterId)) problems.Add("ClusterId must not be empty");
        if (string.IsNullOrWhiteSpace(options.ServiceId)) problems.Add("ServiceId must not be empty");
        if (options.ConnectRetries < 0) problems.Add($"ConnectRetries must not be negative (got {options.ConnectRetries})");
        if (options.ConnectRetryDelay < TimeSpan.Zero) problems.Add($"ConnectRetryDelay must be 00:00:00 or longer (got {options.ConnectRetryDelay})");
        var redisClustering = services.GetService(typeof(RedisClusteringChosen)) is not null;
        if (!string.IsNullOrWhiteSpace(options.Redis) && !redisClustering)
            problems.Add($"Redis is set ('{options.Redis}') but Redis clustering is not: reference the package Orleans.ConvoOrchestrator.Client.Redis and call services.AddConvoRedisClustering()");
        if (string.IsNullOrWhiteSpace(options.Redis) && redisClustering)
            problems.Add("Redis clustering is on (AddConvoRedisClustering) but Redis is not set: give the Redis the silos cluster through (e.g. 127.0.0.1:6379)");
        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }
}
