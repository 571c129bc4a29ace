// Telling the agent: a toast in the page always; with their setting on (PUT /api/v1/notifications/settings), a
// short sound and a browser notification too. The sound is synthesised (Web Audio: no file to fetch, nothing for
// the CSP to allow); the browser may only start audio after a click or key press on the page, so the first one
// unlocks it. `body[data-sounds]` counts the sounds played (the browser tests read it).
import { sendJson } from "./api";

let audio: AudioContext | null = null;
let enabled = false;

function unlock(): void {
  if (!enabled || audio) return;
  try {
    audio = new AudioContext();
  } catch {
    audio = null;
  }
}

function beep(): void {
  document.body.dataset.sounds = String(Number(document.body.dataset.sounds ?? "0") + 1);
  if (!audio) return;
  const now = audio.currentTime;
  const osc = audio.createOscillator();
  const gain = audio.createGain();
  osc.frequency.setValueAtTime(880, now);
  osc.frequency.setValueAtTime(1175, now + 0.12);
  gain.gain.setValueAtTime(0.12, now);
  gain.gain.exponentialRampToValueAtTime(0.001, now + 0.35);
  osc.connect(gain).connect(audio.destination);
  osc.start(now);
  osc.stop(now + 0.36);
}

/** Shows a toast (and, when on, the sound and a browser notification); a click on either runs `open`. */
export function notify(title: string, body: string, open: () => void): void {
  const box = document.getElementById("inbox-toasts");
  if (box) {
    const toast = document.createElement("div");
    toast.className = "toast";
    toast.setAttribute("role", "status");
    const b = document.createElement("strong");
    b.textContent = title;
    toast.append(b, document.createElement("br"), document.createTextNode(body));
    toast.addEventListener("click", () => {
      toast.remove();
      open();
    });
    box.append(toast);
    setTimeout(() => toast.remove(), 8000);
  }
  if (!enabled) return;
  beep();
  if ("Notification" in window && Notification.permission === "granted") {
    const n = new Notification(title, { body, tag: title + body });
    n.onclick = () => {
      window.focus();
      open();
      n.close();
    };
  }
}

/** Wires the per-user setting's checkbox; returns nothing, `notify` reads the current state. */
export function setupNotifySetting(initial: "on" | "off", blockedText: string): void {
  enabled = initial === "on";
  document.addEventListener("pointerdown", unlock, { once: false });
  document.addEventListener("keydown", unlock, { once: false });
  const box = document.getElementById("inbox-notify");
  if (!(box instanceof HTMLInputElement)) return;
  box.addEventListener("change", async () => {
    enabled = box.checked;
    unlock();
    if (enabled && "Notification" in window && Notification.permission === "default") {
      const answer = await Notification.requestPermission().catch(() => "denied" as NotificationPermission);
      if (answer === "denied") box.title = blockedText;
    }
    await sendJson("/api/v1/notifications/settings", "PUT", { notify: enabled ? "on" : "off" }).catch(() => {
      box.checked = !enabled;
      enabled = box.checked;
    });
  });
}
