// Cursor pagination over (created_at, id) descending: stable under inserts, opaque to clients.
import { ApiError } from "../http/errors";

export type Cursor = { t: number; id: string };

export function encodeCursor(c: Cursor): string {
  return btoa(`${c.t}:${c.id}`).replaceAll("=", "");
}

export function decodeCursor(raw: string | undefined): Cursor | undefined {
  if (!raw) return undefined;
  let s: string;
  try {
    s = atob(raw);
  } catch {
    throw new ApiError(400, "INVALID_CURSOR", "cursor is not valid");
  }
  const sep = s.indexOf(":");
  const t = Number(s.slice(0, sep));
  if (sep < 1 || !Number.isFinite(t) || s.length - sep < 2) throw new ApiError(400, "INVALID_CURSOR", "cursor is not valid");
  return { t, id: s.slice(sep + 1) };
}

/** Given limit+1 rows, the page and the cursor of the next page. */
export function page<T extends { createdAt: number }>(
  rows: T[],
  limit: number,
  idOf: (row: T) => string,
): { items: T[]; next_cursor: string | null } {
  const items = rows.slice(0, limit);
  const last = items[items.length - 1];
  return {
    items,
    next_cursor: rows.length > limit && last ? encodeCursor({ t: last.createdAt, id: idOf(last) }) : null,
  };
}
