// The rule editor's own script (inline on that page only): live preview and trace through
// POST /api/v1/webhook-rules/test, and save through the rules API. No build step.
export const RULE_EDITOR_SCRIPT = `
(() => {
  const form = document.getElementById('rule-form');
  if (!form) return;
  const cfg = JSON.parse(document.getElementById('rule-editor-data').textContent);
  const $ = (n) => form.elements.namedItem(n);
  const out = document.getElementById('rule-preview');
  const err = document.getElementById('rule-error');
  // Fields the user has not edited follow the chosen source (its sample, example conditions and template).
  const touched = new Set(cfg.ruleId ? ['sample', 'conditions', 'template'] : []);
  for (const n of ['sample', 'conditions', 'template']) $(n).addEventListener('input', () => touched.add(n));
  $('source').addEventListener('change', () => {
    const src = $('source').value;
    if (!touched.has('sample')) $('sample').value = JSON.stringify(cfg.samples[src] || {}, null, 2);
    if (!touched.has('conditions')) { $('conditions').value = cfg.examples[src].conditions; fromJson(); }
    if (!touched.has('sample')) refreshFields();
    if (!touched.has('template')) $('template').value = cfg.examples[src].template;
    if (Object.values(cfg.phones).includes($('phone_field').value) && cfg.phones[src]) $('phone_field').value = cfg.phones[src];
    schedule();
  });
  const parse = (name) => { try { return JSON.parse($(name).value); } catch { return undefined; } };
  const rule = () => ({
    name: $('name').value, source: $('source').value, conditions: parse('conditions'), template: $('template').value,
    phone_field: $('phone_field').value, device_key: $('device_key').value, active: $('active').checked, priority: Number($('priority').value || 100),
  });
  const text = (tag, s, cls) => { const el = document.createElement(tag); el.textContent = s; if (cls) el.className = cls; return el; };
  const show = (v) => v === null || v === undefined ? '—' : typeof v === 'string' ? v : JSON.stringify(v);
  async function preview() {
    err.textContent = '';
    const r = rule(); const payload = parse('sample');
    if (r.conditions === undefined) { err.textContent = cfg.t.bad_json + ' (' + cfg.t.conditions + ')'; return; }
    if (payload === undefined || typeof payload !== 'object') { err.textContent = cfg.t.bad_json + ' (' + cfg.t.sample + ')'; return; }
    const res = await fetch('/api/v1/webhook-rules/test', { method: 'POST', credentials: 'same-origin', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ rule: { source: r.source, conditions: r.conditions, template: r.template, phone_field: r.phone_field }, payload }) });
    const data = await res.json().catch(() => ({}));
    out.replaceChildren();
    if (!res.ok) { err.textContent = data.message || res.statusText; return; }
    out.append(text('p', data.matched ? cfg.t.matched : cfg.t.not_matched, data.matched ? 'ok' : 'err'));
    out.append(text('label', cfg.t.preview), text('pre', data.message || '', 'preview'));
    out.append(text('p', cfg.t.phone + ': ' + (data.phone || data.phone_error), data.phone ? '' : 'err'));
    const notes = [].concat(data.missing.map((m) => '{{' + m + '}} ∅'), data.notes, data.warnings);
    if (notes.length) out.append(text('p', cfg.t.warnings + ': ' + notes.join(' · '), 'muted'));
    const table = document.createElement('table');
    const head = document.createElement('tr');
    for (const h of cfg.t.cols) head.append(text('th', h));
    table.append(head);
    for (const e of data.trace) {
      const tr = document.createElement('tr');
      tr.append(text('td', '· '.repeat(e.depth) + (e.group || '') + ' ' + e.field), text('td', show(e.actual)), text('td', e.operator), text('td', show(e.expected)), text('td', e.result ? '✓' : '✗', e.result ? 'ok' : 'err'));
      table.append(tr);
    }
    out.append(text('label', cfg.t.trace), table);
  }
  // The conditions builder: a flat AND/OR group as rows, kept in sync with the JSON (which stays the truth).
  const rowsEl = document.getElementById('cond-rows');
  const opEl = document.getElementById('cond-op');
  const noValue = (op) => op === 'exists' || op === 'not_exists';
  function fieldsOf(v, prefix, out, depth) {
    if (depth > 6 || v === null || typeof v !== 'object') return;
    const keys = Array.isArray(v) ? v.slice(0, 3).map((_, i) => String(i)) : Object.keys(v);
    for (const k of keys) { const p = prefix ? prefix + '.' + k : k; out.push(p); fieldsOf(v[k], p, out, depth + 1); }
  }
  function refreshFields() {
    const out = []; fieldsOf(parse('sample'), '', out, 0);
    document.getElementById('cond-fields').replaceChildren(...out.map((f) => { const o = document.createElement('option'); o.value = f; return o; }));
  }
  function row(c) {
    const div = document.createElement('div'); div.className = 'cond';
    const field = document.createElement('input'); field.placeholder = cfg.t.field; field.value = c.field || ''; field.setAttribute('list', 'cond-fields');
    const op = document.createElement('select');
    for (const o of cfg.operators) { const opt = document.createElement('option'); opt.value = o; opt.textContent = o; op.append(opt); }
    op.value = c.operator || 'equals';
    const value = document.createElement('input'); value.placeholder = cfg.t.value;
    value.value = c.value === undefined || c.value === null ? '' : Array.isArray(c.value) ? c.value.join(', ') : String(c.value);
    value.hidden = noValue(op.value);
    const del = document.createElement('button'); del.type = 'button'; del.className = 'ghost'; del.textContent = '✕'; del.title = cfg.t.remove;
    del.addEventListener('click', () => { div.remove(); toJson(); });
    op.addEventListener('change', () => { value.hidden = noValue(op.value); });
    div.append(field, op, value, del);
    return div;
  }
  function toJson() {
    const rules = [...rowsEl.children].map((div) => {
      const [field, op, value] = div.querySelectorAll('input, select');
      const c = { field: field.value.trim(), operator: op.value };
      const v = value.value.trim();
      if (noValue(op.value)) return c;
      if (op.value === 'in') c.value = v.split(',').map((x) => x.trim()).filter(Boolean);
      else if ((op.value === 'greater_than' || op.value === 'less_than') && v !== '' && !isNaN(Number(v))) c.value = Number(v);
      else c.value = v;
      return c;
    });
    $('conditions').value = JSON.stringify({ operator: opEl.value, rules }, null, 2);
    touched.add('conditions');
    schedule();
  }
  function fromJson() {
    const g = parse('conditions');
    const flat = g && typeof g === 'object' && Array.isArray(g.rules) && g.rules.every((r) => r && typeof r === 'object' && !('rules' in r));
    document.getElementById('cond-builder').querySelectorAll('input, select, button').forEach((el) => { el.disabled = !flat; });
    document.getElementById('cond-builder').title = flat ? '' : cfg.t.nested;
    if (!flat) return;
    opEl.value = g.operator === 'OR' ? 'OR' : 'AND';
    rowsEl.replaceChildren(...g.rules.map(row));
  }
  rowsEl.addEventListener('input', (ev) => { ev.stopPropagation(); toJson(); });
  rowsEl.addEventListener('change', (ev) => { ev.stopPropagation(); toJson(); });
  opEl.addEventListener('change', (ev) => { ev.stopPropagation(); toJson(); });
  document.getElementById('cond-add').addEventListener('click', () => { rowsEl.append(row({})); toJson(); });
  $('conditions').addEventListener('input', fromJson);
  $('sample').addEventListener('input', refreshFields);
  fromJson(); refreshFields();

  let timer;
  function schedule() { clearTimeout(timer); timer = setTimeout(() => preview().catch((e) => { err.textContent = String(e); }), 300); }
  form.addEventListener('input', schedule);
  document.getElementById('rule-test').addEventListener('click', () => preview().catch((e) => { err.textContent = String(e); }));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const r = rule();
    if (r.conditions === undefined) { err.textContent = cfg.t.bad_json + ' (' + cfg.t.conditions + ')'; return; }
    const res = await fetch(cfg.ruleId ? '/api/v1/webhook-rules/' + cfg.ruleId : '/api/v1/webhook-rules', {
      method: cfg.ruleId ? 'PATCH' : 'POST', credentials: 'same-origin', headers: { 'content-type': 'application/json' }, body: JSON.stringify(r) });
    const data = await res.json().catch(() => ({}));
    if (!res.ok) { err.textContent = data.message || res.statusText; return; }
    location.href = '/app/webhook-rules';
  });
  schedule();
})();
`;
