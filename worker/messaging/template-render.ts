// Message templates with the seed's `{name}`-style variables. The seed sends variables keyed with their
// braces (`{"{name}": "Budi"}`); bare keys (`{"name": "Budi"}`) are accepted too.
const VAR = /\{([A-Za-z0-9_]{1,64})\}/g;

export function templateVariables(body: string): string[] {
  return [...new Set([...body.matchAll(VAR)].map((m) => m[1] ?? ""))];
}

export type RenderResult = { ok: true; text: string } | { ok: false; missing: string[] };

export function renderTemplate(body: string, variables: Record<string, string | number | boolean | null>): RenderResult {
  // Own properties only: `{constructor}` or `{__proto__}` must be "missing", never Object.prototype's members.
  const own = (key: string) => (Object.hasOwn(variables, key) ? variables[key] : undefined);
  const value = (name: string) => own(`{${name}}`) ?? own(name);
  const missing = templateVariables(body).filter((n) => value(n) === undefined || value(n) === null);
  if (missing.length) return { ok: false, missing };
  return { ok: true, text: body.replace(VAR, (_, name: string) => String(value(name))) };
}
