// The chat panel, loaded by the loader into its shadow root. Real time over one WebSocket to the conversation's
// chat object; after every (re)connect it asks for everything after the last message it saw (`hello.after`), and
// resends its own unacknowledged messages with the same client id, so a network drop, sleep or redeploy loses
// nothing and duplicates nothing (the object dedupes on the client id).
import { type ChatItem, type ClientFrame, MAX_TEXT, type ServerFrame } from "./protocol";
import { GLOBAL, type Handoff } from "./shared";
import { strings } from "./strings";

const h = window[GLOBAL];
if (h && !h.toggle) mount(h);

function el<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string> = {}, text = ""): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  if (text) e.textContent = text;
  return e;
}

function clientId(): string {
  return typeof crypto.randomUUID === "function" ? crypto.randomUUID() : `${Date.now().toString(36)}${Math.random().toString(36).slice(2)}`;
}

function mount(h: Handoff): void {
  const { cfg, root } = h;
  const t = strings(cfg.lang ?? undefined);
  const storeKey = `pingchat:${h.key}`;
  let token = localStorage.getItem(storeKey);
  let lastSeq = 0;
  let lastSeen = Number(localStorage.getItem(`${storeKey}:seen`) || 0);
  const seen = new Set<string>();
  const pending = new Map<string, string>();
  let ws: WebSocket | null = null;
  let attempt = 0;
  let retry: ReturnType<typeof setTimeout> | undefined;
  let typingSent = 0;
  let typingTimer: ReturnType<typeof setTimeout> | undefined;

  const sheet = new CSSStyleSheet();
  const side = cfg.position;
  // Sizes in px, never rem: the host page's root font size must not resize the widget. 16 px inputs: iOS zooms below.
  sheet.replaceSync(
    `.p{position:fixed;bottom:88px;${side}:20px;width:min(360px,calc(100vw - 24px));height:min(520px,calc(100vh - 120px));background:#fff;color:#1b1b1b;` +
      `border-radius:12px;box-shadow:0 8px 30px rgba(0,0,0,.3);display:flex;flex-direction:column;overflow:hidden;font-size:15px;line-height:1.4}.p[hidden]{display:none}` +
      `.hd{background:${cfg.color};color:${cfg.text_color};padding:12px 14px}.hd h2{margin:0;font-size:17px}.hd p{margin:4px 0 0;font-size:13px}` +
      `.lg{flex:1;overflow-y:auto;padding:10px;display:flex;flex-direction:column;gap:6px;background:#f5f5f5}` +
      `.m{max-width:80%;padding:8px 10px;border-radius:10px;white-space:pre-wrap;word-wrap:break-word}.in{align-self:flex-end;background:${cfg.color};color:${cfg.text_color}}` +
      `.out{align-self:flex-start;background:#fff;border:1px solid #ddd}.pd{opacity:.6}.ty{font-size:13px;color:#555;padding:0 10px;min-height:18px}` +
      `form{display:flex;gap:6px;padding:8px;border-top:1px solid #ddd;background:#fff}form.pc{flex-direction:column}` +
      `input,textarea{font-size:16px;font-family:inherit;padding:8px;border:1px solid #888;border-radius:8px;color:#1b1b1b;background:#fff;flex:1;min-width:0}` +
      `textarea{resize:none;height:44px}label{font-size:14px;display:flex;flex-direction:column;gap:2px}` +
      `button{font-size:16px;font-family:inherit;border:0;border-radius:8px;padding:8px 12px;background:${cfg.color};color:${cfg.text_color};cursor:pointer}` +
      `button:focus-visible,input:focus-visible,textarea:focus-visible{outline:3px solid #1a73e8;outline-offset:1px}` +
      `.x{background:transparent;color:inherit;float:right;padding:0 4px;font-size:20px;line-height:1}.at{padding:8px 12px;font-size:20px;line-height:1}.m a{color:inherit;text-decoration:underline}.im{display:block;max-width:100%;max-height:200px;margin-top:4px;border-radius:6px}.wa{margin-top:8px;background:#fff;color:#075e54;font-size:14px;padding:6px 10px}`,
  );
  root.adoptedStyleSheets = [...root.adoptedStyleSheets, sheet];

  const panel = el("section", { class: "p", role: "dialog", "aria-label": t.title });
  panel.hidden = true;
  const header = el("div", { class: "hd" });
  const close = el("button", { class: "x", type: "button", "aria-label": t.close }, "×");
  header.append(close, el("h2", {}, t.title), el("p", {}, cfg.greeting));
  if (cfg.expected_reply) header.append(el("p", {}, `${t.reply}: ${cfg.expected_reply}`));
  if (!cfg.online) header.append(el("p", {}, t.offline));
  const wa = el("button", { type: "button", class: "wa" }, t.whatsapp);
  if (cfg.whatsapp) header.append(wa);
  // Agent replies are announced (polite) without moving focus.
  const log = el("div", { class: "lg", role: "log", "aria-live": "polite", "aria-label": t.messages });
  const typing = el("div", { class: "ty", "aria-live": "off" });
  const form = el("form");
  const box = el("textarea", { name: "text", "aria-label": t.placeholder, placeholder: t.placeholder, maxlength: String(MAX_TEXT) });
  const file = el("input", { type: "file", accept: "image/png,image/jpeg,image/webp,image/gif,application/pdf", hidden: "" });
  const attach = el("button", { type: "button", class: "at", "aria-label": t.attach }, "+");
  form.append(attach, file, box, el("button", { type: "submit" }, t.send));
  panel.append(header, log, typing, form);
  root.append(panel);

  const prechat = el("form", { class: "pc" });
  for (const [name, label, type] of [["name", t.name, "text"], ["phone", t.phone, "tel"], ["email", t.email, "email"]] as const) {
    const l = el("label", {}, label);
    l.append(el("input", { name, type, autocomplete: name === "phone" ? "tel" : name }));
    prechat.append(l);
  }
  prechat.append(el("button", { type: "submit" }, t.start));

  const send = (f: ClientFrame) => {
    if (ws && ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify(f));
  };
  const unread = () => {
    let n = 0;
    for (const m of log.querySelectorAll<HTMLElement>(".out")) if (Number(m.dataset.seq) > lastSeen) n++;
    h.badge(h.opened ? 0 : n);
  };
  const markSeen = () => {
    if (!h.opened || lastSeq <= lastSeen) return;
    lastSeen = lastSeq;
    localStorage.setItem(`${storeKey}:seen`, String(lastSeen));
  };
  const render = (m: ChatItem) => {
    lastSeq = Math.max(lastSeq, m.seq);
    if (m.cid) {
      pending.delete(m.cid);
      log.querySelector(`[data-cid="${CSS.escape(m.cid)}"]`)?.remove();
    }
    if (seen.has(m.id)) return;
    seen.add(m.id);
    const div = el("div", { class: `m ${m.dir}`, "data-seq": String(m.seq), "data-id": m.id }, m.text);
    if (m.media) {
      // An image shows inline (the file is served inert: no script, sandbox CSP); any file stays a link.
      const image = /^image\/(png|jpeg|webp|gif)$/.test(m.media.mime);
      const a = el("a", { href: m.media.url, target: "_blank", rel: "noopener noreferrer" }, image ? "" : m.media.name);
      if (image) a.append(el("img", { class: "im", src: m.media.url, alt: m.media.name, loading: "lazy" }));
      div.append(document.createElement("br"), a);
    }
    log.append(div);
    log.scrollTop = log.scrollHeight;
    if (primed && m.dir === "out") chime(m.seq);
  };
  // One notification sound across the visitor's tabs: only tabs where the visitor opened the chat (a click, so
  // audio may play) compete, and a Web Lock makes "has this reply sounded yet" one atomic check across tabs (the
  // highest seq sounded, kept in localStorage — written only after the chat was opened). The first history after
  // loading the page is not news: no sound for it.
  let audio: AudioContext | null = null;
  let primed = false;
  const chime = (seq: number) => {
    const a = audio;
    if (!a || a.state !== "running" || !navigator.locks) return;
    void navigator.locks.request(`${storeKey}:sound`, async () => {
      if (seq <= Number(localStorage.getItem(`${storeKey}:sound`) || 0)) return;
      localStorage.setItem(`${storeKey}:sound`, String(seq));
      const o = a.createOscillator();
      const g = a.createGain();
      o.frequency.value = 880;
      g.gain.value = 0.08;
      o.connect(g).connect(a.destination);
      o.start();
      o.stop(a.currentTime + 0.15);
    });
  };
  const onFrame = (f: ServerFrame) => {
    if (f.t === "msgs") {
      for (const m of f.items) render(m);
      primed = true;
      markSeen();
      unread();
    } else if (f.t === "typing") {
      typing.textContent = `${t.title} ${t.typing}`;
      clearTimeout(typingTimer);
      typingTimer = setTimeout(() => (typing.textContent = ""), 4000);
    }
  };

  const connect = () => {
    if (!token || (ws && ws.readyState <= WebSocket.OPEN)) return;
    clearTimeout(retry);
    const url = `${h.base.replace(/^http/, "ws")}/livechat/v1/ws?key=${encodeURIComponent(h.key)}&token=${encodeURIComponent(token)}`;
    const s = new WebSocket(url);
    ws = s;
    s.onopen = () => {
      attempt = 0;
      send({ t: "hello", after: lastSeq });
      for (const [cid, text] of pending) send({ t: "msg", cid, text });
    };
    s.onmessage = (ev) => {
      if (typeof ev.data === "string") onFrame(JSON.parse(ev.data) as ServerFrame);
    };
    s.onclose = (ev) => {
      if (ws !== s) return;
      ws = null;
      // 4401: the token is not valid for this business any more; start over with a new session.
      if (ev.code === 4401) {
        token = null;
        localStorage.removeItem(storeKey);
        return;
      }
      // Backoff with full jitter so a redeploy does not bring every visitor back in the same second.
      const wait = Math.random() * Math.min(30_000, 500 * 2 ** attempt++);
      retry = setTimeout(connect, wait);
    };
  };
  window.addEventListener("online", connect);
  document.addEventListener("visibilitychange", () => {
    if (!document.hidden) connect();
  });

  const session = async (fields: Record<string, string>) => {
    const res = await fetch(`${h.base}/livechat/v1/session`, {
      method: "POST",
      credentials: "omit",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ key: h.key, ...(token ? { token } : {}), ...fields }),
    });
    if (!res.ok) return false;
    const body = (await res.json()) as { token: string };
    token = body.token;
    localStorage.setItem(storeKey, token);
    return true;
  };

  // One session request at a time: opening the panel and sending the first message must not make two visitors.
  let starting: Promise<boolean> | null = null;
  const ensureSession = (fields: Record<string, string> = {}) => {
    starting ??= session(fields).finally(() => (starting = null));
    return starting;
  };

  const show = (open: boolean) => {
    h.opened = open;
    panel.hidden = !open;
    if (!open) return unread();
    // Inside the visitor's click: this tab may play the notification sound from now on.
    if (!audio && navigator.userActivation?.isActive !== false && typeof AudioContext === "function") {
      audio = new AudioContext();
      void audio.resume().catch(() => undefined);
    }
    // Another tab may have started the chat since this one loaded: same visitor, not a second one.
    token ??= localStorage.getItem(storeKey);
    if (token) connect();
    // Offline (outside business hours): the same form asks where to answer (WhatsApp number, email).
    else if (cfg.prechat || !cfg.online) {
      if (!prechat.isConnected) panel.insertBefore(prechat, form);
      form.hidden = true;
    } else void ensureSession().then(connect);
    markSeen();
    unread();
  };
  h.toggle = show;
  close.addEventListener("click", () => {
    show(false);
    const launcher = root.querySelector<HTMLButtonElement>(".l");
    launcher?.setAttribute("aria-expanded", "false");
    launcher?.focus();
  });
  prechat.addEventListener("submit", (ev) => {
    ev.preventDefault();
    const data = new FormData(prechat);
    const fields: Record<string, string> = {};
    for (const [k, v] of data) if (typeof v === "string" && v.trim()) fields[k] = v.trim();
    void ensureSession(fields).then((ok) => {
      if (!ok) return;
      prechat.remove();
      form.hidden = false;
      connect();
    });
  });
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    const text = box.value.trim().slice(0, MAX_TEXT);
    if (!text) return;
    box.value = "";
    const cid = clientId();
    pending.set(cid, text);
    log.append(el("div", { class: "m in pd", "data-cid": cid }, text));
    log.scrollTop = log.scrollHeight;
    token ??= localStorage.getItem(storeKey);
    if (token) {
      send({ t: "msg", cid, text });
      connect();
    } else void ensureSession().then(connect);
  });
  attach.addEventListener("click", () => file.click());
  // "Continue on WhatsApp": a one-time code, then wa.me with the code in the message (the inbox links the two).
  wa.addEventListener("click", () => {
    // Opened at once (inside the click, so no popup blocker), pointed at wa.me when the code arrives.
    const tab = window.open("", "_blank");
    if (tab) tab.opener = null;
    void ensureSession().then(async () => {
      const res = token
        ? await fetch(`${h.base}/livechat/v1/handoff`, { method: "POST", credentials: "omit", headers: { "content-type": "application/json" }, body: JSON.stringify({ key: h.key, token }) }).catch(() => null)
        : null;
      const url = res && res.ok ? ((await res.json()) as { url: string }).url : null;
      if (url && url.startsWith("https://wa.me/")) {
        if (tab) tab.location.href = url;
        else location.href = url;
      } else tab?.close();
    });
  });
  file.addEventListener("change", () => {
    const f = file.files?.[0];
    file.value = "";
    if (!f) return;
    void ensureSession().then(async () => {
      if (!token) return;
      const q = new URLSearchParams({ key: h.key, token, cid: clientId(), name: f.name });
      const res = await fetch(`${h.base}/livechat/v1/upload?${q}`, { method: "POST", credentials: "omit", headers: { "content-type": f.type }, body: f }).catch(() => null);
      if (res && res.ok) render((await res.json()) as ChatItem);
      else log.append(el("div", { class: "m in pd", role: "status" }, `${f.name}: ${t.upload_failed}`));
      connect();
    });
  });
  box.addEventListener("keydown", (ev) => {
    if (ev.key === "Enter" && !ev.shiftKey) {
      ev.preventDefault();
      form.requestSubmit();
    }
  });
  box.addEventListener("input", () => {
    if (Date.now() - typingSent > 3000) {
      typingSent = Date.now();
      send({ t: "typing" });
    }
  });

  // A returning visitor (token kept from an earlier chat) reconnects for the unread badge; a new one waits.
  if (token) connect();
  if (h.opened) show(true);
}
