using Orleans.Storage;

namespace Orleans.ConvoOrchestrator.Runtime.Grains;

/// <summary>
/// A grain's persistent state written with its version check, telling a lost answer from a stale activation. A write
/// that failed without a version conflict may have been applied (its answer lost): the store then holds a newer
/// version than the grain, and the next write conflicts. Before that conflict is taken as another activation's
/// write, the stored state is read and compared with the unanswered write's content: when they match, the write was
/// this activation's own, and the new write goes again on the version just read.
/// </summary>
/// <typeparam name="T">The state type.</typeparam>
/// <param name="state">The grain's persistent state.</param>
/// <param name="copy">A copy of a state's content (what an unanswered write carried).</param>
/// <param name="same">Whether two states hold the same content.</param>
internal sealed class VersionedState<T>(IPersistentState<T> state, Func<T, T> copy, Func<T, T, bool> same)
{
    // The content of the last write that failed without an answer, until a write succeeds.
    private T? _unanswered;

    /// <summary>
    /// Writes the state. Throws <see cref="InconsistentStateException"/> when another activation wrote it (this one is
    /// stale), and the store's exception when the write failed.
    /// </summary>
    public async Task WriteAsync()
    {
        var intended = state.State;
        try
        {
            await state.WriteStateAsync();
            _unanswered = default;
        }
        catch (InconsistentStateException) when (_unanswered is not null)
        {
            var unanswered = _unanswered;
            await state.ReadStateAsync();
            var stored = state.State;
            state.State = intended;
            if (!same(stored, unanswered)) throw;
            _unanswered = default;
            await WriteAsync(); // the conflict was our own unanswered write: again, on the version just read
        }
        catch (Exception ex) when (ex is not InconsistentStateException)
        {
            _unanswered = copy(intended);
            throw;
        }
    }
}
