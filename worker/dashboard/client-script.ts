// The dashboard's only script: JSON forms against /api/v1, copy buttons, confirmations. No build step.
export const CLIENT_SCRIPT = `
document.addEventListener('submit', async (ev) => {
  const form = ev.target;
  if (!(form instanceof HTMLFormElement) || !form.dataset.api) return;
  ev.preventDefault();
  if (form.dataset.confirm && !confirm(form.dataset.confirm)) return;
  const body = {};
  // A dotted name (settings.min_gap_seconds) builds a nested object.
  const put = (name, value) => {
    const path = name.split('.'); let o = body;
    for (const k of path.slice(0, -1)) o = o[k] = o[k] || {};
    o[path[path.length - 1]] = value;
  };
  for (const el of form.elements) {
    if (!el.name || el.disabled) continue;
    // data-list checkboxes with one name make an array of the checked values.
    if (el.type === 'checkbox' && el.dataset.list !== undefined) { const n = el.name; const prev = n.split('.').reduce((o, k) => (o ? o[k] : undefined), body); const list = Array.isArray(prev) ? prev : []; if (el.checked) list.push(el.value); put(n, list); continue; }
    if (el.type === 'checkbox') { put(el.name, el.checked); continue; }
    if (el.value === '' && el.dataset.optional !== undefined) continue;
    if (el.value === '' && el.dataset.null !== undefined) { put(el.name, null); continue; }
    // data-type="date": the end of that day in the browser's time zone, as epoch ms; "csv": a comma-separated list;
    // "minutes": a time of day (HH:MM) as minutes after midnight.
    const ty = el.dataset.type;
    if (ty === 'csv') { put(el.name, el.value.split(',').map((v) => v.trim()).filter(Boolean)); continue; }
    if (ty === 'minutes') { const [h, m] = el.value.split(':').map(Number); put(el.name, (h || 0) * 60 + (m || 0)); continue; }
    put(el.name, ty === 'number' ? Number(el.value) : ty === 'date' ? new Date(el.value + 'T23:59:59').getTime() : el.value);
  }
  const out = form.querySelector('[data-out]');
  const method = form.dataset.method || 'POST';
  try {
    const res = await fetch(form.dataset.api, {
      method,
      headers: method === 'DELETE' ? {} : { 'content-type': 'application/json' },
      body: method === 'DELETE' ? undefined : JSON.stringify(body),
      credentials: 'same-origin',
    });
    const data = await res.json().catch(() => ({}));
    if (!res.ok) { if (out) { out.className = 'out err'; out.textContent = data.message || res.statusText; } return; }
    const reveal = form.dataset.reveal && data[form.dataset.reveal];
    if (reveal && out) { out.className = 'out ok'; out.textContent = (form.dataset.revealLabel || '') + ' ' + reveal; return; }
    // A checkout answers with the provider's hosted page: go there (only an http(s) URL).
    const to = form.dataset.redirectTo && data[form.dataset.redirectTo];
    if (typeof to === 'string' && (to.startsWith('https://') || to.startsWith('http://'))) { location.href = to; return; }
    if (form.dataset.done !== undefined) { const b = form.querySelector('button'); if (out) { out.className = 'out ok'; out.textContent = form.dataset.done; } else if (b) { b.textContent = form.dataset.done; b.disabled = true; } return; }
    if (form.dataset.redirect) location.href = form.dataset.redirect;
    // With the live channel open the result arrives as an event: keep the page, clear the message box.
    else if (form.dataset.stay !== undefined && liveOn()) { const box = form.querySelector('[name=text]'); if (box) box.value = ''; if (out) out.textContent = ''; }
    else location.reload();
  } catch (e) { if (out) { out.className = 'out err'; out.textContent = String(e); } }
});
document.addEventListener('click', (ev) => {
  if (ev.target instanceof Element && ev.target.closest('[data-print]')) window.print();
});
document.addEventListener('click', async (ev) => {
  const btn = ev.target instanceof Element && ev.target.closest('[data-copy]');
  if (!btn) return;
  const text = document.getElementById(btn.dataset.copy)?.textContent || '';
  await navigator.clipboard.writeText(text.trim()).catch(() => {});
  const old = btn.textContent; btn.textContent = btn.dataset.copied || 'OK'; setTimeout(() => (btn.textContent = old), 1500);
});
// Live pieces refresh themselves while the page is open: device status by polling; the sandbox chat and the
// messages list ([data-live]) from the inbox's real-time channel, polled only while the channel is down.
let socket = null;
const liveOn = () => !!socket && socket.readyState === 1;
const refresh = async (onlyLive) => {
  const res = await fetch(location.href, { credentials: 'same-origin' }).catch(() => null);
  if (!res || !res.ok) return;
  const doc = new DOMParser().parseFromString(await res.text(), 'text/html');
  for (const el of document.querySelectorAll('[data-refresh]')) {
    if (onlyLive ? el.dataset.live === undefined : el.dataset.live !== undefined && liveOn()) continue;
    const fresh = doc.getElementById(el.id);
    if (fresh) el.innerHTML = fresh.innerHTML;
  }
};
const polled = document.querySelector('[data-refresh]');
if (polled) setInterval(() => { if (!document.hidden) refresh(false); }, Number(polled.dataset.refresh) || 3000);
let pending = null;
const refreshLiveSoon = () => { clearTimeout(pending); pending = setTimeout(() => refresh(true), 300); };
const onEvent = (e) => {
  if (e.type === 'message.status') {
    for (const pill of document.querySelectorAll('[data-msg="' + CSS.escape(e.message.id) + '"] [data-status]')) {
      pill.textContent = e.message.status; pill.className = 'pill ' + e.message.status;
      if (e.message.error) pill.title = e.message.error;
    }
    return;
  }
  if (e.type !== 'message.created') return;
  const m = e.message;
  for (const chat of document.querySelectorAll('[data-live="chat"]')) {
    if (chat.dataset.device !== m.device_key || chat.querySelector('[data-msg="' + CSS.escape(m.id) + '"]')) continue;
    chat.querySelector('[data-empty]')?.remove();
    const b = document.createElement('div'); b.className = 'bubble ' + m.direction; b.dataset.msg = m.id; b.textContent = m.text || '';
    const meta = document.createElement('small');
    const when = new Intl.DateTimeFormat(document.documentElement.lang === 'en' ? 'en-GB' : 'id-ID', { timeZone: chat.dataset.tz, dateStyle: 'medium', timeStyle: 'short' }).format(m.created_at);
    meta.textContent = m.chat_jid.split('@')[0] + ' · ' + when + ' · ';
    const pill = document.createElement('span'); pill.dataset.status = ''; pill.textContent = m.status; meta.append(pill);
    b.append(meta); chat.append(b); chat.scrollTop = chat.scrollHeight;
  }
  // The list has filters, paging and device names: a new row is rendered by the server.
  if (document.querySelector('[data-live="messages"]')) refreshLiveSoon();
};
if (document.querySelector('[data-live]')) {
  let delay = 1000;
  const connect = () => {
    const ws = new WebSocket((location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + '/api/v1/inbox/ws');
    socket = ws;
    ws.onopen = () => { delay = 1000; document.body.dataset.inbox = 'live'; refresh(true); };
    ws.onmessage = (ev) => { try { onEvent(JSON.parse(ev.data)); } catch { /* not an event */ } };
    ws.onclose = () => {
      document.body.dataset.inbox = 'polling';
      // Reconnect with backoff and jitter (1 s, 2 s, 4 s … 30 s), so a deploy does not get every tab at once.
      setTimeout(connect, delay * (1 + Math.random() / 2)); delay = Math.min(delay * 2, 30000);
    };
  };
  connect();
  setInterval(() => { if (liveOn()) socket.send('{"type":"ping"}'); }, 30000);
}
`;

export const STYLES = `
*{box-sizing:border-box}body{margin:0;font:15px/1.5 system-ui,sans-serif;color:#1b2330;background:#f5f7f6}
a{color:#0b7a55}.shell{display:flex;min-height:100vh}
nav.side{width:250px;background:#0f3d2e;color:#e6f2ec;padding:16px 0;flex-shrink:0}
nav.side a{display:block;color:#d5eadf;text-decoration:none;padding:7px 20px;font-size:14px}
nav.side a.on,nav.side a:hover{background:#1a5a44;color:#fff}
nav.side .brand{font-weight:800;font-size:22px;padding:4px 20px 16px;color:#fff}
main{flex:1;padding:24px 32px;max-width:1100px}
header.top{display:flex;justify-content:space-between;align-items:center;margin-bottom:16px;gap:12px}
.card{background:#fff;border:1px solid #e1e6e3;border-radius:10px;padding:18px 20px;margin-bottom:16px}
table{width:100%;border-collapse:collapse}th,td{text-align:left;padding:8px;border-bottom:1px solid #eef1ef;font-size:14px;vertical-align:top}
input,select,textarea{font:inherit;padding:7px 9px;border:1px solid #c9d2cd;border-radius:6px;min-width:220px}
button{font:inherit;padding:7px 14px;border-radius:6px;border:0;background:#128c5e;color:#fff;cursor:pointer}
button.ghost{background:#eef3f0;color:#1b2330}button.danger{background:#c43d3d}
label{display:block;margin:8px 0 4px;font-size:13px;color:#4a5650}
.row{display:flex;gap:12px;flex-wrap:wrap;align-items:flex-end}
.out{margin-top:8px;font-size:14px}.err{color:#b22}.ok{color:#0a6a45;word-break:break-all}
.banner{background:#fff4e5;border:1px solid #f3c98b;padding:10px 14px;border-radius:8px;margin-bottom:16px}
code.big{display:inline-block;background:#f0f4f2;padding:6px 10px;border-radius:6px;font-size:14px}
.auth{max-width:400px;margin:8vh auto}.auth input{width:100%}.muted{color:#6b7770;font-size:13px}
.pill{display:inline-block;padding:1px 8px;border-radius:10px;background:#eef3f0;font-size:12px}
.builder .cond{display:flex;gap:6px;margin:6px 0}.builder .cond input,.builder .cond select{min-width:0;flex:1}.builder .cond button{flex:0}
.cols{display:grid;grid-template-columns:1fr 1fr;gap:16px}.editor textarea{width:100%;font-family:ui-monospace,monospace;font-size:13px}
pre.preview{white-space:pre-wrap;background:#e7f8ee;border-radius:8px;padding:10px 12px;max-width:520px}
pre.msg{white-space:pre-wrap;margin:0;font:inherit}pre.payload{white-space:pre-wrap;word-break:break-all;max-height:300px;overflow:auto;font-size:12px;background:#f6f8f7;padding:8px}
.st-success{background:#dff5e8}.st-failed,.st-rejected{background:#fbe3e3}.st-duplicate{background:#eee}
.pill.failed{background:#fde8e8;color:#a32}.pill.delivered,.pill.read,.pill.connected{background:#e3f5ec;color:#0a6a45}
.chat{display:flex;flex-direction:column;gap:6px;max-height:420px;overflow:auto;padding:8px;background:#efeae2;border-radius:8px}
.bubble{max-width:70%;padding:6px 10px;border-radius:8px;background:#fff;font-size:14px;white-space:pre-wrap}
.bubble.out{align-self:flex-end;background:#d9fdd3}.inbox-cols{display:grid;grid-template-columns:minmax(220px,1fr) 2fr;gap:16px}
.conv-list{list-style:none;padding:0;max-height:70vh;overflow:auto}.conv-list li{border-bottom:1px solid #eef1ef}.conv-list li a{display:block;padding:8px 12px;text-decoration:none;color:inherit}
.conv-list li.on{background:#e3f5ec}.pill.unread{background:#128c5e;color:#fff}.thread textarea{flex:1;min-width:0;font-size:16px}.note{background:#fff8e1;padding:4px 8px;margin:4px 0;list-style:none}
@media (max-width:760px){.inbox-cols{grid-template-columns:1fr}nav.side{display:none}main{padding:12px}}.bubble small{display:block;color:#6b7770;font-size:11px}
.grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(200px,1fr));gap:8px 16px}.grid input,.grid select{min-width:0;width:100%}
.usage{margin:10px 0}.st-grace{background:#fff4e5}.st-expired{background:#fbe3e3}.st-active{background:#e3f5ec}
@media print{.noprint,nav.side,header.top,.banner{display:none}.card{border:0}}
`;
