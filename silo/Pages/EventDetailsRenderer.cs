using System.Text;
using static Orleans.ConvoOrchestrator.Silo.Pages.PageText;

namespace Orleans.ConvoOrchestrator.Silo.Pages;

/// <summary>
/// Server-rendered HTML of an event's Details panel (fetched by the page's script while the panel is open): jobs in
/// flight with Cancel, the last runs with their errors, and the failed list with Requeue and Discard. The buttons, the
/// only elements with <c>data-act</c>, are rendered for <c>canAct</c> only.
/// </summary>
public static class EventDetailsRenderer
{
    // Errors and payloads are cut: fifty failed jobs with large payloads must not make a large panel.
    private const int TextShown = 300;

    /// <summary>The panel's body.</summary>
    public static string Render(EventDetails details, bool canAct)
    {
        var html = new StringBuilder();
        var d = details.Definition;
        var id = H(d.Id.Value);
        html.Append($"""<div class="d-head" data-details-for="{id}"><div><div class="d-name">{H(d.Name)}</div><div class="id">{id}</div></div>""");
        html.Append($"""<span class="pill {(d.Active ? "on" : "off")}" data-role="d-active">{(d.Active ? "active" : "paused")}</span></div>""");
        foreach (var problem in details.Problems)
            html.Append($"""<div class="problem">{H(problem)}</div>""");
        InFlight(html, details, id, canAct);
        Runs(html, details);
        Failed(html, details, id, canAct);
        return html.ToString();
    }

    private static void InFlight(StringBuilder html, EventDetails details, string id, bool canAct)
    {
        var (running, queued) = (details.Status?.Running ?? 0, details.Status?.QueueDepth ?? 0);
        html.Append($"""<section class="d-section" data-role="in-flight"><div class="d-title"><h3>In flight</h3><span class="muted">{running} running · {queued} queued</span>""");
        if (canAct && queued > 0)
            html.Append($"""<button type="button" class="btn danger" data-act="cancel-waiting" data-event="{id}" data-confirm="Cancel all {queued} waiting job(s) of {id}?">Cancel all waiting</button>""");
        html.Append("</div>");
        if (details.Jobs.Count == 0)
        {
            html.Append("""<p class="muted">No job queued or running.</p></section>""");
            return;
        }
        html.Append("""<table class="jobs"><thead><tr><th class="w-job">Job</th><th class="w-state">State</th><th>Enqueued</th><th>Started</th><th class="w-n" title="delivery: how often it was handed to a handler">Deliv.</th><th class="w-n" title="the attempt under way">Att.</th><th class="w-act1"></th></tr></thead><tbody>""");
        foreach (var j in details.Jobs)
        {
            var state = j.State.ToString().ToLowerInvariant();
            html.Append($"""<tr data-job-id="{H(j.JobId)}" data-state="{state}"><td title="{H(j.JobId)}"><code>{H(j.JobId)}</code></td><td><span class="badge {state}">{state}</span></td>""");
            html.Append($"""<td>{When(j.EnqueuedAt, "")}</td><td>{When(j.StartedAt, j.State == InFlightJobState.Queued ? "waiting" : "–")}</td>""");
            html.Append($"""<td class="num">{j.Delivery}</td><td class="num">{(j.Attempt is { } a ? a.ToString(System.Globalization.CultureInfo.InvariantCulture) : "–")}</td><td class="row-actions">""");
            // A job being cancelled cannot be cancelled again (the API answers CONFLICT): no button for it.
            if (canAct && j.State != InFlightJobState.Cancelling)
                html.Append($"""<button type="button" class="btn small danger" data-act="cancel" data-event="{id}" data-job="{H(j.JobId)}">Cancel</button>""");
            html.Append("</td></tr>");
        }
        html.Append("</tbody></table>");
        var total = running + queued;
        if (total > details.Jobs.Count)
            html.Append($"""<p class="more">Showing the first {details.Jobs.Count} of {total} jobs in flight.</p>""");
        html.Append("</section>");
    }

    private static void Runs(StringBuilder html, EventDetails details)
    {
        html.Append($"""<section class="d-section" data-role="runs"><div class="d-title"><h3>Last {EventDetails.RunsShown} runs</h3><span class="muted">newest first</span></div>""");
        if (details.Runs.Count == 0)
        {
            html.Append("""<p class="muted">Nothing ran yet.</p></section>""");
            return;
        }
        html.Append("""<table class="jobs"><thead><tr><th class="w-job">Job</th><th class="w-state">Status</th><th class="w-time">Finished</th><th class="w-time">Took</th><th class="w-n" title="attempts">Att.</th><th>Error or result</th></tr></thead><tbody>""");
        foreach (var r in details.Runs)
        {
            var o = r.Outcome;
            var status = o.Status.ToString();
            var text = Cut(o.Error is { } e ? $"{e.Kind}: {e.Message}" : o.ResultPreview ?? "", TextShown);
            var delivery = o.Delivery > 1 ? $" · delivery {o.Delivery}" : "";
            html.Append($"""<tr data-job-id="{H(r.JobId)}" data-status="{status}"><td title="{H(r.JobId + delivery)}"><code>{H(r.JobId)}</code><span class="muted">{delivery}</span></td>""");
            html.Append($"""<td><span class="badge {status.ToLowerInvariant()}">{status}</span></td><td>{When(o.FinishedAt, "")}</td>""");
            html.Append($"""<td class="num">{Seconds(o.Duration.TotalSeconds)}</td><td class="num">{o.Retries + 1}</td>""");
            html.Append($"""<td class="text {(o.Error is null ? "" : "error")}" title="{H(text)}">{H(text)}</td></tr>""");
        }
        html.Append("</tbody></table></section>");
    }

    private static void Failed(StringBuilder html, EventDetails details, string id, bool canAct)
    {
        var count = details.MoreFailed ? $"more than {details.Failed.Count}" : details.Failed.Count.ToString(System.Globalization.CultureInfo.InvariantCulture);
        html.Append($"""<section class="d-section" data-role="failed"><div class="d-title"><h3>Failed</h3><span class="muted" data-role="failed-count">{count}</span>""");
        if (canAct && details.Failed.Count > 0)
        {
            html.Append($"""<button type="button" class="btn" data-act="requeue-all" data-event="{id}" data-confirm="Run every failed job of {id} again?">Requeue all</button>""");
            html.Append($"""<button type="button" class="btn danger" data-act="discard-all" data-event="{id}" data-confirm="Drop every failed job of {id}? Their payloads are lost.">Discard all</button>""");
        }
        html.Append("</div>");
        if (details.Failed.Count == 0)
        {
            html.Append("""<p class="muted">No failed job: none ran out of retries, or all were requeued or discarded.</p></section>""");
            return;
        }
        html.Append("""<table class="jobs"><thead><tr><th class="w-job">Job</th><th class="w-time">Failed</th><th class="w-n" title="attempts">Att.</th><th class="w-n" title="delivery">Deliv.</th><th>Error · payload</th><th class="w-act2"></th></tr></thead><tbody>""");
        foreach (var f in details.Failed)
        {
            var error = Cut(f.Outcome.Error is { } e ? $"{e.Kind}: {e.Message}" : "", TextShown);
            var payload = Cut(f.PayloadJson, TextShown);
            html.Append($"""<tr data-job-id="{H(f.JobId)}"><td title="{H(f.JobId)}"><code>{H(f.JobId)}</code></td><td>{When(f.Outcome.FinishedAt, "")}</td>""");
            html.Append($"""<td class="num">{f.Attempts}</td><td class="num">{f.Outcome.Delivery}</td><td class="text"><div class="error" title="{H(error)}">{H(error)}</div>""");
            html.Append($"""<div class="payload" title="{H(payload)}">{H(payload)}</div></td><td class="row-actions">""");
            if (canAct)
            {
                html.Append($"""<button type="button" class="btn small" data-act="requeue" data-event="{id}" data-job="{H(f.JobId)}">Requeue</button>""");
                html.Append($"""<button type="button" class="btn small danger" data-act="discard" data-event="{id}" data-job="{H(f.JobId)}" data-confirm="Drop failed job {H(f.JobId)}? Its payload is lost.">Discard</button>""");
            }
            html.Append("</td></tr>");
        }
        html.Append("</tbody></table>");
        if (details.MoreFailed)
            html.Append($"""<p class="more">Showing the newest {details.Failed.Count}; the API (<code>GET api/events/{id}/failed?limit=1000</code>) lists more.</p>""");
        html.Append("</section>");
    }
}
