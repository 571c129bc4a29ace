// Canned-response variables: `{{contact.name}}`, `{{contact.phone}}`, `{{contact.email}}`, `{{agent.name}}`,
// `{{business.name}}`. Filled when the agent inserts the response; an unknown or empty variable becomes "" so
// a customer never sees braces.
export type CannedVars = Record<string, string | null | undefined>;

export const CANNED_VARIABLES = ["contact.name", "contact.phone", "contact.email", "agent.name", "business.name"] as const;

export function renderCanned(text: string, vars: CannedVars): string {
  return text.replace(/\{\{\s*([a-z]+\.[a-z]+)\s*\}\}/g, (_m, name: string) => vars[name] ?? "");
}

/** @mentions in a note: `@sari` matches a user whose name (spaces removed) or email local part is `sari`. */
export function mentionedUsers(text: string, users: { id: string; name: string; email: string }[]): string[] {
  const handles = new Set([...text.matchAll(/(?:^|\s)@([\p{L}\p{N}._-]{2,60})/gu)].map((m) => (m[1] ?? "").toLowerCase()));
  return users
    .filter((u) => handles.has(u.name.replace(/\s+/g, "").toLowerCase()) || handles.has((u.email.split("@")[0] ?? "").toLowerCase()))
    .map((u) => u.id);
}

/** The handle the inbox suggests for `@`: the name without spaces when it is a valid handle, else the email's local part. */
export function mentionHandle(u: { name: string; email: string }): string {
  const byName = u.name.replace(/\s+/g, "").toLowerCase();
  return /^[\p{L}\p{N}._-]{2,60}$/u.test(byName) ? byName : (u.email.split("@")[0] ?? "").toLowerCase();
}
