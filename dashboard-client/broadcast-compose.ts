// The broadcast compose page (/app/broadcasts/new): builds the broadcast's JSON from the form the server drew,
// shows a live preview of N sample variations (POST /api/v1/broadcasts/preview) and the audience's recipient
// count before sending (POST /api/v1/broadcasts/audience-count), picks contacts by search, turns "start at" in
// the business's time zone into epoch ms, then saves the draft and, when asked, starts it.
type Json = Record<string, unknown>;

const form = document.getElementById("bc-compose");
if (form instanceof HTMLFormElement) setup(form);

function setup(form: HTMLFormElement): void {
  const $ = <E extends Element = HTMLElement>(sel: string) => form.querySelector<E>(sel);
  const out = $("#bc-out");
  const chosen = new Map<string, string>();

  const checked = (name: string) => Array.from(form.querySelectorAll<HTMLInputElement>(`input[name="${name}"]:checked`)).map((i) => i.value);

  function message(): Json {
    const texts = Array.from(form.querySelectorAll<HTMLTextAreaElement>("[data-text]"))
      .map((t) => t.value.trim())
      .filter(Boolean);
    const defaults: Record<string, string> = {};
    for (const line of ($<HTMLTextAreaElement>("#bc-defaults")?.value ?? "").split("\n")) {
      const i = line.indexOf("=");
      if (i > 0) defaults[line.slice(0, i).trim()] = line.slice(i + 1).trim();
    }
    return { texts, variable_defaults: defaults };
  }

  function audience(): Json | null {
    const imp = $<HTMLSelectElement>("#bc-imports")?.value;
    const a = {
      labels_all: checked("labels_all"),
      labels_any: checked("labels_any"),
      exclude_labels: checked("exclude_labels"),
      contact_ids: [...chosen.keys()],
      import_ids: imp ? [imp] : [],
    };
    return a.labels_all.length + a.labels_any.length + a.contact_ids.length + a.import_ids.length ? a : null;
  }

  function schedule(): Json {
    const at = checked("when")[0] === "at" ? $<HTMLInputElement>("#bc-start-at")?.value : "";
    return {
      start_at: at ? zonedToEpoch(at, form.dataset.tz ?? "Asia/Jakarta") : null,
      window_start: $<HTMLInputElement>("#bc-window-start")?.value || "08:00",
      window_end: $<HTMLInputElement>("#bc-window-end")?.value || "21:00",
      days: checked("days").map(Number),
    };
  }

  async function post(path: string, body: unknown): Promise<{ ok: boolean; data: Json }> {
    const res = await fetch(path, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body), credentials: "same-origin" });
    return { ok: res.ok, data: (await res.json().catch(() => ({}))) as Json };
  }

  // The preview and the count follow the form; only the last answer is shown (a slow one must not win).
  let previewSeq = 0;
  async function preview(): Promise<void> {
    const seq = ++previewSeq;
    const m = message();
    const list = $("#bc-preview");
    const warning = $("#bc-warning");
    if (!list || !warning) return;
    if ((m.texts as string[]).length === 0) {
      list.replaceChildren();
      return;
    }
    const a = audience();
    const r = await post("/api/v1/broadcasts/preview", { message: m, ...(a ? { audience: a } : {}), n: 5 });
    if (seq !== previewSeq) return;
    const variants = $("#bc-variants");
    if (!r.ok) {
      warning.hidden = false;
      warning.textContent = String(r.data.message ?? "");
      list.replaceChildren();
      return;
    }
    if (variants) variants.textContent = String(r.data.variants);
    warning.hidden = !r.data.warning;
    warning.textContent = String(r.data.warning ?? "");
    const items = (r.data.items as { name: string | null; text: string }[]) ?? [];
    list.replaceChildren(
      ...items.map((i) => {
        const li = document.createElement("li");
        const who = document.createElement("small");
        who.className = "muted";
        who.textContent = i.name ?? "—";
        const pre = document.createElement("pre");
        pre.className = "preview";
        pre.textContent = i.text;
        li.append(who, pre);
        return li;
      }),
    );
  }

  let countSeq = 0;
  async function count(): Promise<void> {
    const seq = ++countSeq;
    const box = $("#bc-count");
    if (!box) return;
    const set = (k: string, v: string) => {
      const el = box.querySelector(`[data-k="${k}"]`);
      if (el) el.textContent = v;
    };
    const a = audience();
    if (!a) {
      for (const k of ["total", "sendable", "skipped"]) set(k, "—");
      set("reasons", "");
      box.dataset.state = "empty";
      return;
    }
    const r = await post("/api/v1/broadcasts/audience-count", a);
    if (seq !== countSeq || !r.ok) return;
    const reasons = JSON.parse(box.dataset.reasons ?? "{}") as Record<string, string>;
    const skipped = (r.data.skipped_reasons ?? {}) as Record<string, number>;
    set("total", String(r.data.total));
    set("sendable", String(r.data.sendable));
    set("skipped", String(Object.values(skipped).reduce((n, x) => n + x, 0)));
    set(
      "reasons",
      Object.entries(skipped)
        .map(([k, n]) => `${reasons[k] ?? k}: ${n}`)
        .join(" · "),
    );
    box.dataset.state = "counted";
  }

  const later = (fn: () => Promise<void>, ms: number) => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    return () => {
      clearTimeout(timer);
      timer = setTimeout(() => void fn(), ms);
    };
  };
  const previewSoon = later(preview, 350);
  const countSoon = later(count, 250);

  form.addEventListener("input", (ev) => {
    const el = ev.target;
    if (!(el instanceof HTMLElement)) return;
    if (el.matches("[data-text], #bc-defaults")) previewSoon();
  });
  form.addEventListener("change", (ev) => {
    const el = ev.target;
    if (el instanceof HTMLElement && el.matches("[data-audience]")) {
      countSoon();
      previewSoon();
    }
  });

  // Contact search: GET /api/v1/contacts?q=, results added to the chosen list.
  const results = $("#bc-contact-results");
  const chosenList = $("#bc-chosen");
  function renderChosen(): void {
    if (!chosenList) return;
    chosenList.replaceChildren(
      ...[...chosen].map(([id, label]) => pick(label, chosenList.dataset.remove ?? "×", () => {
        chosen.delete(id);
        renderChosen();
        countSoon();
        previewSoon();
      }, id)),
    );
  }
  const search = later(async () => {
    const q = $<HTMLInputElement>("#bc-contact-q")?.value.trim() ?? "";
    if (!results) return;
    if (q.length < 2) {
      results.replaceChildren();
      return;
    }
    const res = await fetch(`/api/v1/contacts?${new URLSearchParams({ q, limit: "10" })}`, { credentials: "same-origin" });
    const data = (await res.json().catch(() => ({ items: [] }))) as { items?: { id: string; name: string | null; phone: string | null }[] };
    results.replaceChildren(
      ...(data.items ?? []).map((c) => {
        const label = `${c.name ?? "—"} · ${c.phone ?? ""}`;
        return pick(label, results.dataset.add ?? "+", () => {
          chosen.set(c.id, label);
          renderChosen();
          countSoon();
          previewSoon();
        }, c.id);
      }),
    );
  }, 300);
  $("#bc-contact-q")?.addEventListener("input", search);

  // A new CSV goes through the CRM import (POST /contacts/import, custom columns become fields); once the import
  // is done it is added to the picker and chosen, and the count and preview follow.
  const csv = $<HTMLInputElement>("#bc-csv");
  csv?.addEventListener("change", () => void uploadCsv(csv).catch((e: unknown) => csvSay("err", String(e))));
  function csvSay(kind: "ok" | "err" | "", text: string): void {
    const o = $("#bc-csv-out");
    if (!o) return;
    o.className = `out ${kind}`;
    o.textContent = text;
  }
  async function uploadCsv(input: HTMLInputElement): Promise<void> {
    const file = input.files?.[0];
    if (!file) return;
    csvSay("", input.dataset.running ?? "…");
    const q = new URLSearchParams({ create_fields: "true", file_name: file.name.slice(0, 200) });
    const res = await fetch(`/api/v1/contacts/import?${q}`, { method: "POST", headers: { "content-type": "text/csv" }, body: file, credentials: "same-origin" });
    const started = (await res.json().catch(() => ({}))) as Json;
    if (!res.ok) return csvSay("err", String(started.message ?? res.statusText));
    const id = String(started.id);
    for (;;) {
      await new Promise((ok) => setTimeout(ok, 700));
      const s = (await (await fetch(`/api/v1/contacts/imports/${id}`, { credentials: "same-origin" })).json()) as Json;
      if (s.status === "failed") return csvSay("err", String(s.error ?? "failed"));
      if (s.status !== "done") continue;
      const n = Number(s.created) + Number(s.merged);
      csvSay("ok", (input.dataset.done ?? "{n}").replace("{n}", String(n)).replace("{failed}", String(s.failed)));
      const select = $<HTMLSelectElement>("#bc-imports");
      if (select) {
        select.add(new Option(`${file.name} · ${n}`, id));
        select.value = id;
      }
      countSoon();
      previewSoon();
      return;
    }
  }

  async function save(start: boolean): Promise<void> {
    if (!out) return;
    out.className = "out";
    out.textContent = "…";
    const a = audience();
    const body = { name: $<HTMLInputElement>("#bc-name")?.value.trim() ?? "", device_key: $<HTMLSelectElement>("#bc-device")?.value ?? "", message: message(), audience: a ?? {}, schedule: schedule() };
    const created = await post("/api/v1/broadcasts", body);
    if (!created.ok) return fail(String(created.data.message ?? "error"));
    const id = String(created.data.id);
    if (start) {
      const started = await post(`/api/v1/broadcasts/${id}/start`, {});
      // The draft is kept: its page shows the reason and a start button.
      if (!started.ok) {
        location.href = `/app/broadcasts/${id}?error=${encodeURIComponent(String(started.data.message ?? ""))}`;
        return;
      }
    }
    location.href = `/app/broadcasts/${id}`;
  }
  function fail(text: string): void {
    if (!out) return;
    out.className = "out err";
    out.textContent = text;
  }
  $("#bc-save")?.addEventListener("click", () => void save(false).catch((e: unknown) => fail(String(e))));
  $("#bc-save-start")?.addEventListener("click", () => void save(true).catch((e: unknown) => fail(String(e))));

  void preview();
}

function pick(label: string, action: string, onClick: () => void, id: string): HTMLLIElement {
  const li = document.createElement("li");
  li.dataset.id = id;
  const span = document.createElement("span");
  span.textContent = label;
  const b = document.createElement("button");
  b.type = "button";
  b.className = "ghost";
  b.textContent = action;
  b.addEventListener("click", onClick);
  li.append(span, b);
  return li;
}

/** "2026-12-24T09:30" on the wall clock of `timeZone` → epoch ms (two passes settle a DST edge). */
export function zonedToEpoch(local: string, timeZone: string): number {
  const [d = "", t = "00:00"] = local.split("T");
  const [y = 0, mo = 1, da = 1] = d.split("-").map(Number);
  const [h = 0, mi = 0] = t.split(":").map(Number);
  const wanted = Date.UTC(y, mo - 1, da, h, mi);
  let guess = wanted;
  for (let i = 0; i < 2; i++) guess = wanted - offsetAt(guess, timeZone);
  return guess;
}

/** The zone's offset from UTC at `ms`, in ms (Asia/Jakarta: +7 h). */
function offsetAt(ms: number, timeZone: string): number {
  const parts = new Intl.DateTimeFormat("en-US", { timeZone, hourCycle: "h23", year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", second: "2-digit" }).formatToParts(ms);
  const n = (type: string) => Number(parts.find((p) => p.type === type)?.value ?? 0);
  return Date.UTC(n("year"), n("month") - 1, n("day"), n("hour"), n("minute"), n("second")) - (ms - (ms % 1000));
}
