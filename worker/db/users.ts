import { and, desc, eq, isNull, sql } from "drizzle-orm";
import { newReferralCode } from "../billing/affiliate";
import type { Cursor } from "../lib/cursor";
import { afterCursor } from "./paging";
import type { Db } from "./client";
import { businesses, type Role, users } from "./schema";

export type User = typeof users.$inferSelect;
export type PublicUser = Pick<User, "id" | "email" | "name" | "role" | "createdAt"> & { business_id: string; email_verified: boolean };

export function publicUser(u: User): PublicUser {
  return { id: u.id, business_id: u.businessId, email: u.email, name: u.name, role: u.role, createdAt: u.createdAt, email_verified: u.emailVerifiedAt !== null };
}

export async function findUserByEmail(db: Db, email: string): Promise<User | undefined> {
  return db.select().from(users).where(eq(users.email, email.toLowerCase())).get();
}

export async function getUser(db: Db, businessId: string, id: string): Promise<User | undefined> {
  return db
    .select()
    .from(users)
    .where(and(eq(users.businessId, businessId), eq(users.id, id)))
    .get();
}

export async function listUsers(db: Db, businessId: string, limit: number, cursor?: Cursor): Promise<User[]> {
  return db
    .select()
    .from(users)
    .where(
      and(
        eq(users.businessId, businessId),
        afterCursor(users.createdAt, users.id, cursor),
      ),
    )
    .orderBy(desc(users.createdAt), desc(users.id))
    .limit(limit + 1)
    .all();
}

/** Sign-up: the business and its super admin in one batch, so neither exists without the other. */
export async function createBusinessWithOwner(
  db: Db,
  input: { businessId: string; businessName: string; activeUntil: number; userId: string; name: string; email: string; passwordHash: string; referredBy?: string | null },
): Promise<User> {
  const [, inserted] = await db.batch([
    db
      .insert(businesses)
      .values({ id: input.businessId, name: input.businessName, activeUntil: input.activeUntil, referralCode: newReferralCode(), referredBy: input.referredBy ?? null }),
    db
      .insert(users)
      .values({
        id: input.userId,
        businessId: input.businessId,
        email: input.email.toLowerCase(),
        name: input.name,
        role: "super_admin",
        passwordHash: input.passwordHash,
      })
      .returning(),
  ]);
  const user = inserted[0];
  if (!user) throw new Error("user insert returned nothing");
  return user;
}

export async function insertUser(
  db: Db,
  input: { id: string; businessId: string; email: string; name: string; role: Role; passwordHash: string },
): Promise<User> {
  return db
    .insert(users)
    .values({ ...input, email: input.email.toLowerCase() })
    .returning()
    .get();
}

export async function updateUser(
  db: Db,
  businessId: string,
  id: string,
  patch: Partial<Pick<User, "name" | "role" | "passwordHash" | "locale">>,
): Promise<User | undefined> {
  return db
    .update(users)
    .set(patch)
    .where(and(eq(users.businessId, businessId), eq(users.id, id)))
    .returning()
    .get();
}

export async function deleteUser(db: Db, businessId: string, id: string): Promise<boolean> {
  const rows = await db
    .delete(users)
    .where(and(eq(users.businessId, businessId), eq(users.id, id)))
    .returning({ id: users.id });
  return rows.length > 0;
}

export async function countSuperAdmins(db: Db, businessId: string): Promise<number> {
  const row = await db
    .select({ n: sql<number>`count(*)` })
    .from(users)
    .where(and(eq(users.businessId, businessId), eq(users.role, "super_admin")))
    .get();
  return row?.n ?? 0;
}

export async function getUserById(db: Db, id: string): Promise<User | undefined> {
  return db.select().from(users).where(eq(users.id, id)).get();
}

export async function setPassword(db: Db, id: string, passwordHash: string): Promise<void> {
  await db.update(users).set({ passwordHash }).where(eq(users.id, id));
}

export async function markEmailVerified(db: Db, id: string, now: number): Promise<void> {
  await db.update(users).set({ emailVerifiedAt: now }).where(and(eq(users.id, id), isNull(users.emailVerifiedAt)));
}
