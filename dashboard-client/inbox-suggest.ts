// A textarea's suggestion menu (the reply box's `/` canned responses, the note box's `@` mentions): the token
// before the caret opens a listbox filtered by what follows the trigger; ↑/↓ move, Enter or Tab picks, Escape
// closes; a click picks too. The pick replaces the token. The textarea is the combobox (aria-expanded,
// aria-activedescendant), so screen readers follow the selection.
export type Suggestion = { id: string; label: string; detail: string; insert: () => string };

export type SuggestSource = {
  /** The token before the caret that opens the menu, its query in group 1 (e.g. /(?:^|\s)\/([a-z0-9_-]*)$/). */
  token: RegExp;
  items: (query: string) => Suggestion[];
  /** Shown when nothing matches; without it the menu closes instead. */
  empty?: string;
};

export function attachSuggest(box: HTMLTextAreaElement, menu: HTMLElement, source: SuggestSource): { open: () => boolean } {
  let items: Suggestion[] = [];
  let active = 0;
  let match: { start: number; end: number } | null = null;

  const close = (): void => {
    menu.hidden = true;
    items = [];
    match = null;
    box.setAttribute("aria-expanded", "false");
    box.removeAttribute("aria-activedescendant");
  };

  const draw = (): void => {
    menu.replaceChildren();
    items.forEach((s, i) => {
      const li = document.createElement("li");
      li.id = `${menu.id}-${i}`;
      li.setAttribute("role", "option");
      li.setAttribute("aria-selected", String(i === active));
      li.dataset.suggestion = s.id;
      const b = document.createElement("b");
      b.textContent = s.label;
      li.append(b, document.createTextNode(s.detail));
      li.addEventListener("mousedown", (ev) => {
        ev.preventDefault();
        pick(i);
      });
      menu.append(li);
    });
    if (items.length === 0 && source.empty) {
      const li = document.createElement("li");
      li.className = "muted";
      li.textContent = source.empty;
      menu.append(li);
    }
    if (items.length) box.setAttribute("aria-activedescendant", `${menu.id}-${active}`);
    else box.removeAttribute("aria-activedescendant");
    menu.querySelector('[aria-selected="true"]')?.scrollIntoView({ block: "nearest" });
  };

  const update = (): void => {
    const before = box.value.slice(0, box.selectionStart);
    const m = source.token.exec(before);
    if (!m) return close();
    const query = m[1] ?? "";
    match = { start: before.length - query.length - 1, end: before.length };
    items = source.items(query.toLowerCase());
    if (items.length === 0 && !source.empty) return close();
    active = Math.min(active, Math.max(items.length - 1, 0));
    menu.hidden = false;
    box.setAttribute("aria-expanded", "true");
    draw();
  };

  const pick = (i: number): void => {
    const s = items[i];
    if (!s || !match) return;
    const text = s.insert();
    box.value = box.value.slice(0, match.start) + text + box.value.slice(match.end);
    const caret = match.start + text.length;
    box.setSelectionRange(caret, caret);
    close();
    box.focus();
    box.dispatchEvent(new Event("input", { bubbles: true }));
  };

  box.addEventListener("input", () => {
    if (match === null) active = 0;
    update();
  });
  box.addEventListener("blur", () => setTimeout(close, 150));
  box.addEventListener("keydown", (ev) => {
    if (menu.hidden) return;
    if (ev.key === "ArrowDown" || ev.key === "ArrowUp") {
      ev.preventDefault();
      if (items.length === 0) return;
      active = (active + (ev.key === "ArrowDown" ? 1 : items.length - 1)) % items.length;
      draw();
    } else if ((ev.key === "Enter" || ev.key === "Tab") && items.length > 0) {
      ev.preventDefault();
      ev.stopImmediatePropagation();
      pick(active);
    } else if (ev.key === "Escape") {
      ev.preventDefault();
      ev.stopImmediatePropagation();
      close();
    }
  });
  return { open: () => !menu.hidden };
}
