using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Orleans.ConvoOrchestrator.Silo.Http;

namespace Orleans.ConvoOrchestrator.Silo.Pages;

/// <summary>The events page at /: the page, its live part (/ui/events) and its two assets (embedded in the silo).</summary>
public static class EventsPageEndpoints
{
    /// <summary>Maps the page.</summary>
    public static IEndpointRouteBuilder MapEventsPage(this IEndpointRouteBuilder app, string clusterName)
    {
        app.MapGet("/", async (IEventOrchestrator o) =>
            Results.Content(EventsPageRenderer.Page(await EventsOverview.GatherAsync(o, TimeProvider.System), clusterName), "text/html; charset=utf-8"));
        app.MapGet("/ui/events", async (IEventOrchestrator o) =>
            Results.Content(EventsPageRenderer.Live(await EventsOverview.GatherAsync(o, TimeProvider.System)), "text/html; charset=utf-8"));
        app.MapGet("/assets/events.css", () => Asset("events.css", "text/css; charset=utf-8"));
        app.MapGet("/assets/events.js", () => Asset("events.js", "text/javascript; charset=utf-8"));
        return app;
    }

    private static IResult Asset(string name, string contentType)
    {
        var stream = typeof(EventsPageEndpoints).Assembly.GetManifestResourceStream($"convo-silo.Pages.{name}")
            ?? throw new InvalidOperationException($"embedded asset {name} is missing from the build");
        return Results.Stream(stream, contentType);
    }
}
