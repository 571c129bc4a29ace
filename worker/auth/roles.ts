import type { Role } from "../db/schema";

const rank: Record<Role, number> = { staff: 0, admin: 1, super_admin: 2 };

/** staff: conversations and contacts; admin: also devices, rules, broadcasts, AI, templates; super_admin: also users, keys, billing. */
export function roleAtLeast(role: Role, min: Role): boolean {
  return rank[role] >= rank[min];
}
