// The webhook rule editor (/app/webhook-rules): live preview and trace through POST /api/v1/webhook-rules/test,
// the conditions builder kept in sync with the JSON, and save through the rules API. The page's data (samples,
// examples, strings) comes in the #rule-editor-data JSON block the server drew.
type Example = { conditions: string; template: string };
type EditorData = {
  ruleId: string | null;
  samples: Record<string, unknown>;
  examples: Record<string, Example>;
  phones: Record<string, string>;
  operators: string[];
  t: Record<string, unknown>;
};
type TraceEntry = { depth: number; group?: string; field: string; actual: unknown; operator: string; expected: unknown; result: boolean };
type TestResult = { matched: boolean; message?: string; phone?: string; phone_error?: string; missing: string[]; notes: string[]; warnings: string[]; trace: TraceEntry[] };
type Condition = { field?: string; operator?: string; value?: unknown };

const form = document.getElementById("rule-form");
const dataEl = document.getElementById("rule-editor-data");
if (form instanceof HTMLFormElement && dataEl) editor(form, JSON.parse(dataEl.textContent ?? "{}") as EditorData);

function editor(form: HTMLFormElement, cfg: EditorData): void {
  const field = (n: string): HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement => {
    const el = form.elements.namedItem(n);
    if (el instanceof HTMLInputElement || el instanceof HTMLTextAreaElement || el instanceof HTMLSelectElement) return el;
    throw new Error(`rule editor: no field ${n}`);
  };
  const byId = (id: string): HTMLElement => {
    const el = document.getElementById(id);
    if (!el) throw new Error(`rule editor: no #${id}`);
    return el;
  };
  const t = (k: string): string => {
    const v = cfg.t[k];
    return typeof v === "string" ? v : k;
  };
  const cols = Array.isArray(cfg.t.cols) ? cfg.t.cols.map(String) : [];
  const out = byId("rule-preview");
  const err = byId("rule-error");
  // Fields the user has not edited follow the chosen source (its sample, example conditions and template).
  const touched = new Set<string>(cfg.ruleId ? ["sample", "conditions", "template"] : []);
  for (const n of ["sample", "conditions", "template"]) field(n).addEventListener("input", () => touched.add(n));
  field("source").addEventListener("change", () => {
    const src = field("source").value;
    const example = cfg.examples[src];
    if (!touched.has("sample")) field("sample").value = JSON.stringify(cfg.samples[src] ?? {}, null, 2);
    if (!touched.has("conditions") && example) {
      field("conditions").value = example.conditions;
      fromJson();
    }
    if (!touched.has("sample")) refreshFields();
    if (!touched.has("template") && example) field("template").value = example.template;
    const phone = cfg.phones[src];
    if (Object.values(cfg.phones).includes(field("phone_field").value) && phone) field("phone_field").value = phone;
    schedule();
  });
  const parse = (name: string): unknown => {
    try {
      return JSON.parse(field(name).value);
    } catch {
      return undefined;
    }
  };
  const active = (): boolean => {
    const el = field("active");
    return el instanceof HTMLInputElement && el.checked;
  };
  const rule = () => ({
    name: field("name").value,
    source: field("source").value,
    conditions: parse("conditions"),
    template: field("template").value,
    phone_field: field("phone_field").value,
    device_key: field("device_key").value,
    active: active(),
    priority: Number(field("priority").value || 100),
  });
  const text = (tag: string, s: string, cls?: string): HTMLElement => {
    const el = document.createElement(tag);
    el.textContent = s;
    if (cls) el.className = cls;
    return el;
  };
  const show = (v: unknown): string => (v === null || v === undefined ? "—" : typeof v === "string" ? v : JSON.stringify(v));

  async function preview(): Promise<void> {
    err.textContent = "";
    const r = rule();
    const payload = parse("sample");
    if (r.conditions === undefined) {
      err.textContent = `${t("bad_json")} (${t("conditions")})`;
      return;
    }
    if (payload === undefined || typeof payload !== "object") {
      err.textContent = `${t("bad_json")} (${t("sample")})`;
      return;
    }
    const res = await fetch("/api/v1/webhook-rules/test", {
      method: "POST",
      credentials: "same-origin",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ rule: { source: r.source, conditions: r.conditions, template: r.template, phone_field: r.phone_field }, payload }),
    });
    const data = (await res.json().catch(() => ({}))) as TestResult & { message?: string };
    out.replaceChildren();
    if (!res.ok) {
      err.textContent = data.message || res.statusText;
      return;
    }
    out.append(text("p", data.matched ? t("matched") : t("not_matched"), data.matched ? "ok" : "err"));
    out.append(text("label", t("preview")), text("pre", data.message || "", "preview"));
    out.append(text("p", `${t("phone")}: ${data.phone || data.phone_error || ""}`, data.phone ? "" : "err"));
    const notes = [...data.missing.map((m) => `{{${m}}} ∅`), ...data.notes, ...data.warnings];
    if (notes.length) out.append(text("p", `${t("warnings")}: ${notes.join(" · ")}`, "muted"));
    const table = document.createElement("table");
    const head = document.createElement("tr");
    for (const h of cols) head.append(text("th", h));
    table.append(head);
    for (const e of data.trace) {
      const tr = document.createElement("tr");
      tr.append(
        text("td", "· ".repeat(e.depth) + (e.group || "") + " " + e.field),
        text("td", show(e.actual)),
        text("td", e.operator),
        text("td", show(e.expected)),
        text("td", e.result ? "✓" : "✗", e.result ? "ok" : "err"),
      );
      table.append(tr);
    }
    out.append(text("label", t("trace")), table);
  }

  // The conditions builder: a flat AND/OR group as rows, kept in sync with the JSON (which stays the truth).
  const rowsEl = byId("cond-rows");
  const opEl = byId("cond-op") as HTMLSelectElement;
  const builder = byId("cond-builder");
  const noValue = (op: string) => op === "exists" || op === "not_exists";
  function fieldsOf(v: unknown, prefix: string, acc: string[], depth: number): void {
    if (depth > 6 || v === null || typeof v !== "object") return;
    const keys = Array.isArray(v) ? v.slice(0, 3).map((_, i) => String(i)) : Object.keys(v);
    for (const k of keys) {
      const p = prefix ? `${prefix}.${k}` : k;
      acc.push(p);
      fieldsOf((v as Record<string, unknown>)[k], p, acc, depth + 1);
    }
  }
  function refreshFields(): void {
    const acc: string[] = [];
    fieldsOf(parse("sample"), "", acc, 0);
    byId("cond-fields").replaceChildren(
      ...acc.map((f) => {
        const o = document.createElement("option");
        o.value = f;
        return o;
      }),
    );
  }
  function row(c: Condition): HTMLElement {
    const div = document.createElement("div");
    div.className = "cond";
    const fieldIn = document.createElement("input");
    fieldIn.placeholder = t("field");
    fieldIn.value = c.field || "";
    fieldIn.setAttribute("list", "cond-fields");
    const op = document.createElement("select");
    for (const o of cfg.operators) {
      const opt = document.createElement("option");
      opt.value = o;
      opt.textContent = o;
      op.append(opt);
    }
    op.value = c.operator || "equals";
    const value = document.createElement("input");
    value.placeholder = t("value");
    value.value = c.value === undefined || c.value === null ? "" : Array.isArray(c.value) ? c.value.join(", ") : String(c.value);
    value.hidden = noValue(op.value);
    const del = document.createElement("button");
    del.type = "button";
    del.className = "ghost";
    del.textContent = "✕";
    del.title = t("remove");
    del.addEventListener("click", () => {
      div.remove();
      toJson();
    });
    op.addEventListener("change", () => {
      value.hidden = noValue(op.value);
    });
    div.append(fieldIn, op, value, del);
    return div;
  }
  function toJson(): void {
    const rules = [...rowsEl.children].map((div) => {
      const [f, op, value] = div.querySelectorAll<HTMLInputElement | HTMLSelectElement>("input, select");
      const opv = op?.value ?? "equals";
      const c: Condition = { field: (f?.value ?? "").trim(), operator: opv };
      const v = (value?.value ?? "").trim();
      if (noValue(opv)) return c;
      if (opv === "in")
        c.value = v
          .split(",")
          .map((x) => x.trim())
          .filter(Boolean);
      else if ((opv === "greater_than" || opv === "less_than") && v !== "" && !isNaN(Number(v))) c.value = Number(v);
      else c.value = v;
      return c;
    });
    field("conditions").value = JSON.stringify({ operator: opEl.value, rules }, null, 2);
    touched.add("conditions");
    schedule();
  }
  function fromJson(): void {
    const g = parse("conditions");
    const rules = typeof g === "object" && g !== null && "rules" in g && Array.isArray(g.rules) ? (g.rules as unknown[]) : null;
    const flat = rules !== null && rules.every((r) => typeof r === "object" && r !== null && !("rules" in r));
    builder.querySelectorAll<HTMLInputElement | HTMLSelectElement | HTMLButtonElement>("input, select, button").forEach((el) => {
      el.disabled = !flat;
    });
    builder.title = flat ? "" : t("nested");
    if (!flat || rules === null) return;
    opEl.value = typeof g === "object" && g !== null && "operator" in g && g.operator === "OR" ? "OR" : "AND";
    rowsEl.replaceChildren(...(rules as Condition[]).map(row));
  }
  rowsEl.addEventListener("input", (ev) => {
    ev.stopPropagation();
    toJson();
  });
  rowsEl.addEventListener("change", (ev) => {
    ev.stopPropagation();
    toJson();
  });
  opEl.addEventListener("change", (ev) => {
    ev.stopPropagation();
    toJson();
  });
  byId("cond-add").addEventListener("click", () => {
    rowsEl.append(row({}));
    toJson();
  });
  field("conditions").addEventListener("input", fromJson);
  field("sample").addEventListener("input", refreshFields);
  fromJson();
  refreshFields();

  let timer: ReturnType<typeof setTimeout> | undefined;
  const runPreview = () =>
    preview().catch((e: unknown) => {
      err.textContent = String(e);
    });
  function schedule(): void {
    clearTimeout(timer);
    timer = setTimeout(() => void runPreview(), 300);
  }
  form.addEventListener("input", schedule);
  byId("rule-test").addEventListener("click", () => void runPreview());
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const r = rule();
    if (r.conditions === undefined) {
      err.textContent = `${t("bad_json")} (${t("conditions")})`;
      return;
    }
    const res = await fetch(cfg.ruleId ? "/api/v1/webhook-rules/" + cfg.ruleId : "/api/v1/webhook-rules", {
      method: cfg.ruleId ? "PATCH" : "POST",
      credentials: "same-origin",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(r),
    });
    const data = (await res.json().catch(() => ({}))) as { message?: string };
    if (!res.ok) {
      err.textContent = data.message || res.statusText;
      return;
    }
    location.href = "/app/webhook-rules";
  });
  schedule();
}

// A module (its names stay its own; every file here is bundled on its own).
export {};
