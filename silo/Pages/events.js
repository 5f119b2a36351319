// The events page's only script: re-fetch the server-rendered live part every 2 s, keep times relative, show an
// event's Details panel, and carry out the action buttons (rendered for admin keys only) through the JSON API.
(() => {
  const region = document.getElementById('live-region');
  const live = document.getElementById('live');
  const liveText = document.getElementById('live-text');
  const notice = document.getElementById('notice');
  const noticeText = document.getElementById('notice-text');
  const drawer = document.getElementById('details');
  const drawerTitle = document.getElementById('details-title');
  const drawerBody = document.getElementById('details-body');
  const filter = document.getElementById('filter');
  const base = region.dataset.refresh;
  // The filter travels in the page's address (?q=), so a reload or a shared link shows the same events.
  const url = () => filter.value.trim() ? `${base}?q=${encodeURIComponent(filter.value.trim())}` : base;
  let lastUpdate = Date.now();
  let detailsFor = null;
  let noticeTimer = 0;

  const rel = (iso, future) => {
    const s = Math.round((Date.parse(iso) - Date.now()) / 1000);
    if (future && s <= 0) return 'due now';
    const a = Math.abs(s);
    const text = a < 1 ? 'now' : a < 60 ? `${a} s` : a < 600 ? `${Math.floor(a / 60)} min ${a % 60} s`
      : a < 3600 ? `${Math.floor(a / 60)} min` : a < 86400 ? `${Math.floor(a / 3600)} h ${Math.floor((a % 3600) / 60)} min`
      : `${Math.floor(a / 86400)} d ${Math.floor((a % 86400) / 3600)} h`;
    return a < 1 ? text : s > 0 ? `in ${text}` : `${text} ago`;
  };
  const tick = () => {
    for (const t of document.querySelectorAll('time[data-rel]')) {
      t.textContent = rel(t.getAttribute('datetime'), t.dataset.rel === 'future');
      t.title = new Date(t.getAttribute('datetime')).toLocaleString();
    }
    const age = Math.round((Date.now() - lastUpdate) / 1000);
    if (!live.classList.contains('offline')) liveText.textContent = age < 2 ? 'live' : `live · ${age} s ago`;
  };

  // Reads send the key's cookie (set by the key form); changes send the key itself in X-Api-Key, which the server
  // requires for them: another site can make a browser send the cookie, but cannot read it or set this header.
  const apiKey = () => {
    const entry = document.cookie.split('; ').find(c => c.startsWith('convo_api_key='));
    return entry ? decodeURIComponent(entry.slice('convo_api_key='.length)) : '';
  };
  const problemText = async response => {
    const text = await response.text();
    try {
      const p = JSON.parse(text);
      return `${p.kind || p.title || `HTTP ${response.status}`}: ${p.detail || p.title || text}`;
    } catch {
      return `HTTP ${response.status}${text ? `: ${text.slice(0, 300)}` : ''}`;
    }
  };
  const show = (text, ok) => {
    clearTimeout(noticeTimer);
    noticeText.textContent = text;
    notice.className = `notice ${ok ? 'ok' : 'error'}`;
    notice.hidden = false;
    // Refusals stay until dismissed or the next action; confirmations fade after a while.
    if (ok) noticeTimer = setTimeout(() => { notice.hidden = true; }, 8000);
  };
  document.getElementById('notice-close').addEventListener('click', () => { notice.hidden = true; });

  const refresh = async () => {
    try {
      const asked = url();
      const response = await fetch(asked, { credentials: 'same-origin', cache: 'no-store' });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      if (asked !== url()) return; // the filter changed meanwhile: its own refresh brings its events
      region.innerHTML = await response.text();
      lastUpdate = Date.now();
      live.classList.remove('offline');
    } catch (e) {
      live.classList.add('offline');
      liveText.textContent = `offline (${e.message})`;
    }
    tick();
  };
  const refreshDetails = async () => {
    const id = detailsFor;
    if (id === null) return;
    try {
      const response = await fetch(`ui/events/${encodeURIComponent(id)}/details`, { credentials: 'same-origin', cache: 'no-store' });
      if (detailsFor !== id) return; // another event's panel was opened meanwhile
      if (!response.ok) {
        drawerBody.innerHTML = '';
        const p = document.createElement('div');
        p.className = 'problem';
        p.textContent = await problemText(response);
        drawerBody.append(p);
        return;
      }
      drawerBody.innerHTML = await response.text();
    } catch (e) {
      if (detailsFor === id) drawerTitle.textContent = `Details (offline: ${e.message})`;
    }
    tick();
  };
  const openDetails = id => {
    detailsFor = id;
    drawerTitle.textContent = 'Details';
    drawerBody.innerHTML = '<p class="muted">Loading…</p>';
    drawer.hidden = false;
    document.body.classList.add('with-details');
    history.replaceState(null, '', `#details=${encodeURIComponent(id)}`);
    refreshDetails();
  };
  const closeDetails = () => {
    detailsFor = null;
    drawer.hidden = true;
    document.body.classList.remove('with-details');
    history.replaceState(null, '', location.pathname + location.search);
  };
  document.getElementById('details-close').addEventListener('click', closeDetails);
  document.addEventListener('keydown', e => { if (e.key === 'Escape' && !drawer.hidden) closeDetails(); });

  // Each action: the API route it calls, its body, and what the page says when it worked.
  const path = (b, rest) => `api/events/${encodeURIComponent(b.dataset.event)}${rest}`;
  const jobPath = b => `/jobs/${encodeURIComponent(b.dataset.job)}/cancel`;
  const ids = b => JSON.stringify({ jobIds: [b.dataset.job] });
  const actions = {
    run: { route: b => path(b, '/emit'), done: (b, r) => `Run now: job ${r.jobId} queued for ${b.dataset.event}` },
    test: {
      route: b => path(b, '/test-run'),
      busy: 'Running…',
      done: (b, o) => `Test run of ${b.dataset.event}: ${o.status}${o.error ? ` (${o.error.kind}: ${o.error.message})` : ''}` +
        `${o.resultPreview ? ` · ${o.resultPreview}` : ''}`,
      ok: o => o.status === 'OK',
    },
    pause: { route: b => path(b, '/pause'), done: b => `Paused ${b.dataset.event}: emits are refused, triggers record SKIPPED` },
    resume: { route: b => path(b, '/resume'), done: b => `Resumed ${b.dataset.event}` },
    cancel: { route: b => path(b, jobPath(b)), done: b => `Cancelled job ${b.dataset.job} of ${b.dataset.event}` },
    'cancel-waiting': { route: b => path(b, '/jobs/cancel-waiting'), done: (b, r) => `Cancelled ${r.cancelled} waiting job(s) of ${b.dataset.event}` },
    requeue: { route: b => path(b, '/failed/requeue'), body: ids, done: (b, r) => `Requeued ${r.requeued} failed job(s) of ${b.dataset.event}` },
    discard: { route: b => path(b, '/failed/discard'), body: ids, done: (b, r) => `Discarded ${r.discarded} failed job(s) of ${b.dataset.event}` },
    'requeue-all': { route: b => path(b, '/failed/requeue'), done: (b, r) => `Requeued ${r.requeued} failed job(s) of ${b.dataset.event}` },
    'discard-all': { route: b => path(b, '/failed/discard'), done: (b, r) => `Discarded ${r.discarded} failed job(s) of ${b.dataset.event}` },
  };
  const act = async button => {
    const action = actions[button.dataset.act];
    if (!action || button.disabled) return;
    if (button.dataset.confirm && !window.confirm(button.dataset.confirm)) return;
    const label = button.textContent;
    button.disabled = true;
    if (action.busy) button.textContent = action.busy;
    try {
      const headers = {};
      const key = apiKey();
      if (key) headers['X-Api-Key'] = key;
      const body = action.body ? action.body(button) : undefined;
      if (body) headers['Content-Type'] = 'application/json';
      const response = await fetch(action.route(button), { method: 'POST', headers, body, credentials: 'same-origin', cache: 'no-store' });
      if (!response.ok) {
        show(await problemText(response), false);
      } else {
        const text = await response.text();
        const answer = text ? JSON.parse(text) : {};
        show(action.done(button, answer), action.ok ? action.ok(answer) : true);
      }
    } catch (e) {
      show(`${button.dataset.act} failed: ${e.message}`, false);
    } finally {
      button.disabled = false;
      button.textContent = label;
    }
    await Promise.all([refresh(), refreshDetails()]);
  };
  // Delegated: the live part and the panel are replaced on every refresh, their buttons with them.
  document.addEventListener('click', e => {
    const button = e.target.closest('button[data-act], button[data-details]');
    if (!button) return;
    if (button.dataset.details !== undefined) openDetails(button.dataset.details);
    else act(button);
  });

  let typing = 0;
  filter.addEventListener('input', () => {
    clearTimeout(typing);
    typing = setTimeout(() => {
      const q = filter.value.trim();
      history.replaceState(null, '', `${location.pathname}${q ? `?q=${encodeURIComponent(q)}` : ''}${location.hash}`);
      refresh();
    }, 250);
  });

  // The panel opens below the (sticky) header, whose height depends on the window's width.
  const header = document.querySelector('.top');
  const fitPanel = () => document.documentElement.style.setProperty('--head-height', `${header.offsetHeight}px`);
  window.addEventListener('resize', fitPanel);
  fitPanel();

  const opened = /^#details=(.+)$/.exec(location.hash);
  if (opened) openDetails(decodeURIComponent(opened[1]));
  tick();
  setInterval(tick, 1000);
  setInterval(() => { refresh(); refreshDetails(); }, 2000);
})();
