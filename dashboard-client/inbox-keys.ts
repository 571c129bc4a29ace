// Keyboard shortcuts of the inbox, outside text fields and without modifier keys: j/k next/previous
// conversation, e resolve, n write a note, a assign to me, r reply, ? the list of shortcuts (Escape closes it).
export type KeyActions = { next: () => void; previous: () => void; resolve: () => void; note: () => void; assign: () => void; reply: () => void };

function typing(target: EventTarget | null): boolean {
  return target instanceof HTMLElement && (target.isContentEditable || target.closest("input, textarea, select") !== null);
}

export function showShortcuts(): void {
  const dialog = document.getElementById("inbox-help");
  if (dialog instanceof HTMLDialogElement && !dialog.open) dialog.showModal();
}

export function setupKeys(actions: KeyActions): void {
  document.addEventListener("click", (ev) => {
    if (ev.target instanceof Element && ev.target.closest("[data-shortcuts]")) showShortcuts();
  });
  document.addEventListener("keydown", (ev) => {
    if (ev.ctrlKey || ev.metaKey || ev.altKey || ev.isComposing || typing(ev.target)) return;
    if (document.querySelector("dialog[open]")) return;
    const run: Record<string, () => void> = {
      j: actions.next,
      k: actions.previous,
      e: actions.resolve,
      n: actions.note,
      a: actions.assign,
      r: actions.reply,
      "?": showShortcuts,
    };
    const action = run[ev.key];
    if (!action) return;
    ev.preventDefault();
    action();
  });
}
