// Forms with data-api post their fields as JSON to the API (the dashboard has no form endpoints of its own).
// Field conventions: a dotted name (settings.min_gap_seconds) builds a nested object; data-list checkboxes with
// one name make an array of the checked values; data-optional skips an empty field, data-null sends null;
// data-type="number" | "date" (the end of that day in the browser's time zone, epoch ms) | "csv" (a
// comma-separated list) | "minutes" (a time of day HH:MM as minutes after midnight).
import { apiJson, errorText, sendJson } from "./api";

type Json = Record<string, unknown>;

function put(body: Json, name: string, value: unknown): void {
  const path = name.split(".");
  let o = body;
  for (const k of path.slice(0, -1)) {
    const next = o[k];
    if (typeof next === "object" && next !== null && !Array.isArray(next)) o = next as Json;
    else {
      const fresh: Json = {};
      o[k] = fresh;
      o = fresh;
    }
  }
  o[path[path.length - 1] ?? name] = value;
}

function get(body: Json, name: string): unknown {
  let o: unknown = body;
  for (const k of name.split(".")) o = typeof o === "object" && o !== null ? (o as Json)[k] : undefined;
  return o;
}

type Field = HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement;

function fieldValue(el: Field): unknown {
  const ty = el.dataset.type;
  if (ty === "csv") return el.value.split(",").map((v) => v.trim()).filter(Boolean);
  if (ty === "minutes") {
    const [h, m] = el.value.split(":").map(Number);
    return (h || 0) * 60 + (m || 0);
  }
  if (ty === "number") return Number(el.value);
  if (ty === "date") return new Date(el.value + "T23:59:59").getTime();
  return el.value;
}

/** The JSON body a data-api form sends. */
export function formBody(form: HTMLFormElement): Json {
  const body: Json = {};
  for (const el of Array.from(form.elements)) {
    if (!(el instanceof HTMLInputElement || el instanceof HTMLSelectElement || el instanceof HTMLTextAreaElement)) continue;
    if (!el.name || el.disabled) continue;
    if (el instanceof HTMLInputElement && el.type === "checkbox") {
      if (el.dataset.list !== undefined) {
        const prev = get(body, el.name);
        const list = Array.isArray(prev) ? prev : [];
        if (el.checked) list.push(el.value);
        put(body, el.name, list);
      } else put(body, el.name, el.checked);
      continue;
    }
    if (el.value === "" && el.dataset.optional !== undefined) continue;
    if (el.value === "" && el.dataset.null !== undefined) {
      put(body, el.name, null);
      continue;
    }
    put(body, el.name, fieldValue(el));
  }
  return body;
}

function show(out: Element | null, kind: "ok" | "err", text: string): void {
  if (!out) return;
  out.className = "out " + kind;
  out.textContent = text;
}

/** Sends the form and shows the outcome the form's data attributes ask for (reveal, redirect, done, stay). */
export async function submitJsonForm(form: HTMLFormElement, liveOn: () => boolean): Promise<void> {
  if (form.dataset.confirm && !confirm(form.dataset.confirm)) return;
  const out = form.querySelector("[data-out]");
  const method = form.dataset.method || "POST";
  try {
    const data = (await (method === "DELETE"
      ? apiJson(form.dataset.api ?? "", { method })
      : sendJson(form.dataset.api ?? "", method, formBody(form)))) as Json;
    const reveal = form.dataset.reveal ? data[form.dataset.reveal] : undefined;
    if (reveal && out) {
      show(out, "ok", `${form.dataset.revealLabel || ""} ${String(reveal)}`);
      return;
    }
    // A checkout answers with the provider's hosted page: go there (only an http(s) URL).
    const to = form.dataset.redirectTo ? data[form.dataset.redirectTo] : undefined;
    if (typeof to === "string" && (to.startsWith("https://") || to.startsWith("http://"))) {
      location.href = to;
      return;
    }
    if (form.dataset.done !== undefined) {
      const b = form.querySelector("button");
      if (out) show(out, "ok", form.dataset.done);
      else if (b) {
        b.textContent = form.dataset.done;
        b.disabled = true;
      }
      return;
    }
    if (form.dataset.redirect) location.href = form.dataset.redirect;
    else if (form.dataset.stay !== undefined && liveOn()) {
      // With the live channel open the result arrives as an event: keep the page, clear the message box.
      const box = form.querySelector<HTMLTextAreaElement | HTMLInputElement>("[name=text]");
      if (box) box.value = "";
      if (out) out.textContent = "";
    } else location.reload();
  } catch (e) {
    show(out, "err", errorText(e));
  }
}
