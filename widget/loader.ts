// The one-line snippet's script (≤ 3 KB gzipped): reads data-key, fetches the public config, draws the launcher
// in a Shadow DOM, and loads the chat bundle (versioned, immutable URL) on the first click or when the page is
// idle. Nothing is written to storage or cookies here: that waits until the visitor opens the chat.
import { GLOBAL, type Handoff, type WidgetConfig } from "./shared";
import { strings } from "./strings";

const script = document.currentScript;
if (script instanceof HTMLScriptElement && !window[GLOBAL]) void start(script);

async function start(me: HTMLScriptElement): Promise<void> {
  const key = me.dataset.key || "";
  const base = new URL(me.src).origin;
  const nonce = me.nonce || me.getAttribute("nonce") || "";
  const res = await fetch(`${base}/livechat/v1/config?key=${encodeURIComponent(key)}`, { credentials: "omit" }).catch(() => null);
  // A page on an origin the business did not allow, an unknown key or no live chat in the package: no widget.
  if (!res || !res.ok) return;
  const cfg = (await res.json()) as WidgetConfig;
  const t = strings(cfg.lang ?? undefined);

  const host = document.createElement("div");
  // The host element carries the only styles the page can see; `all: initial` stops inherited fonts and rem
  // traps from the page; the stacking order is the business's setting.
  // !important: a host page's `div{position:static!important}` must not move it.
  host.style.cssText = `all:initial!important;position:fixed!important;bottom:0!important;${cfg.position}:0!important;z-index:${cfg.z_index}!important;display:block!important`;
  const root = host.attachShadow({ mode: "open" });
  const sheet = new CSSStyleSheet();
  sheet.replaceSync(
    `:host{all:initial}*{box-sizing:border-box;font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif}` +
      `.l{position:fixed;bottom:20px;${cfg.position}:20px;width:56px;height:56px;border-radius:50%;border:0;cursor:pointer;` +
      `background:${cfg.color};color:${cfg.text_color};box-shadow:0 4px 14px rgba(0,0,0,.25);display:flex;align-items:center;justify-content:center;padding:0}` +
      `.l:focus-visible{outline:3px solid #1a73e8;outline-offset:3px}.l svg{width:28px;height:28px;fill:currentColor}` +
      `.b{position:absolute;top:-4px;right:-4px;min-width:20px;height:20px;border-radius:10px;background:#c62828;color:#fff;font-size:12px;line-height:20px;text-align:center;padding:0 5px}.b[hidden]{display:none}`,
  );
  root.adoptedStyleSheets = [sheet];
  const button = document.createElement("button");
  button.className = "l";
  button.type = "button";
  button.setAttribute("aria-label", t.open);
  button.setAttribute("aria-expanded", "false");
  button.innerHTML = '<svg viewBox="0 0 24 24" aria-hidden="true"><path d="M4 4h16v12H7l-3 3z"/></svg><span class="b" hidden></span>';
  root.append(button);
  document.body.append(host);

  const badgeEl = button.querySelector(".b");
  const handoff: Handoff = {
    base,
    key,
    cfg,
    root,
    nonce,
    opened: false,
    badge(n) {
      if (!(badgeEl instanceof HTMLElement)) return;
      badgeEl.hidden = n <= 0;
      badgeEl.textContent = String(n);
      button.setAttribute("aria-label", n > 0 ? `${t.open} (${n} ${t.unread})` : t.open);
    },
  };
  window[GLOBAL] = handoff;

  let loading = false;
  const load = () => {
    if (loading) return;
    loading = true;
    const s = document.createElement("script");
    s.src = cfg.chat_url;
    s.async = true;
    // Under the host page's strict CSP the chat bundle runs with the nonce the snippet was given.
    if (nonce) s.nonce = nonce;
    document.head.append(s);
  };
  button.addEventListener("click", () => {
    handoff.opened = !handoff.opened;
    button.setAttribute("aria-expanded", String(handoff.opened));
    if (handoff.toggle) handoff.toggle(handoff.opened);
    else load();
  });
  const idle = (window as { requestIdleCallback?: (cb: () => void) => void }).requestIdleCallback;
  if (idle) idle(load);
  else setTimeout(load, 3000);
}
