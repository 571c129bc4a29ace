// The campaign builder (/app/campaigns): adds and removes step rows from the server-drawn <template>s and posts
// the campaign as the API's JSON (POST to create, PATCH to edit). The server validates everything; errors show
// in the form's [data-out].
type Json = Record<string, unknown>;

const form = document.querySelector<HTMLFormElement>("form[data-campaign-builder]");
const list = form?.querySelector<HTMLElement>("[data-steps]");

const field = (root: ParentNode, name: string) => root.querySelector<HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement>(`[name="${name}"]`);
const value = (root: ParentNode, name: string) => field(root, name)?.value.trim() ?? "";
const num = (root: ParentNode, name: string) => Number(value(root, name) || "0");

function stepOf(el: HTMLElement): Json | null {
  const type = el.dataset.step;
  if (type === "wait") return { type, days: num(el, "days"), hours: num(el, "hours"), minutes: num(el, "minutes") };
  if (type === "condition") {
    const kind = value(el, "kind");
    const check: Json =
      kind === "has_label" || kind === "lacks_label"
        ? { kind, label_id: value(el, "label_id") }
        : kind === "field_equals"
          ? { kind, key: value(el, "key"), value: value(el, "value") }
          : { kind };
    return { type, check, otherwise: value(el, "otherwise") || "exit" };
  }
  if (type === "send") {
    // A message kind the builder does not edit (saved template, media, Meta template) is sent back as it came.
    const kept = el.querySelector<HTMLElement>("[data-message]")?.dataset.message;
    if (kept) return { type, message: JSON.parse(kept) as Json };
    const texts = value(el, "texts")
      .split(/\n-{3,}\n/)
      .map((s) => s.trim())
      .filter(Boolean);
    const name = value(el, "name_default");
    return { type, message: { texts, variable_defaults: name ? { name } : {} } };
  }
  return null;
}

/** The sending window: hours, the checked days, and any pacing overrides the page carried along. */
function windowOf(f: HTMLFormElement): Json {
  const days = Array.from(f.querySelectorAll<HTMLInputElement>('input[name="window_days"]:checked')).map((i) => Number(i.value));
  const pacing = f.querySelector<HTMLElement>("[data-window-pacing]")?.dataset.windowPacing;
  return {
    window_start: value(f, "window_start") || "08:00",
    window_end: value(f, "window_end") || "21:00",
    days,
    ...(pacing ? { pacing: JSON.parse(pacing) as unknown } : {}),
  };
}

function bodyOf(f: HTMLFormElement): Json {
  const body: Json = {
    name: value(f, "name"),
    exit_on_reply: (field(f, "exit_on_reply") as HTMLInputElement | null)?.checked ?? true,
    window: windowOf(f),
    label_ids: Array.from(f.querySelectorAll<HTMLInputElement>('input[name="label_ids"]:checked')).map((i) => i.value),
  };
  // An active campaign's steps, trigger and device are locked: send only what may change.
  if (f.dataset.locked) return body;
  const type = value(f, "trigger_type");
  body.device_key = value(f, "device_key");
  body.trigger = type === "webhook_rule" ? { type, rule_id: value(f, "rule_id") } : type === "label_added" ? { type, label_id: value(f, "trigger_label_id") } : { type: "manual" };
  body.steps = Array.from(list?.querySelectorAll<HTMLElement>("[data-step]") ?? [])
    .map(stepOf)
    .filter((s): s is Json => s !== null);
  return body;
}

form?.addEventListener("click", (ev) => {
  const target = ev.target instanceof Element ? ev.target : null;
  const add = target?.closest<HTMLElement>("[data-add-step]");
  if (add && list) {
    const tpl = form.querySelector<HTMLTemplateElement>(`template[data-step-template="${add.dataset.addStep ?? ""}"]`);
    if (tpl) list.append(tpl.content.cloneNode(true));
    return;
  }
  const remove = target?.closest("[data-remove-step]");
  if (remove && !list?.dataset.disabled) remove.closest("[data-step]")?.remove();
});

form?.addEventListener("submit", (ev) => {
  ev.preventDefault();
  const out = form.querySelector("[data-out]");
  void (async () => {
    const res = await fetch(form.dataset.url ?? "", {
      method: form.dataset.method ?? "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(bodyOf(form)),
      credentials: "same-origin",
    });
    const data = (await res.json().catch(() => ({}))) as Json;
    if (!res.ok) {
      if (out) {
        out.className = "out err";
        out.textContent = typeof data.message === "string" ? data.message : res.statusText;
      }
      return;
    }
    location.href = typeof data.id === "string" ? `/app/campaigns/${data.id}` : location.href;
  })().catch((e: unknown) => {
    if (out) out.textContent = String(e);
  });
});

// A module (its names stay its own; every file here is bundled on its own).
export {};
