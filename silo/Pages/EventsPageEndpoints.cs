using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Orleans.ConvoOrchestrator.Silo.Hosting;
using Orleans.ConvoOrchestrator.Silo.Http;

namespace Orleans.ConvoOrchestrator.Silo.Pages;

/// <summary>
/// The events page at /: the page, its live part (/ui/events; both take <c>?q=</c>, a filter on ids and names), an event's Details panel (/ui/events/{id}/details) and
/// its two assets (embedded in the silo). The page's actions call the JSON API; nothing here changes anything.
/// </summary>
public static class EventsPageEndpoints
{
    /// <summary>Maps the page.</summary>
    public static IEndpointRouteBuilder MapEventsPage(this IEndpointRouteBuilder app, string clusterName)
    {
        app.MapGet("/", async (string? q, HttpContext http, IEventOrchestrator o, CancellationToken ct) =>
            Results.Content(EventsPageRenderer.Page(await EventsOverview.GatherAsync(o, TimeProvider.System, q, ct), clusterName, CanAct(http)), Html));
        app.MapGet("/ui/events", async (string? q, HttpContext http, IEventOrchestrator o, CancellationToken ct) =>
            Results.Content(EventsPageRenderer.Live(await EventsOverview.GatherAsync(o, TimeProvider.System, q, ct), CanAct(http)), Html));
        app.MapGet("/ui/events/{id}/details", async (string id, HttpContext http, IEventOrchestrator o, CancellationToken ct) =>
        {
            var details = await EventDetails.GatherAsync(o, new EventId(id), ct);
            return details.IsOk ? Results.Content(EventDetailsRenderer.Render(details.Unwrap(), CanAct(http)), Html) : Problems.From(details.Error);
        });
        app.MapGet("/assets/events.css", () => Asset("events.css", "text/css; charset=utf-8"));
        app.MapGet("/assets/events.js", () => Asset("events.js", "text/javascript; charset=utf-8"));
        return app;
    }

    private const string Html = "text/html; charset=utf-8";

    // Without any key configured (loopback only) everything is open, so the page offers every action; with keys, only an
    // admin key's page does (the API would refuse a read-only key's changes anyway: the buttons are not even shown).
    private static bool CanAct(HttpContext http) => http.Items[ApiKeyMiddleware.RoleItem] is not ApiKeyRole role || role == ApiKeyRole.Admin;

    private static IResult Asset(string name, string contentType)
    {
        var stream = typeof(EventsPageEndpoints).Assembly.GetManifestResourceStream($"convo-silo.Pages.{name}")
            ?? throw new InvalidOperationException($"embedded asset {name} is missing from the build");
        return Results.Stream(stream, contentType);
    }
}
