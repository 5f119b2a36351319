using System.Globalization;
using System.Net;
using System.Text;
using Orleans.ConvoOrchestrator.Silo.Http;

namespace Orleans.ConvoOrchestrator.Silo.Pages;

/// <summary>
/// Server-rendered HTML of the events page: the page shell and the live part (summary tiles and one card per
/// event) that the page's script re-fetches every 2 s. One renderer, so the first paint and every refresh agree.
/// </summary>
public static class EventsPageRenderer
{
    /// <summary>The whole page, with the live part filled in.</summary>
    public static string Page(EventsOverview overview, string clusterName) => $$"""
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
              <span class="live" id="live" title="refreshes every 2 s"><span class="dot"></span><span id="live-text">live</span></span>
              <a href="dashboard/">Orleans dashboard</a>
              <a href="api/overview">JSON</a>
              <a href="metrics">Prometheus</a>
            </nav>
          </header>
          <main id="live-region" data-refresh="ui/events">
        {{Live(overview)}}
          </main>
          <script src="assets/events.js"></script>
        </body>
        </html>
        """;

    /// <summary>The live part: summary tiles and event cards.</summary>
    public static string Live(EventsOverview overview)
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
        foreach (var e in events) Card(html, e);
        html.Append("</section>");
        if (overview.TotalEvents > events.Count)
            html.Append($"""<p class="more">Showing the first {events.Count} of {overview.TotalEvents} events (by id).</p>""");
        return html.ToString();
    }

    private static void Tile(StringBuilder html, string label, string value, string note, string tone) =>
        html.Append($"""<div class="tile {tone}"><div class="label">{H(label)}</div><div class="value">{H(value)}</div><div class="note">{H(note)}</div></div>""");

    private static void Card(StringBuilder html, EventOverview e)
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

    // The script turns these into "in 4 s" / "3 s ago" and keeps them current; the text is the no-script fallback.
    // A future instant (next run) that has just passed reads "due" until the next refresh brings the one after.
    private static string When(DateTimeOffset? at, string none, bool future = false) => at is { } t
        ? $"""<time datetime="{Iso(t)}" data-rel="{(future ? "future" : "")}">{t.UtcDateTime:HH:mm:ss} UTC</time>"""
        : $"""<span class="muted">{H(none)}</span>""";

    private static string Iso(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture);

    private static string Span(TimeSpan? span) => span switch
    {
        null => "?",
        { TotalDays: >= 1 } s when s.TotalDays == Math.Floor(s.TotalDays) => $"{s.TotalDays:0} d",
        { TotalHours: >= 1 } s when s.TotalHours == Math.Floor(s.TotalHours) => $"{s.TotalHours:0} h",
        { TotalMinutes: >= 1 } s when s.TotalMinutes == Math.Floor(s.TotalMinutes) => $"{s.TotalMinutes:0} min",
        { } s => $"{s.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture)} s",
    };

    private static string Seconds(double s) => s switch
    {
        < 1 => $"{(s * 1000).ToString("0", CultureInfo.InvariantCulture)} ms",
        < 60 => $"{s.ToString("0.0#", CultureInfo.InvariantCulture)} s",
        _ => $"{(s / 60).ToString("0.0", CultureInfo.InvariantCulture)} min",
    };

    private static string H(string? text) => WebUtility.HtmlEncode(text ?? "");
}
