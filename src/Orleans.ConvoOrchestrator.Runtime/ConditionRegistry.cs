using System.Collections.Concurrent;

namespace Orleans.ConvoOrchestrator.Runtime;

/// <summary>
/// Predicates of CONDITION triggers, by name (like handlers). The cluster polls a trigger's predicate on its
/// interval and fires on every false -&gt; true edge. Predicates run on the thread pool, bounded by the poll
/// interval; one that throws or overruns counts as false.
/// </summary>
public sealed class ConditionRegistry
{
    private readonly ConcurrentDictionary<string, Func<CancellationToken, Task<bool>>> _conditions = new(StringComparer.Ordinal);

    /// <summary>A sync predicate.</summary>
    public ConditionRegistry Register(string name, Func<bool> predicate)
    {
        ArgumentNullException.ThrowIfNull(predicate);
        return Register(name, _ => Task.FromResult(predicate()));
    }

    /// <summary>An async predicate.</summary>
    public ConditionRegistry Register(string name, Func<CancellationToken, Task<bool>> predicate)
    {
        ArgumentNullException.ThrowIfNull(predicate);
        if (!DefinitionValidator.IsValidName(name))
            throw new ArgumentException($"condition name must be 1-{DefinitionLimits.MaxIdLength} printable characters", nameof(name));
        if (!_conditions.TryAdd(name, predicate)) throw new InvalidOperationException($"a condition named '{name}' is already registered");
        return this;
    }

    /// <summary>Evaluates the named predicate off the caller's scheduler; false when unknown, failing or too slow.</summary>
    public async Task<bool> EvaluateAsync(string name, TimeSpan limit, TimeProvider clock)
    {
        if (!_conditions.TryGetValue(name, out var predicate)) return false;
        using var cts = new CancellationTokenSource(limit, clock);
        try
        {
            return await Task.Run(() => predicate(cts.Token), CancellationToken.None).WaitAsync(cts.Token).ConfigureAwait(false);
        }
        catch (Exception)
        {
            return false;
        }
    }

    /// <summary>True when <paramref name="name"/> is registered.</summary>
    public bool Contains(string name) => _conditions.ContainsKey(name);
}
