using Microsoft.Extensions.Logging;
using Orleans.ConvoOrchestrator.Grains;
using Orleans.Runtime;

namespace Orleans.ConvoOrchestrator.Runtime.Grains;

/// <summary>One trigger: its definition and subscribers; fires fan out to every subscribed event.</summary>
public sealed partial class TriggerGrain : Grain, ITriggerGrain
{
    private readonly IPersistentState<TriggerState> _state;
    private readonly ILogger<TriggerGrain> _logger;

    /// <summary>Created by Orleans.</summary>
    public TriggerGrain(
        [PersistentState("trigger", ConvoOrchestratorOptions.StorageName)] IPersistentState<TriggerState> state,
        ILogger<TriggerGrain> logger)
    {
        _state = state;
        _logger = logger;
    }

    private TriggerId Id => new(this.GetPrimaryKeyString());

    /// <inheritdoc />
    public async Task<Result> SubscribeAsync(Trigger trigger, EventId eventId)
    {
        var check = DefinitionValidator.Validate(trigger);
        if (check.IsErr) return check;
        if (trigger.Id != Id) return Result.Err(ErrorKind.VALIDATION, $"trigger id '{trigger.Id}' does not match the grain '{Id}'");
        var state = _state.State;
        if (state.Definition is { } existing && existing != trigger)
            return Result.Err(ErrorKind.CONFLICT, $"trigger '{Id}' already exists with another definition; attach it unchanged or use a new id");
        if (state.Definition is not null && state.Subscribers.Contains(eventId.Value)) return Result.Ok();

        var created = state.Definition is null;
        if (created) await GrainFactory.GetGrain<ICatalogGrain>(CatalogKeys.Triggers).AddAsync(Id.Value);
        state.Definition = trigger;
        state.Subscribers.Add(eventId.Value);
        try
        {
            await _state.WriteStateAsync();
            return Result.Ok();
        }
        catch (Exception ex)
        {
            LogWriteFailed(ex, Id.Value);
            state.Subscribers.Remove(eventId.Value);
            if (created) state.Definition = null;
            return Result.Err(ErrorKind.REPOSITORY_ERROR, $"trigger '{Id}' could not be stored");
        }
    }

    /// <inheritdoc />
    public async Task<Result> UnsubscribeAsync(EventId eventId)
    {
        var state = _state.State;
        if (state.Definition is null || !state.Subscribers.Remove(eventId.Value))
            return Result.Err(ErrorKind.NOT_FOUND, $"event '{eventId}' is not subscribed to trigger '{Id}'");
        if (state.Subscribers.Count > 0)
        {
            await _state.WriteStateAsync();
            return Result.Ok();
        }
        // The last subscriber went: the trigger goes with it.
        await _state.ClearStateAsync();
        _state.State = new TriggerState();
        await GrainFactory.GetGrain<ICatalogGrain>(CatalogKeys.Triggers).RemoveAsync(Id.Value);
        DeactivateOnIdle();
        return Result.Ok();
    }

    /// <inheritdoc />
    public Task<Result<TriggerInfo>> GetAsync() => Task.FromResult(_state.State.Definition is { } def
        ? Result<TriggerInfo>.Ok(new TriggerInfo(def, _state.State.Subscribers.Select(id => new EventId(id)).ToList()))
        : Result<TriggerInfo>.Err(ErrorKind.NOT_FOUND, $"trigger '{Id}' does not exist"));

    /// <inheritdoc />
    public async Task<Result<int>> FireAsync(string payloadJson)
    {
        if (_state.State.Definition is not { } def) return Result<int>.Err(ErrorKind.NOT_FOUND, $"trigger '{Id}' does not exist");
        if (def.Kind != TriggerKind.EXTERNAL)
            return Result<int>.Err(ErrorKind.VALIDATION, $"trigger '{Id}' is {def.Kind}; only EXTERNAL triggers are fired from outside");
        if (!def.Active) return Result<int>.Err(ErrorKind.NOT_ACTIVE, $"trigger '{Id}' is inactive");
        var options = new EmitOptions(TriggerId: Id);
        var emits = _state.State.Subscribers.Select(id => GrainFactory.GetGrain<IEventGrain>(id).EmitAsync(payloadJson, options));
        var results = await Task.WhenAll(emits);
        return results.Count(r => r.IsOk);
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Trigger {TriggerId}: state write failed")]
    private partial void LogWriteFailed(Exception ex, string triggerId);
}
