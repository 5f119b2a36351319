using Orleans.Concurrency;
using Orleans.ConvoOrchestrator.Grains;
using Orleans.Runtime;

namespace Orleans.ConvoOrchestrator.Runtime.Grains;

/// <summary>
/// A sorted set of ids, paged by "after". Changes are group-committed: concurrent adds and removes share one
/// storage write, and each call returns once a write that includes its change has completed. Reentrant so the
/// concurrent calls can join the pending write; every change to the list happens between awaits.
/// </summary>
[Reentrant]
public sealed class CatalogGrain(
    [PersistentState("catalog", ConvoOrchestratorOptions.StorageName)] IPersistentState<CatalogState> state) : Grain, ICatalogGrain
{
    private Task? _writing;
    private TaskCompletionSource? _next;

    /// <inheritdoc />
    public Task AddAsync(string id)
    {
        var ids = state.State.Ids;
        var at = ids.BinarySearch(id, StringComparer.Ordinal);
        if (at >= 0) return Task.CompletedTask;
        ids.Insert(~at, id);
        return CommitAsync();
    }

    /// <inheritdoc />
    public Task RemoveAsync(string id)
    {
        var ids = state.State.Ids;
        var at = ids.BinarySearch(id, StringComparer.Ordinal);
        if (at < 0) return Task.CompletedTask;
        ids.RemoveAt(at);
        return CommitAsync();
    }

    /// <inheritdoc />
    public Task<List<string>> ListAsync(string? after, int limit)
    {
        var ids = state.State.Ids;
        var start = 0;
        if (after is not null)
        {
            var at = ids.BinarySearch(after, StringComparer.Ordinal);
            start = at >= 0 ? at + 1 : ~at;
        }
        var count = Math.Clamp(limit, 0, ids.Count - start);
        return Task.FromResult(ids.GetRange(start, count));
    }

    // With no write in flight, write now; otherwise every change made meanwhile rides on one next write.
    private Task CommitAsync()
    {
        if (_writing is null)
        {
            _writing = WriteThenNextAsync();
            return _writing;
        }
        _next ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        return _next.Task;
    }

    private async Task WriteThenNextAsync()
    {
        try
        {
            await state.WriteStateAsync();
        }
        finally
        {
            var next = _next;
            _next = null;
            _writing = next is null ? null : WriteForAsync(next);
        }
    }

    private async Task WriteForAsync(TaskCompletionSource waiters)
    {
        try
        {
            await WriteThenNextAsync();
            waiters.TrySetResult();
        }
        catch (Exception ex)
        {
            waiters.TrySetException(ex);
        }
    }
}
