// The events page's only script: re-fetch the server-rendered live part every 2 s and keep times relative.
(() => {
  const region = document.getElementById('live-region');
  const live = document.getElementById('live');
  const liveText = document.getElementById('live-text');
  const url = region.dataset.refresh;
  let lastUpdate = Date.now();

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
    for (const t of region.querySelectorAll('time[data-rel]')) {
      t.textContent = rel(t.getAttribute('datetime'), t.dataset.rel === 'future');
      t.title = new Date(t.getAttribute('datetime')).toLocaleString();
    }
    const age = Math.round((Date.now() - lastUpdate) / 1000);
    if (!live.classList.contains('offline')) liveText.textContent = age < 2 ? 'live' : `live · ${age} s ago`;
  };
  const refresh = async () => {
    try {
      const response = await fetch(url, { credentials: 'same-origin', cache: 'no-store' });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      region.innerHTML = await response.text();
      lastUpdate = Date.now();
      live.classList.remove('offline');
    } catch (e) {
      live.classList.add('offline');
      liveText.textContent = `offline (${e.message})`;
    }
    tick();
  };
  tick();
  setInterval(tick, 1000);
  setInterval(refresh, 2000);
})();
