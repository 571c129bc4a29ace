// Calls to the dashboard's own API with the session cookie: the JSON answer, or an Error carrying the API's
// message (`{"status":"error","message"}`) so a page can show it as is.
export async function apiJson(url: string, init: RequestInit = {}): Promise<unknown> {
  const res = await fetch(url, { credentials: "same-origin", ...init });
  const data: unknown = res.status === 204 ? {} : await res.json().catch(() => ({}));
  if (!res.ok) {
    const msg = typeof data === "object" && data !== null && "message" in data && typeof data.message === "string" ? data.message : res.statusText;
    throw new Error(msg);
  }
  return data;
}

/** A JSON write (POST/PATCH/PUT) to the API. */
export function sendJson(url: string, method: string, body: unknown): Promise<unknown> {
  return apiJson(url, { method, headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
}

export function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
