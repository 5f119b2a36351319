using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;
using Orleans.ConvoOrchestrator.Runtime;

namespace Orleans.ConvoOrchestrator.Silo.Http;

/// <summary>
/// The HTTP API under /api: events, triggers, calendars, status, history, metrics, emit, webhook fires, pause/resume.
/// Everything goes through <see cref="IEventOrchestrator"/>; bodies and answers use <see cref="ConvoJson"/>;
/// orchestrator errors become problem details (<see cref="Problems"/>) and bodies over MaxPayloadBytes get 413.
/// </summary>
public static class ConvoApiEndpoints
{
    /// <summary>Header that carries an emit's correlation id.</summary>
    public const string CorrelationHeader = "X-Correlation-Id";

    /// <summary>Header that carries an emit's idempotency key.</summary>
    public const string IdempotencyHeader = "Idempotency-Key";

    // An optional body {"jobIds": [...]}: without one, the call is for every job.
    private static async Task<(List<string>? JobIds, IResult? Problem)> ReadJobIdsAsync(HttpRequest req, int maxBytes, CancellationToken ct)
    {
        if (req.ContentLength is null or 0 && !req.Headers.ContainsKey("Transfer-Encoding")) return (null, null);
        var (body, problem) = await BoundedBody.ReadJsonAsync<JobIdsBody>(req, maxBytes, "an object {\"jobIds\": [...]}", ct);
        if (problem is not null) return (null, problem);
        return body!.JobIds is null ? (null, Problems.BadRequest("jobIds is missing; send no body to mean every failed job")) : (body.JobIds, null);
    }

    private sealed record JobIdsBody(List<string>? JobIds);

    /// <summary>Largest body of a bulk set-up (POST /api/events/bulk): thousands of definitions, under Kestrel's own 30 MB.</summary>
    public const int BulkMaxBytes = 16 * 1024 * 1024;

    // A backfill's range: both ends required (an open end would be a guess at what the caller meant).
    private sealed record BackfillBody(DateTimeOffset? From, DateTimeOffset? To);

    private static IResult? ParseLimit(string? text, int fallback, out int limit)
    {
        limit = fallback;
        return text is not null && (!int.TryParse(text, out limit) || limit < 1) ? Problems.BadRequest($"limit '{text}' is not a positive whole number") : null;
    }

    // A page's size: the largest page when the query gives only a token; the range itself is checked by the API.
    private static IResult? ParsePageLimit(string? text, out int limit)
    {
        limit = PageToken.MaxLimit;
        return text is not null && !int.TryParse(text, out limit)
            ? Problems.BadRequest($"limit '{text}' is not a whole number between 1 and {PageToken.MaxLimit}")
            : null;
    }

    /// <summary>The server's routes, one per method and pattern, ordered by pattern then method.</summary>
    public static List<RouteInfo> Routes(EndpointDataSource endpoints) =>
        endpoints.Endpoints.OfType<RouteEndpoint>()
            .SelectMany(e => (e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? []).Select(m => new RouteInfo(m, "/" + e.RoutePattern.RawText!.TrimStart('/'))))
            .Distinct()
            .OrderBy(r => r.Pattern, StringComparer.Ordinal).ThenBy(r => r.Method, StringComparer.Ordinal)
            .ToList();

    /// <summary>One route: an HTTP method and a path pattern (<c>{name}</c> for a path parameter).</summary>
    public sealed record RouteInfo(string Method, string Pattern);

    /// <summary>Maps the routes.</summary>
    public static RouteGroupBuilder MapConvoApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api");

        // The plain array unless the query asks for a page (limit or pageToken): clients of the array keep working.
        api.MapGet("/events", async (string? limit, string? pageToken, IEventOrchestrator o, CancellationToken ct) =>
            limit is null && pageToken is null
                ? Answer(await o.ListEventsAsync(ct))
                : ParsePageLimit(limit, out var n) ?? AnswerPage(await o.ListEventsPageAsync(n, pageToken, ct)));
        api.MapPost("/events", async (HttpRequest req, IEventOrchestrator o, IOptions<ConvoOrchestratorOptions> opt, CancellationToken ct) =>
        {
            var (ev, problem) = await BoundedBody.ReadJsonAsync<Event>(req, opt.Value.MaxPayloadBytes, "an event definition", ct);
            if (problem is not null) return problem;
            var created = await o.CreateEventAsync(ev!, ct);
            return created.IsOk ? Results.Json(ev, ConvoJson.Options, statusCode: StatusCodes.Status201Created) : Problems.From(created.Error);
        });
        api.MapPost("/events/bulk", async (HttpRequest req, IEventOrchestrator o, CancellationToken ct) =>
        {
            // A JSON array of {"event": ..., "triggers": [...]} items, or one item a line (NDJSON).
            var (text, problem) = await BoundedBody.ReadTextAsync(req, BulkMaxBytes, ct, ndjson: true);
            if (problem is not null) return problem;
            var parsed = EventSetupJson.Parse(text);
            if (parsed.IsErr) return Problems.From(parsed.Error);
            var check = EventSetupValidator.Validate(parsed.Unwrap());
            if (check.IsErr) return Problems.From(check.Error);
            var setups = parsed.Unwrap().Select(s => s!).ToList();
            var saved = await o.SaveEventsAsync(setups, ct);
            return saved.IsOk
                ? Results.Json(new { saved = saved.Unwrap(), triggers = setups.Sum(s => s.TriggerList.Count) }, ConvoJson.Options)
                : Problems.From(saved.Error);
        });
        api.MapGet("/events/{id}", async (string id, IEventOrchestrator o, CancellationToken ct) => Answer(await o.GetEventAsync(new EventId(id), ct)));
        api.MapPut("/events/{id}", async (string id, HttpRequest req, IEventOrchestrator o, IOptions<ConvoOrchestratorOptions> opt, CancellationToken ct) =>
        {
            var (ev, problem) = await BoundedBody.ReadJsonAsync<Event>(req, opt.Value.MaxPayloadBytes, "an event definition", ct);
            if (problem is not null) return problem;
            // The route names the event; a body may leave the id out, but may not name another one.
            if (ev!.Id.Value is null) ev = ev with { Id = new EventId(id) };
            else if (ev.Id.Value != id) return Problems.BadRequest($"the body's id '{ev.Id.Value}' differs from the route's '{id}'");
            var saved = await o.SaveEventAsync(ev, ct);
            return saved.IsOk ? Results.Json(ev, ConvoJson.Options) : Problems.From(saved.Error);
        });
        api.MapDelete("/events/{id}", async (string id, IEventOrchestrator o, CancellationToken ct) => Answer(await o.RemoveEventAsync(new EventId(id), ct)));
        api.MapPost("/events/{id}/pause", async (string id, IEventOrchestrator o, CancellationToken ct) => Answer(await o.SetEventActiveAsync(new EventId(id), false, ct)));
        api.MapPost("/events/{id}/resume", async (string id, IEventOrchestrator o, CancellationToken ct) => Answer(await o.SetEventActiveAsync(new EventId(id), true, ct)));
        api.MapGet("/events/{id}/status", async (string id, IEventOrchestrator o, CancellationToken ct) => Answer(await o.StatusAsync(new EventId(id), ct)));
        api.MapGet("/events/{id}/history", async (string id, string? limit, IEventOrchestrator o, CancellationToken ct) =>
            ParseLimit(limit, 50, out var n) ?? Answer(await o.HistoryAsync(new EventId(id), n, ct)));
        api.MapGet("/events/{id}/jobs", async (string id, string? limit, IEventOrchestrator o, CancellationToken ct) =>
            ParseLimit(limit, 100, out var n) ?? Answer(await o.ListJobsAsync(new EventId(id), n, ct)));
        api.MapPost("/events/{id}/jobs/{jobId}/cancel", async (string id, string jobId, IEventOrchestrator o, CancellationToken ct) => Answer(await o.CancelJobAsync(new EventId(id), jobId, ct)));
        api.MapPost("/events/{id}/jobs/cancel-waiting", async (string id, IEventOrchestrator o, CancellationToken ct) =>
        {
            var cancelled = await o.CancelWaitingJobsAsync(new EventId(id), ct);
            return cancelled.IsOk ? Results.Json(new { eventId = id, cancelled = cancelled.Unwrap() }, ConvoJson.Options) : Problems.From(cancelled.Error);
        });
        api.MapGet("/failed", async (string? limit, IEventOrchestrator o, CancellationToken ct) =>
            ParseLimit(limit, 100, out var n) ?? Answer(await o.ListFailedJobsAsync(null, n, ct)));
        api.MapGet("/events/{id}/failed", async (string id, string? limit, IEventOrchestrator o, CancellationToken ct) =>
            ParseLimit(limit, 100, out var n) ?? Answer(await o.ListFailedJobsAsync(new EventId(id), n, ct)));
        api.MapPost("/events/{id}/failed/requeue", async (string id, HttpRequest req, IEventOrchestrator o, IOptions<ConvoOrchestratorOptions> opt, CancellationToken ct) =>
        {
            var (ids, problem) = await ReadJobIdsAsync(req, opt.Value.MaxPayloadBytes, ct);
            if (problem is not null) return problem;
            var requeued = await o.RequeueFailedJobsAsync(new EventId(id), ids, ct);
            return requeued.IsOk ? Results.Json(new { eventId = id, requeued = requeued.Unwrap() }, ConvoJson.Options) : Problems.From(requeued.Error);
        });
        api.MapPost("/events/{id}/failed/discard", async (string id, HttpRequest req, IEventOrchestrator o, IOptions<ConvoOrchestratorOptions> opt, CancellationToken ct) =>
        {
            var (ids, problem) = await ReadJobIdsAsync(req, opt.Value.MaxPayloadBytes, ct);
            if (problem is not null) return problem;
            var discarded = await o.DiscardFailedJobsAsync(new EventId(id), ids, ct);
            return discarded.IsOk ? Results.Json(new { eventId = id, discarded = discarded.Unwrap() }, ConvoJson.Options) : Problems.From(discarded.Error);
        });
        api.MapGet("/events/{id}/triggers", async (string id, string? limit, string? pageToken, IEventOrchestrator o, CancellationToken ct) =>
            limit is null && pageToken is null
                ? Answer(await o.ListTriggersAsync(new EventId(id), ct))
                : ParsePageLimit(limit, out var n) ?? AnswerPage(await o.ListTriggersPageAsync(n, pageToken, new EventId(id), ct)));
        api.MapPost("/events/{id}/triggers", async (string id, HttpRequest req, IEventOrchestrator o, IOptions<ConvoOrchestratorOptions> opt, CancellationToken ct) =>
        {
            var (trigger, problem) = await BoundedBody.ReadJsonAsync<Trigger>(req, opt.Value.MaxPayloadBytes, "a trigger definition", ct);
            if (problem is not null) return problem;
            var attached = await o.AttachTriggerAsync(new EventId(id), trigger!, ct);
            return attached.IsOk
                ? Results.Json(new { subscriptionId = attached.Unwrap().Value, eventId = id, trigger }, ConvoJson.Options, statusCode: StatusCodes.Status201Created)
                : Problems.From(attached.Error);
        });
        api.MapDelete("/events/{id}/triggers/{triggerId}", async (string id, string triggerId, IEventOrchestrator o, CancellationToken ct) =>
            Answer(await o.DetachTriggerAsync(SubscriptionId.For(new EventId(id), new TriggerId(triggerId)), ct)));
        api.MapPost("/events/{id}/emit", async (string id, HttpRequest req, IEventOrchestrator o, IOptions<ConvoOrchestratorOptions> opt, CancellationToken ct) =>
        {
            var (payload, problem) = await BoundedBody.ReadTextAsync(req, opt.Value.MaxPayloadBytes, ct);
            if (problem is not null) return problem;
            var correlation = req.Headers[CorrelationHeader].ToString();
            var key = req.Headers[IdempotencyHeader].ToString();
            var options = correlation.Length + key.Length == 0 ? null
                : new EmitOptions(CorrelationId: correlation.Length == 0 ? null : correlation, IdempotencyKey: key.Length == 0 ? null : key);
            var emitted = await o.EmitJsonAsync(new EventId(id), payload!, options, ct);
            return emitted.IsOk
                ? Results.Json(new { jobId = emitted.Unwrap(), eventId = id }, ConvoJson.Options, statusCode: StatusCodes.Status202Accepted)
                : Problems.From(emitted.Error);
        });
        api.MapPost("/events/{id}/test-run", async (string id, HttpRequest req, IEventOrchestrator o, IOptions<ConvoOrchestratorOptions> opt, CancellationToken ct) =>
        {
            var (payload, problem) = await ReadPayloadAsync(req, opt.Value.MaxPayloadBytes, ct);
            return problem ?? Answer(await o.TestRunAsync(new EventId(id), payload, ct));
        });

        api.MapGet("/triggers", async (string? limit, string? pageToken, IEventOrchestrator o, CancellationToken ct) =>
            limit is null && pageToken is null
                ? Answer(await o.ListTriggersAsync(cancellationToken: ct))
                : ParsePageLimit(limit, out var n) ?? AnswerPage(await o.ListTriggersPageAsync(n, pageToken, cancellationToken: ct)));
        api.MapGet("/triggers/{id}", async (string id, IEventOrchestrator o, CancellationToken ct) => Answer(await o.TriggerStatusAsync(new TriggerId(id), ct)));
        api.MapPost("/triggers/{id}/pause", async (string id, IEventOrchestrator o, CancellationToken ct) => Answer(await o.SetTriggerPausedAsync(new TriggerId(id), true, ct)));
        api.MapPost("/triggers/{id}/resume", async (string id, IEventOrchestrator o, CancellationToken ct) => Answer(await o.SetTriggerPausedAsync(new TriggerId(id), false, ct)));
        api.MapGet("/triggers/{id}/next", async (string id, string? count, IEventOrchestrator o, CancellationToken ct) =>
        {
            var n = 10;
            if (count is not null && !int.TryParse(count, out n))
                return Problems.BadRequest($"count '{count}' is not a whole number between 1 and {TriggerPreview.MaxFires}");
            var fires = await o.NextFiresAsync(new TriggerId(id), n, ct);
            return fires.IsOk
                ? Results.Json(new { triggerId = id, fires = fires.Unwrap() }, ConvoJson.Options)
                : Problems.From(fires.Error);
        });
        api.MapPost("/triggers/{id}/backfill", async (string id, HttpRequest req, IEventOrchestrator o, IOptions<ConvoOrchestratorOptions> opt, CancellationToken ct) =>
        {
            var (body, problem) = await BoundedBody.ReadJsonAsync<BackfillBody>(req, opt.Value.MaxPayloadBytes, "an object {\"from\": \"...\", \"to\": \"...\"}", ct);
            if (problem is not null) return problem;
            if (body!.From is not { } from || body.To is not { } to)
                return Problems.BadRequest("from and to are both required: the range [from, to) of past fires to run, as ISO 8601 instants");
            var backfilled = await o.BackfillTriggerAsync(new TriggerId(id), from, to, ct);
            return backfilled.IsOk
                ? Results.Json(backfilled.Unwrap(), ConvoJson.Options, statusCode: StatusCodes.Status202Accepted)
                : Problems.From(backfilled.Error);
        });
        api.MapPost("/triggers/{id}/fire", async (string id, HttpRequest req, IEventOrchestrator o, IOptions<ConvoOrchestratorOptions> opt, CancellationToken ct) =>
        {
            var (payload, problem) = await ReadPayloadAsync(req, opt.Value.MaxPayloadBytes, ct);
            if (problem is not null) return problem;
            var fired = await o.FireTriggerAsync(new TriggerId(id), payload, ct);
            return fired.IsOk
                ? Results.Json(new { triggerId = id, accepted = fired.Unwrap() }, ConvoJson.Options, statusCode: StatusCodes.Status202Accepted)
                : Problems.From(fired.Error);
        });

        api.MapGet("/calendars", async (IEventOrchestrator o, CancellationToken ct) => Answer(await o.ListCalendarsAsync(ct)));
        api.MapGet("/calendars/{name}", async (string name, IEventOrchestrator o, CancellationToken ct) => Answer(await o.GetCalendarAsync(name, ct)));
        api.MapPut("/calendars/{name}", async (string name, HttpRequest req, IEventOrchestrator o, IOptions<ConvoOrchestratorOptions> opt, CancellationToken ct) =>
        {
            var (calendar, problem) = await BoundedBody.ReadJsonAsync<Calendar>(req, opt.Value.MaxPayloadBytes, "a calendar definition", ct);
            if (problem is not null) return problem;
            // As with events: the route names the calendar; a body may leave the name out, but may not name another.
            if (calendar!.Name is null) calendar = calendar with { Name = name };
            else if (calendar.Name != name) return Problems.BadRequest($"the body's name '{calendar.Name}' differs from the route's '{name}'");
            var saved = await o.SaveCalendarAsync(calendar, ct);
            return saved.IsOk ? Results.Json(calendar, ConvoJson.Options) : Problems.From(saved.Error);
        });
        api.MapDelete("/calendars/{name}", async (string name, IEventOrchestrator o, CancellationToken ct) => Answer(await o.RemoveCalendarAsync(name, ct)));

        api.MapGet("/metrics", async (IEventOrchestrator o, CancellationToken ct) => Answer(await o.MetricsSnapshotAsync(ct)));
        // Every route the server answers, so tools (and the role tests) can walk them all.
        api.MapGet("/routes", (EndpointDataSource endpoints) => Results.Json(Routes(endpoints), ConvoJson.Options));
        api.MapGet("/overview", async (IEventOrchestrator o, CancellationToken ct) => Results.Json(await EventsOverview.GatherAsync(o, TimeProvider.System, cancellationToken: ct), ConvoJson.Options));
        return api;
    }

    // A payload travels as JSON: an empty body is null, anything else must parse.
    private static async Task<(JsonElement? Payload, IResult? Problem)> ReadPayloadAsync(HttpRequest req, int maxBytes, CancellationToken ct)
    {
        var (text, problem) = await BoundedBody.ReadTextAsync(req, maxBytes, ct);
        if (problem is not null) return (null, problem);
        var json = JsonPayload.FromJson(text);
        if (json.IsErr) return (null, Problems.From(json.Error));
        return (JsonPayload.Parse(json.Unwrap()), null);
    }

    private static IResult Answer<T>(Result<T> result) =>
        result.IsOk ? Results.Json(result.Unwrap(), ConvoJson.Options) : Problems.From(result.Error);

    // A page as {"items": [...], "nextPageToken": "..." or null}.
    private static IResult AnswerPage<T>(Result<Page<T>> result) =>
        result.IsOk
            ? Results.Json(new { items = result.Unwrap().Items, nextPageToken = result.Unwrap().NextPageToken }, ConvoJson.Options)
            : Problems.From(result.Error);

    private static IResult Answer(Result result) => result.IsOk ? Results.NoContent() : Problems.From(result.Error);
}
