// The contacts pages' script: the list's selection and bulk actions, adding a label on the contact page, and the
// import wizard (preview with the mapping guessed by the server, then the import with a progress bar polled
// from /api/v1/contacts/imports/{id}). Text goes in via textContent.
import { apiJson, errorText, sendJson } from "./api";

const $ = <E extends Element = HTMLElement>(s: string, r: ParentNode = document): E | null => r.querySelector<E>(s);

function out(el: Element | null, msg: string, ok = false): void {
  if (!el) return;
  el.className = "out " + (ok ? "ok" : "err");
  el.textContent = msg;
}

const postJson = (url: string, body: unknown) => sendJson(url, "POST", body);

// Contacts list: select rows, then act on them.
const bulk = $<HTMLFormElement>("[data-bulk]");
if (bulk) {
  $<HTMLInputElement>("[data-select-all]")?.addEventListener("change", (ev) => {
    const on = ev.target instanceof HTMLInputElement && ev.target.checked;
    for (const box of document.querySelectorAll<HTMLInputElement>("[data-contact]")) box.checked = on;
  });
  bulk.addEventListener("click", async (ev) => {
    const btn = ev.target instanceof Element ? ev.target.closest<HTMLElement>("[data-bulk-action]") : null;
    if (!btn) return;
    // "Every contact matching the filter" (not only the rows on this page): the list's filter, in rounds of at
    // most 1,000 contacts, each answered with a cursor to go on; the count shows while it runs.
    const all = $<HTMLInputElement>("[data-bulk-all]", bulk)?.checked === true;
    const ids = [...document.querySelectorAll<HTMLInputElement>("[data-contact]:checked")].map((b) => b.dataset.contact ?? "");
    if (!all && ids.length === 0) return;
    if (btn.dataset.confirm && !confirm(btn.dataset.confirm)) return;
    const action = btn.dataset.bulkAction;
    const labelField = bulk.elements.namedItem("label_id");
    const label = labelField instanceof HTMLSelectElement || labelField instanceof HTMLInputElement ? labelField.value : "";
    const body: Record<string, unknown> = all ? { filter: JSON.parse(bulk.dataset.filter ?? "{}") as unknown } : { ids };
    if (action === "add_label") body.add_label_ids = label ? [label] : [];
    else if (action === "remove_label") body.remove_label_ids = label ? [label] : [];
    else body.action = action;
    const status = $("[data-out]", bulk);
    try {
      let done = 0;
      for (;;) {
        const r = (await postJson(bulk.dataset.bulk ?? "", body)) as { matched?: number; done?: boolean; cursor?: string | null };
        done += r.matched ?? 0;
        if (all) out(status, (bulk.dataset.progress ?? "{n}").replace("{n}", done.toLocaleString(document.documentElement.lang || "id")), true);
        if (r.done !== false) break;
        body.cursor = r.cursor ?? undefined;
      }
      location.reload();
    } catch (e) {
      out(status, errorText(e));
    }
  });
}

// Contact page: add one label.
const addLabel = $<HTMLFormElement>("[data-label-add]");
addLabel?.addEventListener("submit", async (ev) => {
  ev.preventDefault();
  const field = addLabel.elements.namedItem("label_ids");
  const id = field instanceof HTMLSelectElement || field instanceof HTMLInputElement ? field.value : "";
  if (!id) return;
  try {
    await postJson(addLabel.dataset.labelAdd ?? "", { label_ids: [id] });
    location.reload();
  } catch (e) {
    out($("[data-out]", addLabel), errorText(e));
  }
});

// Import wizard.
type Column = { header: string; target: string; new_field?: boolean; samples: string[] };
type RowError = { row: number; reason: string };
type Preview = { columns: Column[]; total_rows: number; ok_rows: number; file_error?: string | null; problems: Record<string, number>; errors: RowError[] };
type ImportState = { status: string; progress: number; rows_done: number; created: number; merged: number; failed: number; errors: RowError[]; error?: string | null };

const wiz = $("#import-wizard");
const file = $<HTMLInputElement>("#import-file");
if (wiz && file) {
  const wizard = wiz;
  const input = file;
  const targets = JSON.parse(wizard.dataset.targets ?? "[]") as [string, string][];
  const status = $("#import-out");
  const startBtn = $<HTMLButtonElement>("#import-start");
  let mapping: Record<string, string> = {};
  const query = (dry: boolean): string => {
    const p = new URLSearchParams();
    if (dry) p.set("dry_run", "true");
    if ($<HTMLInputElement>("#import-create-fields")?.checked) p.set("create_fields", "true");
    const labels = [...($<HTMLSelectElement>("#import-labels")?.selectedOptions ?? [])].map((o) => o.value);
    if (labels.length) p.set("label_ids", labels.join(","));
    if (Object.keys(mapping).length) p.set("mapping", JSON.stringify(mapping));
    const f = input.files?.[0];
    if (f) p.set("file_name", f.name);
    return "/api/v1/contacts/import?" + p.toString();
  };
  const send = (dry: boolean) => apiJson(query(dry), { method: "POST", headers: { "content-type": "text/csv" }, body: input.files?.[0] ?? null });
  const cell = (tr: HTMLTableRowElement, text: string): HTMLTableCellElement => {
    const td = document.createElement("td");
    td.textContent = text;
    tr.append(td);
    return td;
  };
  const fillErrors = (tbody: Element | null, rows: RowError[]): void => {
    if (!tbody) return;
    tbody.replaceChildren();
    for (const r of rows) {
      const tr = document.createElement("tr");
      cell(tr, String(r.row));
      cell(tr, r.reason);
      tbody.append(tr);
    }
  };
  const setText = (sel: string, root: ParentNode, text: string): void => {
    const el = $(sel, root);
    if (el) el.textContent = text;
  };
  const preview = async (): Promise<void> => {
    if (!input.files?.[0]) return;
    try {
      const p = (await send(true)) as Preview;
      const box = $("#import-mapping");
      if (!box) return;
      box.hidden = false;
      const body = $("tbody", box);
      body?.replaceChildren();
      for (const col of p.columns) {
        const tr = document.createElement("tr");
        cell(tr, col.header);
        const sel = document.createElement("select");
        const opts = [...targets];
        if (col.target.startsWith("custom:")) opts.unshift([col.target, col.target.slice(7) + (col.new_field ? " (" + (wizard.dataset.newField ?? "") + ")" : "")]);
        for (const [v, label] of opts) {
          const o = document.createElement("option");
          o.value = v;
          o.textContent = label;
          o.selected = v === col.target;
          sel.append(o);
        }
        sel.addEventListener("change", () => {
          mapping[col.header] = sel.value;
          void preview();
        });
        const td = document.createElement("td");
        td.append(sel);
        tr.append(td);
        cell(tr, col.samples.join(" · "));
        body?.append(tr);
      }
      // Every row of the file was checked: the counts, then the row errors (the first 1000) with their numbers.
      const sum = $("#import-summary");
      if (sum) {
        const names = JSON.parse(sum.dataset.problems ?? "{}") as Record<string, string>;
        setText("[data-k=total_rows]", sum, String(p.total_rows));
        setText("[data-k=ok_rows]", sum, String(p.ok_rows));
        const problems = Object.entries(p.problems)
          .filter(([, n]) => n > 0)
          .map(([k, n]) => `${names[k] ?? k}: ${n}`);
        setText("[data-k=problems]", sum, [p.file_error, ...problems].filter(Boolean).join(" · "));
      }
      fillErrors($("#import-preview-errors tbody"), p.errors);
      if (startBtn) startBtn.disabled = false;
      out(status, "", true);
    } catch (e) {
      out(status, errorText(e));
    }
  };
  $("#import-preview")?.addEventListener("click", () => {
    mapping = {};
    void preview();
  });
  startBtn?.addEventListener("click", async () => {
    startBtn.disabled = true;
    try {
      const started = (await send(false)) as { id: string };
      const box = $("#import-progress");
      if (!box) return;
      box.hidden = false;
      const poll = async (): Promise<void> => {
        const s = (await apiJson("/api/v1/contacts/imports/" + started.id)) as ImportState;
        const bar = $<HTMLProgressElement>("progress", box);
        if (bar) bar.value = Math.round(s.progress * 100);
        for (const k of ["created", "merged", "failed"] as const) setText(`[data-k=${k}]`, box, String(s[k]));
        fillErrors($("#import-errors tbody"), s.errors);
        setText("#import-status", document, s.status === "done" ? (wizard.dataset.done ?? "") : s.status === "failed" ? (s.error ?? "") : `${s.status} · ${s.rows_done}`);
        if (s.status !== "done" && s.status !== "failed") setTimeout(() => void poll(), 700);
        else box.dataset.finished = s.status;
      };
      await poll();
    } catch (e) {
      out(status, errorText(e));
      startBtn.disabled = false;
    }
  });
}
