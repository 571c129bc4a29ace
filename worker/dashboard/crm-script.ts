// /app/static/crm.js: the contacts list's selection and bulk actions, adding a label on the contact page,
// and the import wizard (preview with the mapping guessed by the server, then the import with a progress
// bar polled from /api/v1/contacts/imports/{id}). Plain DOM, no build step; text goes in via textContent.
export const CRM_SCRIPT = `
const $ = (s, r = document) => r.querySelector(s);
const out = (el, msg, ok) => { if (el) { el.className = 'out ' + (ok ? 'ok' : 'err'); el.textContent = msg; } };
const api = async (url, opts = {}) => {
  const res = await fetch(url, { credentials: 'same-origin', ...opts });
  const data = await res.json().catch(() => ({}));
  if (!res.ok) throw new Error(data.message || res.statusText);
  return data;
};

// Contacts list: select rows, then act on them.
const bulk = $('[data-bulk]');
if (bulk) {
  $('[data-select-all]')?.addEventListener('change', (ev) => {
    for (const box of document.querySelectorAll('[data-contact]')) box.checked = ev.target.checked;
  });
  bulk.addEventListener('click', async (ev) => {
    const btn = ev.target instanceof Element && ev.target.closest('[data-bulk-action]');
    if (!btn) return;
    const ids = [...document.querySelectorAll('[data-contact]:checked')].map((b) => b.dataset.contact);
    if (ids.length === 0) return;
    if (btn.dataset.confirm && !confirm(btn.dataset.confirm)) return;
    const action = btn.dataset.bulkAction;
    const label = bulk.elements.label_id?.value;
    const body = { ids };
    if (action === 'add_label') body.add_label_ids = label ? [label] : [];
    else if (action === 'remove_label') body.remove_label_ids = label ? [label] : [];
    else body.action = action;
    try {
      await api(bulk.dataset.bulk, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      location.reload();
    } catch (e) { out($('[data-out]', bulk), e.message); }
  });
}

// Contact page: add one label.
const addLabel = $('[data-label-add]');
addLabel?.addEventListener('submit', async (ev) => {
  ev.preventDefault();
  const id = addLabel.elements.label_ids.value;
  if (!id) return;
  try {
    await api(addLabel.dataset.labelAdd, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ label_ids: [id] }) });
    location.reload();
  } catch (e) { out($('[data-out]', addLabel), e.message); }
});

// Import wizard.
const wiz = $('#import-wizard');
if (wiz) {
  const targets = JSON.parse(wiz.dataset.targets);
  const file = $('#import-file');
  const status = $('#import-out');
  let mapping = {};
  const query = (dry) => {
    const p = new URLSearchParams();
    if (dry) p.set('dry_run', 'true');
    if ($('#import-create-fields').checked) p.set('create_fields', 'true');
    const labels = [...$('#import-labels').selectedOptions].map((o) => o.value);
    if (labels.length) p.set('label_ids', labels.join(','));
    if (Object.keys(mapping).length) p.set('mapping', JSON.stringify(mapping));
    if (file.files[0]) p.set('file_name', file.files[0].name);
    return '/api/v1/contacts/import?' + p;
  };
  const send = (dry) => api(query(dry), { method: 'POST', headers: { 'content-type': 'text/csv' }, body: file.files[0] });
  const cell = (tr, text) => { const td = document.createElement('td'); td.textContent = text; tr.append(td); return td; };
  const fillErrors = (tbody, rows) => {
    tbody.replaceChildren();
    for (const r of rows) { const tr = document.createElement('tr'); cell(tr, String(r.row)); cell(tr, r.reason); tbody.append(tr); }
  };
  const preview = async () => {
    if (!file.files[0]) return;
    try {
      const p = await send(true);
      const box = $('#import-mapping');
      box.hidden = false;
      const body = $('tbody', box);
      body.replaceChildren();
      for (const col of p.columns) {
        const tr = document.createElement('tr');
        cell(tr, col.header);
        const sel = document.createElement('select');
        const opts = [...targets];
        if (col.target.startsWith('custom:')) opts.unshift([col.target, col.target.slice(7) + (col.new_field ? ' (' + wiz.dataset.newField + ')' : '')]);
        for (const [v, label] of opts) { const o = document.createElement('option'); o.value = v; o.textContent = label; o.selected = v === col.target; sel.append(o); }
        sel.addEventListener('change', () => { mapping[col.header] = sel.value; preview(); });
        const td = document.createElement('td'); td.append(sel); tr.append(td);
        cell(tr, col.samples.join(' · '));
        body.append(tr);
      }
      // Every row of the file was checked: the counts, then the row errors (the first 1000) with their numbers.
      const sum = $('#import-summary');
      const names = JSON.parse(sum.dataset.problems);
      $('[data-k=total_rows]', sum).textContent = String(p.total_rows);
      $('[data-k=ok_rows]', sum).textContent = String(p.ok_rows);
      $('[data-k=problems]', sum).textContent = [p.file_error, ...Object.entries(p.problems).filter(([, n]) => n > 0).map(([k, n]) => names[k] + ': ' + n)].filter(Boolean).join(' · ');
      fillErrors($('#import-preview-errors tbody'), p.errors);
      $('#import-start').disabled = false;
      out(status, '', true);
    } catch (e) { out(status, e.message); }
  };
  $('#import-preview').addEventListener('click', () => { mapping = {}; preview(); });
  $('#import-start').addEventListener('click', async () => {
    $('#import-start').disabled = true;
    try {
      const started = await send(false);
      const box = $('#import-progress');
      box.hidden = false;
      const poll = async () => {
        const s = await api('/api/v1/contacts/imports/' + started.id);
        $('progress', box).value = Math.round(s.progress * 100);
        for (const k of ['created', 'merged', 'failed']) $('[data-k=' + k + ']', box).textContent = String(s[k]);
        fillErrors($('#import-errors tbody'), s.errors);
        $('#import-status').textContent = s.status === 'done' ? wiz.dataset.done : s.status === 'failed' ? s.error : s.status + ' · ' + s.rows_done;
        if (s.status !== 'done' && s.status !== 'failed') setTimeout(poll, 700);
        else box.dataset.finished = s.status;
      };
      poll();
    } catch (e) { out(status, e.message); $('#import-start').disabled = false; }
  });
}
`;
