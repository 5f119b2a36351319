using System.Globalization;
using System.Text;
using Orleans.ConvoOrchestrator.Silo.Http;
using static Orleans.ConvoOrchestrator.Silo.Pages.PageText;

namespace Orleans.ConvoOrchestrator.Silo.Pages;

/// <summary>
/// Server-rendered HTML of the events page: the page shell and the live part (summary tiles and one card per
/// event) that the page's script re-fetches every 2 s. One renderer, so the first paint and every refresh agree.
/// With <c>canAct</c> (an admin key, or no key configured) each card carries its action buttons, the only elements
/// with a <c>data-act</c> attribute; without it the page shows everything and offers no action at all.
/// </summary>
public static class EventsPageRenderer
{
    /// <summary>The whole page, with the live part filled in; <paramref name="canAct"/> shows the action buttons.</summary>
    public static string Page(EventsOverview overview, string clusterName, bool canAct) => $$"""
        <!doctype html>
        <html lang="en">
        <head>
          <meta charset="utf-8">
          <meta name="viewport" content="width=device-width, initial-scale=1">
          <title>Events · ConvoOrchestrator</title>
          <link rel="stylesheet" href="assets/events.css">
        </head>
        <body>
          <header class="top">
            <div class="brand"><span class="mark">◆</span> ConvoOrchestrator <span class="cluster">{{H(clusterName)}}</span></div>
            <nav>
              <input id="filter" type="search" placeholder="Filter by id or name" aria-label="Filter events by id or name" value="{{H(overview.Filter)}}" autocomplete="off">
              <span class="live" id="live" title="refreshes every 2 s"><span class="dot"></span><span id="live-text">live</span></span>
              <a href="dashboard/">Orleans dashboard</a>
              <a href="api/overview">JSON</a>
              <a href="metrics">Prometheus</a>
            </nav>
          </header>
          <div id="notice" class="notice" role="status" aria-live="polite" hidden><span id="notice-text"></span><button type="button" id="notice-close" aria-label="Dismiss">×</button></div>
          <main id="live-region" data-refresh="ui/events" data-role="{{(canAct ? "admin" : "read-only")}}">
        {{Live(overview, canAct)}}
          </main>
          <aside id="details" class="drawer" aria-label="Event details" hidden>
            <header class="drawer-head"><h2 id="details-title">Details</h2><button type="button" id="details-close" aria-label="Close details">×</button></header>
            <div id="details-body"></div>
          </aside>
          <script src="assets/events.js"></script>
        </body>
        </html>
        """;

    /// <summary>The live part: summary tiles and event cards; <paramref name="canAct"/> shows the action buttons.</summary>
    public static string Live(EventsOverview overview, bool canAct)
    {
        var html = new StringBuilder();
        var events = overview.Events;
        long Sum(string name) => events.Sum(e => e.Counter(name));
        html.Append($"""<div class="stamp" data-generated="{Iso(overview.GeneratedAt)}"></div>""");
        html.Append("""<section class="tiles">""");
        Tile(html, "Events", overview.TotalEvents.ToString(CultureInfo.InvariantCulture), $"{events.Count(e => e.Definition.Active)} active", "");
        Tile(html, "Running", events.Sum(e => e.Status?.Running ?? 0).ToString(CultureInfo.InvariantCulture), "right now", "t-run");
        Tile(html, "Queued", events.Sum(e => e.Status?.QueueDepth ?? 0).ToString(CultureInfo.InvariantCulture), "waiting for a slot", "t-queue");
        Tile(html, "Succeeded", Sum(MetricNames.JobsSucceeded).ToString("N0", CultureInfo.InvariantCulture), "jobs OK", "t-ok");
        Tile(html, "Failed", Sum(MetricNames.JobsFailed).ToString("N0", CultureInfo.InvariantCulture), $"{Sum(MetricNames.JobsTimedOut):N0} timed out", "t-err");
        html.Append("</section>");

        foreach (var problem in overview.Problems)
            html.Append($"""<div class="problem">{H(problem)}</div>""");

        if (events.Count == 0 && overview.Filter is { } filter)
        {
            html.Append($"""<section class="empty"><h2>No event matches “{H(filter)}”</h2><p>The filter looks for a part of an id or a name, in any case, among {overview.TotalEvents} events.</p></section>""");
            return html.ToString();
        }
        if (events.Count == 0)
        {
            html.Append("""
                <section class="empty">
                  <h2>No events yet</h2>
                  <p>Save one and it shows up here within two seconds:</p>
                  <pre>curl -X PUT http://127.0.0.1:8080/api/events/ev-hello \
                  -H 'Content-Type: application/json' \
                  -d '{"name":"hello","handlerName":"echo"}'</pre>
                </section>
                """);
            return html.ToString();
        }

        html.Append("""<section class="cards">""");
        foreach (var e in events) Card(html, e, canAct);
        html.Append("</section>");
        if (overview.Filter is { } shown)
            html.Append($"""<p class="more" data-role="shown">Showing {(overview.MatchingEvents > events.Count ? $"the first {events.Count} of " : "")}{overview.MatchingEvents} event{(overview.MatchingEvents == 1 ? "" : "s")} matching “{H(shown)}” (of {overview.TotalEvents}).</p>""");
        else if (overview.TotalEvents > events.Count)
            html.Append($"""<p class="more" data-role="shown">Showing the first {events.Count} of {overview.TotalEvents} events (by id); filter by id or name to find the others.</p>""");
        return html.ToString();
    }

    private static void Tile(StringBuilder html, string label, string value, string note, string tone) =>
        html.Append($"""<div class="tile {tone}"><div class="label">{H(label)}</div><div class="value">{H(value)}</div><div class="note">{H(note)}</div></div>""");

    private static void Card(StringBuilder html, EventOverview e, bool canAct)
    {
        var d = e.Definition;
        var status = e.Status;
        var last = status?.LastOutcome;
        var lastStatus = last?.Status.ToString() ?? "NONE";
        var policy = d.EffectivePolicy;
        html.Append($"""<article class="card {(d.Active ? "" : "paused")} last-{lastStatus.ToLowerInvariant()}" data-event-id="{H(d.Id.Value)}" data-last-status="{lastStatus}">""");

        html.Append("""<header class="card-head"><div>""");
        html.Append($"""<h2>{H(d.Name)}</h2><div class="id">{H(d.Id.Value)}</div></div>""");
        html.Append($"""<span class="pill {(d.Active ? "on" : "off")}" data-role="active">{(d.Active ? "active" : "paused")}</span></header>""");
        Actions(html, d, canAct);

        html.Append("""<dl class="facts">""");
        html.Append($"""<div><dt>Handler</dt><dd><code data-role="handler">{H(d.HandlerName)}</code></dd></div>""");
        html.Append($"""<div><dt>Running</dt><dd class="num" data-role="running">{status?.Running ?? 0}<span class="of">/ {policy.MaxConcurrency}</span></dd></div>""");
        html.Append($"""<div><dt>Queued</dt><dd class="num" data-role="queued">{status?.QueueDepth ?? 0}</dd></div>""");
        // Runs past their timeout whose handler still holds a thread: shown only while there are some.
        if (status?.Abandoned is > 0 and var abandoned)
            html.Append($"""<div><dt>Abandoned</dt><dd class="num abandoned" data-role="abandoned" title="runs past their timeout whose handler still holds a thread">{abandoned}</dd></div>""");
        html.Append($"""<div><dt>Next run</dt><dd data-role="next-run">{When(status?.NextRun, "none scheduled", future: true)}</dd></div>""");
        html.Append("</dl>");

        html.Append("""<div class="last"><span class="label">Last outcome</span>""");
        if (last is null) html.Append("""<span class="badge none" data-role="last-status">no run yet</span>""");
        else
        {
            html.Append($"""<span class="badge {lastStatus.ToLowerInvariant()}" data-role="last-status">{lastStatus}</span>""");
            html.Append($"""<span class="muted">{When(last.FinishedAt, "")} · {Seconds(last.Duration.TotalSeconds)}{(last.Retries > 0 ? $" · {last.Retries} retr{(last.Retries == 1 ? "y" : "ies")}" : "")}</span>""");
            var detail = last.Error is { } err ? $"{err.Kind}: {err.Message}" : last.ResultPreview;
            if (!string.IsNullOrEmpty(detail))
                html.Append($"""<div class="detail {(last.Error is null ? "" : "error")}" title="{H(detail)}">{H(detail)}</div>""");
        }
        html.Append("</div>");

        html.Append("""<div class="section"><span class="label">Triggers</span><ul class="triggers">""");
        if (e.Triggers.Count == 0) html.Append("""<li class="muted">none: runs on emit only</li>""");
        foreach (var t in e.Triggers) TriggerChip(html, t);
        html.Append("</ul></div>");

        html.Append($"""<div class="section"><span class="label">Recent runs <span class="muted">(oldest → newest)</span></span><div class="history" data-role="history">""");
        if (e.History.Count == 0) html.Append("""<span class="muted">nothing yet</span>""");
        foreach (var r in e.History.Reverse())
        {
            var s = r.Outcome.Status.ToString();
            var tip = $"{s} · {r.Outcome.FinishedAt.UtcDateTime:yyyy-MM-dd HH:mm:ss} UTC · {Seconds(r.Outcome.Duration.TotalSeconds)}" +
                      (r.TriggerId is { } tid ? $" · trigger {tid.Value}" : "") + (r.Outcome.Error is { } er ? $" · {er.Kind}: {er.Message}" : "") + $" · job {r.JobId}";
            html.Append($"""<span class="h {s.ToLowerInvariant()}" title="{H(tip)}"></span>""");
        }
        html.Append("</div></div>");

        html.Append("""<div class="counters">""");
        foreach (var (label, name) in Columns)
        {
            var value = e.Counter(name);
            html.Append($"""<div class="c{(value > 0 && name is MetricNames.JobsFailed or MetricNames.JobsTimedOut or MetricNames.JobsRejected ? " bad" : "")}" data-counter="{name}"><b>{value.ToString("N0", CultureInfo.InvariantCulture)}</b><span>{label}</span></div>""");
        }
        html.Append($"""<div class="c"><b>{(e.MeanDurationSeconds is { } mean ? Seconds(mean) : "–")}</b><span>avg time</span></div></div>""");
        html.Append("</article>");
    }

    // The buttons carry what the script needs (data-act, data-event); the Details button is a read, open to every key.
    private static void Actions(StringBuilder html, Event d, bool canAct)
    {
        var id = H(d.Id.Value);
        html.Append("""<div class="actions">""");
        if (canAct)
        {
            html.Append($"""<button type="button" class="btn primary" data-act="run" data-event="{id}" title="Emit: enqueue a job with an empty payload">Run now</button>""");
            html.Append($"""<button type="button" class="btn" data-act="test" data-event="{id}" title="Run the handler now, even when paused, and show its outcome">Test run</button>""");
            html.Append(d.Active
                ? $"""<button type="button" class="btn" data-act="pause" data-event="{id}" title="Emits are refused and triggers record SKIPPED until resumed">Pause</button>"""
                : $"""<button type="button" class="btn" data-act="resume" data-event="{id}">Resume</button>""");
        }
        html.Append($"""<button type="button" class="btn ghost" data-details="{id}" aria-controls="details">Details</button></div>""");
    }

    private static readonly (string Label, string Name)[] Columns =
    [
        ("enqueued", MetricNames.JobsEnqueued), ("ok", MetricNames.JobsSucceeded), ("failed", MetricNames.JobsFailed),
        ("cancelled", MetricNames.JobsCancelled), ("skipped", MetricNames.JobsSkipped), ("retries", MetricNames.JobsRetried),
        ("timeouts", MetricNames.JobsTimedOut), ("rejected", MetricNames.JobsRejected),
    ];

    private static void TriggerChip(StringBuilder html, TriggerOverview t)
    {
        var def = t.Trigger;
        var what = def.Kind switch
        {
            TriggerKind.INTERVAL => $"every {Span(def.Interval)}",
            TriggerKind.AT => def.At is { } at ? $"at {at.UtcDateTime:yyyy-MM-dd HH:mm:ss} UTC" : "at ?",
            TriggerKind.Cron => $"{def.Cron} ({def.TimeZone ?? "UTC"})",
            TriggerKind.CONDITION => $"when {def.Condition}",
            _ => "fired from outside",
        };
        if (def.HasCalendars) what += $" except {string.Join(", ", def.Calendars!)}"; // the calendars its fires skip
        html.Append($"""<li class="trigger {(def.Active ? "" : "off")}"><span class="kind">{H(def.Kind.ToString().ToUpperInvariant())}</span>""");
        html.Append($"""<span class="what" title="{H(def.Id.Value)}">{H(what)} <span class="tid">{H(def.Id.Value)}</span></span><span class="when">""");
        if (!def.Active) html.Append("inactive · ");
        else if (t.NextFire is { } next)
        {
            html.Append($"next {When(next, "", future: true)} · ");
            // The ones after it as clock times: a preview of the schedule (jitter, time zone and calendars applied).
            var later = t.Upcoming.Where(f => f > next).ToList();
            if (later.Count > 0) html.Append($"""<span class="then">then {string.Join(", ", later.Select(f => $"{f.UtcDateTime:HH:mm:ss}"))}</span> · """);
        }
        html.Append($"{t.FireCount} fire{(t.FireCount == 1 ? "" : "s")}");
        if (t.MissCount > 0) html.Append($" · <b>{t.MissCount} missed</b>");
        html.Append("</span>");
        html.Append("</li>");
    }
}
