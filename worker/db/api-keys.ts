import { and, desc, eq } from "drizzle-orm";
import type { Cursor } from "../lib/cursor";
import { afterCursor } from "./paging";
import type { Db } from "./client";
import { type ApiKeyScope, apiKeys, businesses } from "./schema";

export type ApiKey = typeof apiKeys.$inferSelect;

export function publicApiKey(k: ApiKey) {
  return { id: k.id, name: k.name, prefix: k.prefix, scope: k.scope, expires_at: k.expiresAt, created_at: k.createdAt, last_used_at: k.lastUsedAt };
}

export async function insertApiKey(
  db: Db,
  k: { id: string; businessId: string; name: string; prefix: string; keyHash: string; createdBy: string | null; scope: ApiKeyScope; expiresAt: number | null },
): Promise<ApiKey> {
  return db.insert(apiKeys).values(k).returning().get();
}

export async function findApiKeyByHash(db: Db, keyHash: string) {
  return db
    .select({ key: apiKeys, business: businesses })
    .from(apiKeys)
    .innerJoin(businesses, eq(businesses.id, apiKeys.businessId))
    .where(eq(apiKeys.keyHash, keyHash))
    .get();
}

export async function touchApiKey(db: Db, id: string, now: number): Promise<void> {
  await db.update(apiKeys).set({ lastUsedAt: now }).where(eq(apiKeys.id, id));
}

export async function listApiKeys(db: Db, businessId: string, limit: number, cursor?: Cursor): Promise<ApiKey[]> {
  return db
    .select()
    .from(apiKeys)
    .where(
      and(
        eq(apiKeys.businessId, businessId),
        afterCursor(apiKeys.createdAt, apiKeys.id, cursor),
      ),
    )
    .orderBy(desc(apiKeys.createdAt), desc(apiKeys.id))
    .limit(limit + 1)
    .all();
}

export async function deleteApiKey(db: Db, businessId: string, id: string): Promise<boolean> {
  const rows = await db
    .delete(apiKeys)
    .where(and(eq(apiKeys.businessId, businessId), eq(apiKeys.id, id)))
    .returning({ id: apiKeys.id });
  return rows.length > 0;
}
