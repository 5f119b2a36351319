namespace Orleans.ConvoOrchestrator.Runtime;

/// <summary>
/// The guide's repository for the embedded <see cref="EventManager"/>. Before the manager starts it keeps
/// definitions, subscriptions and calendars in memory, with the cluster's rules (validation, conflicts, fan-out); on
/// <c>Start()</c> they are loaded into the silo and from then on every call goes to the silo's grains. After
/// <c>StopAsync()</c> it holds the definitions again, so a manager can be started anew.
/// </summary>
public sealed class InMemoryEventRepository
{
    private readonly object _gate = new();
    private readonly SortedDictionary<string, Event> _events = new(StringComparer.Ordinal);
    // event id -> trigger id -> trigger
    private readonly Dictionary<string, SortedDictionary<string, Trigger>> _subscriptions = new(StringComparer.Ordinal);
    private readonly SortedDictionary<string, Calendar> _calendars = new(StringComparer.Ordinal);
    private IEventOrchestrator? _cluster;

    /// <summary>Creates or replaces an exclusion calendar.</summary>
    public Result SaveCalendar(Calendar calendar) => SaveCalendarAsync(calendar).GetAwaiter().GetResult();

    /// <summary>Creates or replaces an exclusion calendar.</summary>
    public Task<Result> SaveCalendarAsync(Calendar calendar, CancellationToken cancellationToken = default)
    {
        if (Cluster is { } cluster) return cluster.SaveCalendarAsync(calendar, cancellationToken);
        var check = DefinitionValidator.Validate(calendar);
        if (check.IsErr) return Task.FromResult(check);
        lock (_gate) _calendars[calendar.Name] = calendar;
        return Task.FromResult(Result.Ok());
    }

    /// <summary>A calendar's definition.</summary>
    public Result<Calendar> GetCalendar(string name) => GetCalendarAsync(name).GetAwaiter().GetResult();

    /// <summary>A calendar's definition.</summary>
    public Task<Result<Calendar>> GetCalendarAsync(string name, CancellationToken cancellationToken = default)
    {
        if (Cluster is { } cluster) return cluster.GetCalendarAsync(name, cancellationToken);
        var check = DefinitionValidator.ValidateCalendarName(name);
        if (check.IsErr) return Task.FromResult(Result<Calendar>.Err(check.Error));
        lock (_gate)
            return Task.FromResult(_calendars.TryGetValue(name, out var c) ? Result<Calendar>.Ok(c) : Result<Calendar>.Err(ErrorKind.NOT_FOUND, $"calendar '{name}' does not exist"));
    }

    /// <summary>Every calendar, ordered by name.</summary>
    public Result<IReadOnlyList<Calendar>> ListCalendars() => ListCalendarsAsync().GetAwaiter().GetResult();

    /// <summary>Every calendar, ordered by name.</summary>
    public Task<Result<IReadOnlyList<Calendar>>> ListCalendarsAsync(CancellationToken cancellationToken = default)
    {
        if (Cluster is { } cluster) return cluster.ListCalendarsAsync(cancellationToken);
        lock (_gate) return Task.FromResult(Result<IReadOnlyList<Calendar>>.Ok(_calendars.Values.ToList()));
    }

    /// <summary>Removes a calendar; CONFLICT while an attached trigger names it.</summary>
    public Result RemoveCalendar(string name) => RemoveCalendarAsync(name).GetAwaiter().GetResult();

    /// <summary>Removes a calendar; CONFLICT while an attached trigger names it.</summary>
    public Task<Result> RemoveCalendarAsync(string name, CancellationToken cancellationToken = default)
    {
        if (Cluster is { } cluster) return cluster.RemoveCalendarAsync(name, cancellationToken);
        var check = DefinitionValidator.ValidateCalendarName(name);
        if (check.IsErr) return Task.FromResult(check);
        lock (_gate)
        {
            if (!_calendars.ContainsKey(name)) return Task.FromResult(Result.Err(ErrorKind.NOT_FOUND, $"calendar '{name}' does not exist"));
            var users = _subscriptions.Values.SelectMany(t => t.Values).Where(t => t.Calendars?.Contains(name) == true)
                .Select(t => $"'{t.Id}'").Distinct().ToList();
            if (users.Count > 0)
                return Task.FromResult(Result.Err(ErrorKind.CONFLICT, $"calendar '{name}' is used by trigger(s) {string.Join(", ", users)}; detach them or attach them without it first"));
            _calendars.Remove(name);
            return Task.FromResult(Result.Ok());
        }
    }

    /// <summary>Creates or replaces an event.</summary>
    public Result SaveEvent(Event definition) => SaveEventAsync(definition).GetAwaiter().GetResult();

    /// <summary>Creates or replaces an event.</summary>
    public Task<Result> SaveEventAsync(Event definition, CancellationToken cancellationToken = default) =>
        SaveAsync(definition, mustExist: null, cancellationToken);

    /// <summary>Sets up many events and their triggers at once (see <see cref="IEventOrchestrator.SaveEventsAsync"/>).</summary>
    public Task<Result<int>> SaveEventsAsync(IReadOnlyList<EventSetup> setups, CancellationToken cancellationToken = default)
    {
        if (Cluster is { } cluster) return cluster.SaveEventsAsync(setups, cancellationToken);
        cancellationToken.ThrowIfCancellationRequested();
        var check = EventSetupValidator.Validate(setups);
        if (check.IsErr) return Task.FromResult(Result<int>.Err(check.Error));
        lock (_gate)
        {
            // As the cluster does: a missing calendar is found before anything changes.
            if (EventSetupValidator.CalendarsNamed(setups).FirstOrDefault(c => !_calendars.ContainsKey(c)) is { } missing)
                return Task.FromResult(Result<int>.Err(ErrorKind.NOT_FOUND, $"calendar '{missing}' does not exist; save the calendar first, nothing was set up"));
            for (var i = 0; i < setups.Count; i++)
            {
                _events[setups[i].Event.Id.Value] = setups[i].Event;
                foreach (var trigger in setups[i].TriggerList)
                {
                    var attached = AttachLocal(setups[i].Event.Id, trigger);
                    if (attached.IsErr)
                        return Task.FromResult(Result<int>.Err(attached.Error.Kind, $"item {i + 1} (event '{setups[i].Event.Id}'): {attached.Error.Message}"));
                }
            }
            return Task.FromResult(Result<int>.Ok(setups.Count));
        }
    }

    /// <summary>An event's definition.</summary>
    public Result<Event> GetEvent(EventId eventId) => GetEventAsync(eventId).GetAwaiter().GetResult();

    /// <summary>An event's definition.</summary>
    public Task<Result<Event>> GetEventAsync(EventId eventId, CancellationToken cancellationToken = default)
    {
        if (Cluster is { } cluster) return cluster.GetEventAsync(eventId, cancellationToken);
        var check = DefinitionValidator.Validate(eventId);
        if (check.IsErr) return Task.FromResult(Result<Event>.Err(check.Error));
        lock (_gate)
            return Task.FromResult(_events.TryGetValue(eventId.Value, out var ev) ? Result<Event>.Ok(ev) : NotFound<Event>(eventId));
    }

    /// <summary>Every event, ordered by id.</summary>
    public Result<IReadOnlyList<Event>> ListEvents() => ListEventsAsync().GetAwaiter().GetResult();

    /// <summary>Every event, ordered by id.</summary>
    public Task<Result<IReadOnlyList<Event>>> ListEventsAsync(CancellationToken cancellationToken = default)
    {
        if (Cluster is { } cluster) return cluster.ListEventsAsync(cancellationToken);
        lock (_gate) return Task.FromResult(Result<IReadOnlyList<Event>>.Ok(_events.Values.ToList()));
    }

    /// <summary>
    /// One page of the events, ordered by id (see <see cref="IEventOrchestrator.ListEventsPageAsync"/>); VALIDATION for a
    /// bad limit or token.
    /// </summary>
    public Task<Result<Page<Event>>> ListEventsPageAsync(int limit, string? pageToken = null, CancellationToken cancellationToken = default)
    {
        if (Cluster is { } cluster) return cluster.ListEventsPageAsync(limit, pageToken, cancellationToken);
        if (PageToken.Read(limit, pageToken, out var after) is { IsErr: true } bad) return Task.FromResult(Result<Page<Event>>.Err(bad.Error));
        lock (_gate) return Task.FromResult(Result<Page<Event>>.Ok(PageOf(_events.Values, e => e.Id.Value, limit, after)));
    }

    /// <summary>Removes an event and its subscriptions.</summary>
    public Result RemoveEvent(EventId eventId) => RemoveEventAsync(eventId).GetAwaiter().GetResult();

    /// <summary>Removes an event and its subscriptions.</summary>
    public Task<Result> RemoveEventAsync(EventId eventId, CancellationToken cancellationToken = default)
    {
        if (Cluster is { } cluster) return cluster.RemoveEventAsync(eventId, cancellationToken);
        var check = DefinitionValidator.Validate(eventId);
        if (check.IsErr) return Task.FromResult(check);
        lock (_gate)
        {
            if (!_events.Remove(eventId.Value)) return Task.FromResult(Result.Err(NotFound<Event>(eventId).UnwrapErr()));
            _subscriptions.Remove(eventId.Value);
            return Task.FromResult(Result.Ok());
        }
    }

    /// <summary>Attaches a trigger to an event; one trigger may feed several events.</summary>
    public Result<SubscriptionId> AttachTrigger(EventId eventId, Trigger trigger) => AttachTriggerAsync(eventId, trigger).GetAwaiter().GetResult();

    /// <summary>Attaches a trigger to an event; one trigger may feed several events.</summary>
    public Task<Result<SubscriptionId>> AttachTriggerAsync(EventId eventId, Trigger trigger, CancellationToken cancellationToken = default)
    {
        if (Cluster is { } cluster) return cluster.AttachTriggerAsync(eventId, trigger, cancellationToken);
        return Task.FromResult(AttachLocal(eventId, trigger));
    }

    /// <summary>Detaches by subscription id.</summary>
    public Result DetachTrigger(SubscriptionId subscriptionId) => DetachTriggerAsync(subscriptionId).GetAwaiter().GetResult();

    /// <summary>Detaches by subscription id.</summary>
    public Task<Result> DetachTriggerAsync(SubscriptionId subscriptionId, CancellationToken cancellationToken = default)
    {
        if (Cluster is { } cluster) return cluster.DetachTriggerAsync(subscriptionId, cancellationToken);
        if (!subscriptionId.TryParse(out var eventId, out var triggerId))
            return Task.FromResult(Result.Err(ErrorKind.VALIDATION, $"'{subscriptionId.Value}' is not a subscription id (expected 'eventId/triggerId')"));
        lock (_gate)
        {
            if (!_subscriptions.TryGetValue(eventId.Value, out var triggers) || !triggers.Remove(triggerId.Value))
                return Task.FromResult(Result.Err(ErrorKind.NOT_FOUND, $"subscription '{subscriptionId.Value}' does not exist"));
            return Task.FromResult(Result.Ok());
        }
    }

    /// <summary>All triggers, or those attached to <paramref name="eventId"/>.</summary>
    public Result<IReadOnlyList<Trigger>> ListTriggers(EventId? eventId = null) => ListTriggersAsync(eventId).GetAwaiter().GetResult();

    /// <summary>All triggers, or those attached to <paramref name="eventId"/>.</summary>
    public Task<Result<IReadOnlyList<Trigger>>> ListTriggersAsync(EventId? eventId = null, CancellationToken cancellationToken = default)
    {
        if (Cluster is { } cluster) return cluster.ListTriggersAsync(eventId, cancellationToken);
        lock (_gate)
        {
            if (eventId is { } id)
            {
                if (!_events.ContainsKey(id.Value)) return Task.FromResult(NotFound<IReadOnlyList<Trigger>>(id));
                var own = _subscriptions.TryGetValue(id.Value, out var t) ? t.Values.ToList() : [];
                return Task.FromResult(Result<IReadOnlyList<Trigger>>.Ok(own));
            }
            var all = _subscriptions.Values.SelectMany(t => t.Values).DistinctBy(t => t.Id.Value).OrderBy(t => t.Id.Value, StringComparer.Ordinal).ToList();
            return Task.FromResult(Result<IReadOnlyList<Trigger>>.Ok(all));
        }
    }

    /// <summary>
    /// One page of the triggers, ordered by id: all of them, or those attached to <paramref name="eventId"/> (see
    /// <see cref="IEventOrchestrator.ListTriggersPageAsync"/>).
    /// </summary>
    public async Task<Result<Page<Trigger>>> ListTriggersPageAsync(int limit, string? pageToken = null, EventId? eventId = null,
        CancellationToken cancellationToken = default)
    {
        if (Cluster is { } cluster) return await cluster.ListTriggersPageAsync(limit, pageToken, eventId, cancellationToken).ConfigureAwait(false);
        if (PageToken.Read(limit, pageToken, out var after) is { IsErr: true } bad) return Result<Page<Trigger>>.Err(bad.Error);
        // Before Start() everything is in this process: the listing is the unpaged one, cut here.
        var triggers = await ListTriggersAsync(eventId, cancellationToken).ConfigureAwait(false);
        return triggers.Map(list => PageOf(list, t => t.Id.Value, limit, after));
    }

    // The items ordinally after `after`, at most `limit`; a next token when more follow. `items` are in id order.
    private static Page<T> PageOf<T>(IEnumerable<T> items, Func<T, string> id, int limit, string? after)
    {
        var rest = items.Where(i => after is null || string.CompareOrdinal(id(i), after) > 0).Take(limit + 1).ToList();
        return rest.Count > limit ? new Page<T>(rest.GetRange(0, limit), PageToken.After(id(rest[limit - 1]))) : new Page<T>(rest, null);
    }

    internal Task<Result> SaveAsync(Event definition, bool? mustExist, CancellationToken cancellationToken = default)
    {
        if (Cluster is { } cluster)
        {
            return mustExist switch
            {
                null => cluster.SaveEventAsync(definition, cancellationToken),
                true => cluster.UpdateEventAsync(definition, cancellationToken),
                false => cluster.CreateEventAsync(definition, cancellationToken),
            };
        }
        var check = DefinitionValidator.Validate(definition);
        if (check.IsErr) return Task.FromResult(check);
        lock (_gate)
        {
            var exists = _events.ContainsKey(definition.Id.Value);
            if (mustExist == false && exists) return Task.FromResult(Result.Err(ErrorKind.CONFLICT, $"event '{definition.Id}' already exists"));
            if (mustExist == true && !exists) return Task.FromResult(Result.Err(NotFound<Event>(definition.Id).UnwrapErr()));
            _events[definition.Id.Value] = definition;
            return Task.FromResult(Result.Ok());
        }
    }

    /// <summary>Loads what was saved before start into the cluster, then forwards every call to it.</summary>
    internal async Task BindAsync(IEventOrchestrator cluster)
    {
        List<Event> events;
        List<Calendar> calendars;
        List<(EventId EventId, Trigger Trigger)> attachments;
        lock (_gate)
        {
            events = _events.Values.ToList();
            calendars = _calendars.Values.ToList();
            attachments = _subscriptions.SelectMany(kv => kv.Value.Values.Select(t => (new EventId(kv.Key), t))).ToList();
        }
        foreach (var ev in events)
            (await cluster.SaveEventAsync(ev).ConfigureAwait(false)).Unwrap();
        // Before the triggers: a trigger's calendars must exist when it is attached.
        foreach (var calendar in calendars)
            (await cluster.SaveCalendarAsync(calendar).ConfigureAwait(false)).Unwrap();
        foreach (var (eventId, trigger) in attachments)
            (await cluster.AttachTriggerAsync(eventId, trigger).ConfigureAwait(false)).Unwrap();
        lock (_gate) _cluster = cluster;
    }

    /// <summary>Copies the cluster's definitions back and stops forwarding.</summary>
    internal async Task UnbindAsync()
    {
        var cluster = Cluster;
        if (cluster is null) return;
        var events = (await cluster.ListEventsAsync().ConfigureAwait(false)).UnwrapOr([]);
        var calendars = (await cluster.ListCalendarsAsync().ConfigureAwait(false)).UnwrapOr([]);
        var subscriptions = new Dictionary<string, SortedDictionary<string, Trigger>>(StringComparer.Ordinal);
        foreach (var ev in events)
        {
            var triggers = (await cluster.ListTriggersAsync(ev.Id).ConfigureAwait(false)).UnwrapOr([]);
            subscriptions[ev.Id.Value] = new SortedDictionary<string, Trigger>(triggers.ToDictionary(t => t.Id.Value), StringComparer.Ordinal);
        }
        lock (_gate)
        {
            _events.Clear();
            foreach (var ev in events) _events[ev.Id.Value] = ev;
            _subscriptions.Clear();
            foreach (var (id, triggers) in subscriptions) _subscriptions[id] = triggers;
            _calendars.Clear();
            foreach (var calendar in calendars) _calendars[calendar.Name] = calendar;
            _cluster = null;
        }
    }

    private IEventOrchestrator? Cluster
    {
        get { lock (_gate) return _cluster; }
    }

    private Result<SubscriptionId> AttachLocal(EventId eventId, Trigger trigger)
    {
        var check = DefinitionValidator.Validate(eventId);
        if (check.IsOk) check = DefinitionValidator.Validate(trigger);
        if (check.IsErr) return Result<SubscriptionId>.Err(check.Error);
        lock (_gate)
        {
            if (!_events.ContainsKey(eventId.Value)) return NotFound<SubscriptionId>(eventId);
            if (trigger.Calendars?.FirstOrDefault(c => !_calendars.ContainsKey(c)) is { } missing)
                return Result<SubscriptionId>.Err(ErrorKind.NOT_FOUND, $"calendar '{missing}' does not exist (named by trigger '{trigger.Id}'); save the calendar first");
            // The same trigger id must mean the same trigger everywhere it is attached.
            var elsewhere = _subscriptions.Values.Select(t => t.GetValueOrDefault(trigger.Id.Value)).FirstOrDefault(t => t is not null);
            if (elsewhere is not null && elsewhere != trigger)
                return Result<SubscriptionId>.Err(ErrorKind.CONFLICT, $"trigger '{trigger.Id}' already exists with another definition; attach it unchanged or use a new id");
            if (!_subscriptions.TryGetValue(eventId.Value, out var triggers))
                _subscriptions[eventId.Value] = triggers = new SortedDictionary<string, Trigger>(StringComparer.Ordinal);
            triggers[trigger.Id.Value] = trigger;
            return SubscriptionId.For(eventId, trigger.Id);
        }
    }

    private static Result<T> NotFound<T>(EventId eventId) => Result<T>.Err(ErrorKind.NOT_FOUND, $"event '{eventId}' does not exist");
}
